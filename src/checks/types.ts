// Real-server health checks: the contract between the checks library
// (src/checks/*) and the director that schedules them (src/ldirectord/*).
// A check is one attempt against one real server with a hard deadline; the
// director owns intervals, rise/fall counting and what a result changes.

/** ldirectord's checktype. */
export type CheckType = 'connect' | 'negotiate' | 'ping' | 'external' | 'off' | 'on';

/** ldirectord's `service` (protocol spoken by negotiate checks). */
export type CheckService =
  | 'dns' | 'ftp' | 'http' | 'https' | 'http_proxy' | 'imap' | 'imaps' | 'ldap' | 'ldaps' | 'mysql'
  | 'nntp' | 'none' | 'oracle' | 'pgsql' | 'pop' | 'pops' | 'radius' | 'simpletcp' | 'sip' | 'smtp' | 'submission';

export interface CheckSpec {
  readonly type: CheckType;
  readonly service: CheckService;
  /** Transport of the virtual service (connect on udp = ping, as ldirectord). */
  readonly protocol: 'tcp' | 'udp' | 'sctp' | 'fwm';
  /** Hard deadline for the whole attempt, milliseconds. */
  readonly timeoutMs: number;
  /** http: URI (absolute for http_proxy); dns: name; sql: query; simpletcp: text to send. */
  readonly request?: string;
  /** Regular expression (JS syntax) the response must match; empty = any. */
  readonly receive?: string;
  readonly httpMethod?: 'GET' | 'HEAD';
  readonly virtualHost?: string;
  readonly login?: string;
  readonly password?: string;
  readonly database?: string;
  /** radius shared secret. */
  readonly secret?: string;
  /** external checks: command run as `cmd vip|fwmark vport rip rport`; exit 0 = up. */
  readonly command?: string;
}

export interface CheckTarget {
  /** Real server address (IPv4 or IPv6, no brackets) and the port to check. */
  readonly address: string;
  readonly port: number;
  /** The virtual service, for external checks' arguments: address or fwmark, and port. */
  readonly virtualAddress: string;
  readonly virtualPort: number;
}

export interface CheckResult {
  readonly ok: boolean;
  /** Why it failed (or what succeeded), short, for logs and `hbd status`. */
  readonly message: string;
  readonly durationMs: number;
}

/** ICMP echo with a deadline; provided by the native core, injected for tests. */
export interface Pinger {
  ping(address: string, timeoutMs: number): Promise<boolean>;
}

export interface CheckRunner {
  /** Never rejects: failures, timeouts and aborts are results with ok=false. */
  run(spec: CheckSpec, target: CheckTarget, signal?: AbortSignal): Promise<CheckResult>;
}
