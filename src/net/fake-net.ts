// An in-memory NetOps for tests of the resource layer: interfaces,
// addresses and routes kept in memory, refused the way the kernel refuses
// (EEXIST, EADDRNOTAVAIL, ENODEV, EINVAL, ENETDOWN, with the C core's
// messages), connected routes derived from the addresses like the kernel
// derives them, a settable table for the rest, and every announcement
// recorded round by round. The same contract suite runs against this and
// against the kernel (test/unit/net/contract.ts).

import { isIP } from 'node:net';
import { checkAddressSpec, errnoError } from './native-net';
import type {
  AddressSpec,
  AnnounceSpec,
  Family,
  GarpMode,
  InterfaceAddress,
  InterfaceMatch,
  LinkInfo,
  NetOps,
} from './types';

export interface FakeLinkSpec {
  readonly ifname: string;
  /** Default: the next free index (lo is 1). */
  readonly ifindex?: number;
  /** Default: 02:00:00:00:00:<index>. */
  readonly mac?: string;
  /** Default true. */
  readonly up?: boolean;
  /** Default 1500. */
  readonly mtu?: number;
  /** CIDR addresses present from the start ('10.0.0.1/24'); IPv4 gets its broadcast, IPv6 no DAD. */
  readonly addresses?: readonly string[];
}

/** A route of the main table besides the connected ones the addresses imply. */
export interface FakeRoute {
  /** 'default' or CIDR: '172.16.0.0/16', '2001:db8:5::/64'. */
  readonly dst: string;
  readonly ifname: string;
  readonly gateway?: string;
  /** Default 0 (IPv4) / 1024 (IPv6), like ip route add. */
  readonly metric?: number;
  /** Default 'link' without a gateway, else 'global'. */
  readonly scope?: 'link' | 'global' | 'host';
  /** Default 'unicast'. */
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local';
}

/** One frame an announcement put on the wire. */
export interface FakeFrame {
  readonly kind: 'arp-request' | 'arp-reply' | 'na';
  readonly ifname: string;
  readonly address: string;
  readonly mac: string;
  /** NA: the Router flag. */
  readonly router?: boolean;
  /** now() when sent. */
  readonly atMs: number;
}

export interface FakeAnnouncement {
  readonly ifname: string;
  readonly address: string;
  readonly family: Family;
  readonly mode: GarpMode;
  readonly count: number;
  readonly intervalMs: number;
  readonly router: boolean;
  /** Rounds sent so far. */
  rounds: number;
  /** Stopped by its AbortSignal. */
  cancelled: boolean;
  /** Resolved (or rejected). */
  done: boolean;
}

export interface FakeNetOptions {
  /** Interfaces besides lo (127.0.0.1/8, ::1/128). */
  readonly links?: readonly FakeLinkSpec[];
  readonly routes?: readonly FakeRoute[];
  /**
   * Removing an IPv4 primary promotes a secondary of its subnet
   * (net.ipv4.conf.*.promote_secondaries = 1, what systemd sets) instead of
   * removing them all (the kernel's own default). Default true.
   */
  readonly promoteSecondaries?: boolean;
  /** Clock for FakeFrame.atMs. Default: performance.now(). */
  readonly now?: () => number;
}

// ------------------------------------------------------------ addresses as numbers

/** 32 or 128 bits as a bigint; null when the text is not an address of that family. */
function toBig(text: string, family: Family): bigint | null {
  if (isIP(text) !== (family === 'inet' ? 4 : 6)) return null;
  if (family === 'inet') return text.split('.').reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
  const [head = '', tail] = text.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let parts = groups(head);
  let tailParts = tail === undefined ? [] : groups(tail);
  // an IPv4 tail (::ffff:1.2.3.4) is two groups
  const v4 = (g: string[]): string[] => {
    const last = g[g.length - 1];
    if (last === undefined || !last.includes('.')) return g;
    const n = Number(toBig(last, 'inet'));
    return [...g.slice(0, -1), (n >>> 16).toString(16), (n & 0xffff).toString(16)];
  };
  if (tail === undefined) parts = v4(parts);
  else tailParts = v4(tailParts);
  const all = tail === undefined ? parts : [...parts, ...Array(8 - parts.length - tailParts.length).fill('0'), ...tailParts];
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function bits(family: Family): number {
  return family === 'inet' ? 32 : 128;
}

function maskOf(prefixLen: number, family: Family): bigint {
  const w = BigInt(bits(family));
  return prefixLen === 0 ? 0n : ((1n << w) - 1n) ^ ((1n << (w - BigInt(prefixLen))) - 1n);
}

function fromBig(n: bigint, family: Family): string {
  if (family === 'inet') return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(16 * i)) & 0xffffn).toString(16));
  // the longest run of zero groups (2 or more) becomes '::' (RFC 5952)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The canonical text of an address (what the kernel reports back). */
