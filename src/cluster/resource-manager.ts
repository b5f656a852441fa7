// Executes the ownership state machine (ownership.ts): feeds it cluster
// messages, node deaths and operator requests; runs its group operations one
// at a time through the resource layer; sends its messages; keeps the native
// core armed so that the instant the peer is declared dead the core can bring
// up the VIPs of the groups we would take over, without the JS event loop.

import type { HbdConfig, ResourceGroup } from '../config/model';
import type { EventStream } from '../daemon/events';
import type { Logger } from '../log';
import type { NetOps } from '../net/types';
import type { GroupOutcome, NativeTakeoverStep, ResourceContext, ResourceGroups } from '../resources/types';
import type { ClusterMessage, Heartbeat } from './heartbeat';
import { Ticker } from './ticker';
import { IPFAIL_TYPES, type IpfailInput, type IpfailState, initialIpfail, ipfailWaiting, stepIpfail } from './ipfail';
import {
  type Operation,
  type OwnershipAction,
  type OwnershipInput,
  type OwnershipState,
  FOREIGN,
  initialOwnership,
  isStable,
  ownershipWaiting,
  rscStatus,
  stepOwnership,
} from './ownership';

export interface ResourceManagerOptions {
  readonly config: HbdConfig;
  readonly nodeName: string;
  readonly heartbeat: Heartbeat;
  readonly groups: ResourceGroups;
  readonly logger: Logger;
  readonly events: EventStream;
  /** Native pre-armed takeover: steps to run on the engine thread when `peer` is declared dead. */
  readonly armTakeover?: (peer: string, steps: readonly NativeTakeoverStep[]) => void;
  /** For re-announcing addresses after a split brain. */
  readonly net?: NetOps;
  /** Run the built-in ipfail (ping-node failover). */
  readonly ipfail?: boolean;
}

/** ha.cf `respawn ... /ipfail` asks for ipfail; hbd has it built in. */
export function wantsIpfail(config: HbdConfig): boolean {
  return config.pingNodes.length > 0 && config.respawn.some((r) => /(^|\/)ipfail$/.test(r.path));
}

const TICK_MS = 250;

/** Messages the ownership machine consumes. */
const OWNERSHIP_TYPES = new Set(['starting', 'resource', 'ask_resources', 'hb_takeover', 'ip-request', 'ip-request-resp', 'shutdone']);

export class ResourceManager {
  private state: OwnershipState;
  private readonly tick = new Ticker(TICK_MS, () => {
    this.input({ kind: 'tick', nowMs: this.now() });
    this.ipfailInput({ kind: 'tick', stable: isStable(this.state), nowMs: this.now() });
  });
  private closed = false;
  private readonly unsubscribe: (() => void)[] = [];
  private running = false;
  private readonly queue: Operation[] = [];
  private exitResolve: (() => void) | null = null;
  private readonly exited: Promise<void>;
  readonly peer: string | null;
  private armedKey = '';
  /** The engine starts at keepalive. */
  private ipfail: IpfailState | null = null;

  constructor(private readonly opts: ResourceManagerOptions) {
    const peers = opts.config.nodes.filter((n) => n !== opts.nodeName);
    this.peer = peers[0] ?? null;
    if (peers.length > 1) {
      opts.logger.warn('haresources resource management is two-node only (as in Heartbeat): only the first peer is considered');
    }
    this.state = initialOwnership({
      self: opts.nodeName,
      peer: this.peer ?? '',
      autoFailback: opts.config.autoFailback,
      groups: opts.config.resourceGroups.map((g) => ({ key: g.key, owner: g.owner })),
    });
    this.exited = new Promise((resolve) => (this.exitResolve = resolve));
    if (opts.ipfail && this.peer) {
      this.ipfail = initialIpfail(this.peer, opts.config.keepaliveMs, opts.config.autoFailback === 'on');
      opts.logger.info('ipfail (built in): resources follow the node that sees more ping nodes');
    }
    this.wantTicks();
    this.unsubscribe.push(opts.heartbeat.onMessage((m) => this.onMessage(m)));
    this.unsubscribe.push(opts.heartbeat.onNodeStatus((node, status) => this.onNodeStatus(node, status)));
    this.unsubscribe.push(opts.events.subscribe((e) => this.onEvent(e.type, e)));
    // Already active when we are created (a one-node cluster): catch up.
    if (opts.heartbeat.state.ownStatus === 'active') {
      setImmediate(() => this.onEvent('node active', { node: opts.nodeName }));
    }
  }

  private now(): number {
    return Math.floor(performance.now());
  }

  get rscstatus(): string {
    return rscStatus(this.state);
  }

  get ownership(): OwnershipState {
    return this.state;
  }

