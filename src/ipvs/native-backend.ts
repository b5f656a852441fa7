// IpvsBackend over the native addon: generic netlink to the kernel's IPVS
// (native/src/ipvs_ops.c), one netlink socket per network namespace. This
// file only translates between the names of types.ts ('tcp', 'masq',
// '255.255.255.0') and the kernel's numbers (linux/ip_vs.h), and checks the
// values the kernel cannot check for us; every decision about the table is
// the kernel's, and its errors come back with the errno name in `code`.
//
// The in-memory backend (memory-backend.ts) mirrors the same rules and the
// same error texts, so that one contract suite (test/unit/ipvs/contract.ts)
// runs against both.

import { isIPv4, isIPv6 } from 'node:net';
import {
  loadNative,
  type NativeBinding,
  type NativeIpvsDaemon,
  type NativeIpvsDaemonEntry,
  type NativeIpvsDest,
  type NativeIpvsDestEntry,
  type NativeIpvsHandle,
  type NativeIpvsService,
  type NativeIpvsServiceEntry,
  type NativeIpvsServiceKey,
  type NativeIpvsStats,
} from '../native/binding';
import type {
  AddressFamily,
  DestKey,
  ForwardMethod,
  IpvsBackend,
  IpvsDest,
  IpvsDestState,
  IpvsInfo,
  IpvsProtocol,
  IpvsService,
  IpvsServiceState,
  IpvsStats,
  IpvsTimeouts,
  ServiceKey,
  SyncDaemon,
  SyncDaemonRole,
} from './types';

// ------------------------------------------------------------ kernel numbers

/** AF_INET / AF_INET6 */
export const AF: Readonly<Record<AddressFamily, number>> = { inet: 2, inet6: 10 };
/** IPPROTO_* */
export const PROTOCOL: Readonly<Record<IpvsProtocol, number>> = { tcp: 6, udp: 17, sctp: 132 };
/** IP_VS_SVC_F_* */
export const SVC_FLAG = {
  persistent: 0x1,
  hashed: 0x2,
  onePacket: 0x4,
  sched1: 0x8,
  sched2: 0x10,
  sched3: 0x20,
} as const;
/** IP_VS_CONN_F_MASQ / LOCALNODE / TUNNEL / DROUTE */
export const FORWARD: Readonly<Record<ForwardMethod, number>> = { masq: 0, local: 1, tunnel: 2, route: 3 };
/** IP_VS_CONN_F_TUNNEL_TYPE_* */
export const TUNNEL_TYPE = { ipip: 0, gue: 1, gre: 2 } as const;
/** IP_VS_TUNNEL_ENCAP_FLAG_* (NOCSUM is 0) */
export const TUNNEL_FLAG = { csum: 0x1, remCsum: 0x2 } as const;
/** IP_VS_STATE_* */
export const DAEMON_STATE: Readonly<Record<SyncDaemonRole, number>> = { master: 1, backup: 2 };

const byValue = <K extends string>(table: Readonly<Record<K, number>>, v: number): K | undefined =>
  (Object.keys(table) as K[]).find((k) => table[k] === v);

// ------------------------------------------------------------ errors

/** An Error shaped like the addon's: `code` = errno name, `op` = what failed. */
export function ipvsError(code: string, errno: number, op: string, reason: string): Error {
  return Object.assign(new Error(`${op}: ${reason}`), { code, errno, op });
}

/** "<op> (<what>): Invalid argument", like the C core's "<op> (<hint>): <strerror>". */
function invalid(op: string, what: string): Error {
  return ipvsError('EINVAL', 22, `${op} (${what})`, 'Invalid argument');
}

// ------------------------------------------------------------ conversions

const isInt = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** "TCP 10.0.0.100:80", "FWM 7 IPv6": the C core's words, for messages made here. */
export function serviceText(key: ServiceKey): string {
  if (key.fwmark !== undefined) return `FWM ${key.fwmark}${key.af === 'inet6' ? ' IPv6' : ''}`;
  const proto = String(key.protocol as unknown).toUpperCase();
  return `${proto} ${hostPort(key.af, key.address, key.port)}`;
}

