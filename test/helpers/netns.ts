// A private network namespace for one test: lo up and an interface
// `dummy0` (10.77.0.1/24, with a broadcast address) so a daemon can run its
// media without touching any real interface. Removed after the test, with
// every process still inside it.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';

export function testNetns(t: TestContext): string {
  const ns = `hbdt-${randomBytes(3).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('ip', ['netns', 'del', ns]);
  });
  const ip = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args]);
  ip('link', 'set', 'lo', 'up');
  // This kernel may lack the dummy driver: a veth pair inside the namespace
  // gives an interface with a broadcast address just the same.
  ip('link', 'add', 'dummy0', 'type', 'veth', 'peer', 'name', 'dummy1');
  ip('addr', 'add', '10.77.0.1/24', 'brd', '+', 'dev', 'dummy0');
  ip('link', 'set', 'dummy1', 'up');
  ip('link', 'set', 'dummy0', 'up');
  return ns;
}

export const inNetns = (ns: string): string[] => ['ip', 'netns', 'exec', ns];
