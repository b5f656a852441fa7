// What the ha.cf directives accumulate while they are read in order. Only
// directives.ts and media.ts write it; settings.ts turns it into the model
// once the whole file has been read (Heartbeat's init_config step).

import type { DiagnosticSink, SourceRef } from './diagnostics';
import type {
  ApiAuthSpec,
  IgnoredDirective,
  Medium,
  PingNode,
  RespawnSpec,
  StonithSpec,
} from './model';
import { Code } from './codes';

export interface Setting<T> {
  readonly value: T;
  readonly at: SourceRef;
}

/** Media plugins that read `udpport` once, the first time one of their lines is read. */
export type UdpPortUser = 'bcast' | 'ucast' | 'ucast6';

export const DEFAULT_UDP_PORT = 694;
export const DEFAULT_BAUD = 19200;
/** Heartbeat's MAXNODE: nodes and ping nodes share one table. */
export const MAX_NODES = 100;

export interface HaCfState {
  readonly sink: DiagnosticSink;
  /** The file the directives came from (ha.cf or the YAML file), for whole-file diagnostics. */
  readonly file: string;
  readonly checkFilesystem: boolean;

  cluster: Setting<string> | null;
  nodes: { name: string; at: SourceRef }[];
  tooManyNodesReported: boolean;

  keepalive: Setting<number> | null;
  standbyKeepalive: Setting<number> | null;
  standbyDeadtime: Setting<number> | null;
  deadtime: Setting<number> | null;
  warntime: Setting<number> | null;
  initdead: Setting<number> | null;
  deadping: Setting<number> | null;

  /** The last valid `udpport` read so far. */
  udpport: Setting<number> | null;
  /** The port each UDP plugin took when its first line was read. */
  udpPortTaken: Map<UdpPortUser, Setting<number>>;
  baud: Setting<number> | null;
  baudGiven: boolean;
  /** The speed the serial plugin took when the first serial line was read. */
  serialBaudTaken: Setting<number> | null;
  hopfudge: Setting<number> | null;
  media: Medium[];
  pingNodes: PingNode[];

  /** Heartbeat's two globals behind auto_failback / nice_failback. */
  niceFailback: boolean;
  autoFailbackOn: boolean;
  /** Set once an `auto_failback` line was accepted; without one Heartbeat falls back to legacy at the end. */
  autoFailbackGiven: SourceRef | null;
  niceFailbackLines: Setting<string>[];

  respawn: RespawnSpec[];
  apiauth: ApiAuthSpec[];
  env: Map<string, string>;
  watchdog: Setting<string> | null;
  stonith: StonithSpec[];

  realtime: Setting<boolean> | null;
  rtprio: Setting<number> | null;
  debug: Setting<number> | null;
  logfacility: Setting<string | null> | null;
  logfile: Setting<string> | null;
  debugfile: Setting<string> | null;
  logBadPack: Setting<boolean> | null;
  syslogFormat: Setting<boolean> | null;

  hbgenmethod: Setting<'file' | 'time'> | null;
  uuidfrom: Setting<'file' | 'nodename'> | null;
  msgfmt: Setting<'classic' | 'netstring'> | null;
  compression: Setting<string> | null;
  compressionThreshold: Setting<number> | null;
  maxRexmitDelay: Setting<number> | null;

  ignored: IgnoredDirective[];
  /** First line of each single-valued directive, for the "set again" warning. */
  firstSeen: Map<string, SourceRef>;
}

export function createHaCfState(sink: DiagnosticSink, file: string, checkFilesystem: boolean): HaCfState {
  return {
    sink,
    file,
    checkFilesystem,
    cluster: null,
    nodes: [],
    tooManyNodesReported: false,
    keepalive: null,
    standbyKeepalive: null,
    standbyDeadtime: null,
    deadtime: null,
    warntime: null,
    initdead: null,
    deadping: null,
    udpport: null,
    udpPortTaken: new Map(),
    baud: null,
    baudGiven: false,
    serialBaudTaken: null,
    hopfudge: null,
    media: [],
    pingNodes: [],
    niceFailback: false,
    autoFailbackOn: false,
    autoFailbackGiven: null,
    niceFailbackLines: [],
    respawn: [],
    apiauth: [],
    env: new Map(),
    watchdog: null,
    stonith: [],
    realtime: null,
    rtprio: null,
    debug: null,
    logfacility: null,
    logfile: null,
    debugfile: null,
    logBadPack: null,
    syslogFormat: null,
    hbgenmethod: null,
    uuidfrom: null,
    msgfmt: null,
    compression: null,
    compressionThreshold: null,
    maxRexmitDelay: null,
    ignored: [],
    firstSeen: new Map(),
  };
}

/**
 * Counts one more entry in the node table (node, ping, ping6, ping_group all
 * take a slot in Heartbeat). Returns false, after one error, once MAXNODE is exceeded.
 */
export function takeNodeSlot(state: HaCfState, at: SourceRef): boolean {
  if (state.nodes.length + state.pingNodes.length < MAX_NODES) return true;
  if (!state.tooManyNodesReported) {
    state.sink.error(
      at,
      Code.HACF_TOO_MANY_NODES,
      `too many nodes: Heartbeat allows at most ${MAX_NODES} entries for nodes and ping nodes together`,
    );
    state.tooManyNodesReported = true;
  }
  return false;
}

/** The bcast/ucast/ucast6 plugins read udpport at their first line and keep that port. */
export function takeUdpPort(state: HaCfState, user: UdpPortUser, at: SourceRef): void {
  if (state.udpPortTaken.has(user)) return;
  state.udpPortTaken.set(user, { value: state.udpport?.value ?? DEFAULT_UDP_PORT, at });
}