function canonical(text: string, family: Family): string {
  const n = toBig(text, family);
  return n === null ? text : fromBig(n, family);
}

/** "10.0.0.100/24", "2001:db8::1/64": the address as the C core prints it. */
function text(spec: AddressSpec): string {
  return `${canonical(spec.address, familyOf(spec.address))}/${spec.prefixLen}`;
}

function familyOf(address: string): Family {
  return address.includes(':') ? 'inet6' : 'inet';
}

/** findif's IPv4 broadcast: address | ~mask for prefixes up to /30. */
function broadcastOf(address: bigint, prefixLen: number): string | undefined {
  if (prefixLen > 30) return undefined;
  return fromBig(address | (((1n << 32n) - 1n) ^ maskOf(prefixLen, 'inet')), 'inet');
}

// ------------------------------------------------------------ state

interface Link {
  ifname: string;
  ifindex: number;
  mac: string;
  up: boolean;
  mtu: number;
  loopback: boolean;
}

interface Addr {
  ifindex: number;
  family: Family;
  address: string;
  value: bigint;
  prefixLen: number;
  broadcast?: string;
  label?: string;
  secondary: boolean;
  tentative: boolean;
  noDad: boolean;
  noPrefixRoute: boolean;
}

interface Route {
  family: Family;
  dst: bigint;
  dstLen: number;
  ifindex: number;
  gateway: boolean;
  metric: number;
  scope: 'link' | 'global' | 'host';
  type: string;
}

export class FakeNet implements NetOps {
  /** Every announcement, in the order they were asked for. */
  readonly announcements: FakeAnnouncement[] = [];
  /** Every frame sent, in order. */
  readonly frames: FakeFrame[] = [];
  private readonly links = new Map<string, Link>();
  private addrs: Addr[] = [];
  private extraRoutes: Route[] = [];
  private readonly promote: boolean;
  private readonly now: () => number;
  private readonly failures = new Map<string, string[]>();

  constructor(options: FakeNetOptions = {}) {
    this.promote = options.promoteSecondaries ?? true;
    this.now = options.now ?? (() => performance.now());
    this.addLink({ ifname: 'lo', ifindex: 1, mac: '00:00:00:00:00:00', mtu: 65536, addresses: ['127.0.0.1/8', '::1/128'] });
    (this.links.get('lo') as Link).loopback = true;
    for (const l of options.links ?? []) this.addLink(l);
    if (options.routes) this.setRoutes(options.routes);
  }

  // ---------------------------------------------------------- topology (tests)

  addLink(spec: FakeLinkSpec): void {
    if (this.links.has(spec.ifname)) throw errnoError('EEXIST', `adding interface ${spec.ifname}`);
    const used = new Set([...this.links.values()].map((l) => l.ifindex));
    let ifindex = spec.ifindex ?? 1;
    while (spec.ifindex === undefined && used.has(ifindex)) ifindex++;
    if (used.has(ifindex)) throw errnoError('EEXIST', `adding interface ${spec.ifname} as #${ifindex}`);
    const hex = ifindex.toString(16).padStart(2, '0').slice(-2);
    this.links.set(spec.ifname, {
      ifname: spec.ifname,
      ifindex,
      mac: spec.mac ?? `02:00:00:00:00:${hex}`,
      up: spec.up ?? true,
      mtu: spec.mtu ?? 1500,
      loopback: false,
    });
    const l = this.links.get(spec.ifname) as Link;
    if (l.up) this.linkLocal(l);
    for (const cidr of spec.addresses ?? []) {
      const [address = '', len = ''] = cidr.split('/');
      const family = familyOf(address);
      const prefixLen = Number(len || bits(family));
      const value = toBig(address, family);
      const broadcast = family === 'inet' && value !== null ? broadcastOf(value, prefixLen) : undefined;
      this.insert({ ifname: spec.ifname, family, address, prefixLen, ...(broadcast ? { broadcast } : {}), noDad: true });
    }
  }

  /** Removes an interface with its addresses and routes (a hot-unplugged NIC). */
  removeLink(ifname: string): void {
    const l = this.link(ifname, `removing interface ${ifname}`);
    this.links.delete(ifname);
    this.addrs = this.addrs.filter((a) => a.ifindex !== l.ifindex);
    this.extraRoutes = this.extraRoutes.filter((r) => r.ifindex !== l.ifindex);
  }

