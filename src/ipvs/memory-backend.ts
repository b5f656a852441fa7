// An in-memory IpvsBackend for tests of policy code (the director, health
// checks, failover) on machines without IPVS.
//
// It is the native backend (native-backend.ts: the same value checks, the
// same translation to and from the kernel's numbers) over a simulated
// kernel: MemoryIpvsKernel implements the addon's NativeIpvsHandle with the
// rules of Linux 6.1's IPVS netlink code (net/netfilter/ipvs/ip_vs_ctl.c,
// ip_vs_sync.c) in the same order the kernel applies them, and the error
// texts of the C core (native/src/ipvs_ops.c). So the same contract suite
// (test/unit/ipvs/contract.ts) holds for both backends, and a test that
// passes here sees the errors the kernel would give: EEXIST for an add of
// something present, ESRCH for a missing service, ENOENT for a missing
// destination or an unknown scheduler, ERANGE for a negative weight or
// inverted thresholds, ENODEV for a sync daemon on an unknown interface.
//
// What it does not simulate: traffic (connection counts and counters stay 0
// unless a test sets them with setDestConns), module autoloading limits,
// per-namespace sysctls.

import { SocketAddress } from 'node:net';
import type {
  NativeIpvsDaemon,
  NativeIpvsDaemonEntry,
  NativeIpvsDest,
  NativeIpvsDestEntry,
  NativeIpvsHandle,
  NativeIpvsInfo,
  NativeIpvsService,
  NativeIpvsServiceEntry,
  NativeIpvsServiceKey,
  NativeIpvsStats,
  NativeIpvsTimeouts,
} from '../native/binding';
import { AF, DAEMON_STATE, FORWARD, NativeIpvsBackend, SVC_FLAG, TUNNEL_TYPE, nativeDest, nativeKey } from './native-backend';
import type { DestKey, ServiceKey } from './types';

/** Schedulers of Debian 12's kernel (CONFIG_IP_VS_*=m), plus "none". */
export const KERNEL_SCHEDULERS = [
  'rr', 'wrr', 'lc', 'wlc', 'fo', 'ovf', 'lblc', 'lblcr', 'dh', 'sh', 'mh', 'sed', 'nq', 'none',
] as const;

export interface MemoryIpvsOptions {
  /** Interfaces a sync daemon may use, name -> MTU. Default { lo: 65536 }. */
  readonly interfaces?: Readonly<Record<string, number>>;
  /** Known schedulers. Default KERNEL_SCHEDULERS. */
  readonly schedulers?: readonly string[];
  /** Known persistence engines. Default ['sip']. */
  readonly persistenceEngines?: readonly string[];
  /** Connection table size reported by info(). Default 4096 (IP_VS_TAB_BITS 12). */
  readonly connTableSize?: number;
}

// ------------------------------------------------------------ errors

const ERRNO: Readonly<Record<string, readonly [number, string]>> = {
  EBADF: [9, 'Bad file descriptor'],
  ENOENT: [2, 'No such file or directory'],
  ESRCH: [3, 'No such process'],
  EEXIST: [17, 'File exists'],
  ENODEV: [19, 'No such device'],
  EINVAL: [22, 'Invalid argument'],
  ERANGE: [34, 'Numerical result out of range'],
  EAFNOSUPPORT: [97, 'Address family not supported by protocol'],
};

/** The addon's error: "<what was done>[ (hint)]: <strerror>", code = errno name. */
function kernelError(code: keyof typeof ERRNO & string, op: string, hint?: string): Error {
  const [errno, text] = ERRNO[code]!;
  const what = hint ? `${op} (${hint})` : op;
  return Object.assign(new Error(`${what}: ${text}`), { code, errno, op: what });
}

// ------------------------------------------------------------ addresses

const AF_INET = AF.inet;
const AF_INET6 = AF.inet6;

/** inet_pton + inet_ntop: the canonical text, or undefined. */
function canonical(af: number, text: string | undefined): string | undefined {
  if (typeof text !== 'string' || text.includes('%')) return undefined;
  try {
    return new SocketAddress({ address: text, family: af === AF_INET6 ? 'ipv6' : 'ipv4' }).address;
  } catch {
    return undefined;
  }
}

