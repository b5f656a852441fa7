// The heartbeat layer of the daemon: owns the native engine (which does all
// timing and wire work on its own thread), feeds its events to the pure
// membership machine, executes the machine's actions, logs, and publishes
// events on the daemon's ordered stream. Cluster messages other than
// reqnodes/repnodes go to subscribers (the resource manager).

import type { HbdConfig } from '../config/model';
import type { EventStream } from '../daemon/events';
import type { Logger } from '../log';
import type { NativeBinding, NativeEngine, NativeEngineView, NativeEvent, NativeTakeoverStepSpec } from '../native/binding';
import { buildEngineConfig, type EngineIdentity } from './engine-config';
import {
  type MembershipAction,
  type MembershipInput,
  type MembershipState,
  type NodeStatus,
  initialMembership,
  membershipWaiting,
  stepMembership,
} from './membership';
import { Ticker } from './ticker';

export type MessageFields = readonly (readonly [string, string | Buffer])[];

/** A cluster message delivered to subscribers: fields by name (first wins) plus the raw list. */
export interface ClusterMessage {
  readonly type: string;
  readonly from: string;
  readonly get: (name: string) => string | undefined;
  readonly fields: MessageFields;
}

export interface HeartbeatOptions {
  readonly config: HbdConfig;
  readonly identity: EngineIdentity;
  readonly native: NativeBinding;
  readonly logger: Logger;
  readonly events: EventStream;
  readonly serialLockDir?: string;
}

const TICK_MS = 100;
const KNOWN_STATUS: ReadonlySet<string> = new Set(['init', 'up', 'active', 'dead', 'ping']);

export class Heartbeat {
  private membership: MembershipState;
  private readonly tick: Ticker;
  private readonly messageListeners = new Set<(m: ClusterMessage) => void>();
  private readonly statusListeners = new Set<(node: string, status: string) => void>();
  private standbyAsked = false;
  private stopped = false;

  private constructor(
    private readonly opts: HeartbeatOptions,
    private readonly engine: NativeEngine,
  ) {
    this.membership = initialMembership(opts.identity.nodeName, opts.config.nodes);
    this.tick = new Ticker(TICK_MS, () => this.step({ kind: 'tick', nowMs: this.now() }));
  }

  static async start(opts: HeartbeatOptions): Promise<Heartbeat> {
    const { config, notes } = await buildEngineConfig(opts.config, opts.identity, { serialLockDir: opts.serialLockDir });
    for (const note of notes) opts.logger.info(note);
    let self: Heartbeat | null = null;
    const engine = await opts.native.createEngine(config, () => self?.drain());
    self = new Heartbeat(opts, engine);
    engine.start();
    self.step({ kind: 'start', nowMs: self.now() });
    self.drain();
    opts.logger.info(
      { media: config.media.map((m) => m.kind + (m.iface ? ` ${m.iface}` : '') + (m.device ? ` ${m.device}` : '')) },
      `heartbeat started: keepalive ${config.keepaliveMs} ms, deadtime ${config.deadtimeMs} ms, initdead ${config.initdeadMs} ms`,
    );
    return self;
  }

  /** Monotonic milliseconds (only differences matter to the membership machine). */
  private now(): number {
    return Math.floor(performance.now());
  }

  get logger(): Logger {
    return this.opts.logger;
  }

  get state(): MembershipState {
    return this.membership;
  }

  onMessage(fn: (m: ClusterMessage) => void): () => void {
    this.messageListeners.add(fn);
    return () => this.messageListeners.delete(fn);
  }

