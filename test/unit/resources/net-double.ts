// A NetOps test double for the resource-layer tests (not a test file): links,
// connected routes, addresses and recorded announcements in memory, with the
// contract's errors (EEXIST, EADDRNOTAVAIL, ENODEV) and injectable failures.
// Stand-in written against src/net/types.ts while src/net/fake-net.ts (the
// network engineer's in-memory NetOps) did not exist yet.

import { ipv4ToNumber, ipv6Bytes } from '../../../src/config/net';
import type { AddressSpec, AnnounceSpec, Family, InterfaceAddress, InterfaceMatch, LinkInfo, NetOps } from '../../../src/net/types';

export interface Route {
  readonly ifname: string;
  readonly family: Family;
  /** Network address, e.g. 10.1.0.0 or fd00::. */
  readonly network: string;
  readonly prefixLen: number;
  readonly broadcast?: string;
}

type Method = 'addAddress' | 'deleteAddress' | 'announce' | 'listAddresses' | 'findInterface';

function errno(code: string, what: string): Error {
  return Object.assign(new Error(`${what}: ${code}`), { code });
}

function bits(family: Family, address: string): number[] {
  if (family === 'inet') {
    const n = ipv4ToNumber(address);
    return Array.from({ length: 32 }, (_, i) => (n >>> (31 - i)) & 1);
  }
  const bytes = ipv6Bytes(address) ?? [];
  return bytes.flatMap((b) => Array.from({ length: 8 }, (_, i) => (b >> (7 - i)) & 1));
}

function covers(r: Route, family: Family, address: string): boolean {
  if (r.family !== family) return false;
  const a = bits(family, address);
  const n = bits(family, r.network);
  return a.slice(0, r.prefixLen).every((v, i) => v === n[i]);
}

export class NetDouble implements NetOps {
  readonly links = new Map<string, LinkInfo>();
  readonly routes: Route[] = [];
  addresses: InterfaceAddress[] = [];
  /** Every announce() call with the time it was made. */
  readonly announced: (AnnounceSpec & { readonly at: number })[] = [];
  readonly calls: string[] = [];
  private readonly failures: { method: Method; code: string }[] = [];

  constructor() {
    this.link('lo');
  }

  link(ifname: string, up = true): this {
    this.links.set(ifname, { ifname, ifindex: this.links.size + 1, mac: '02:00:00:00:00:0' + this.links.size, up, mtu: 1500 });
    return this;
  }

  /** An interface with a primary address and its connected route, like `ip addr add 10.1.0.1/16 brd + dev eth1`. */
  network(ifname: string, family: Family, primary: string, prefixLen: number, network: string, broadcast?: string): this {
    if (!this.links.has(ifname)) this.link(ifname);
    this.routes.push({ ifname, family, network, prefixLen, ...(broadcast ? { broadcast } : {}) });
    this.addresses.push({ ifname, family, address: primary, prefixLen, label: ifname, ...(broadcast ? { broadcast } : {}) });
    return this;
  }

  failNext(method: Method, code: string): void {
    this.failures.push({ method, code });
  }

  private check(method: Method, what: string): void {
    const i = this.failures.findIndex((f) => f.method === method);
    if (i < 0) return;
    const [f] = this.failures.splice(i, 1);
    throw errno(f!.code, `${method} ${what} (injected)`);
  }

  async listAddresses(ifname?: string): Promise<InterfaceAddress[]> {
    this.check('listAddresses', ifname ?? '');
    return this.addresses.filter((a) => ifname === undefined || a.ifname === ifname).map((a) => ({ ...a }));
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    this.calls.push(`add ${spec.address}/${spec.prefixLen} ${spec.ifname}${spec.label ? ` label ${spec.label}` : ''}${spec.broadcast ? ` brd ${spec.broadcast}` : ''}${spec.noDad ? ' nodad' : ''}`);
    this.check('addAddress', spec.address);
    if (!this.links.has(spec.ifname)) throw errno('ENODEV', `adding ${spec.address} to ${spec.ifname}`);
    if (this.addresses.some((a) => a.ifname === spec.ifname && a.address === spec.address)) throw errno('EEXIST', `adding ${spec.address}`);
    const { noDad: _n, label, ...rest } = spec;
    this.addresses.push({ ...rest, label: label ?? spec.ifname, secondary: true });
  }

  async deleteAddress(spec: AddressSpec): Promise<void> {
    this.calls.push(`del ${spec.address}/${spec.prefixLen} ${spec.ifname}`);
    this.check('deleteAddress', spec.address);
    const before = this.addresses.length;
    this.addresses = this.addresses.filter((a) => !(a.ifname === spec.ifname && a.address === spec.address && a.prefixLen === spec.prefixLen));
    if (this.addresses.length === before) throw errno('EADDRNOTAVAIL', `deleting ${spec.address}`);
  }

  async findInterface(address: string): Promise<InterfaceMatch | null> {
    this.check('findInterface', address);
    const family: Family = address.includes(':') ? 'inet6' : 'inet';
    const best = this.routes.filter((r) => covers(r, family, address)).sort((a, b) => b.prefixLen - a.prefixLen)[0];
    return best === undefined ? null : { ifname: best.ifname, prefixLen: best.prefixLen, ...(best.broadcast ? { broadcast: best.broadcast } : {}) };
  }

  async linkInfo(ifname: string): Promise<LinkInfo> {
    const l = this.links.get(ifname);
    if (l === undefined) throw errno('ENODEV', `no interface ${ifname}`);
    return l;
  }

  async announce(spec: AnnounceSpec): Promise<void> {
    this.check('announce', spec.address);
    if (!this.links.has(spec.ifname)) throw errno('ENODEV', `announcing on ${spec.ifname}`);
    this.announced.push({ ...spec, at: Date.now() });
  }

  /** Where an address is now, as `ifname[:label] address/prefix`. */
  where(address: string): string[] {
    return this.addresses
      .filter((a) => a.address === address)
      .map((a) => `${a.label && a.label !== a.ifname ? a.label : a.ifname} ${a.address}/${a.prefixLen}${a.broadcast ? ` brd ${a.broadcast}` : ''}`);
  }
}