  /**
   * ip link set up/down: a down interface refuses frames and loses its
   * routes; the connected ones come back with it, the others (like the
   * kernel's) do not.
   */
  setLinkUp(ifname: string, up: boolean): void {
    const l = this.link(ifname, `setting ${ifname} ${up ? 'up' : 'down'}`);
    l.up = up;
    if (!up) this.extraRoutes = this.extraRoutes.filter((r) => r.ifindex !== l.ifindex);
    else this.linkLocal(l);
  }

  /** The kernel's IPv6 link-local address on an interface coming up (EUI-64 from the MAC). */
  private linkLocal(l: Link): void {
    if (l.loopback || l.ifname === 'lo') return;
    const m = l.mac.split(':').map((x) => parseInt(x, 16));
    if (m.length !== 6 || m.some((x) => Number.isNaN(x))) return;
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = m;
    const g = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16);
    const address = canonical(`fe80::${g(a ^ 2, b)}:${g(c, 0xff)}:${g(0xfe, d)}:${g(e, f)}`, 'inet6');
    if (this.addrs.some((x) => x.ifindex === l.ifindex && x.address === address)) return;
    this.insert({ ifname: l.ifname, family: 'inet6', address, prefixLen: 64, noDad: true });
  }

  /** Replaces the routes besides the connected ones (ip route add ...). */
  setRoutes(routes: readonly FakeRoute[]): void {
    this.extraRoutes = routes.map((r) => this.route(r));
  }

  addRoute(route: FakeRoute): void {
    this.extraRoutes.push(this.route(route));
  }

  /** IPv6 duplicate address detection finished: the address is no longer tentative. */
  finishDad(address?: string): void {
    for (const a of this.addrs) if (address === undefined || a.address === canonical(address, 'inet6')) a.tentative = false;
  }

  /** The next `times` calls of `op` reject with `code` (then the fake works again). */
  failNext(op: 'addAddress' | 'deleteAddress' | 'listAddresses' | 'findInterface' | 'linkInfo' | 'announce', code: string, times = 1): void {
    const list = this.failures.get(op) ?? [];
    for (let i = 0; i < times; i++) list.push(code);
    this.failures.set(op, list);
  }

  // ---------------------------------------------------------- NetOps

  async listAddresses(ifname?: string): Promise<InterfaceAddress[]> {
    this.injected('listAddresses', 'listing addresses');
    const only = ifname === undefined ? undefined : this.link(ifname, `reading interface ${ifname}`).ifindex;
    const byIndex = new Map([...this.links.values()].map((l) => [l.ifindex, l]));
    const order = (a: Addr): number => (a.family === 'inet' ? 0 : 1) * 1e6 + a.ifindex;
    return this.addrs
      .filter((a) => only === undefined || a.ifindex === only)
      .map((a, i) => ({ a, i }))
      .sort((x, y) => order(x.a) - order(y.a) || x.i - y.i)
      .map(({ a }) => {
        const name = byIndex.get(a.ifindex)?.ifname ?? `#${a.ifindex}`;
        return {
          ifname: name,
          family: a.family,
          address: a.address,
          prefixLen: a.prefixLen,
          ...(a.broadcast !== undefined ? { broadcast: a.broadcast } : {}),
          ...(a.family === 'inet' ? { label: a.label ?? name } : {}),
          secondary: a.secondary,
          tentative: a.tentative,
          dadFailed: false,
        };
      });
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    const op = `adding ${text(spec)} to ${spec.ifname}`;
    this.injected('addAddress', op);
    this.insert(spec);
  }

  async deleteAddress(spec: AddressSpec): Promise<void> {
    const op = `removing ${text(spec)} from ${spec.ifname}`;
    this.injected('deleteAddress', op);
    this.checkSpec(spec, op);
    const l = this.link(spec.ifname, op);
    const value = toBig(spec.address, spec.family) as bigint;
    const i = this.addrs.findIndex(
      (a) =>
        a.ifindex === l.ifindex &&
        a.family === spec.family &&
        a.value === value &&
        a.prefixLen === spec.prefixLen &&
        (spec.label === undefined || spec.family !== 'inet' || (a.label ?? l.ifname) === spec.label),
    );
    if (i < 0) throw errnoError('EADDRNOTAVAIL', op, spec.family === 'inet' ? 'ipv4: Address not found' : undefined);
    const [gone] = this.addrs.splice(i, 1);
    if (gone && gone.family === 'inet' && !gone.secondary) {
      // the secondaries of its subnet: promoted (one becomes primary) or removed with it
      const mask = maskOf(gone.prefixLen, 'inet');
      const same = (a: Addr): boolean =>
        a.ifindex === gone.ifindex && a.family === 'inet' && a.secondary && a.prefixLen === gone.prefixLen && (a.value & mask) === (gone.value & mask);
      if (this.promote) {
        const next = this.addrs.find(same);
        if (next) next.secondary = false;
      } else {
        this.addrs = this.addrs.filter((a) => !same(a));
      }
    }
  }

  async findInterface(address: string, ifname?: string): Promise<InterfaceMatch | null> {
    const op = `finding the interface for ${canonical(address, familyOf(address))}`;
    this.injected('findInterface', op);
    const family = familyOf(address);
    const value = toBig(address, family);
    if (value === null) throw errnoError('EINVAL', `parsing address '${address}' as an IP address`);
    if (family === 'inet6' && value >> 118n === 0x3fan && ifname === undefined) {
      throw errnoError('EINVAL', `${op} (a link-local address needs one)`);
    }
    const want = ifname === undefined ? undefined : this.link(ifname, `${op} (reading interface ${ifname})`).ifindex;
    const eligible = this.mainTable().filter(
      (r) =>
        r.family === family &&
        r.type === 'unicast' &&
        r.dstLen > 0 &&
        !r.gateway &&
        (family === 'inet6' || r.scope === 'link') &&
        (value & maskOf(r.dstLen, family)) === r.dst,
    );
    const best = (list: Route[]): Route | undefined =>
      list.reduce<Route | undefined>((b, r) => (b === undefined || r.dstLen > b.dstLen || (r.dstLen === b.dstLen && r.metric < b.metric) ? r : b), undefined);
    const all = best(eligible);
    if (all === undefined) return null;
    const own = want === undefined ? undefined : best(eligible.filter((r) => r.ifindex === want));
    const r = own ?? all;
    const name = [...this.links.values()].find((l) => l.ifindex === r.ifindex)?.ifname ?? `#${r.ifindex}`;
    const broadcast = family === 'inet' ? broadcastOf(value, r.dstLen) : undefined;
    return {
      ifname: name,
      prefixLen: r.dstLen,
      ...(broadcast !== undefined ? { broadcast } : {}),
      ...(want !== undefined && own === undefined ? { differs: true } : {}),
    };
  }

  async linkInfo(ifname: string): Promise<LinkInfo> {
    this.injected('linkInfo', `reading interface ${ifname}`);
    const l = this.link(ifname, `reading interface ${ifname}`);
    return { ifname: l.ifname, ifindex: l.ifindex, mac: l.mac, up: l.up, mtu: l.mtu };
  }

  /** Paced like the native one: the first round at once, then one per interval (real timers, or mocked ones). */
  async announce(spec: AnnounceSpec): Promise<void> {
    const family = familyOf(spec.address);
    const what = family === 'inet' ? 'gratuitous ARP' : 'unsolicited neighbour advertisement';
    const { signal } = spec;
    if (signal?.aborted) throw abortReason(signal);
    this.injected('announce', `opening AF_PACKET on ${spec.ifname}`);
    if (toBig(spec.address, family) === null) throw errnoError('EINVAL', `parsing announcement.address '${spec.address}' as an IP address`);
    const l = this.link(spec.ifname, `opening AF_PACKET on ${spec.ifname}`);
    if (l.loopback) throw errnoError('EOPNOTSUPP', `announcing on ${l.ifname} (not an Ethernet interface, type 772)`);
    const rec: FakeAnnouncement = {
      ifname: spec.ifname,
      address: canonical(spec.address, family),
      family,
      mode: spec.mode ?? 'both',
      count: spec.count,
      intervalMs: spec.intervalMs,
      router: spec.router ?? false,
      rounds: 0,
      cancelled: false,
      done: false,
    };
    this.announcements.push(rec);
    try {
      for (let k = 0; k < spec.count; k++) {
        if (k > 0) await pause(spec.intervalMs, signal);
        if (signal?.aborted) {
          rec.cancelled = true;
          throw abortReason(signal);
        }
        if (!l.up || !this.links.has(l.ifname)) {
          throw errnoError(l.up ? 'ENXIO' : 'ENETDOWN', `sending ${what} for ${rec.address} on ${l.ifname}`);
        }
        const kinds: FakeFrame['kind'][] =
          family === 'inet6' ? ['na'] : rec.mode === 'request' ? ['arp-request'] : rec.mode === 'reply' ? ['arp-reply'] : ['arp-request', 'arp-reply'];
        const atMs = this.now();
        for (const kind of kinds) {
          this.frames.push({ kind, ifname: l.ifname, address: rec.address, mac: l.mac, ...(family === 'inet6' ? { router: rec.router } : {}), atMs });
        }
        rec.rounds++;
      }
    } finally {
      rec.done = true;
    }
  }

  // ---------------------------------------------------------- internals

  private injected(op: string, what: string): void {
    const code = this.failures.get(op)?.shift();
    if (code !== undefined) throw errnoError(code, what);
  }

  private link(ifname: string, op: string): Link {
    const l = this.links.get(ifname);
    if (l === undefined) throw errnoError('ENODEV', op);
    return l;
  }

  /** NativeNet's checks, then the addon's and the C core's, before the kernel sees anything. */
  private checkSpec(spec: AddressSpec, op: string): void {
    checkAddressSpec(spec, op);
    if (toBig(spec.address, spec.family) === null) throw errnoError('EINVAL', `parsing address.address '${spec.address}' as an IP address`);
    if (spec.broadcast !== undefined && toBig(spec.broadcast, 'inet') === null) {
      throw errnoError('EINVAL', `parsing address.broadcast '${spec.broadcast}' as an IP address`);
    }
    if (spec.label !== undefined && !spec.label.startsWith(spec.ifname)) {
      throw errnoError('EINVAL', `${op} (the label ${spec.label} does not begin with the interface name)`);
    }
  }

  private insert(spec: AddressSpec): void {
    const op = `adding ${text(spec)} to ${spec.ifname}`;
    this.checkSpec(spec, op);
    const l = this.link(spec.ifname, op);
    const value = toBig(spec.address, spec.family) as bigint;
    const mine = this.addrs.filter((a) => a.ifindex === l.ifindex && a.family === spec.family);
    // IPv4: one address+prefix per interface; IPv6: one address per interface
    if (mine.some((a) => a.value === value && (spec.family === 'inet6' || a.prefixLen === spec.prefixLen))) {
      throw errnoError('EEXIST', op, spec.family === 'inet' ? 'ipv4: Address already assigned' : undefined);
    }
    const mask = maskOf(spec.prefixLen, spec.family);
    const secondary =
      spec.family === 'inet' && mine.some((a) => !a.secondary && a.prefixLen === spec.prefixLen && (a.value & mask) === (value & mask));
    this.addrs.push({
      ifindex: l.ifindex,
      family: spec.family,
      address: canonical(spec.address, spec.family),
      value,
      prefixLen: spec.prefixLen,
      ...(spec.broadcast !== undefined ? { broadcast: spec.broadcast } : {}),
      ...(spec.label !== undefined ? { label: spec.label } : {}),
      secondary,
      tentative: spec.family === 'inet6' && !spec.noDad,
      noDad: spec.noDad ?? false,
      noPrefixRoute: false,
    });
  }

  private route(r: FakeRoute): Route {
    const l = this.link(r.ifname, `adding a route via ${r.ifname}`);
    const [dst = '', len] = r.dst === 'default' ? ['', '0'] : r.dst.split('/');
    const family = r.dst === 'default' ? familyOf(r.gateway ?? '') : familyOf(dst);
    const value = r.dst === 'default' ? 0n : toBig(dst, family);
    const dstLen = Number(len ?? bits(family));
    if (value === null || !(dstLen >= 0 && dstLen <= bits(family))) throw errnoError('EINVAL', `adding the route ${r.dst}`);
    return {
      family,
      dst: value & maskOf(dstLen, family),
      dstLen,
      ifindex: l.ifindex,
      gateway: r.gateway !== undefined,
      metric: r.metric ?? (family === 'inet' ? 0 : 1024),
      scope: r.scope ?? (r.gateway !== undefined ? 'global' : 'link'),
      type: r.type ?? 'unicast',
    };
  }

  /** The main table: each up interface's connected prefixes (as the kernel adds them), then the set routes. */
  private mainTable(): Route[] {
    const up = new Set([...this.links.values()].filter((l) => l.up && !l.loopback).map((l) => l.ifindex));
    const connected: Route[] = [];
    for (const a of this.addrs) {
      if (!up.has(a.ifindex) || a.noPrefixRoute || a.prefixLen === bits(a.family) || (a.family === 'inet' && a.secondary)) continue;
      const dst = a.value & maskOf(a.prefixLen, a.family);
      if (connected.some((r) => r.family === a.family && r.ifindex === a.ifindex && r.dst === dst && r.dstLen === a.prefixLen)) continue;
      connected.push({ family: a.family, dst, dstLen: a.prefixLen, ifindex: a.ifindex, gateway: false, metric: a.family === 'inet' ? 0 : 256, scope: 'link', type: 'unicast' });
    }
    return [...connected, ...this.extraRoutes.filter((r) => up.has(r.ifindex))];
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** setTimeout, cut short by the signal. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
