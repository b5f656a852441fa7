// A haresources resource run by its script, as ResourceManager does it:
// found in <haDir>/resource.d, then <initDir> (the first executable regular
// file wins, so resource.d overrides an init script of the same name),
// called as `script [args...] start|stop|status`.

import type { ResourceRef } from '../config/model';
import { resolveResourceScript } from '../config/resources';
import { resourceId } from './resource-id';
import { type ScriptRun, runScript } from './run-script';
import { scriptEnvironment } from './script-env';
import { judgeStatus } from './status-judgement';
import { type ResourceAgent, type ResourceContext, ResourceError, type RscStatus } from './types';

export type ScriptAction = 'start' | 'stop' | 'status';

/** Milliseconds each operation may take before its process group is killed. */
export type ScriptTimeouts = Readonly<Record<ScriptAction, number>>;

/**
 * Heartbeat had no limit at all (a hung script hung the cluster). These are
 * generous on purpose: killing a slow but progressing start (an fsck) or
 * stop is worse than waiting; a status that takes a minute is broken.
 */
export const DEFAULT_SCRIPT_TIMEOUTS: ScriptTimeouts = { start: 300_000, stop: 300_000, status: 60_000 };
export const DEFAULT_KILL_GRACE_MS = 5_000;

export interface ScriptAgentOptions {
  readonly haDir: string;
  readonly initDir: string;
  /** The configuration's HA_* environment (heartbeatEnv()); the operation's ctx.env goes on top. */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly timeouts?: Partial<ScriptTimeouts>;
  readonly killGraceMs?: number;
}

function outputLines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
}

export class ScriptAgent implements ResourceAgent {
  readonly id: string;
  private readonly timeouts: ScriptTimeouts;

  constructor(
    readonly ref: ResourceRef,
    private readonly opts: ScriptAgentOptions,
  ) {
    this.id = resourceId(ref);
    this.timeouts = { ...DEFAULT_SCRIPT_TIMEOUTS, ...(opts.timeouts ?? {}) };
  }

  /** Looked up at every operation: a script installed later is found, one removed is noticed. */
  scriptPath(): string | null {
    return resolveResourceScript(this.ref.name, this.opts.haDir, this.opts.initDir);
  }

  private notFound(): ResourceError {
    return new ResourceError(
      'RSC_SCRIPT_NOT_FOUND',
      `Cannot locate resource script ${this.ref.name} (looked for an executable file in ${this.opts.haDir}/resource.d and ${this.opts.initDir})`,
      this.id,
    );
  }

  private async run(action: ScriptAction, file: string, ctx: ResourceContext): Promise<ScriptRun> {
    const log = ctx.logger;
    const command = [file, ...this.ref.args, action].join(' ');
    if (action !== 'status') log.info({ resource: this.id }, `Running ${command}`);
    const run = await runScript({
      file,
      args: [...this.ref.args, action],
      env: scriptEnvironment(this.opts.baseEnv, ctx.env),
      timeoutMs: this.timeouts[action],
      killGraceMs: this.opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
      // A stop must run to its end even while shutting down: it is what shutdown is for.
      signal: action === 'stop' ? undefined : ctx.signal,
    });
    const level = action === 'status' ? 'debug' : 'info';
    for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
      for (const line of outputLines(text)) log[level]({ resource: this.id, action, stream }, `${this.id} ${action}: ${line}`);
    }
    log.debug({ resource: this.id, action, code: run.code, signal: run.signal, ms: run.durationMs }, `${command} done`);
    return run;
  }

  /** Throws the ResourceError for a run that did not end with exit code 0. */
  private check(run: ScriptRun, action: 'start' | 'stop', file: string): void {
    if (run.timedOut) {
      throw new ResourceError('RSC_TIMEOUT', `${file} ${action} did not finish within ${this.timeouts[action]} ms: its process group was killed`, this.id);
    }
    const code = action === 'start' ? 'RSC_START_FAILED' : 'RSC_STOP_FAILED';
    if (run.spawnError) throw new ResourceError(code, `cannot run ${file}: ${run.spawnError.message}`, this.id, { cause: run.spawnError });
    if (run.aborted) throw new ResourceError(code, `${file} ${action} was cancelled (shutting down)`, this.id);
    if (run.code === null) throw new ResourceError(code, `${file} ${action} was killed by ${run.signal ?? 'a signal'}`, this.id);
    // ResourceManager's own wording, so people can grep for it.
    if (run.code !== 0) throw new ResourceError(code, `Return code ${run.code} from ${file} ${action}`, this.id);
  }

  async start(ctx: ResourceContext): Promise<void> {
    const file = this.scriptPath();
    if (file === null) throw this.notFound();
    this.check(await this.run('start', file, ctx), 'start', file);
  }

  async stop(ctx: ResourceContext): Promise<void> {
    const file = this.scriptPath();
    if (file === null) throw this.notFound();
    this.check(await this.run('stop', file, ctx), 'stop', file);
  }

  /**
   * Judged from the output (status-judgement.ts). A missing script is
   * "stopped", as in Heartbeat; a status that hangs past its timeout throws
   * RSC_TIMEOUT and the caller decides what "unknown" means where it asked.
   */
  async status(ctx: ResourceContext): Promise<RscStatus> {
    const file = this.scriptPath();
    if (file === null) return 'stopped';
    const run = await this.run('status', file, ctx);
    if (run.timedOut) {
      throw new ResourceError('RSC_TIMEOUT', `${file} status did not finish within ${this.timeouts.status} ms: its process group was killed`, this.id);
    }
    const verdict = judgeStatus(run.stdout, run.stderr, run.code);
    ctx.logger.debug({ resource: this.id, status: verdict.status, basis: verdict.basis, code: run.code }, `${this.id} is ${verdict.status}`);
    return verdict.status;
  }

  async nativeTakeover(): Promise<null> {
    return null;
  }
}
