// The check schedule of one real server. Every server has its own loop, so
// checks run concurrently and a hung server delays nobody else (ldirectord
// checks serially unless fork=yes). Each attempt has a hard deadline: the
// checks library is given the timeout and an AbortSignal, and if its promise
// still has not settled a little after the timeout the attempt is abandoned
// as failed. The next check is due one interval after the previous one
// started (not ended), so the rate does not drift with check duration.

import type { CheckResult, CheckRunner, CheckSpec, CheckTarget } from '../checks/types';
import type { Clock } from './clock';
import type { CheckKind, CheckOutcome } from './health';

/** Past the check's own timeout, how long before the director abandons it. */
export const DEADLINE_GRACE_MS = 500;

export interface CheckJob {
  readonly kind: CheckKind;
  readonly spec: CheckSpec;
  readonly target: CheckTarget;
  /** Attempts until one succeeds (ping's checkcount); 1 otherwise. */
  readonly attempts: number;
}

/** One attempt, bounded by spec.timeoutMs + DEADLINE_GRACE_MS whatever the runner does. */
export async function runWithDeadline(runner: CheckRunner, spec: CheckSpec, target: CheckTarget, clock: Clock, outer?: AbortSignal): Promise<CheckResult> {
  const started = clock.now();
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: unknown;
  const deadline = new Promise<CheckResult>((resolve) => {
    timer = clock.setTimeout(() => {
      controller.abort();
      resolve({ ok: false, message: `no result within ${spec.timeoutMs} ms: check abandoned`, durationMs: clock.now() - started });
    }, spec.timeoutMs + DEADLINE_GRACE_MS);
  });
  const attempt = Promise.resolve()
    .then(() => runner.run(spec, target, controller.signal))
    .catch((e: unknown): CheckResult => ({ ok: false, message: `check error: ${e instanceof Error ? e.message : String(e)}`, durationMs: clock.now() - started }));
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clock.clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

export async function runJob(runner: CheckRunner, job: CheckJob, clock: Clock, signal?: AbortSignal): Promise<CheckOutcome> {
  const started = clock.now();
  let result: CheckResult = { ok: false, message: 'not run', durationMs: 0 };
  for (let i = 0; i < Math.max(1, job.attempts); i++) {
    result = await runWithDeadline(runner, job.spec, job.target, clock, signal);
    if (result.ok || signal?.aborted === true) break;
  }
  return { ok: result.ok, message: result.message, kind: job.kind, at: clock.now(), durationMs: clock.now() - started };
}

export interface LoopHooks {
  /** The next attempt, or null to skip this turn (maintenance, checktype on/off). */
  plan(): CheckJob | null;
  intervalMs(): number;
  onOutcome(outcome: CheckOutcome): void;
}

export class ServerCheckLoop {
  private timer: unknown = null;
  private inFlight: AbortController | null = null;
  private running = false;
  private turnStartedAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly runner: CheckRunner,
    private readonly hooks: LoopHooks,
  ) {}

  get active(): boolean {
    return this.running;
  }

  start(delayMs = 0): void {
    if (this.running) return;
    this.running = true;
    this.arm(delayMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    this.inFlight = null;
  }

  /** A new interval takes effect from the last check's start. */
  reschedule(): void {
    if (!this.running || this.inFlight !== null) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.arm(Math.max(0, this.turnStartedAt + this.hooks.intervalMs() - this.clock.now()));
  }

  private arm(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.turn();
    }, delayMs);
  }

  private async turn(): Promise<void> {
    if (!this.running) return;
    this.turnStartedAt = this.clock.now();
    const job = this.hooks.plan();
    if (job !== null) {
      const controller = new AbortController();
      this.inFlight = controller;
      const outcome = await runJob(this.runner, job, this.clock, controller.signal);
      if (this.inFlight !== controller || !this.running) return; // stopped meanwhile: the result is stale
      this.inFlight = null;
      this.hooks.onOutcome(outcome);
    }
    if (this.running) this.arm(Math.max(0, this.turnStartedAt + this.hooks.intervalMs() - this.clock.now()));
  }
}
