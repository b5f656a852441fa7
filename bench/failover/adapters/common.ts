// Small helpers the adapters share.
import { spawnSync } from 'node:child_process';

/** Polls `test` every 20 ms until it holds; throws after timeoutMs naming `what`. */
/** How much of each daemon's log a failure keeps (characters from the end). */
export const LOG_TAIL = 2000;

export async function untilReady(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await test()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A process and all its descendants. */
export function processTree(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout ?? '';
  return [pid, ...out.split('\n').filter(Boolean).map(Number).flatMap((k) => processTree(k))];
}
