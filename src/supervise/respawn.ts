// ha.cf `respawn USER /path args` and `failfast USER /path args`: programs
// kept running as long as the daemon runs, as that user.
//
//   respawn   restarted whenever it exits, except with exit code 100
//             (Heartbeat's "do not respawn me"); restarts back off
//             exponentially while the program keeps dying young, so a crash
//             loop costs little
//   failfast  not restarted: its death calls `escalate` (Heartbeat reboots)
//
// Children get HA_NAME=value for every ha.cf `env NAME=value`, their own
// process group (stop ends everything they started), and their output in the
// log. Supplementary groups are dropped (Node sets uid/gid only).

import { type ChildProcess, spawn } from 'node:child_process';
import type { RespawnSpec } from '../config/model';
import type { Logger } from '../log';
import { type UserIds, lookupUser } from './user-ids';

export interface BackoffOptions {
  /** Delay before the first restart of a program that died young (default 1000 ms). */
  readonly initialMs?: number;
  /** Ceiling of the doubling delay (default 30000 ms). */
  readonly maxMs?: number;
  /** A program that ran at least this long is restarted after initialMs again (default 30000 ms). */
  readonly stableMs?: number;
}

export interface RespawnOptions {
  readonly specs: readonly RespawnSpec[];
  /** ha.cf `env` entries, NAME -> value; children see HA_NAME. */
  readonly env: Readonly<Record<string, string>>;
  /** Extra environment for every child (e.g. heartbeatEnv()). */
  readonly baseEnv?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** A failfast program died. */
  readonly escalate: (reason: string) => void;
  readonly backoff?: BackoffOptions;
  /** Between SIGTERM and SIGKILL at stop (default 5000 ms). */
  readonly stopGraceMs?: number;
  readonly lookupUser?: (name: string) => UserIds | null;
  /**
   * Programs hbd does itself and must not run: by default Heartbeat's ipfail
   * (built in; the binary needs Heartbeat's client API).
   */
  readonly skip?: (spec: RespawnSpec) => boolean;
}

export const NO_RESPAWN_EXIT_CODE = 100;

export function isIpfail(spec: RespawnSpec): boolean {
  return /(^|\/)ipfail$/.test(spec.path);
}

export interface ChildState {
  readonly path: string;
  readonly user: string;
  readonly failfast: boolean;
  readonly pid: number | null;
  readonly starts: number;
  /** Why it is not running (exit 100, user unknown, died as failfast ...), or null. */
  readonly givenUp: string | null;
}

class Supervised {
  proc: ChildProcess | null = null;
  starts = 0;
  startedAt = 0;
  delayMs = 0;
  timer: NodeJS.Timeout | null = null;
  givenUp: string | null = null;
  exited: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: RespawnSpec,
    readonly ids: UserIds | null,
  ) {}

  get name(): string {
    return [this.spec.path, ...this.spec.args].join(' ');
  }
}

function outputLogger(stream: NodeJS.ReadableStream | null, log: (line: string) => void): void {
  if (stream === null) return;
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.trim() !== '') log(l);
  });
  stream.on('end', () => partial.trim() !== '' && log(partial));
}

export class RespawnSupervisor {
  private readonly children: Supervised[] = [];
  private stopping = false;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly stableMs: number;

  constructor(private readonly opts: RespawnOptions) {
    this.initialMs = opts.backoff?.initialMs ?? 1000;
    this.maxMs = opts.backoff?.maxMs ?? 30_000;
    this.stableMs = opts.backoff?.stableMs ?? 30_000;
  }

  private get log(): Logger {
    return this.opts.logger;
  }

  start(): void {
    const skip = this.opts.skip ?? isIpfail;
    const lookup = this.opts.lookupUser ?? lookupUser;
    for (const spec of this.opts.specs) {
      if (skip(spec)) {
        this.log.info({ path: spec.path }, `${spec.path} is not run: hbd does this itself`);
        continue;
      }
      const child = new Supervised(spec, lookup(spec.user));
      this.children.push(child);
      if (child.ids === null) {
        child.givenUp = `no such user ${spec.user}`;
        this.log.error({ path: spec.path, user: spec.user }, `cannot run ${child.name}: no such user ${spec.user}`);
        continue;
      }
      this.launch(child);
    }
  }

