// Starts and stops haresources groups the way ResourceManager's
// acquireresourcegroup / giveupresourcegroup do, and reports every step.
//
// start: left to right; a resource whose status already says running is
//   skipped (Heartbeat: `we_own_resource || doscript start`). On the first
//   failure: "Giving up resources due to failure of X", then the whole group
//   is stopped right to left (Heartbeat stops the whole group, not only what
//   it started: the group is about to be handed to the peer, so nothing of it
//   may stay up here, including a resource that was already running).
// stop: right to left; a failing stop is retried (10 times, 1 s apart); if it
//   still fails, status decides: still running -> escalate (Heartbeat
//   reboots), not running -> "probably not LSB-compliant", treated as stopped.

import type { ResourceGroup, ResourceRef } from '../config/model';
import { asResourceError, errorText } from './failure';
import { type GroupOutcome, type ResourceAgent, type ResourceContext, ResourceError, type ResourceGroups, type RscStatus } from './types';

type Step = GroupOutcome['steps'][number];

export interface GroupRunnerOptions {
  /** Makes the agent of one haresources item (createAgent with the daemon's dependencies). */
  readonly agentFor: (ref: ResourceRef) => ResourceAgent;
  /**
   * A stop failed for good and the resource is still running: the node can
   * no longer guarantee the peer may take the group. Heartbeat reboots.
   */
  readonly escalate: (reason: string) => void;
  /** Retries after a failing stop (HA_STOPRETRYMAX, default 10). */
  readonly stopRetries?: number;
  /** Pause between stop attempts (default 1000 ms). */
  readonly stopRetryDelayMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ResourceGroupRunner implements ResourceGroups {
  /**
   * One agent per haresources item for the daemon's lifetime, keyed by the
   * item's text: agents hold state (refresh timers, the alias label they
   * took, a director), so a reloaded configuration with the same item must
   * reach the same agent.
   */
  private readonly cache = new Map<string, ResourceAgent>();
  private readonly stopRetries: number;
  private readonly stopRetryDelayMs: number;

  constructor(private readonly opts: GroupRunnerOptions) {
    this.stopRetries = opts.stopRetries ?? 10;
    this.stopRetryDelayMs = opts.stopRetryDelayMs ?? 1000;
  }

  agents(group: ResourceGroup): readonly ResourceAgent[] {
    return group.resources.map((ref) => {
      const key = `${ref.name}\u0000${ref.args.join('\u0000')}`;
      let agent = this.cache.get(key);
      if (agent === undefined) {
        agent = this.opts.agentFor(ref);
        this.cache.set(key, agent);
      }
      return agent;
    });
  }

  async start(group: ResourceGroup, ctx: ResourceContext): Promise<GroupOutcome> {
    const log = ctx.logger;
    const agents = this.agents(group);
    const steps: Step[] = [];
    log.info({ group: group.key }, `Acquiring resource group: ${group.owner} ${agents.map((a) => a.id).join(' ')}`);
    for (const agent of agents) {
      if ((await this.statusOrStopped(agent, ctx)) === 'running') {
        steps.push(await this.adopt(agent, ctx));
        continue;
      }
      try {
        await agent.start(ctx);
        steps.push({ id: agent.id, action: 'start', ok: true });
      } catch (e) {
        const error = asResourceError(e, 'RSC_START_FAILED', agent.id, `${agent.id} start failed`);
        steps.push({ id: agent.id, action: 'start', ok: false, message: error.message });
        log.error({ group: group.key, resource: agent.id, code: error.code }, `${agent.id} start failed: ${error.message}`);
        log.fatal({ group: group.key, resource: agent.id }, `CRIT: Giving up resources due to failure of ${agent.id}`);
        for (const a of [...agents].reverse()) steps.push(...(await this.stopOne(a, group, ctx)).steps);
        return { ok: false, group: group.key, steps, error };
      }
    }
    return { ok: true, group: group.key, steps };
  }

  async stop(group: ResourceGroup, ctx: ResourceContext): Promise<GroupOutcome> {
    const agents = this.agents(group);
    const steps: Step[] = [];
    let error: ResourceError | undefined;
    ctx.logger.info({ group: group.key }, `Releasing resource group: ${group.owner} ${agents.map((a) => a.id).join(' ')}`);
    // A resource that cannot be stopped does not keep the others up: the rest
    // of the group is still released, so the peer can take as much as possible.
    for (const agent of [...agents].reverse()) {
      const r = await this.stopOne(agent, group, ctx);
      steps.push(...r.steps);
      error ??= r.error;
    }
    return error === undefined ? { ok: true, group: group.key, steps } : { ok: false, group: group.key, steps, error };
  }

  async status(group: ResourceGroup, ctx: ResourceContext): Promise<RscStatus> {
    for (const agent of this.agents(group)) {
      if ((await this.statusOrStopped(agent, ctx)) !== 'running') return 'stopped';
    }
    return 'running';
  }

  /** Before a start, an unknown status (a status that failed) means "not running": start is meant to be idempotent. */
  private async statusOrStopped(agent: ResourceAgent, ctx: ResourceContext): Promise<RscStatus> {
    try {
      return await agent.status(ctx);
    } catch (e) {
      ctx.logger.warn({ resource: agent.id }, `${agent.id} status failed (taken as not running): ${errorText(e)}`);
      return 'stopped';
    }
  }

  /**
   * Already running: not started again. If the native core brought it up at
   * takeover (VIPs), the agent finishes what JS must do (refresh timers).
   */
  private async adopt(agent: ResourceAgent, ctx: ResourceContext): Promise<Step> {
    if (agent.adoptNativeStart === undefined) return { id: agent.id, action: 'skip', ok: true, message: 'already running' };
    try {
      await agent.adoptNativeStart(ctx);
      return { id: agent.id, action: 'skip', ok: true, message: 'already running (adopted)' };
    } catch (e) {
      // The resource is up; only its follow-up work failed. Say so, do not fail the group.
      ctx.logger.warn({ resource: agent.id }, `${agent.id} is running but adopting it failed: ${errorText(e)}`);
      return { id: agent.id, action: 'skip', ok: true, message: `already running; adopting it failed: ${errorText(e)}` };
    }
  }

  /** One resource's stop with Heartbeat's retries and its verdict on a stop that keeps failing. */
  private async stopOne(agent: ResourceAgent, group: ResourceGroup, ctx: ResourceContext): Promise<{ steps: Step[]; error?: ResourceError }> {
    const log = ctx.logger;
    const steps: Step[] = [];
    let last: ResourceError | undefined;
    for (let attempt = 0; attempt <= this.stopRetries; attempt++) {
      if (attempt > 0) {
        await sleep(this.stopRetryDelayMs);
        log.info({ resource: agent.id, attempt }, `Retrying failed stop operation [${agent.id}]`);
      }
      try {
        await agent.stop(ctx);
        steps.push({ id: agent.id, action: 'stop', ok: true, ...(attempt > 0 ? { message: `stopped after ${attempt} retries` } : {}) });
        return { steps };
      } catch (e) {
        last = asResourceError(e, 'RSC_STOP_FAILED', agent.id, `${agent.id} stop failed`);
        log.error({ resource: agent.id, attempt, code: last.code }, `${agent.id} stop failed: ${last.message}`);
      }
    }
    const tries = this.stopRetries + 1;
    if (await this.stillRunning(agent, ctx)) {
      const reason = `Resource STOP failure: ${agent.id} of group ${group.key} is still running after ${tries} stop attempts (${last?.message ?? 'failed'})`;
      log.fatal({ group: group.key, resource: agent.id }, `CRIT: Resource STOP failure. Reboot required! (${agent.id})`);
      steps.push({ id: agent.id, action: 'stop', ok: false, message: `${last?.message ?? 'failed'}; still running after ${tries} attempts: escalated` });
      this.opts.escalate(reason);
      const error = new ResourceError('RSC_STOP_FAILED', reason, agent.id, { cause: last });
      return { steps, error };
    }
    log.error({ resource: agent.id }, `ERROR: Resource script for ${agent.id} probably not LSB-compliant.`);
    log.warn({ resource: agent.id }, `WARN: it (${agent.id}) MUST succeed on a stop when already stopped`);
    log.warn({ resource: agent.id }, 'WARN: Machine reboot narrowly avoided!');
    steps.push({ id: agent.id, action: 'stop', ok: true, message: `stop failed (${last?.message ?? 'failed'}) but status says not running: probably not LSB-compliant` });
    return { steps };
  }

  /** After a failed stop, an unknown status counts as running: only a clear "not running" avoids escalation. */
  private async stillRunning(agent: ResourceAgent, ctx: ResourceContext): Promise<boolean> {
    try {
      return (await agent.status(ctx)) === 'running';
    } catch (e) {
      ctx.logger.error({ resource: agent.id }, `${agent.id} status failed after a failed stop (taken as still running): ${errorText(e)}`);
      return true;
    }
  }
}
