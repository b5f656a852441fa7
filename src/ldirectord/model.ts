// The ldirectord configuration as hbd runs it: every value resolved (host
// and service names looked up, ldirectord's fallback chains applied), frozen.
// ldirectord.cf and the YAML form both produce this model (parse.ts).

import type { CheckService } from '../checks/types';
import type { SourceRef } from '../config/diagnostics';
import type { AddressFamily, IpvsService } from '../ipvs/types';

/** Milliseconds. ldirectord takes whole seconds; hbd also takes `0.5` and `500ms`. */
export type Millis = number;

/** ldirectord's forwarding words: gate = direct routing, masq = NAT, ipip = tunnel. */
export type ForwardName = 'gate' | 'masq' | 'ipip';

/** ldirectord's checktype; `combined` is the numeric form (negotiate once every N connect checks). */
export type LdCheckType = 'connect' | 'negotiate' | 'ping' | 'external' | 'external-perl' | 'off' | 'on' | 'combined';

export type VirtualProtocol = 'tcp' | 'udp' | 'fwm';

/** Daemon states in which email alerts go out (emailalertstatus). */
export type DaemonPhase = 'starting' | 'running' | 'stopping' | 'reloading';

export interface EmailAlertSettings {
  /** Recipients as written (comma-separated), or null for no alerts. */
  readonly to: string | null;
  /** Resend interval while a server stays down; 0 = no resends. */
  readonly freqMs: Millis;
  readonly phases: readonly DaemonPhase[];
  /** SMTP server host; null = localhost. */
  readonly smtp: string | null;
  readonly from: string | null;
}

export interface RealServer {
  readonly at: SourceRef;
  /** How the server was written (host name or address), for maintenancedir lookups. */
  readonly name: string;
  /** Canonical address, no brackets. */
  readonly address: string;
  /**
   * The port IPVS forwards to. For gate/ipip on an IP service this is the
   * virtual port (ipvsadm does the same); 0 = the packet's port (fwmark).
   */
  readonly port: number;
  readonly forward: ForwardName;
  readonly weight: number;
  /** IPVS connection thresholds (l: and u:), 0 = none. */
  readonly lowerThreshold: number;
  readonly upperThreshold: number;
  /** Port the checks connect to. */
  readonly checkPort: number;
  /** request/receive for this server (its own pair, or the virtual service's). */
  readonly request: string;
  readonly receive: string;
}

export interface FallbackServer {
  readonly at: SourceRef;
  readonly address: string;
  readonly port: number;
  readonly forward: ForwardName;
}

export interface CheckSettings {
  readonly type: LdCheckType;
  /** `checktype = N`: connect checks between two negotiate checks. */
  readonly connectsPerNegotiate: number;
  readonly service: CheckService;
  /** external checks: the program, called with `vip|fwmark vport rip rport`. */
  readonly command: string;
  readonly httpMethod: 'GET' | 'HEAD';
  /** HTTP Host header / TLS name; null = the real server's address. */
  readonly virtualHost: string | null;
  readonly login: string;
  readonly password: string;
  readonly database: string;
  readonly secret: string;
  /** checktimeout after ldirectord's fallback chain (connect, ping, external). */
  readonly checkTimeoutMs: Millis;
  /** negotiatetimeout after ldirectord's fallback chain. */
  readonly negotiateTimeoutMs: Millis;
  readonly intervalMs: Millis;
  /** Consecutive failures before an up server goes down (ldirectord's failurecount). */
  readonly failureCount: number;
  /** hbd extension: consecutive successes before a failed server comes back (1 = ldirectord). */
  readonly rise: number;
  /** ping attempts per check (deprecated checkcount). */
  readonly checkCount: number;
}

export interface VirtualService {
  /** ldirectord's id: `tcp:10.0.0.1:80`, `udp:[2001:db8::1]:53`, `fwm:7`, `fwm6:7`. */
  readonly id: string;
  readonly at: SourceRef;
  readonly af: AddressFamily;
  readonly protocol: VirtualProtocol;
  /** Canonical address (null for a fwmark service). */
  readonly address: string | null;
  /** Service port (0 for a fwmark service). */
  readonly port: number;
  readonly fwmark: number | null;
  /** The IPVS service this virtual service programs. */
  readonly ipvs: IpvsService;
  readonly check: CheckSettings;
  readonly reals: readonly RealServer[];
  /** The sorry server (own, or the global one for the family), or null. */
  readonly fallback: FallbackServer | null;
  readonly fallbackCommand: string | null;
  /** true: a failed server gets weight 0; false: it is deleted from IPVS. */
  readonly quiescent: boolean;
  /** Remove this service from IPVS when the director stops. */
  readonly cleanStop: boolean;
  readonly email: EmailAlertSettings;
  readonly monitorFile: string | null;
  readonly serviceName: string | null;
  readonly comment: string | null;
}

export type LogTarget = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'syslog'; readonly facility: string };

export interface LdGlobals {
  /** Default check interval, and the period of config-file polling. */
  readonly checkIntervalMs: Millis;
  readonly autoreload: boolean;
  /** Run with the config file name when the file changes. */
  readonly callback: string | null;
  readonly logfile: LogTarget;
  readonly supervised: boolean;
  /** Re-add a failed server missing from IPVS with weight 0 (quiescent only). */
  readonly readdQuiescent: boolean;
  readonly maintenanceDir: string | null;
  /** Other ldirectord configurations `execute=` names (not run by hbd). */
  readonly execute: readonly string[];
}

export interface LdirectordConfig {
  /** The file read (after lookup), absolute. */
  readonly file: string;
  readonly format: 'ldirectord.cf' | 'yaml';
  readonly globals: LdGlobals;
  readonly virtuals: readonly VirtualService[];
}

export const DEFAULT_CHECK_TIMEOUT_MS = 5000;
export const DEFAULT_NEGOTIATE_TIMEOUT_MS = 30000;
export const DEFAULT_CHECK_INTERVAL_MS = 10000;
export const DEFAULT_LOGFILE = '/var/log/ldirectord.log';
/**
 * hbd's `quiescent` default: **no** (a failed server is deleted from IPVS),
 * as ldirectord's code does (its POD says yes). See docs/ldirectord.md.
 */
export const DEFAULT_QUIESCENT = false;