function addrPort(af: number, addr: string, port: number): string {
  return af === AF_INET6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

const PROTOCOL_WORDS: Readonly<Record<number, string>> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** hb_ipvs_service_text(): "TCP 10.0.0.100:80", "FWM 7 IPv6". */
function serviceWords(k: NativeIpvsServiceKey): string {
  if (k.fwmark) return `FWM ${k.fwmark}${k.af === AF_INET6 ? ' IPv6' : ''}`;
  const proto = PROTOCOL_WORDS[k.protocol ?? 0] ?? `proto ${k.protocol ?? 0}`;
  return `${proto} ${addrPort(k.af, canonical(k.af, k.addr) ?? '?', k.port ?? 0)}`;
}

/** What ip_vs_new_dest() accepts: inet_addr_type() LOCAL/UNICAST, or a
 * unicast, non-link-local IPv6 address. */
function unicast(af: number, addr: string): boolean {
  if (af === AF_INET) {
    const first = Number(addr.split('.')[0]);
    return first !== 0 && first < 224 && addr !== '255.255.255.255';
  }
  const lower = addr.toLowerCase();
  return lower !== '::' && !lower.startsWith('ff') && !/^fe[89ab]/.test(lower);
}

function multicast(af: number, addr: string): boolean {
  if (af === AF_INET) {
    const first = Number(addr.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return addr.toLowerCase().startsWith('ff');
}

// ------------------------------------------------------------ the simulated kernel

interface Dest {
  af: number;
  addr: string;
  port: number;
  fwdMethod: number;
  weight: number;
  uThreshold: number;
  lThreshold: number;
  tunType: number;
  tunPort: number;
  tunFlags: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
}

interface Service {
  key: NativeIpvsServiceKey; // canonical address
  schedName: string;
  peName: string;
  flags: number;
  timeout: number;
  netmask: number;
  dests: Map<string, Dest>;
}

const ZERO_STATS: NativeIpvsStats = {
  conns: 0n, inPkts: 0n, outPkts: 0n, inBytes: 0n, outBytes: 0n,
  cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n,
};

const HZ = 250; // Debian's CONFIG_HZ: the kernel refuses timeouts above INT_MAX / HZ
const SYNC_GROUP = '224.0.0.81';
const SYNC_PORT = 8848;

/**
 * The addon's NativeIpvsHandle, answered from memory by the rules of the
 * kernel's IPVS netlink interface (one network namespace).
 */
export class MemoryIpvsKernel implements NativeIpvsHandle {
  readonly familyId = 0;
  private readonly services = new Map<string, Service>();
  private readonly daemons = new Map<number, NativeIpvsDaemonEntry>();
  private timeouts: NativeIpvsTimeouts = { tcp: 900, tcpFin: 120, udp: 300 };
  private closed = false;
  private readonly interfaces: Readonly<Record<string, number>>;
  private readonly schedulers: ReadonlySet<string>;
  private readonly engines: ReadonlySet<string>;
  private readonly connTableSize: number;

  constructor(options: MemoryIpvsOptions = {}) {
    this.interfaces = options.interfaces ?? { lo: 65536 };
    this.schedulers = new Set(options.schedulers ?? KERNEL_SCHEDULERS);
    this.engines = new Set(options.persistenceEngines ?? ['sip']);
    this.connTableSize = options.connTableSize ?? 4096;
  }

  // ---------------------------------------------------------- helpers

  /** A call on a closed handle fails like the addon's. */
  private async call<T>(fn: () => T): Promise<T> {
    await Promise.resolve();
    if (this.closed) throw kernelError('EBADF', 'using a closed IPVS handle');
    return fn();
  }

  /** ip_vs_genl_parse_service(): the identity, canonical; throws like the addon for bad input. */
  private identity(k: NativeIpvsServiceKey, op: string): { id: string; key: NativeIpvsServiceKey } {
    if (k.af !== AF_INET && k.af !== AF_INET6) throw kernelError('EAFNOSUPPORT', op);
    if (k.fwmark) return { id: `${k.af}/fwm/${k.fwmark}`, key: { af: k.af, fwmark: k.fwmark } };
    const addr = canonical(k.af, k.addr);
    if (addr === undefined) throw kernelError('EINVAL', `parsing service.addr '${String(k.addr)}'`);
    const key = { af: k.af, fwmark: 0, protocol: k.protocol ?? 0, addr, port: k.port ?? 0 };
    return { id: `${k.af}/${key.protocol}/${addr}/${key.port}`, key };
  }

  private find(k: NativeIpvsServiceKey, op: string): Service {
    const svc = this.services.get(this.identity(k, op).id);
    if (!svc) throw kernelError('ESRCH', op, 'no such service');
    return svc;
  }

  /** ip_vs_add_service()/ip_vs_edit_service(): scheduler, engine, IPv6 mask. */
  private checkSettings(s: NativeIpvsService, op: string): void {
    if (!this.schedulers.has(s.schedName))
      throw kernelError('ENOENT', op, 'unknown scheduler or persistence engine');
    if (s.peName && !this.engines.has(s.peName))
      throw kernelError('ENOENT', op, 'unknown scheduler or persistence engine');
    if (s.af === AF_INET6) {
      const plen = s.netmask ?? 128;
      if (plen < 1 || plen > 128) throw kernelError('EINVAL', op);
    }
  }

  private mixedFamilyDests(): number {
    let n = 0;
    for (const svc of this.services.values())
      for (const d of svc.dests.values()) if (d.af !== svc.key.af) n++;
    return n;
  }

  private serviceEntry(s: Service): NativeIpvsServiceEntry {
    const identity = s.key.fwmark
      ? { af: s.key.af, fwmark: s.key.fwmark }
      : { af: s.key.af, fwmark: 0, protocol: s.key.protocol ?? 0, addr: s.key.addr ?? '', port: s.key.port ?? 0 };
    return {
      ...identity,
      schedName: s.schedName,
      peName: s.peName,
      flags: s.flags | SVC_FLAG.hashed,
      timeout: s.timeout,
      netmask: s.netmask,
      stats: ZERO_STATS,
    };
  }

  /** The destination part of ip_vs_genl_set_cmd() + ip_vs_{add,edit,del}_dest(). */
  private destCall(cmd: 'add' | 'edit' | 'delete', k: NativeIpvsServiceKey, d: NativeIpvsDest): void {
    const verb = { add: ['adding', 'to'], edit: ['editing', 'of'], delete: ['deleting', 'from'] }[cmd];
    const svcAf = k.af;
    const af = d.af || svcAf;
    const addr = canonical(af, d.addr);
    if (addr === undefined) throw kernelError('EINVAL', `parsing dest.addr '${d.addr}'`);
    const op = `${verb[0]} destination ${addrPort(af, addr, d.port)} ${verb[1]} ${serviceWords(k)}`;
    const svc = this.find(k, op);
    if (af !== AF_INET && af !== AF_INET6) throw kernelError('EAFNOSUPPORT', op);
    const fwd = (d.fwdMethod ?? 0) & 0x7;
    if (cmd !== 'delete' && af !== svc.key.af) {
      // the sync protocol cannot carry mixed families; only tunnels can forward them
      if (this.daemons.size > 0 || fwd !== FORWARD.tunnel) throw kernelError('EINVAL', op);
    }
    const id = `${af}/${addr}/${d.port}`;
    const existing = svc.dests.get(id);
    if (cmd === 'delete') {
      if (!existing) throw kernelError('ENOENT', op, 'no such destination');
      svc.dests.delete(id);
      return;
    }
    const weight = d.weight ?? 1;
    const u = d.uThreshold ?? 0;
    const l = d.lThreshold ?? 0;
    if (weight < 0) throw kernelError('ERANGE', op);
    if (l > u) throw kernelError('ERANGE', op);
    if ((d.tunType ?? 0) === TUNNEL_TYPE.gue && !d.tunPort) throw kernelError('EINVAL', op);
    if (cmd === 'add' && existing) throw kernelError('EEXIST', op);
    if (cmd === 'edit' && !existing) throw kernelError('ENOENT', op, 'no such destination');
    if (cmd === 'add' && !unicast(af, addr)) throw kernelError('EINVAL', op);
    const next: Dest = {
      af,
      addr,
      port: d.port,
      fwdMethod: fwd,
      weight,
      uThreshold: u,
      lThreshold: l,
      tunType: d.tunType ?? 0,
      tunPort: d.tunPort ?? 0,
      tunFlags: d.tunFlags ?? 0,
      activeConns: existing?.activeConns ?? 0,
      inactConns: existing?.inactConns ?? 0,
      persistConns: existing?.persistConns ?? 0,
    };
    svc.dests.set(id, next);
  }

  // ---------------------------------------------------------- NativeIpvsHandle

  info(): Promise<NativeIpvsInfo> {
    return this.call(() => ({ version: 0x010201, connTabSize: this.connTableSize }));
  }

  listServices(): Promise<NativeIpvsServiceEntry[]> {
    return this.call(() => [...this.services.values()].map((s) => this.serviceEntry(s)));
  }

  getService(key: NativeIpvsServiceKey): Promise<NativeIpvsServiceEntry> {
    return this.call(() => this.serviceEntry(this.find(key, `reading service ${serviceWords(key)}`)));
  }

  listDests(key: NativeIpvsServiceKey): Promise<NativeIpvsDestEntry[]> {
    return this.call(() => {
      const svc = this.find(key, `listing the destinations of ${serviceWords(key)}`);
      return [...svc.dests.values()].map((d) => ({ ...d, stats: ZERO_STATS }));
    });
  }

  addService(s: NativeIpvsService): Promise<void> {
    return this.call(() => {
      const op = `adding service ${serviceWords(s)}`;
      const { id, key } = this.identity(s, op);
      if (this.services.has(id)) throw kernelError('EEXIST', op);
      this.checkSettings(s, op);
      this.services.set(id, {
        key,
        schedName: s.schedName,
        peName: s.peName ?? '',
        flags: (s.flags ?? 0) & ~SVC_FLAG.hashed,
        timeout: s.timeout ?? 0,
        netmask: s.netmask ?? (s.af === AF_INET6 ? 128 : 0xffffffff),
        dests: new Map(),
      });
    });
  }

  editService(s: NativeIpvsService): Promise<void> {
    return this.call(() => {
      const op = `editing service ${serviceWords(s)}`;
      const svc = this.find(s, op);
      this.checkSettings(s, op);
      svc.schedName = s.schedName;
      svc.peName = s.peName ?? '';
      svc.flags = (s.flags ?? 0) & ~SVC_FLAG.hashed;
      svc.timeout = s.timeout ?? 0;
      svc.netmask = s.netmask ?? (s.af === AF_INET6 ? 128 : 0xffffffff);
    });
  }

  deleteService(key: NativeIpvsServiceKey): Promise<void> {
    return this.call(() => {
      const op = `deleting service ${serviceWords(key)}`;
      this.find(key, op);
      this.services.delete(this.identity(key, op).id);
    });
  }

  addDest(key: NativeIpvsServiceKey, dest: NativeIpvsDest): Promise<void> {
    return this.call(() => this.destCall('add', key, dest));
  }

  editDest(key: NativeIpvsServiceKey, dest: NativeIpvsDest): Promise<void> {
    return this.call(() => this.destCall('edit', key, dest));
  }

  deleteDest(key: NativeIpvsServiceKey, dest: NativeIpvsDest): Promise<void> {
    return this.call(() => this.destCall('delete', key, dest));
  }

  flush(): Promise<void> {
    return this.call(() => this.services.clear());
  }

  zero(key?: NativeIpvsServiceKey): Promise<void> {
    return this.call(() => {
      if (key) this.find(key, `zeroing the counters of ${serviceWords(key)}`);
    });
  }

  getTimeouts(): Promise<NativeIpvsTimeouts> {
    return this.call(() => ({ ...this.timeouts }));
  }

  setTimeouts(t: NativeIpvsTimeouts): Promise<void> {
    return this.call(() => {
      const op = `setting the IPVS timeouts to tcp ${t.tcp} tcpfin ${t.tcpFin} udp ${t.udp}`;
      const max = Math.floor(0x7fffffff / HZ);
      if ([t.tcp, t.tcpFin, t.udp].some((v) => v < 0 || v > max)) throw kernelError('EINVAL', op);
      this.timeouts = {
        tcp: t.tcp || this.timeouts.tcp,
        tcpFin: t.tcpFin || this.timeouts.tcpFin,
        udp: t.udp || this.timeouts.udp,
      };
    });
  }

  listDaemons(): Promise<NativeIpvsDaemonEntry[]> {
    return this.call(() =>
      [DAEMON_STATE.master, DAEMON_STATE.backup].flatMap((s) => {
        const d = this.daemons.get(s);
        return d ? [{ ...d }] : [];
      }),
    );
  }

  /** ip_vs_genl_new_daemon() + start_sync_thread(), in their order. */
  startDaemon(d: NativeIpvsDaemon): Promise<void> {
    return this.call(() => {
      const role = d.state === DAEMON_STATE.master ? 'master' : d.state === DAEMON_STATE.backup ? 'backup' : '?';
      const op = `starting the ${role} sync daemon on ${d.mcastIfn} (syncid ${d.syncId ?? 0})`;
      let groupAf = AF_INET;
      let group = SYNC_GROUP;
      if (d.mcastGroup) {
        groupAf = d.mcastGroup.includes(':') ? AF_INET6 : AF_INET;
        const g = canonical(groupAf, d.mcastGroup);
        if (g === undefined) throw kernelError('EINVAL', `parsing daemon.mcastGroup '${d.mcastGroup}'`);
        if (!multicast(groupAf, g)) throw kernelError('EINVAL', op);
        group = g;
      }
      if (this.mixedFamilyDests() > 0) throw kernelError('EINVAL', op);
      const mtu = this.interfaces[d.mcastIfn];
      if (mtu === undefined) throw kernelError('ENODEV', op, 'no such interface');
      const hlen = groupAf === AF_INET6 ? 40 + 8 : 20 + 8;
      const backup = d.state === DAEMON_STATE.backup;
      const linkMtu = backup ? Math.min(Math.max(mtu, 1500), 65535) : 1500;
      const maxLen = d.syncMaxLen
        ? Math.min(Math.max(d.syncMaxLen, backup ? 1024 : 1), 65535 - hlen)
        : linkMtu - hlen;
      if (d.state !== DAEMON_STATE.master && d.state !== DAEMON_STATE.backup) throw kernelError('EINVAL', op);
      if (this.daemons.has(d.state)) throw kernelError('EEXIST', op, 'already running');
      this.daemons.set(d.state, {
        state: d.state,
        mcastIfn: d.mcastIfn,
        syncId: (d.syncId ?? 0) & 0xff,
        syncMaxLen: maxLen,
        mcastGroup: group,
        mcastPort: d.mcastPort || SYNC_PORT,
        mcastTtl: d.mcastTtl || 1,
      });
    });
  }

  stopDaemon(state: number): Promise<void> {
    return this.call(() => {
      const role = state === DAEMON_STATE.master ? 'master' : state === DAEMON_STATE.backup ? 'backup' : '?';
      const op = `stopping the ${role} sync daemon`;
      if (state !== DAEMON_STATE.master && state !== DAEMON_STATE.backup) throw kernelError('EINVAL', op);
      if (!this.daemons.delete(state)) throw kernelError('ESRCH', op, 'not running');
    });
  }

  close(): void {
    this.closed = true;
  }

  // ---------------------------------------------------------- for tests

  /** Sets a destination's connection counts (traffic is not simulated). */
  setDestConns(
    service: ServiceKey,
    dest: DestKey,
    conns: { readonly active?: number; readonly inactive?: number; readonly persistent?: number },
  ): void {
    const op = 'setting connection counts';
    const svc = this.find(nativeKey(service, op), op);
    const nd = nativeDest({ ...dest, forward: 'masq', weight: 0 }, service.af, op);
    const af = nd.af || svc.key.af;
    const found = svc.dests.get(`${af}/${canonical(af, nd.addr)}/${nd.port}`);
    if (!found) throw kernelError('ENOENT', op, 'no such destination');
    found.activeConns = conns.active ?? found.activeConns;
    found.inactConns = conns.inactive ?? found.inactConns;
    found.persistConns = conns.persistent ?? found.persistConns;
  }
}

/** The memory backend: the native backend's translation over MemoryIpvsKernel. */
export class MemoryIpvsBackend extends NativeIpvsBackend {
  readonly kernel: MemoryIpvsKernel;

  constructor(options: MemoryIpvsOptions = {}) {
    const kernel = new MemoryIpvsKernel(options);
    super(kernel, undefined);
    this.kernel = kernel;
  }
}
