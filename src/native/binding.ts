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
  | 'lost-packets' | 'irretrievable' | 'drop' | 'medium-error' | 'tardy' | 'rexmit-too-new';

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
  readonly nodes: readonly NativeNodeView[];
}

export interface NativeEngine {
  start(): void;
  /** Stops the thread and closes every medium; the engine cannot be restarted. */
  stop(): void;
  setStatus(status: string): void;
  /** Queues a message (its own fields, in order) for sending on every medium. */
  send(fields: readonly (readonly [string, string | Buffer])[]): void;
  /** Drains the event queue. */
  poll(): NativeEvent[];
  view(): NativeEngineView;
  counters(): Record<string, bigint>;
}

// @@TYPES:ENGINE@@

// @@TYPES:NETRES@@

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
