// The one validated configuration model. Both the Heartbeat files (ha.cf,
// authkeys, haresources) and hbd's YAML produce exactly this shape; everything
// downstream (daemon, heartbeat core, resources) reads only this. Objects are
// deep-frozen by the loader, so nothing can change a running configuration in
// place: a reload builds a new model and the daemon diffs the two.

import type { SourceRef } from './diagnostics';

export type Millis = number;

export type AutoFailback = 'on' | 'off' | 'legacy';
export type AuthMethod = 'crc' | 'md5' | 'sha1';

export interface BcastMedium {
  readonly kind: 'bcast';
  readonly iface: string;
  readonly at: SourceRef;
}
export interface UcastMedium {
  readonly kind: 'ucast';
  readonly iface: string;
  /** IPv4 address or host name, as written. */
  readonly peer: string;
  readonly at: SourceRef;
}
export interface McastMedium {
  readonly kind: 'mcast';
  readonly iface: string;
  readonly group: string;
  readonly port: number;
  readonly ttl: number;
  readonly loop: 0 | 1;
  readonly at: SourceRef;
}
export interface Ucast6Medium {
  readonly kind: 'ucast6';
  readonly iface: string;
  readonly peer: string;
  readonly at: SourceRef;
}
export interface Mcast6Medium {
  readonly kind: 'mcast6';
  readonly iface: string;
  readonly group: string;
  readonly port: number;
  readonly hops: number;
  readonly loop: 0 | 1;
  readonly at: SourceRef;
}
export interface SerialMedium {
  readonly kind: 'serial';
  readonly device: string;
  readonly at: SourceRef;
}
export type Medium = BcastMedium | UcastMedium | McastMedium | Ucast6Medium | Mcast6Medium | SerialMedium;

/**
 * A ping pseudo-member: `ping a b` makes one node per address (named by the
 * address), `ping_group NAME a b` one node that is up while any address answers.
 */
export interface PingNode {
  readonly name: string;
  readonly kind: 'ping' | 'ping6' | 'ping_group';
  readonly addresses: readonly string[];
  readonly at: SourceRef;
}

export interface RespawnSpec {
  readonly user: string;
  readonly path: string;
  readonly args: readonly string[];
  /** `failfast` lines: the node reboots if the child dies. */
  readonly rebootIfItDies: boolean;
  readonly at: SourceRef;
}

export interface ApiAuthSpec {
  readonly client: string;
  readonly uids: readonly string[];
  readonly gids: readonly string[];
  readonly at: SourceRef;
}

export interface StonithSpec {
  /** '*' or a node name for stonith_host; null for the single-device `stonith` line. */
  readonly host: string | null;
  readonly type: string;
  readonly params: readonly string[];
  readonly at: SourceRef;
}

export interface AuthKey {
  readonly index: number;
  readonly method: AuthMethod;
  /** Empty for crc. Only the first whitespace-free token of the line, as Heartbeat reads it. */
  readonly secret: string;
  readonly at: SourceRef;
}

export interface AuthConfig {
  readonly file: string;
  /** The `auth N` entry used to sign what this node sends. */
  readonly signIndex: number;
  /** Every listed entry is accepted on receipt. Sorted by index. */
  readonly keys: readonly AuthKey[];
}

/**
 * One haresources item. `IPaddr::10.0.0.1/24/eth0` has name IPaddr and
 * args ['10.0.0.1/24/eth0']; the bare `10.0.0.1/24` shorthand becomes name
 * IPaddr with shorthand=true.
 */
export interface ResourceRef {
  readonly raw: string;
  readonly name: string;
  readonly args: readonly string[];
  readonly shorthand: boolean;
  readonly at: SourceRef;
}

export interface ResourceGroup {
  /** The preferred node (first field of the line), lowercased. */
  readonly owner: string;
  /**
   * The group key = the first resource exactly as written (a bare 10.0.0.1
   * stays 10.0.0.1, not IPaddr::10.0.0.1): Heartbeat's ip-request and
   * takegroup messages carry this text. Unique in the file.
   */
  readonly key: string;
  readonly resources: readonly ResourceRef[];
  readonly at: SourceRef;
}

export interface LoggingConfig {
  /** `debug` level 0..255. */
  readonly debugLevel: number;
  /** syslog facility name, or null for none. */
  readonly facility: string | null;
  readonly logfile: string | null;
  readonly debugfile: string | null;
  /** `log_badpack`: warn about bad or unauthenticated packets. */
  readonly logBadPackets: boolean;
  /** `syslogmsgfmt`: write log files in syslog format. */
  readonly syslogFormat: boolean;
}

/** A directive hbd parses and accepts but does not act on (class P in features.md). */
export interface IgnoredDirective {
  readonly directive: string;
  readonly value: string;
  readonly at: SourceRef;
}

export interface ConfigOrigin {
  readonly kind: 'ha.d' | 'yaml';
  /** ha.d: the directory; yaml: the file. */
  readonly path: string;
  /** Source files the model was built from (for reload change detection). */
  readonly files: readonly string[];
  /** Where resource.d/ scripts and ldirectord configurations are looked up (ha.d: the directory). */
  readonly haDir: string;
  /** The init-script directory searched after resource.d (Heartbeat's INITDIR, /etc/init.d). */
  readonly initDir: string;
}

export interface HbdConfig {
  readonly origin: ConfigOrigin;
  readonly clusterName: string;
  /** Cluster members, lowercased, in declaration order. */
  readonly nodes: readonly string[];

  readonly keepaliveMs: Millis;
  /** hbd's `standby_keepalive`: the send interval while this node holds no resources; null = keepalive. */
  readonly standbyKeepaliveMs: Millis | null;
  /** hbd's `standby_deadtime`: with only hbd peers, the dt a node holding nothing advertises; null = deadtime. */
  readonly standbyDeadtimeMs: Millis | null;
  readonly deadtimeMs: Millis;
  readonly warntimeMs: Millis;
  readonly initdeadMs: Millis;
  readonly deadpingMs: Millis;

  readonly udpPort: number;
  readonly baud: number;
  readonly hopfudge: number;
  readonly media: readonly Medium[];
  readonly pingNodes: readonly PingNode[];

  readonly autoFailback: AutoFailback;
  readonly respawn: readonly RespawnSpec[];
  readonly apiauth: readonly ApiAuthSpec[];
  /** From `env NAME=value`: passed to respawned clients as HA_NAME=value. */
  readonly env: Readonly<Record<string, string>>;
  readonly watchdogDevice: string | null;
  readonly stonith: readonly StonithSpec[];

  readonly realtime: boolean;
  /** SCHED_FIFO priority; null = the midpoint of the allowed range. */
  readonly rtprio: number | null;
  readonly logging: LoggingConfig;

  readonly generationMethod: 'file' | 'time';
  readonly uuidFrom: 'file' | 'nodename';
  readonly msgfmt: 'classic' | 'netstring';
  readonly compression: string;
  readonly compressionThresholdKb: number;
  readonly maxRexmitDelayMs: Millis;

  readonly auth: AuthConfig;
  readonly resourceGroups: readonly ResourceGroup[];
  readonly ignored: readonly IgnoredDirective[];
}