export function hostPort(af: AddressFamily | undefined, address: string, port: number): string {
  return af === 'inet6' || address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** 0xffffff00 <-> '255.255.255.0' */
export function ipv4MaskText(mask: number): string {
  return [24, 16, 8, 0].map((s) => (mask >>> s) & 0xff).join('.');
}

export function parseIpv4Mask(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  if (b.some((x) => x > 255)) return undefined;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** The persistence netmask of a request as the kernel's u32 (see binding.ts). */
export function netmaskNumber(af: AddressFamily, netmask: string | number | undefined, op: string): number {
  if (af === 'inet6') {
    if (netmask === undefined) return 128;
    const n = typeof netmask === 'string' && /^\d+$/.test(netmask) ? Number(netmask) : netmask;
    if (!isInt(n, 0, 0xffffffff)) throw invalid(op, `IPv6 netmask must be a prefix length, not ${String(netmask)}`);
    return n;
  }
  if (netmask === undefined) return 0xffffffff;
  if (typeof netmask === 'number') {
    if (!isInt(netmask, 0, 32)) throw invalid(op, `IPv4 netmask ${netmask} is not a prefix length 0..32`);
    return netmask === 0 ? 0 : (0xffffffff << (32 - netmask)) >>> 0;
  }
  const m = parseIpv4Mask(netmask);
  if (m === undefined) throw invalid(op, `IPv4 netmask '${netmask}' is not a dotted quad`);
  return m;
}

/** inet_pton's rules: IPv4 dotted quad, IPv6 without a zone. */
export function isAddress(af: AddressFamily, address: unknown): address is string {
  if (typeof address !== 'string') return false;
  return af === 'inet' ? isIPv4(address) : isIPv6(address) && !address.includes('%');
}

function checkAddress(af: AddressFamily, address: unknown, op: string): void {
  if (!isAddress(af, address))
    throw invalid(op, `'${String(address)}' is not an ${af === 'inet' ? 'IPv4' : 'IPv6'} address`);
}

function checkFamily(af: unknown, op: string): asserts af is AddressFamily {
  if (af !== 'inet' && af !== 'inet6')
    throw ipvsError('EAFNOSUPPORT', 97, `${op} (family ${String(af)})`, 'Address family not supported by protocol');
}

export function nativeKey(key: ServiceKey, op: string): NativeIpvsServiceKey {
  checkFamily(key.af, op);
  if (key.fwmark !== undefined) {
    if (!isInt(key.fwmark, 1, 0xffffffff)) throw invalid(op, `fwmark must be 1..4294967295`);
    return { af: AF[key.af], fwmark: key.fwmark };
  }
  const protocol = PROTOCOL[key.protocol];
  if (protocol === undefined) throw invalid(op, `protocol must be tcp, udp or sctp, not ${String(key.protocol)}`);
  if (!isInt(key.port, 0, 65535)) throw invalid(op, `port must be 0..65535`);
  checkAddress(key.af, key.address, op);
  return { af: AF[key.af], protocol, addr: key.address, port: key.port };
}

function serviceFlags(s: IpvsService): number {
  let flags = 0;
  if (s.persistentTimeout) flags |= SVC_FLAG.persistent;
  if (s.flags?.onePacket) flags |= SVC_FLAG.onePacket;
  if (s.flags?.sched1) flags |= SVC_FLAG.sched1;
  if (s.flags?.sched2) flags |= SVC_FLAG.sched2;
  if (s.flags?.sched3) flags |= SVC_FLAG.sched3;
  return flags;
}

export function nativeService(s: IpvsService, op: string): NativeIpvsService {
  const key = nativeKey(s, op);
  if (typeof s.scheduler !== 'string' || s.scheduler.length === 0 || s.scheduler.length > 15)
    throw invalid(op, 'scheduler must be a name of 1..15 characters');
  if (s.peName !== undefined && (typeof s.peName !== 'string' || s.peName.length > 16))
    throw invalid(op, 'persistence engine name must be at most 16 characters');
  const timeout = s.persistentTimeout ?? 0;
  if (!isInt(timeout, 0, 0xffffffff)) throw invalid(op, 'persistence timeout must be a whole number of seconds');
  return {
    ...key,
    schedName: s.scheduler,
    peName: s.peName ?? '',
    flags: serviceFlags(s),
    timeout,
    netmask: netmaskNumber(s.af, s.netmask, op),
  };
}

export function nativeDest(d: IpvsDest, serviceAf: AddressFamily, op: string): NativeIpvsDest {
  if (d.af !== undefined) checkFamily(d.af, op);
  checkAddress(d.af ?? serviceAf, d.address, op);
  if (!isInt(d.port, 0, 65535)) throw invalid(op, 'port must be 0..65535');
  const fwdMethod = FORWARD[d.forward];
  if (fwdMethod === undefined) throw invalid(op, `forward must be masq, local, tunnel or route, not ${String(d.forward)}`);
  if (!isInt(d.weight, -0x80000000, 0x7fffffff)) throw invalid(op, 'weight must be an integer');
  const u = d.upperThreshold ?? 0;
  const l = d.lowerThreshold ?? 0;
  if (!isInt(u, 0, 0xffffffff) || !isInt(l, 0, 0xffffffff)) throw invalid(op, 'thresholds must be 0..4294967295');
  const tunType = d.tunnelType === undefined ? 0 : TUNNEL_TYPE[d.tunnelType];
  if (tunType === undefined) throw invalid(op, `tunnel type must be ipip, gue or gre, not ${String(d.tunnelType)}`);
  const tunPort = d.tunnelPort ?? 0;
  if (!isInt(tunPort, 0, 65535)) throw invalid(op, 'tunnel port must be 0..65535');
  const tunFlags = (d.tunnelFlags?.csum ? TUNNEL_FLAG.csum : 0) | (d.tunnelFlags?.remCsum ? TUNNEL_FLAG.remCsum : 0);
  return {
    ...(d.af !== undefined ? { af: AF[d.af] } : {}),
    addr: d.address,
    port: d.port,
    fwdMethod,
    weight: d.weight,
    uThreshold: u,
    lThreshold: l,
    tunType,
    tunPort,
    tunFlags,
  };
}

export function nativeDaemon(d: SyncDaemon, op: string): NativeIpvsDaemon {
  const state = DAEMON_STATE[d.role];
  if (state === undefined) throw invalid(op, `role must be master or backup, not ${String(d.role)}`);
  if (typeof d.mcastInterface !== 'string' || d.mcastInterface.length === 0 || d.mcastInterface.length > 15)
    throw invalid(op, 'mcastInterface must be an interface name of 1..15 characters');
  if (!isInt(d.syncId, 0, 255)) throw invalid(op, 'syncId must be 0..255');
  const maxLen = d.maxLen ?? 0;
  const port = d.mcastPort ?? 0;
  const ttl = d.mcastTtl ?? 0;
  if (!isInt(maxLen, 0, 65535) || !isInt(port, 0, 65535) || !isInt(ttl, 0, 255))
    throw invalid(op, 'maxLen and mcastPort must be 0..65535, mcastTtl 0..255');
  if (d.mcastGroup !== undefined && d.mcastGroup !== '' && !isAddress('inet', d.mcastGroup) && !isAddress('inet6', d.mcastGroup))
    throw invalid(op, `mcastGroup '${String(d.mcastGroup)}' is not an address`);
  return {
    state,
    mcastIfn: d.mcastInterface,
    syncId: d.syncId,
    syncMaxLen: maxLen,
    mcastGroup: d.mcastGroup ?? '',
    mcastPort: port,
    mcastTtl: ttl,
  };
}

function stats(s: NativeIpvsStats): IpvsStats {
  return {
    conns: s.conns,
    inPackets: s.inPkts,
    outPackets: s.outPkts,
    inBytes: s.inBytes,
    outBytes: s.outBytes,
    cps: s.cps,
    inPps: s.inPps,
    outPps: s.outPps,
    inBps: s.inBps,
    outBps: s.outBps,
  };
}

function familyName(af: number): AddressFamily {
  return af === AF.inet6 ? 'inet6' : 'inet';
}

/**
 * The canonical state shape, shared with the memory backend: every setting
 * present (flags as four booleans, the netmask as '255.255.255.255' or a
 * prefix length), persistentTimeout and peName only when set.
 */
export function serviceState(e: NativeIpvsServiceEntry): IpvsServiceState {
  const af = familyName(e.af);
  const protocol = byValue(PROTOCOL, e.protocol ?? -1);
  const key: ServiceKey =
    e.fwmark > 0 || protocol === undefined
      ? { af, fwmark: e.fwmark }
      : { af, protocol, address: e.addr ?? '', port: e.port ?? 0 };
  return {
    key,
    scheduler: e.schedName,
    ...(e.flags & SVC_FLAG.persistent ? { persistentTimeout: e.timeout } : {}),
    netmask: af === 'inet6' ? e.netmask : ipv4MaskText(e.netmask),
    flags: {
      onePacket: (e.flags & SVC_FLAG.onePacket) !== 0,
      sched1: (e.flags & SVC_FLAG.sched1) !== 0,
      sched2: (e.flags & SVC_FLAG.sched2) !== 0,
      sched3: (e.flags & SVC_FLAG.sched3) !== 0,
    },
    ...(e.peName ? { peName: e.peName } : {}),
    ...(e.stats ? { stats: stats(e.stats) } : {}),
  };
}

export function destState(e: NativeIpvsDestEntry): IpvsDestState {
  const forward = byValue(FORWARD, e.fwdMethod) ?? 'masq';
  const tunnel =
    forward === 'tunnel'
      ? {
          tunnelType: byValue(TUNNEL_TYPE, e.tunType) ?? 'ipip',
          ...(e.tunPort ? { tunnelPort: e.tunPort } : {}),
          tunnelFlags: {
            noCsum: (e.tunFlags & (TUNNEL_FLAG.csum | TUNNEL_FLAG.remCsum)) === 0,
            csum: (e.tunFlags & TUNNEL_FLAG.csum) !== 0,
            remCsum: (e.tunFlags & TUNNEL_FLAG.remCsum) !== 0,
          },
        }
      : {};
  return {
    af: familyName(e.af),
    address: e.addr,
    port: e.port,
    forward,
    weight: e.weight,
    upperThreshold: e.uThreshold,
    lowerThreshold: e.lThreshold,
    ...tunnel,
    activeConns: e.activeConns,
    inactiveConns: e.inactConns,
    persistentConns: e.persistConns,
    ...(e.stats ? { stats: stats(e.stats) } : {}),
  };
}

export function daemonState(e: NativeIpvsDaemonEntry): SyncDaemon {
  return {
    role: e.state === DAEMON_STATE.backup ? 'backup' : 'master',
    mcastInterface: e.mcastIfn,
    syncId: e.syncId,
    maxLen: e.syncMaxLen,
    mcastGroup: e.mcastGroup,
    mcastPort: e.mcastPort,
    mcastTtl: e.mcastTtl,
  };
}

export function versionText(v: number): string {
  return `${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

// ------------------------------------------------------------ the backend

export interface NativeIpvsOptions {
  /**
   * Network namespace to program: a name from `ip netns` (/run/netns/NAME)
   * or a path such as /proc/1234/ns/net. Default: this process's.
   */
  readonly netns?: string;
  /** The addon (tests may pass a stub). Default: loadNative(). */
  readonly binding?: NativeBinding;
}

/** Opens the kernel's IPVS of one network namespace. */
export async function openNativeIpvs(options: NativeIpvsOptions = {}): Promise<NativeIpvsBackend> {
  const binding = options.binding ?? loadNative();
  const netns = options.netns === undefined || options.netns.includes('/') ? options.netns : `/run/netns/${options.netns}`;
  const handle = await binding.ipvsOpen(netns);
  return new NativeIpvsBackend(handle, netns);
}

export class NativeIpvsBackend implements IpvsBackend {
  constructor(
    private readonly handle: NativeIpvsHandle,
    /** The namespace path this backend programs (undefined: the process's). */
    readonly netns: string | undefined,
  ) {}

  async info(): Promise<IpvsInfo> {
    const i = await this.handle.info();
    return { version: versionText(i.version), connTableSize: i.connTabSize };
  }

  async listServices(): Promise<IpvsServiceState[]> {
    return (await this.handle.listServices()).map(serviceState);
  }

  async listDests(service: ServiceKey): Promise<IpvsDestState[]> {
    const key = nativeKey(service, `listing the destinations of ${serviceText(service)}`);
    return (await this.handle.listDests(key)).map(destState);
  }

  async addService(service: IpvsService): Promise<void> {
    await this.handle.addService(nativeService(service, `adding service ${serviceText(service)}`));
  }

  async editService(service: IpvsService): Promise<void> {
    await this.handle.editService(nativeService(service, `editing service ${serviceText(service)}`));
  }

  async deleteService(service: ServiceKey): Promise<void> {
    await this.handle.deleteService(nativeKey(service, `deleting service ${serviceText(service)}`));
  }

  async addDest(service: ServiceKey, dest: IpvsDest): Promise<void> {
    const op = `adding destination ${hostPort(dest.af ?? service.af, dest.address, dest.port)} to ${serviceText(service)}`;
    await this.handle.addDest(nativeKey(service, op), nativeDest(dest, service.af, op));
  }

  async editDest(service: ServiceKey, dest: IpvsDest): Promise<void> {
    const op = `editing destination ${hostPort(dest.af ?? service.af, dest.address, dest.port)} of ${serviceText(service)}`;
    await this.handle.editDest(nativeKey(service, op), nativeDest(dest, service.af, op));
  }

  async deleteDest(service: ServiceKey, dest: DestKey): Promise<void> {
    const op = `deleting destination ${hostPort(dest.af ?? service.af, dest.address, dest.port)} from ${serviceText(service)}`;
    // The kernel identifies a destination by family, address and port only.
    await this.handle.deleteDest(nativeKey(service, op), nativeDest({ ...dest, forward: 'masq', weight: 0 }, service.af, op));
  }

  async flush(): Promise<void> {
    await this.handle.flush();
  }

  async zero(service?: ServiceKey): Promise<void> {
    if (service === undefined) return this.handle.zero();
    await this.handle.zero(nativeKey(service, `zeroing the counters of ${serviceText(service)}`));
  }

  async getTimeouts(): Promise<IpvsTimeouts> {
    return this.handle.getTimeouts();
  }

  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    const op = `setting the IPVS timeouts to tcp ${t.tcp} tcpfin ${t.tcpFin} udp ${t.udp}`;
    for (const v of [t.tcp, t.tcpFin, t.udp])
      if (!isInt(v, 0, 0x7fffffff)) throw invalid(op, 'timeouts must be whole seconds, 0 = unchanged');
    await this.handle.setTimeouts({ tcp: t.tcp, tcpFin: t.tcpFin, udp: t.udp });
  }

  async listDaemons(): Promise<SyncDaemon[]> {
    return (await this.handle.listDaemons()).map(daemonState);
  }

  async startDaemon(daemon: SyncDaemon): Promise<void> {
    const op = `starting the ${daemon.role} sync daemon on ${daemon.mcastInterface} (syncid ${daemon.syncId})`;
    await this.handle.startDaemon(nativeDaemon(daemon, op));
  }

  async stopDaemon(role: SyncDaemonRole): Promise<void> {
    const state = DAEMON_STATE[role];
    if (state === undefined) throw invalid(`stopping the ${String(role)} sync daemon`, 'role must be master or backup');
    await this.handle.stopDaemon(state);
  }

  close(): void {
    this.handle.close();
  }
}
