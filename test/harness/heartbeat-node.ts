// Runs a REAL Heartbeat 3.0.6 node (Debian package) inside a network
// namespace, with private mount and UTS namespaces so that it has its own
// hostname (= node name), /etc/ha.d, /run and /var/lib/heartbeat. Nothing on
// the host changes. Used by the interop tests and the bench.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PinnedMountNs } from './pids';

export const HEARTBEAT_BIN = '/usr/libexec/heartbeat/heartbeat';

export interface HeartbeatNodeOptions {
  /** Network namespace to run in. */
  readonly netns: string;
  readonly name: string;
  /** Work directory (created): etc/, run/, varlib/, log/, state/. */
  readonly workDir: string;
  readonly haCf: string;
  readonly authkeys: string;
  readonly haresources?: string;
  /** Extra files for /etc/ha.d (relative path -> content), e.g. resource.d scripts. */
  readonly extraFiles?: Readonly<Record<string, { content: string; mode?: number }>>;
  /** Debug level (-d repeated). */
  readonly debug?: number;
}

export function heartbeatAvailable(): boolean {
  return fs.existsSync(HEARTBEAT_BIN);
}

function sh(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export class HeartbeatNode {
  private child: ChildProcess | null = null;
  private ns: PinnedMountNs | null = null;
  readonly logFile: string;
  readonly stdoutFile: string;

  constructor(readonly opts: HeartbeatNodeOptions) {
    this.logFile = path.join(opts.workDir, 'log', 'ha.log');
    this.stdoutFile = path.join(opts.workDir, 'log', 'stdout.txt');
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Fresh per-node trees; keeps state/ (uuid, generation) across restarts like a reboot. */
  private prepare(): string {
    const w = this.opts.workDir;
    for (const d of ['etc', 'run', 'varlib']) fs.rmSync(path.join(w, d), { recursive: true, force: true });
    for (const d of ['etc', 'run', 'varlib', 'log', 'state']) fs.mkdirSync(path.join(w, d), { recursive: true });
    sh('cp', ['-a', '/etc/ha.d/.', path.join(w, 'etc')]);
    const etc = path.join(w, 'etc');
    // Log to our file; the caller's ha.cf must not name other log targets.
    fs.writeFileSync(path.join(etc, 'ha.cf'), `logfile ${this.logFile}\ndebugfile ${this.logFile}.debug\n${this.opts.haCf}`);
    fs.writeFileSync(path.join(etc, 'authkeys'), this.opts.authkeys, { mode: 0o600 });
    fs.chmodSync(path.join(etc, 'authkeys'), 0o600);
    fs.writeFileSync(path.join(etc, 'haresources'), this.opts.haresources ?? '');
    for (const [rel, f] of Object.entries(this.opts.extraFiles ?? {})) {
      const p = path.join(etc, rel);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, f.content, { mode: f.mode ?? 0o644 });
      fs.chmodSync(p, f.mode ?? 0o644);
    }
    const run = path.join(w, 'run');
    for (const d of ['heartbeat/ccm', 'heartbeat/crm', 'heartbeat/dopd', 'resource-agents', 'lock', 'crm']) {
      fs.mkdirSync(path.join(run, d), { recursive: true });
    }
    spawnSync('chown', ['-R', 'hacluster:haclient', path.join(run, 'heartbeat'), path.join(run, 'crm')]);
    fs.chmodSync(path.join(run, 'heartbeat'), 0o750);
    fs.chmodSync(path.join(run, 'resource-agents'), 0o1755);
    fs.chmodSync(path.join(run, 'lock'), 0o1777);
    // /var/lib/heartbeat skeleton with the package's owners and modes.
    const varlib = path.join(w, 'varlib');
    const dirs = sh('find', ['/var/lib/heartbeat', '-mindepth', '1', '-type', 'd']).split('\n').filter(Boolean);
    for (const d of dirs) {
      const target = path.join(varlib, path.relative('/var/lib/heartbeat', d));
      fs.mkdirSync(target, { recursive: true });
      spawnSync('chown', ['--reference', d, target]);
      spawnSync('chmod', ['--reference', d, target]);
    }
    // A restart keeps the node's identity (uuid, generation) like a reboot.
    for (const f of ['hb_uuid', 'hb_generation']) {
      const saved = path.join(w, 'state', f);
      if (fs.existsSync(saved)) fs.copyFileSync(saved, path.join(varlib, f));
    }
    for (const f of [this.logFile, `${this.logFile}.debug`]) {
      fs.writeFileSync(f, '', { flag: 'a' });
      spawnSync('chown', ['hacluster:haclient', f]);
    }
    const inner = path.join(w, 'inner.sh');
    const debug = ' -d'.repeat(this.opts.debug ?? 0);
    fs.writeFileSync(
      inner,
      [
        '#!/bin/sh',
        'set -e',
        'mount --make-rprivate /',
        `mount --bind ${JSON.stringify(etc)} /etc/ha.d`,
        `mount --bind ${JSON.stringify(run)} /run`,
        `mount --bind ${JSON.stringify(varlib)} /var/lib/heartbeat`,
        `hostname ${JSON.stringify(this.opts.name)}`,
        'ip link set lo up 2>/dev/null || true',
        'ulimit -l unlimited 2>/dev/null || true',
        `exec ${HEARTBEAT_BIN} -f${debug}`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    return inner;
  }

  start(): void {
    if (this.running) throw new Error(`heartbeat node ${this.opts.name} already running`);
    this.ns?.release();
    this.ns = null;
    const inner = this.prepare();
    const out = fs.openSync(this.stdoutFile, 'a');
    this.child = spawn('setsid', ['ip', 'netns', 'exec', this.opts.netns, 'unshare', '--mount', '--uts', inner], {
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
  }

  private saveIdentity(): void {
    for (const f of ['hb_uuid', 'hb_generation']) {
      const live = path.join(this.opts.workDir, 'varlib', f);
      if (fs.existsSync(live)) fs.copyFileSync(live, path.join(this.opts.workDir, 'state', f));
    }
  }

  /**
   * The node's mount namespace, pinned the first time the heartbeat master is
   * seen in it. Found only through our own running child (setsid -> ip ->
   * unshare -> exec heartbeat keeps the pid): once the child is reaped its pid
   * may be another test's process, and a namespace that died may pass its
   * inode number to a new one, so neither is trusted afterwards.
   */
  private pinned(): PinnedMountNs | null {
    if (this.ns !== null || !this.running) return this.ns;
    const pid = this.child?.pid;
    if (pid === undefined) return null;
    for (const p of [pid, ...descendants(pid)]) {
      try {
        // Before the exec, `ip netns exec` sits in a mount namespace of its own.
        if (fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() !== 'heartbeat') continue;
      } catch {
        continue;
      }
      this.ns = PinnedMountNs.of(p);
      if (this.ns !== null) break;
    }
    return this.ns;
  }

  /** Pins the node's mount namespace; true once the heartbeat master runs. */
  pinNamespace(): boolean {
    return this.pinned() !== null;
  }

  /** Every live process in the node's mount namespace (heartbeat, its children, resource scripts). */
  nodePids(): number[] {
    const ns = this.pinned();
    if (ns === null) return [];
    const pids = ns.pids();
    if (pids.length === 0 && !this.running) {
      // Nothing of the node is left: let the namespace go.
      ns.release();
      this.ns = null;
    }
    return pids;
  }

  /** The heartbeat master process (first process in the node's mount namespace). */
  mainPid(): number | null {
    const pids = this.nodePids();
    return pids.length ? Math.min(...pids) : null;
  }

  /** Runs a command "on" the node (its mount, UTS and network namespaces). */
  exec(cmd: string, args: readonly string[] = [], timeoutMs = 10_000): { status: number | null; stdout: string; stderr: string } {
    const pid = this.mainPid();
    if (!pid) return { status: null, stdout: '', stderr: 'node not running' };
    const r = spawnSync('nsenter', ['--target', String(pid), '--mount', '--uts', '--net', '--', cmd, ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** `cl_status ARGS` on the node; stdout trimmed ('' if it failed). */
  clStatus(...args: string[]): string {
    return this.exec('cl_status', args).stdout.trim();
  }

  /** SIGKILL every process of the node at once (a crash). */
  kill(): void {
    const pids = this.nodePids();
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.child?.kill('SIGKILL');
    this.saveIdentity();
  }

  /** Graceful stop (SIGTERM to heartbeat), waiting up to timeoutMs, then kill. */
  async stop(timeoutMs = 30_000): Promise<void> {
    const main = this.mainPid();
    if (main) {
      try {
        process.kill(main, 'SIGTERM');
      } catch {
        /* gone */
      }
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && this.nodePids().length > 0) await new Promise((r) => setTimeout(r, 100));
    }
    this.kill();
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}

function descendants(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout ?? '';
  const kids = out.split('\n').filter(Boolean).map(Number);
  return kids.flatMap((k) => [k, ...descendants(k)]);
}
