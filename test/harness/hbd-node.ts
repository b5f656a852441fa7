// Runs an hbd daemon in a network namespace, like HeartbeatNode runs a real
// Heartbeat node, so tests and the bench can mix them freely.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { request } from '../../src/control/client';
import { cmdlineHas } from './pids';

const HBD_BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'hbd');

export interface HbdNodeOptions {
  readonly netns: string;
  readonly name: string;
  readonly workDir: string;
  readonly haCf: string;
  readonly authkeys: string;
  readonly haresources?: string;
  readonly extraFiles?: Readonly<Record<string, { content: string; mode?: number }>>;
  readonly logLevel?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Extra `hbd run` options. */
  readonly extraArgs?: readonly string[];
}

export interface NodeJson {
  readonly name: string;
  readonly type: string;
  readonly self: boolean;
  readonly status: string;
  readonly links: readonly { readonly name: string; readonly status: string }[];
}

export interface StatusJson {
  readonly ok: true;
  readonly ownStatus: string;
  readonly nodes: readonly NodeJson[];
  readonly counters: Readonly<Record<string, number>>;
  readonly [key: string]: unknown;
}

export class HbdNode {
  private child: ChildProcess | null = null;
  readonly confDir: string;
  readonly stateDir: string;
  readonly logFile: string;

  constructor(readonly opts: HbdNodeOptions) {
    this.confDir = path.join(opts.workDir, 'ha.d');
    this.stateDir = path.join(opts.workDir, 'state');
    this.logFile = path.join(opts.workDir, 'hbd.log');
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    fs.mkdirSync(this.confDir, { recursive: true });
    fs.writeFileSync(path.join(this.confDir, 'ha.cf'), this.opts.haCf);
    fs.writeFileSync(path.join(this.confDir, 'authkeys'), this.opts.authkeys, { mode: 0o600 });
    fs.chmodSync(path.join(this.confDir, 'authkeys'), 0o600);
    fs.writeFileSync(path.join(this.confDir, 'haresources'), this.opts.haresources ?? '');
    for (const [rel, f] of Object.entries(this.opts.extraFiles ?? {})) {
      const p = path.join(this.confDir, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, f.content, { mode: f.mode ?? 0o644 });
      fs.chmodSync(p, f.mode ?? 0o644);
    }
    const out = fs.openSync(this.logFile, 'a');
    this.child = spawn(
      'ip',
      ['netns', 'exec', this.opts.netns, process.execPath, HBD_BIN, 'run', '--foreground', '--config-dir', this.confDir,
        '--state-dir', this.stateDir, '--node-name', this.opts.name, '--log-level', this.opts.logLevel ?? 'debug', ...(this.opts.extraArgs ?? [])],
      { stdio: ['ignore', out, out], env: { ...process.env, ...(this.opts.env ?? {}) } },
    );
    fs.closeSync(out);
  }

  /**
   * The daemon's own pid (the child is `ip netns exec`, which execs node), or
   * null once it is gone: a pid file left by a killed daemon, or a reaped
   * child's pid, may name another process by now (test/harness/pids.ts).
   */
  daemonPid(): number | null {
    let fromFile: number | null = null;
    try {
      fromFile = Number(fs.readFileSync(path.join(this.stateDir, 'hbd.pid'), 'utf8')) || null;
    } catch {
      /* not written yet, or removed at a clean stop */
    }
    for (const pid of [fromFile, this.running ? (this.child?.pid ?? null) : null]) {
      if (pid !== null && cmdlineHas(pid, this.stateDir, true)) return pid;
    }
    return null;
  }

  async status(): Promise<StatusJson | null> {
    try {
      const r = await request(this.stateDir, { cmd: 'status' }, 2000);
      return r.ok ? (r as unknown as StatusJson) : null;
    } catch {
      return null;
    }
  }

  async nodeStatus(node: string): Promise<string | null> {
    return (await this.status())?.nodes.find((n) => n.name === node)?.status ?? null;
  }

  /** `hbd status QUERY...` through the real CLI. */
  cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [HBD_BIN, ...args, '--state-dir', this.stateDir], { encoding: 'utf8', timeout: 10_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  kill(): void {
    const pid = this.daemonPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.child?.kill('SIGKILL');
  }

  async stop(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await done;
    clearTimeout(timer);
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}
