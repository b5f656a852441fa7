// One check attempt: a hard deadline over the whole exchange, an optional
// outer AbortSignal, the phase we are in (for "timeout … (waiting for X)"),
// and the cleanups that must run however the attempt ends. Protocol code
// throws CheckFailure for a down server; runAttempt turns everything into a
// CheckResult and never rejects.

import { performance } from 'node:perf_hooks';
import type { CheckResult } from './types';

/** A check failed for a reason worth logging as is ("connect refused"). */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

export class Attempt {
  /** Aborted when the deadline passes or the outer signal aborts. */
  readonly signal: AbortSignal;
  /** What we are doing now, e.g. "waiting for banner"; named in timeout messages. */
  phase = 'starting';
  readonly timeoutMs: number;
  private readonly controller = new AbortController();
  private readonly cleanups: Array<() => void | Promise<void>> = [];
  private readonly timer: NodeJS.Timeout;
  private readonly outer: AbortSignal | undefined;
  private readonly onOuterAbort = (): void => this.abort('aborted');
  private reason: CheckFailure | undefined;
  private finished = false;
  private readonly deadline: number;

  constructor(timeoutMs: number, outer?: AbortSignal) {
    this.timeoutMs = timeoutMs;
    this.signal = this.controller.signal;
    this.outer = outer;
    this.deadline = performance.now() + timeoutMs;
    this.timer = setTimeout(() => this.abort(`timeout after ${timeoutMs} ms`), Math.max(0, timeoutMs));
    if (outer?.aborted) this.abort('aborted');
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** Milliseconds left before the deadline (0 when past it). */
  remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  /** Why the attempt was cut short; undefined while it is still running. */
  get failure(): CheckFailure | undefined {
    return this.reason;
  }

  /**
   * Registers a cleanup (destroy a socket, kill a child) run when the
   * attempt ends. One that returns a promise (a child being reaped) is
   * awaited, up to CLEANUP_GRACE_MS, before the result is reported.
   */
  defer(cleanup: () => void | Promise<void>): void {
    // Something created after the end (a late callback) is cleaned up at once.
    if (this.finished) void runCleanup(cleanup);
    else this.cleanups.push(cleanup);
  }

  /** Throws the abort failure if the attempt is over (call between steps). */
  throwIfOver(): void {
    if (this.reason) throw this.reason;
  }

  /** Settles like `p`, or rejects with the abort failure as soon as the attempt is over. */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.reason) {
      p.catch(() => undefined); // its failure no longer matters, and must not go unhandled
      return Promise.reject(this.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(this.reason);
      this.signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => { this.signal.removeEventListener('abort', onAbort); resolve(v); },
        (e: unknown) => { this.signal.removeEventListener('abort', onAbort); reject(e); },
      );
    });
  }

  /** Waits `ms`, cut short (rejecting) when the attempt is over. */
  sleep(ms: number): Promise<void> {
    return this.race(
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        this.defer(() => clearTimeout(t));
      }),
    );
  }

  /** Ends the attempt: clears the timer, detaches from the outer signal, runs cleanups. */
  async finish(): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
    if (!this.reason) this.reason = new CheckFailure('attempt finished');
    if (!this.controller.signal.aborted) this.controller.abort();
    const waits = this.cleanups.splice(0).reverse().map(runCleanup);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(waits),
      new Promise<void>((resolve) => { grace = setTimeout(resolve, CLEANUP_GRACE_MS); }),
    ]);
    clearTimeout(grace);
    // Handles close asynchronously (uv_close): their close callbacks run at
    // the end of a loop turn, after setImmediate's phase; two turns let them
    // all finish, so nothing of this attempt is left when its result is out.
    for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private abort(what: string): void {
    if (this.reason) return;
    this.reason = new CheckFailure(`${what} (${this.phase})`);
    this.controller.abort();
  }
}

/** How long a finished attempt waits for asynchronous cleanups (a killed child's exit). */
export const CLEANUP_GRACE_MS = 1000;

function runCleanup(cleanup: () => void | Promise<void>): Promise<void> {
  // A failing cleanup must not hide the result or skip the others.
  try {
    return Promise.resolve(cleanup()).catch(() => undefined);
  } catch {
    return Promise.resolve();
  }
}

/** What a protocol check returns on success: a short note for logs ("HTTP 200"). */
export type CheckBody = (attempt: Attempt) => Promise<string>;

/** Runs one attempt under its deadline; never rejects. */
export async function runAttempt(timeoutMs: number, signal: AbortSignal | undefined, body: CheckBody): Promise<CheckResult> {
  const started = performance.now();
  const attempt = new Attempt(timeoutMs, signal);
  const done = (ok: boolean, message: string): CheckResult => ({
    ok,
    message,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    attempt.throwIfOver(); // aborted before it started: do not touch the network
    const message = await attempt.race(body(attempt));
    return done(true, message);
  } catch (e) {
    // Once the deadline or abort fired, report that rather than the
    // socket error it caused.
    const over = attempt.signal.aborted ? attempt.failure : undefined;
    return done(false, over?.message ?? failureMessage(e));
  } finally {
    await attempt.finish();
  }
}

function failureMessage(e: unknown): string {
  if (e instanceof CheckFailure) return e.message;
  if (e instanceof Error) return `internal error: ${e.message}`;
  return `internal error: ${String(e)}`;
}
