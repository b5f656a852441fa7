// Typed view of the native addon (native/addon/addon.cc over the C core).
// Everything that talks to the kernel or sits on the hot path goes through
// this interface; tests of pure modules use the in-memory mock instead.

import * as path from 'node:path';
import { HbdError } from '../errors';

export interface NativeBinding {
  /** Version string of the C core. */
  readonly coreVersion: string;
  /** openlog(3); throws EINVAL for an unknown facility name. */
  syslogOpen(ident: string, facility: string): void;
  /** syslog(3) at the given priority (0..7). */
  syslogWrite(priority: number, message: string): void;
  /** Opens every medium (off the JS thread) and returns a stopped engine. */
  createEngine(config: NativeEngineConfig, onEvents: () => void): Promise<NativeEngine>;
  /**
   * A complete datagram from the given fields (control fields included),
   * signed like a Heartbeat node signs it. For tests and tools.
   */
  encodeDatagram(
    fields: readonly (readonly [string, string | Buffer])[],
    keys: NativeEngineConfig['keys'],
    framing: 'netstring' | 'classic',
  ): Buffer;
  // @@SECTION:ENGINE@@
  /**
   * Opens a virtual-IP handle (addresses, routes, links over rtnetlink;
   * gratuitous ARP / unsolicited NA over AF_PACKET) in the network namespace
   * at `netnsPath` (e.g. /run/netns/d1), or in this process's when omitted.
   * Off the JS thread.
   */
  netOpen(netnsPath?: string): Promise<NativeNetHandle>;
  // @@SECTION:NETRES@@
  /**
   * Opens an IPVS handle: a generic netlink socket in the network namespace
   * at `netnsPath` (e.g. /run/netns/bk), or in this process's when omitted,
   * with the "IPVS" family resolved (off the JS thread). Rejects with ENOENT
   * when the kernel has no IPVS (ip_vs not loaded).
   */
  ipvsOpen(netnsPath?: string): Promise<NativeIpvsHandle>;
  // @@SECTION:IPVS@@
}

export type NativeMediumKind = 'bcast' | 'ucast' | 'mcast' | 'ucast6' | 'mcast6' | 'serial';

export interface NativeMediumConfig {
  readonly kind: NativeMediumKind;
  readonly iface?: string;
  /** ucast peer / mcast group, numeric. */
  readonly address?: string;
  readonly port?: number;
  readonly ttl?: number;
  readonly loop?: number;
  readonly device?: string;
  readonly baud?: number;
}

export interface NativeEngineConfig {
  readonly nodeName: string;
  readonly uuid: Buffer;
  readonly generation: number;
  readonly nodes: readonly string[];
  readonly media: readonly NativeMediumConfig[];
  readonly ping: readonly { readonly name: string; readonly addresses: readonly string[] }[];
  readonly keepaliveMs: number;
  /** Send interval while standing by (setStandby(true)); 0 = keepalive always. */
  readonly standbyKeepaliveMs?: number;
  /** With only hbd peers, the dt a node holding nothing advertises (quiet standby); 0 = never. */
  readonly standbyDeadtimeMs?: number;
  readonly deadtimeMs: number;
  readonly warntimeMs: number;
  readonly initdeadMs: number;
  readonly deadpingMs: number;
  readonly maxRexmitDelayMs: number;
  readonly ttl: number;
  readonly omitInnerAuth: boolean;
  /** ha.cf log_badpack: report dropped packets (always counted). */
  readonly logBadPackets?: boolean;
  readonly realtime: boolean;
  readonly rtprio: number;
  readonly serialLockDir?: string;
  readonly keys: { readonly sign: number; readonly entries: readonly { readonly index: number; readonly method: string; readonly secret: string }[] };
}

export type NativeEventType =
  | 'node-status' | 'link-status' | 'late-heartbeat' | 'message' | 'node-restart' | 'partition-return'
  | 'lost-packets' | 'irretrievable' | 'drop' | 'medium-error' | 'tardy' | 'rexmit-too-new' | 'takeover' | 'cadence';

/** One event from the heartbeat thread, in order. */
export interface NativeEvent {
  readonly type: NativeEventType;
  readonly monoMs: number;
  readonly node?: string;
  readonly link?: string;
  readonly status?: string;
  readonly value: number;
  readonly value2: number;
  readonly text?: string;
  /** medium-error: errno name and text. */
  readonly code?: string;
  readonly errorText?: string;
  /** message: the fields in order; binary values as Buffers. */
  readonly fields?: readonly (readonly [string, string | Buffer])[];
}

export interface NativeLinkView {
  readonly name: string;
  readonly status: 'up' | 'dead';
  readonly lastHeardMs: number;
}

