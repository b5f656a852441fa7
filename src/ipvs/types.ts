// The IPVS table as TypeScript sees it, and the backend interface that
// programs it. The real backend (native-backend.ts) talks generic netlink
// through the C core; an in-memory backend (memory-backend.ts) implements the
// same contract for tests of policy code. Field names follow the kernel's
// (linux/ip_vs.h) and ipvsadm's vocabulary.

export type AddressFamily = 'inet' | 'inet6';
export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';

/** Identifies a virtual service: protocol + address + port, or a firewall mark. */
export type ServiceKey =
  | { readonly af: AddressFamily; readonly protocol: IpvsProtocol; readonly address: string; readonly port: number; readonly fwmark?: undefined }
  | { readonly af: AddressFamily; readonly fwmark: number; readonly protocol?: undefined; readonly address?: undefined; readonly port?: undefined };

export interface ServiceFlags {
  /** IP_VS_SVC_F_ONEPACKET: one-packet scheduling (UDP). */
  readonly onePacket?: boolean;
  /** Scheduler flags (IP_VS_SVC_F_SCHED1/2/3): sh-fallback/mh-fallback = SCHED1, sh-port/mh-port = SCHED2. */
  readonly sched1?: boolean;
  readonly sched2?: boolean;
  readonly sched3?: boolean;
}

export interface ServiceSettings {
  /** rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos ... */
  readonly scheduler: string;
  /** Persistence timeout in seconds; 0/undefined = not persistent. */
  readonly persistentTimeout?: number;
  /** Persistence netmask: dotted quad for IPv4, prefix length for IPv6. */
  readonly netmask?: string | number;
  readonly flags?: ServiceFlags;
  /** Persistence engine, e.g. 'sip'. */
  readonly peName?: string;
}

export type IpvsService = ServiceKey & ServiceSettings;

/** IP_VS_CONN_F_MASQ 0, LOCALNODE 1, TUNNEL 2, DROUTE 3. */
export type ForwardMethod = 'masq' | 'local' | 'tunnel' | 'route';

export interface DestKey {
  readonly af?: AddressFamily;
  readonly address: string;
  readonly port: number;
}

export interface DestSettings {
  readonly forward: ForwardMethod;
  readonly weight: number;
  /** Connection thresholds (0 = none). */
  readonly upperThreshold?: number;
  readonly lowerThreshold?: number;
  readonly tunnelType?: 'ipip' | 'gue' | 'gre';
  readonly tunnelPort?: number;
  readonly tunnelFlags?: { readonly noCsum?: boolean; readonly csum?: boolean; readonly remCsum?: boolean };
}

export type IpvsDest = DestKey & DestSettings;

export interface IpvsStats {
  readonly conns: bigint;
  readonly inPackets: bigint;
  readonly outPackets: bigint;
  readonly inBytes: bigint;
  readonly outBytes: bigint;
  readonly cps: bigint;
  readonly inPps: bigint;
  readonly outPps: bigint;
  readonly inBps: bigint;
  readonly outBps: bigint;
}

export interface IpvsServiceState extends ServiceSettings {
  readonly key: ServiceKey;
  readonly stats?: IpvsStats;
}

export interface IpvsDestState extends IpvsDest {
  readonly activeConns?: number;
  readonly inactiveConns?: number;
  readonly persistentConns?: number;
  readonly stats?: IpvsStats;
}

export interface IpvsTimeouts {
  /** Seconds; 0 in a set request means "leave unchanged". */
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export type SyncDaemonRole = 'master' | 'backup';

export interface SyncDaemon {
  readonly role: SyncDaemonRole;
  readonly mcastInterface: string;
  readonly syncId: number;
  readonly maxLen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

export interface IpvsInfo {
  /** e.g. "1.2.1" */
  readonly version: string;
  readonly connTableSize: number;
}

/**
 * Programs one network namespace's IPVS table. Every method rejects with an
 * Error whose `code` is the errno name (ENOENT, EEXIST, ESRCH, EPERM, ...)
 * and whose message says what failed.
 */
export interface IpvsBackend {
  info(): Promise<IpvsInfo>;
  listServices(): Promise<IpvsServiceState[]>;
  listDests(service: ServiceKey): Promise<IpvsDestState[]>;
  addService(service: IpvsService): Promise<void>;
  editService(service: IpvsService): Promise<void>;
  deleteService(service: ServiceKey): Promise<void>;
  addDest(service: ServiceKey, dest: IpvsDest): Promise<void>;
  editDest(service: ServiceKey, dest: IpvsDest): Promise<void>;
  deleteDest(service: ServiceKey, dest: DestKey): Promise<void>;
  /** Removes every service (ipvsadm -C). */
  flush(): Promise<void>;
  /** Zeroes counters of one service, or all when omitted (ipvsadm -Z). */
  zero(service?: ServiceKey): Promise<void>;
  getTimeouts(): Promise<IpvsTimeouts>;
  setTimeouts(timeouts: IpvsTimeouts): Promise<void>;
  listDaemons(): Promise<SyncDaemon[]>;
  startDaemon(daemon: SyncDaemon): Promise<void>;
  stopDaemon(role: SyncDaemonRole): Promise<void>;
  close(): void;
}
