// Temporary directories that are removed after the test, also when it fails.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

export function tempDir(t: TestContext, prefix = 'hbd-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // after() hooks run in the order they were added, so this one usually runs
  // before the test's own clean-up has killed its daemons: one still running
  // may add a file while the tree is removed (ENOTEMPTY); walk it again then,
  // and if it keeps writing (a real Heartbeat logs all the time), remove the
  // tree when the process exits, after the test's later hooks stopped it.
  const remove = () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  t.after(() => {
    try {
      remove();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw e;
      process.once('exit', remove);
    }
  });
  return dir;
}

/** The repository root, from dist/test/helpers. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const HBD_BIN = path.join(REPO_ROOT, 'bin', 'hbd');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