export interface NativeNodeView {
  readonly name: string;
  readonly type: 'normal' | 'ping';
  readonly self: boolean;
  readonly status: string;
  readonly lastHeardMs: number;
  readonly deadtimeMs: number;
  /** Its heartbeats carry hbd=1 (normal nodes only). */
  readonly hbd?: boolean;
  readonly generation: number;
  readonly lastSeq: number;
  readonly uuid?: string;
  readonly links: readonly NativeLinkView[];
}

export interface NativeEngineView {
  readonly nowMs: number;
  readonly startedMs: number;
  readonly ownStatus: string;
  readonly seq: number;
  /** keepalive, or standby_keepalive while this node stands by. */
  readonly sendIntervalMs: number;
  /** The dt our heartbeats carry: deadtime, or standby_deadtime as a quiet standby. */
  readonly advertisedDeadtimeMs: number;
  /** Quiet standby: every live peer is hbd and this node holds nothing. */
  readonly quietStandby: boolean;
  readonly nodes: readonly NativeNodeView[];
}

export interface NativeEngine {
  start(): void;
  /** Stops the thread and closes every medium; the engine cannot be restarted. */
  stop(): void;
  setStatus(status: string): void;
  /** This node holds no resources: heartbeat every standbyKeepaliveMs (if set; quiet with standbyDeadtimeMs and hbd peers). */
  setStandby(standby: boolean): void;
  /** Queues a message (its own fields, in order) for sending on every medium. */
  send(fields: readonly (readonly [string, string | Buffer])[]): void;
  /** Drains the event queue. */
  poll(): NativeEvent[];
  view(): NativeEngineView;
  counters(): Record<string, bigint>;
  /** What the heartbeat thread does itself the instant it declares `peer` dead. */
  armTakeover(peer: string, steps: readonly NativeTakeoverStepSpec[]): void;
}

/** Mirrors src/resources/types.ts NativeTakeoverStep. */
export interface NativeTakeoverStepSpec {
  readonly kind: 'address' | 'announce';
  readonly ifname: string;
  readonly address: string;
  readonly prefixLen?: number;
  readonly broadcast?: string;
  readonly label?: string;
  readonly noDad?: boolean;
  readonly count?: number;
  readonly intervalMs?: number;
  readonly mode?: 'request' | 'reply' | 'both';
}

// @@TYPES:ENGINE@@

// Virtual IPs (native/src/rtnl_*.c, garp_*.c). Addresses are text; the
// family follows from it. Every method rejects with an Error whose `code` is
// the errno name and whose message says what failed ("adding 10.0.0.100/24
// to eth0: File exists"), with the kernel's own explanation, when it gave
// one, in `kernelMessage` ("ipv4: Address already assigned"); a malformed
// argument throws synchronously (TypeError / RangeError, EINVAL for an
// address that does not parse).

export type NativeNetFamily = 'inet' | 'inet6';

export interface NativeNetAddressSpec {
  readonly ifname: string;
  readonly address: string;
  readonly prefixLen: number;
  /** IPv4 only. */
  readonly broadcast?: string;
  /** IPv4 only; must begin with ifname ("eth0:0"). */
  readonly label?: string;
  /** IFA_F_NODAD: an IPv6 address usable at once. */
  readonly noDad?: boolean;
  /** IFA_F_NOPREFIXROUTE. */
  readonly noPrefixRoute?: boolean;
}

export interface NativeNetAddress {
  readonly ifname: string;
  readonly ifindex: number;
  readonly family: NativeNetFamily;
  readonly address: string;
  readonly prefixLen: number;
  readonly broadcast?: string;
  /** IPv4: the label, the interface's name when none was given. */
  readonly label?: string;
  /** RT_SCOPE_*: 0 global, 253 link, 254 host. */
  readonly scope: number;
  /** IFA_F_* bits. */
  readonly flags: number;
  readonly secondary: boolean;
  readonly tentative: boolean;
  readonly dadFailed: boolean;
  readonly noDad: boolean;
}

/** resource-agents' findif: the interface whose connected route covers an address. */
export interface NativeNetFindif {
  readonly ifname: string;
  readonly ifindex: number;
  readonly prefixLen: number;
  readonly metric: number;
  /** IPv4 with a prefix up to /30: address | ~mask. */
  readonly broadcast?: string;
  /** An interface was named, no connected route on it covers the address: ifname is the computed one. */
  readonly differs: boolean;
}

/** The kernel's own route lookup (`ip route get fibmatch`). */
export interface NativeNetRoute {
  readonly family: NativeNetFamily;
  readonly dst: string;
  readonly dstLen: number;
  readonly oif: number;
  readonly ifname?: string;
  readonly gateway?: string;
  readonly prefsrc?: string;
  readonly multipath: boolean;
  readonly table: number;
  readonly protocol: number;
  readonly scope: number;
  /** RTN_*: 1 unicast, 2 local, 6 blackhole ... */
  readonly type: number;
  readonly metric: number;
}