  private onMessage(m: ClusterMessage): void {
    if (IPFAIL_TYPES.has(m.type)) {
      const n = Number(m.get('num_ping'));
      this.ipfailInput({ kind: 'message', type: m.type, from: m.from, numPing: Number.isFinite(n) ? n : undefined, count: this.pingCount(), stable: isStable(this.state), nowMs: this.now() });
      return;
    }
    if (!OWNERSHIP_TYPES.has(m.type)) return;
    this.input({ kind: 'message', nowMs: this.now(), msg: { type: m.type, from: m.from, get: m.get } });
  }

  private onNodeStatus(node: string, status: string): void {
    if (this.opts.config.pingNodes.some((p) => p.name === node)) {
      if (status === 'ping') this.ipfailInput({ kind: 'ping-up', count: this.pingCount(), nowMs: this.now() });
      else if (status === 'dead') this.ipfailInput({ kind: 'ping-dead', count: this.pingCount(), nowMs: this.now() });
      return;
    }
    if (node !== this.peer) return;
    if (status === 'dead') this.input({ kind: 'peer-dead', nowMs: this.now() });
    else if (status === 'active' || status === 'up') this.input({ kind: 'peer-alive', nowMs: this.now() });
  }

  private pingCount(): number {
    return this.opts.heartbeat.view().nodes.filter((n) => n.type === 'ping' && n.status === 'ping').length;
  }

  private ipfailInput(i: IpfailInput): void {
    if (!this.ipfail) return;
    const { state, actions } = stepIpfail(this.ipfail, i);
    this.ipfail = state;
    this.wantTicks();
    for (const a of actions) {
      if (a.kind === 'send') this.opts.heartbeat.send(a.fields);
      else if (a.kind === 'log') this.opts.logger[a.level](`ipfail: ${a.message}`);
      else {
        this.opts.events.emit('ipfail giveup', { set: a.set });
        this.requestStandby(a.set);
      }
    }
  }

  private onEvent(type: string, e: Record<string, unknown>): void {
    if (type === 'link status' && e.node === this.peer && e.status === 'dead') {
      this.ipfailInput({ kind: 'link-dead', count: this.pingCount(), nowMs: this.now() });
    }
    if (type === 'node active' && e.node === this.opts.nodeName) {
      const view = this.opts.heartbeat.view();
      const peerAlive = view.nodes.some((n) => !n.self && n.type === 'normal' && (n.status === 'active' || n.status === 'up'));
      this.input({ kind: 'comm-up', nowMs: this.now(), peerAlive });
      void this.rearm();
    } else if (type === 'partition return' && e.node === this.peer) {
      this.input({ kind: 'partition-return', nowMs: this.now() });
    }
  }

  requestStandby(set: 'all' | 'local' | 'foreign' | 'failback'): void {
    this.input({ kind: 'request-standby', set, nowMs: this.now() });
  }

  requestTakeover(set: 'all' | 'local' | 'foreign' | 'failback'): void {
    this.input({ kind: 'request-takeover', set, nowMs: this.now() });
  }

  /** Releases everything (shutdone) and resolves once the machine says so, or after timeoutMs. */
  async shutdown(timeoutMs: number): Promise<void> {
    this.input({ kind: 'shutdown', nowMs: this.now() });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    if (timer) clearTimeout(timer);
  }

  close(): void {
    this.closed = true;
    this.tick.stop();
    for (const u of this.unsubscribe) u();
  }

  /** Ticks only while a deadline or a pending step is waiting for one. */
  private wantTicks(): void {
    if (!this.closed) this.tick.want(ownershipWaiting(this.state) || (this.ipfail !== null && ipfailWaiting(this.ipfail)));
  }

  private input(i: OwnershipInput): void {
    const { state, actions } = stepOwnership(this.state, i);
    this.state = state;
    this.wantTicks();
    for (const a of actions) this.act(a);
    this.updateCadence();
  }

  /**
   * Stable, holding nothing and doing nothing, this node stands by: its heartbeats
   * may go out at standby_keepalive (a peer only needs to hear them within
   * its deadtime; the active node's heartbeats decide failovers). The engine
   * leaves standby by itself when it runs a takeover.
   */
  private updateCadence(): void {
    const standby = isStable(this.state) && this.heldKeys().length === 0 && this.queue.length === 0 && !this.running;
    if (standby === this.opts.heartbeat.standingBy || this.closed) return;
    // The engine logs the cadence it picks (it depends on the peers too).
    this.opts.heartbeat.setStandby(standby);
  }

  private act(a: OwnershipAction): void {
    const log = this.opts.logger;
    switch (a.kind) {
      case 'send':
        this.opts.heartbeat.send(a.fields);
        break;
      case 'run':
        this.queue.push(a.op);
        void this.pump();
        break;
      case 'log':
        log[a.level](a.message);
        break;
      case 'event':
        this.opts.events.emit(a.type, { ...(a.fields ?? {}) });
        if (a.type === 'reannounce') void this.reannounce((a.fields?.groups as string[] | undefined) ?? []);
        break;
      case 'exit':
        this.exitResolve?.();
        break;
    }
  }

