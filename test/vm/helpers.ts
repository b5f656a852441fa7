// Helpers of the tests that need a kernel with IPVS: they run inside the VM
// (test/vm/run-ipvs-suite.sh boots it and sets IPVS_VM=1) and skip
// everywhere else. Inside the VM a missing IPVS is a failure, not a skip.
// Every test builds its own network namespaces (the VM has no NIC; peers
// are namespaces joined by veth pairs) and removes them, also on failure.

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const IN_VM = process.env.IPVS_VM === '1';
export const HAVE_IPVS = existsSync('/proc/net/ip_vs');

/**
 * node:test `skip` for the VM tests: run inside the VM (where a missing
 * IPVS must fail), skip elsewhere, also on a machine that happens to have
 * IPVS: these tests are not meant to touch a real director.
 */
export const vmOnly: string | false = IN_VM ? false : 'needs the IPVS VM (npm run test:ipvs)';

/** Runs a command; stdout, or throws with stderr in the message. */
export function sh(cmd: string, args: readonly string[], timeoutMs = 30_000): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

export async function shAsync(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  try {
    return (await execFileP(cmd, args, { encoding: 'utf8', timeout: timeoutMs })).stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

/** `ip netns exec NS cmd args...` */
export function nsExec(ns: string, cmd: string, args: readonly string[], timeoutMs?: number): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args], timeoutMs);
}

export function ipvsadm(ns: string, ...args: string[]): string {
  return nsExec(ns, 'ipvsadm', args);
}

/** ipvsadm's output as lines with runs of blanks collapsed (its columns are padded). */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l.length > 0);
}

let counter = 0;

/** A new network namespace with lo up, deleted after the test (or suite). */
export function netns(t: Pick<TestContext, 'after'> | null, tag = 'ns'): string {
  const name = `hbd-${tag}-${process.pid}-${++counter}`;
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  if (t) t.after(() => deleteNetns(name));
  return name;
}

export function deleteNetns(name: string): void {
  try {
    // processes started in it die with their pipes; the namespace goes when
    // its last process does
    for (const pid of sh('ip', ['netns', 'pids', name]).split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
  } catch {
    /* no such namespace */
  }
  try {
    sh('ip', ['netns', 'del', name]);
  } catch {
    /* already gone */
  }
}

/** A veth pair between two namespaces with an address on each end. */
export function link(a: string, aIf: string, aAddr: string, b: string, bIf: string, bAddr: string): void {
  sh('ip', ['-n', a, 'link', 'add', aIf, 'type', 'veth', 'peer', 'name', bIf, 'netns', b]);
  sh('ip', ['-n', a, 'addr', 'add', aAddr, 'dev', aIf]);
  sh('ip', ['-n', b, 'addr', 'add', bAddr, 'dev', bIf]);
  sh('ip', ['-n', a, 'link', 'set', aIf, 'up']);
  sh('ip', ['-n', b, 'link', 'set', bIf, 'up']);
}

/** Polls fn until it returns a value that is not undefined (or times out). */
export async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A tiny HTTP server (node) in a namespace that answers every request with
 * `name`. Resolves once it listens; killed after the test (or suite).
 */
export async function httpServer(ns: string, name: string, port: number): Promise<ChildProcess> {
  const code = `require('http').createServer((q, s) => { s.setHeader('connection', 'close'); s.end(${JSON.stringify(name)}); })
    .listen(${port}, '::', () => console.log('listening'));`;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`HTTP server ${name} did not start`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`HTTP server ${name} exited with ${code}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

/**
 * `n` HTTP GETs from namespace `ns` to host:port, each on a new connection
 * (bash's /dev/tcp: no node start-up per request); the bodies, in order.
 */
export async function httpGets(ns: string, host: string, port: number, n: number): Promise<string[]> {
  const script = `for i in $(seq ${n}); do
    exec 3<>/dev/tcp/${host}/${port} || exit 1
    printf 'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3
    body=$(cat <&3 | tr -d '\\r' | sed -n '/^$/,$p' | tail -n +2)
    exec 3<&-
    echo "$body"
  done`;
  const out = await shAsync('ip', ['netns', 'exec', ns, 'timeout', '60', 'bash', '-c', script], 90_000);
  return out.split('\n').filter((l) => l.length > 0);
}