export interface NativeNetLink {
  readonly ifname: string;
  readonly ifindex: number;
  /** "02:00:5e:10:00:01"; "" for interfaces without one. */
  readonly mac: string;
  /** IFF_UP: administratively up. */
  readonly up: boolean;
  /** IFF_LOWER_UP: carrier. */
  readonly carrier: boolean;
  readonly mtu: number;
  /** ARPHRD_*: 1 Ethernet, 772 loopback. */
  readonly type: number;
  readonly flags: number;
  /** IF_OPER_*: 6 up, 2 down, 0 unknown. */
  readonly operstate: number;
}

export interface NativeNetAnnounceSpec {
  readonly ifname: string;
  /** IPv4: gratuitous ARP as send_arp sends it; IPv6: unsolicited NA. */
  readonly address: string;
  /** Rounds; the first at once. */
  readonly count: number;
  /** Between the starts of two rounds. */
  readonly intervalMs: number;
  /** IPv4: per round a request, a reply, or (default) both, back to back. */
  readonly mode?: 'request' | 'reply' | 'both';
  /** IPv6: set the NA's Router flag (default clear, like IPv6addr). */
  readonly router?: boolean;
}

export interface NativeNetAnnouncement {
  /** Resolves when the rounds are sent or cancel() stopped them; rejects (with `rounds`) when a send fails. */
  readonly done: Promise<{ readonly rounds: number; readonly cancelled: boolean }>;
  /** Stops before the next round (within 50 ms). Idempotent. */
  cancel(): void;
}

/** One rtnetlink socket in one network namespace; calls are serialised, announcements are not. */
export interface NativeNetHandle {
  /** Rejects EEXIST when present, ENODEV for an unknown interface, EINVAL for a label not beginning with ifname. */
  addressAdd(spec: NativeNetAddressSpec): Promise<void>;
  /** Rejects EADDRNOTAVAIL when absent (address and prefix length must match). */
  addressDelete(spec: NativeNetAddressSpec): Promise<void>;
  addressList(filter?: { readonly ifname?: string; readonly family?: NativeNetFamily }): Promise<NativeNetAddress[]>;
  /** findif; null when no connected route covers the address. */
  findInterface(address: string, ifname?: string): Promise<NativeNetFindif | null>;
  /** null when the kernel has no route (ENETUNREACH). */
  routeLookup(address: string): Promise<NativeNetRoute | null>;
  /** Rejects ENODEV for an unknown interface. */
  linkInfo(ifname: string): Promise<NativeNetLink>;
  announce(spec: NativeNetAnnounceSpec): NativeNetAnnouncement;
  /** Closes the socket; later calls reject with EBADF (announcements run on). Idempotent. */
  close(): void;
}

// @@TYPES:NETRES@@

// IPVS (native/src/ipvs_*.c, nl_*.c). Numbers are the kernel's
// (linux/ip_vs.h): af 2/10, protocol 6/17/132, IP_VS_SVC_F_* flags,
// IP_VS_CONN_F_* forwarding methods. Addresses are text; a service's netmask
// is a host-order IPv4 mask (0xffffff00) or an IPv6 prefix length. Every
// method rejects with an Error whose `code` is the errno name and whose
// message says what failed ("adding destination 10.0.0.2:80 to TCP
// 10.0.0.100:80: File exists"); a malformed argument throws synchronously.

/** Identifies a service: af + fwmark (> 0), or af + protocol + addr + port. */
export interface NativeIpvsServiceKey {
  readonly af: number;
  readonly fwmark?: number;
  readonly protocol?: number;
  readonly addr?: string;
  readonly port?: number;
}

export interface NativeIpvsService extends NativeIpvsServiceKey {
  readonly schedName: string;
  /** Persistence engine ('' = none). */
  readonly peName?: string;
  readonly flags?: number;
  /** Persistence timeout, seconds. */
  readonly timeout?: number;
  /** Default: 0xffffffff for IPv4, 128 for IPv6. */
  readonly netmask?: number;
}

export interface NativeIpvsStats {
  readonly conns: bigint;
  readonly inPkts: bigint;
  readonly outPkts: bigint;
  readonly inBytes: bigint;
  readonly outBytes: bigint;
  readonly cps: bigint;
  readonly inPps: bigint;
  readonly outPps: bigint;
  readonly inBps: bigint;
  readonly outBps: bigint;
}