  onNodeStatus(fn: (node: string, status: string) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Sends a cluster message (its own fields; the core adds control fields). */
  send(fields: MessageFields): void {
    if (!this.stopped) this.engine.send(fields);
  }

  setOwnStatus(status: string): void {
    if (!this.stopped) this.engine.setStatus(status);
  }

  /** Holding no resources: heartbeat every standby_keepalive (when set). */
  setStandby(standby: boolean): void {
    if (this.stopped) return;
    this.engine.setStandby(standby);
    this.standbyAsked = standby;
  }

  /** What the engine was last told (or did itself: it leaves standby at a native takeover). */
  get standingBy(): boolean {
    return this.standbyAsked;
  }

  view(): NativeEngineView {
    return this.engine.view();
  }

  counters(): Record<string, bigint> {
    return this.engine.counters();
  }

  /** Arms the native takeover for `peer` (see hb_engine_arm_takeover). */
  armTakeover(peer: string, steps: readonly NativeTakeoverStepSpec[]): void {
    if (!this.stopped) this.engine.armTakeover(peer, steps);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.tick.stop();
    this.drain();
    this.engine.stop();
  }

  private step(input: MembershipInput): void {
    const { state, actions } = stepMembership(this.membership, input);
    this.membership = state;
    if (!this.stopped) this.tick.want(membershipWaiting(state));
    for (const a of actions) this.act(a);
  }

  private act(a: MembershipAction): void {
    const log = this.opts.logger;
    switch (a.kind) {
      case 'set-own-status':
        this.setOwnStatus(a.status);
        log.info(`this node's status: ${a.status}`);
        this.opts.events.emit('own status', { status: a.status });
        break;
      case 'send':
        this.send(a.fields);
        break;
      case 'log':
        log[a.level](a.message);
        break;
      case 'comm-up':
        log.info({ livePeers: a.livePeers }, 'communications up');
        this.opts.events.emit('comm up', { livePeers: a.livePeers });
        break;
      case 'active':
        this.opts.events.emit('node active', { node: this.opts.identity.nodeName });
        break;
      case 'node-list-changed':
        this.opts.events.emit('node list changed', { nodes: a.nodes });
        break;
    }
  }

  /** Drains the engine's queue; called when the core signals new events. */
  drain(): void {
    if (this.stopped && !this.engine) return;
    let events: NativeEvent[];
    try {
      events = this.engine.poll();
    } catch {
      return;
    }
    for (const ev of events) this.handle(ev);
  }

  private handle(ev: NativeEvent): void {
    const log = this.opts.logger;
    // The engine's own time of the event (CLOCK_MONOTONIC, like hrtime), as
    // wall-clock ms: when it happened on the heartbeat thread, not when JS
    // got round to it.
    const engineTime = Date.now() - (Number(process.hrtime.bigint() / 1_000_000n) - ev.monoMs);
    const stream = { emit: (type: string, fields: Record<string, unknown>) => this.opts.events.emit(type, { ...fields, engineTime }) };
    const nowMs = this.now();
    switch (ev.type) {
      case 'node-status': {
        const node = ev.node ?? '?';
        const status = ev.status ?? 'dead';
        if (status === 'dead') {
          log.warn({ node }, `node ${node}: is dead`);
          stream.emit('node dead', { node });
        } else {
          log.info({ node, status }, `node ${node}: status ${status}`);
          stream.emit('node status', { node, status });
        }
        if (KNOWN_STATUS.has(status)) this.step({ kind: 'node-status', node, status: status as NodeStatus, nowMs });
        for (const fn of this.statusListeners) fn(node, status);
        break;
      }
      case 'link-status':
        if (ev.status === 'up') log.info({ node: ev.node, link: ev.link }, `link ${ev.node}:${ev.link} up`);
        else log.warn({ node: ev.node, link: ev.link }, `link ${ev.node}:${ev.link} dead`);
        stream.emit('link status', { node: ev.node, link: ev.link, status: ev.status });
        break;
      case 'late-heartbeat':
        (ev.value2 ? log.error.bind(log) : log.warn.bind(log))(
          { node: ev.node, intervalMs: ev.value },
          `late heartbeat: node ${ev.node}: interval ${ev.value} ms${ev.value2 ? ' (> deadtime)' : ''}`,
        );
        stream.emit('late heartbeat', { node: ev.node, intervalMs: ev.value });
        break;
      case 'message': {
        const fields = ev.fields ?? [];
        const map = new Map<string, string>();
        for (const [k, v] of fields) if (!map.has(k) && typeof v === 'string') map.set(k, v);
        const type = map.get('t') ?? '';
        log.debug({ from: ev.node, type }, `message ${type} from ${ev.node}`);
        this.step({ kind: 'message', fields: map, nowMs });
        const msg: ClusterMessage = { type, from: ev.node ?? '', get: (n) => map.get(n), fields };
        for (const fn of this.messageListeners) fn(msg);
        break;
      }
      case 'node-restart':
        log.info({ node: ev.node, generation: ev.value }, `heartbeat restart on node ${ev.node}`);
        stream.emit('node restart', { node: ev.node, generation: ev.value });
        break;
      case 'partition-return':
        log.error({ node: ev.node }, `cluster node ${ev.node} returning after partition`);
        stream.emit('partition return', { node: ev.node });
        break;
      case 'lost-packets':
        log.warn({ node: ev.node, count: ev.value }, `${ev.value} lost packet(s) for [${ev.node}] [${ev.value2}:...]`);
        break;
      case 'irretrievable':
        log.warn({ node: ev.node, seq: ev.value }, `irretrievably lost packet: node ${ev.node} seq ${ev.value}`);
        break;
      case 'rexmit-too-new':
        log.warn({ node: ev.node }, `rexmit of seq ${ev.value} requested by ${ev.node}, ${ev.value2} is max`);
        break;
      case 'drop':
        log.warn({ reason: ev.text }, `dropped a packet: ${ev.text ?? ''}`);
        break;
      case 'medium-error':
        log.error({ link: ev.link, code: ev.code }, `${ev.text ?? 'medium error'} (${ev.link}): ${ev.errorText ?? ev.code ?? ''}`);
        stream.emit('medium error', { link: ev.link, code: ev.code, op: ev.text });
        break;
      case 'takeover':
        // The engine left standby by itself; should the takeover come to nothing,
        // the resource manager must tell it again.
        this.standbyAsked = false;
        if (ev.value2 > 0) log.error({ peer: ev.node, done: ev.value, failed: ev.value2 }, `native takeover from ${ev.node}: ${ev.value2} step(s) failed: ${ev.text ?? ''}`);
        else log.info({ peer: ev.node, steps: ev.value }, `native takeover from ${ev.node}: addresses up and announced (${ev.value} steps)`);
        stream.emit('native takeover', { from: ev.node, done: ev.value, failed: ev.value2, error: ev.text });
        break;
      case 'cadence':
        log.info(
          { intervalMs: ev.value, advertisedDeadtimeMs: ev.value2, quiet: ev.status === 'quiet' },
          ev.status === 'quiet'
            ? `quiet standby (every peer is hbd): deadtime ${ev.value2} ms advertised, heartbeats every ${ev.value} ms`
            : `heartbeats every ${ev.value} ms, deadtime ${ev.value2} ms advertised`,
        );
        stream.emit('cadence', { intervalMs: ev.value, advertisedDeadtimeMs: ev.value2, quiet: ev.status === 'quiet' });
        break;
      case 'tardy':
        log.warn({ lateMs: ev.value }, `heartbeat thread woke ${ev.value} ms late`);
        break;
    }
  }
}
