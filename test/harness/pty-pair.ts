// A null-modem cable: a pair of ptys joined by socat. Returns the two
// /dev/pts paths; socat is killed after the test.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { waitUntil } from '../helpers/hbd-cli';

export async function ptyPair(t: TestContext, dir: string): Promise<[string, string]> {
  const a = path.join(dir, 'ttyA');
  const b = path.join(dir, 'ttyB');
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
  t.after(() => socat.kill('SIGKILL'));
  await waitUntil('socat ptys', () => fs.existsSync(a) && fs.existsSync(b), 10_000);
  // Heartbeat derives its lock file name from the device path: use the real ones.
  return [fs.realpathSync(a), fs.realpathSync(b)];
}

export function socatAvailable(): boolean {
  return ['/usr/bin/socat', '/bin/socat'].some((p) => fs.existsSync(p));
}