/** A service as the kernel lists it (flags may include HASHED 0x2). */
export interface NativeIpvsServiceEntry {
  readonly af: number;
  readonly fwmark: number;
  /** Absent for fwmark services. */
  readonly protocol?: number;
  readonly addr?: string;
  readonly port?: number;
  readonly schedName: string;
  readonly peName: string;
  readonly flags: number;
  readonly timeout: number;
  readonly netmask: number;
  readonly stats?: NativeIpvsStats;
}

export interface NativeIpvsDest {
  /** Omitted / 0: the service's family. */
  readonly af?: number;
  readonly addr: string;
  readonly port: number;
  /** IP_VS_CONN_F_MASQ 0, LOCALNODE 1, TUNNEL 2, DROUTE 3 (default 0). */
  readonly fwdMethod?: number;
  /** Default 1; negative values reach the kernel (which says ERANGE). */
  readonly weight?: number;
  readonly uThreshold?: number;
  readonly lThreshold?: number;
  /** IPIP 0, GUE 1, GRE 2. */
  readonly tunType?: number;
  readonly tunPort?: number;
  /** IP_VS_TUNNEL_ENCAP_FLAG_CSUM 1, _REMCSUM 2. */
  readonly tunFlags?: number;
}

export interface NativeIpvsDestEntry {
  readonly af: number;
  readonly addr: string;
  readonly port: number;
  readonly fwdMethod: number;
  readonly weight: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
  readonly tunType: number;
  readonly tunPort: number;
  readonly tunFlags: number;
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly stats?: NativeIpvsStats;
}

export interface NativeIpvsDaemon {
  /** IP_VS_STATE_MASTER 1, BACKUP 2. */
  readonly state: number;
  readonly mcastIfn: string;
  readonly syncId?: number;
  /** 0 / omitted: the kernel's default (from the interface MTU). */
  readonly syncMaxLen?: number;
  /** IPv4 or IPv6 group; ''/omitted: 224.0.0.81. */
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

export interface NativeIpvsDaemonEntry {
  readonly state: number;
  readonly mcastIfn: string;
  readonly syncId: number;
  readonly syncMaxLen: number;
  readonly mcastGroup: string;
  readonly mcastPort: number;
  readonly mcastTtl: number;
}

export interface NativeIpvsTimeouts {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export interface NativeIpvsInfo {
  /** 0x010201 = 1.2.1 */
  readonly version: number;
  readonly connTabSize: number;
}

/** One netlink socket in one network namespace; calls are serialised. */
export interface NativeIpvsHandle {
  /** The generic netlink id the kernel gave "IPVS". */
  readonly familyId: number;
  info(): Promise<NativeIpvsInfo>;
  listServices(): Promise<NativeIpvsServiceEntry[]>;
  /** Rejects with ESRCH when there is no such service. */
  getService(key: NativeIpvsServiceKey): Promise<NativeIpvsServiceEntry>;
  /** Rejects with ESRCH when there is no such service. */
  listDests(key: NativeIpvsServiceKey): Promise<NativeIpvsDestEntry[]>;
  addService(service: NativeIpvsService): Promise<void>;
  editService(service: NativeIpvsService): Promise<void>;
  deleteService(key: NativeIpvsServiceKey): Promise<void>;
  addDest(key: NativeIpvsServiceKey, dest: NativeIpvsDest): Promise<void>;
  editDest(key: NativeIpvsServiceKey, dest: NativeIpvsDest): Promise<void>;
  deleteDest(key: NativeIpvsServiceKey, dest: NativeIpvsDest): Promise<void>;
  flush(): Promise<void>;
  /** One service's counters, or all of them without a key. */
  zero(key?: NativeIpvsServiceKey): Promise<void>;
  getTimeouts(): Promise<NativeIpvsTimeouts>;
  setTimeouts(timeouts: NativeIpvsTimeouts): Promise<void>;
  listDaemons(): Promise<NativeIpvsDaemonEntry[]>;
  startDaemon(daemon: NativeIpvsDaemon): Promise<void>;
  stopDaemon(state: number): Promise<void>;
  /** Closes the socket; later calls reject with EBADF. Idempotent. */
  close(): void;
}

// @@TYPES:IPVS@@

const ADDON_PATHS = [
  // dist/src/native/binding.js -> <root>/build/Release/hbd_native.node
  path.join(__dirname, '..', '..', '..', 'build', 'Release', 'hbd_native.node'),
  path.join(__dirname, '..', '..', '..', 'build', 'Debug', 'hbd_native.node'),
];

let cached: NativeBinding | null = null;

export function loadNative(): NativeBinding {
  if (cached) return cached;
  const errors: string[] = [];
  for (const p of ADDON_PATHS) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require(p) as NativeBinding;
      return cached;
    } catch (e) {
      errors.push(`${p}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new HbdError(
    'NATIVE_UNAVAILABLE',
    `the native addon is not built (run \`npm run build\`); tried ${errors.join('; ')}`,
  );
}