  private environment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...(this.opts.baseEnv ?? {}) };
    for (const [name, value] of Object.entries(this.opts.env)) env[`HA_${name}`] = value;
    return env;
  }

  private launch(child: Supervised): void {
    const ids = child.ids;
    if (ids === null || this.stopping) return;
    child.timer = null;
    child.starts++;
    child.startedAt = performance.now();
    const proc = spawn(child.spec.path, [...child.spec.args], {
      cwd: '/',
      env: this.environment(),
      uid: ids.uid,
      gid: ids.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.proc = proc;
    const fields = { path: child.spec.path, pid: proc.pid };
    outputLogger(proc.stdout, (l) => this.log.info({ ...fields, stream: 'stdout' }, `${child.spec.path}: ${l}`));
    outputLogger(proc.stderr, (l) => this.log.warn({ ...fields, stream: 'stderr' }, `${child.spec.path}: ${l}`));
    child.exited = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null, error: Error | null): void => {
        if (done) return;
        done = true;
        child.proc = null;
        resolve();
        this.onExit(child, code, signal, error);
      };
      proc.once('error', (e) => finish(null, null, e));
      proc.once('exit', (code, signal) => finish(code, signal, null));
    });
    if (proc.pid !== undefined) {
      this.log.info({ ...fields, user: child.spec.user }, `Starting ${child.name} as ${child.spec.user} (uid ${ids.uid}, gid ${ids.gid})${child.spec.rebootIfItDies ? ' (failfast)' : ''}`);
    }
  }

  private onExit(child: Supervised, code: number | null, signal: NodeJS.Signals | null, error: Error | null): void {
    if (this.stopping) return;
    const how = error !== null ? `could not be run (${error.message})` : code !== null ? `exited with return code ${code}` : `was killed by ${signal ?? 'a signal'}`;
    const log = { path: child.spec.path, code, signal };
    if (child.spec.rebootIfItDies) {
      child.givenUp = `failfast client ${how}`;
      if (error !== null) {
        // Never ran at all: a configuration problem, and rebooting would only repeat it.
        this.log.error(log, `failfast client ${child.name} ${how}; not escalating a program that never started`);
        return;
      }
      this.log.fatal(log, `failfast client ${child.name} ${how}: escalating`);
      this.opts.escalate(`failfast client ${child.name} ${how}`);
      return;
    }
    if (code === NO_RESPAWN_EXIT_CODE) {
      child.givenUp = `exited with return code ${NO_RESPAWN_EXIT_CODE}`;
      this.log.info(log, `Client ${child.name} ${how}: not respawned (exit code ${NO_RESPAWN_EXIT_CODE} asks for that)`);
      return;
    }
    const ranMs = performance.now() - child.startedAt;
    child.delayMs = ranMs >= this.stableMs || child.delayMs === 0 ? this.initialMs : Math.min(this.maxMs, child.delayMs * 2);
    this.log.warn({ ...log, ranMs: Math.round(ranMs), delayMs: child.delayMs }, `Client ${child.name} ${how}: respawning in ${child.delayMs} ms`);
    child.timer = setTimeout(() => this.launch(child), child.delayMs);
  }

  /** SIGTERM to every child's process group, SIGKILL after the grace period; resolves when all are gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.opts.stopGraceMs ?? 5000;
    await Promise.all(
      this.children.map(async (child) => {
        if (child.timer !== null) clearTimeout(child.timer);
        child.timer = null;
        const pid = child.proc?.pid;
        if (child.proc === null || pid === undefined) return;
        const kill = (sig: NodeJS.Signals): void => {
          try {
            process.kill(-pid, sig);
          } catch {
            // Gone already.
          }
        };
        kill('SIGTERM');
        const hard = setTimeout(() => kill('SIGKILL'), grace);
        await child.exited;
        clearTimeout(hard);
      }),
    );
  }

  status(): ChildState[] {
    return this.children.map((c) => ({
      path: c.spec.path,
      user: c.spec.user,
      failfast: c.spec.rebootIfItDies,
      pid: c.proc?.pid ?? null,
      starts: c.starts,
      givenUp: c.givenUp,
    }));
  }
}
