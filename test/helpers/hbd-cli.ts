// Running the real `bin/hbd` in tests.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { HBD_BIN } from './tmp';

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function hbd(args: readonly string[], opts: { cwd?: string; timeoutMs?: number; wrapper?: readonly string[] } = {}): CliResult {
  const argv = [...(opts.wrapper ?? []), process.execPath, HBD_BIN, ...args];
  const r = spawnSync(argv[0] ?? process.execPath, argv.slice(1), {
    encoding: 'utf8',
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts `hbd ...` as a child that is SIGKILLed after the test if still alive.
 * `wrapper` runs it under another command, e.g. ['ip', 'netns', 'exec', NS].
 */
export function hbdChild(t: TestContext, args: readonly string[], wrapper: readonly string[] = []): ChildProcess {
  const argv = [...wrapper, process.execPath, HBD_BIN, ...args];
  const child = spawn(argv[0] ?? process.execPath, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A minimal valid ha.d directory. */
export function writeHaDir(dir: string, files: { hacf?: string; authkeys?: string; haresources?: string } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'ha.cf'),
    files.hacf ?? ['keepalive 100ms', 'deadtime 1', 'initdead 2', 'bcast dummy0', 'auto_failback on', 'node alpha beta', 'crm off', ''].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'authkeys'), files.authkeys ?? 'auth 1\n1 sha1 testsecret\n', { mode: 0o600 });
  fs.chmodSync(path.join(dir, 'authkeys'), 0o600);
  fs.writeFileSync(path.join(dir, 'haresources'), files.haresources ?? 'alpha IPaddr2::10.1.2.3/24/lo\n');
  return dir;
}