  private group(key: string): ResourceGroup | undefined {
    return this.opts.config.resourceGroups.find((g) => g.key === key);
  }

  private context(purpose: string): ResourceContext {
    const c = this.opts.config;
    return {
      logger: this.opts.logger,
      env: {
        HA_CURHOST: this.opts.nodeName,
        HA_DIR: c.origin.haDir ?? c.origin.path,
        HA_NICEFAILBACK: c.autoFailback === 'legacy' ? 'no' : 'yes',
        HA_info: purpose,
      },
    };
  }

  // One operation at a time, like Heartbeat's resource child processes.
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let op: Operation | undefined;
      while ((op = this.queue.shift())) {
        const failed: string[] = [];
        for (const key of op.groups) {
          const g = this.group(key);
          if (!g) continue;
          const outcome = await this.runGroup(op.action, g, op.purpose);
          if (!outcome.ok) failed.push(key);
        }
        this.input({ kind: 'op-done', id: op.id, ok: failed.length === 0, failedGroups: failed, nowMs: this.now() });
        void this.rearm();
      }
    } finally {
      this.running = false;
      this.updateCadence();
    }
  }

  private async runGroup(action: 'acquire' | 'release', g: ResourceGroup, purpose: string): Promise<GroupOutcome> {
    const ctx = this.context(purpose);
    const started = performance.now();
    let outcome: GroupOutcome;
    try {
      outcome = action === 'acquire' ? await this.opts.groups.start(g, ctx) : await this.opts.groups.stop(g, ctx);
    } catch (e) {
      outcome = { ok: false, group: g.key, steps: [], error: e as GroupOutcome['error'] };
    }
    const ms = Math.round(performance.now() - started);
    const verb = action === 'acquire' ? 'started' : 'stopped';
    if (outcome.ok) {
      this.opts.logger.info({ group: g.key, ms, purpose }, `resource group ${g.key} ${verb}`);
      this.opts.events.emit(`resource ${verb}`, { group: g.key, ms, purpose });
    } else {
      this.opts.logger.error({ group: g.key, err: outcome.error?.message, steps: outcome.steps }, `resource group ${g.key} could not be ${verb}: ${outcome.error?.message ?? 'failed'}`);
      this.opts.events.emit('resource failed', { group: g.key, action, error: outcome.error?.message, code: outcome.error?.code });
    }
    return outcome;
  }

  /**
   * Keeps the native core armed with what to do the instant the peer dies:
   * the leading native-capable resources (VIPs, announcements) of every group
   * we would take over but do not run yet. Left-to-right order holds: only a
   * group's prefix up to its first resource the core cannot start is armed;
   * the resource layer starts the rest after the core reports back.
   */
  private async rearm(): Promise<void> {
    if (!this.opts.armTakeover || !this.peer) return;
    const held = new Set(this.heldKeys());
    const steps: NativeTakeoverStep[] = [];
    for (const g of this.opts.config.resourceGroups) {
      if (held.has(g.key)) continue;
      for (const agent of this.opts.groups.agents(g)) {
        const s = await agent.nativeTakeover().catch(() => null);
        if (!s) break;
        steps.push(...s);
      }
    }
    const key = JSON.stringify(steps);
    if (key === this.armedKey) return;
    this.armedKey = key;
    this.opts.armTakeover(this.peer, steps);
    this.opts.logger.debug({ steps: steps.length }, `native takeover armed for ${this.peer}`);
  }

  private heldKeys(): string[] {
    const s = this.state;
    return this.opts.config.resourceGroups
      .filter((g) => ((g.owner === this.opts.nodeName ? 1 : FOREIGN) & s.iHold) !== 0)
      .map((g) => g.key);
  }

  /** After a split brain: announce our addresses again so every cache points at us. */
  private async reannounce(keys: readonly string[]): Promise<void> {
    const net = this.opts.net;
    if (!net) return;
    for (const key of keys) {
      const g = this.group(key);
      if (!g) continue;
      for (const agent of this.opts.groups.agents(g)) {
        const steps = (await agent.nativeTakeover().catch(() => null)) ?? [];
        for (const s of steps) {
          if (s.kind !== 'announce') continue;
          this.opts.logger.info({ address: s.address, ifname: s.ifname }, `re-announcing ${s.address} on ${s.ifname} after the split brain`);
          this.opts.events.emit('reannounce', { address: s.address, ifname: s.ifname });
          await net.announce({ ifname: s.ifname, address: s.address, count: s.count, intervalMs: s.intervalMs, mode: s.mode }).catch((e: Error) =>
            this.opts.logger.error({ err: e.message }, `re-announcing ${s.address} failed`),
          );
        }
      }
    }
  }

  status(): Record<string, unknown> {
    return {
      rscstatus: this.rscstatus,
      stable: isStable(this.state),
      resourceState: this.state.resourceState,
      standby: this.state.standby,
      held: this.heldKeys(),
      otherHolds: this.state.otherHolds,
    };
  }
}
