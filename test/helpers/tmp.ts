// Temporary directories that are removed after the test, also when it fails.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

export function tempDir(t: TestContext, prefix = 'hbd-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // after() hooks run in the order they were added, so this one usually runs
  // before the test's own clean-up has killed its daemons: one still starting
  // may add a file while the tree is removed (ENOTEMPTY); walk it again then.
  t.after(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  return dir;
}

/** The repository root, from dist/test/helpers. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const HBD_BIN = path.join(REPO_ROOT, 'bin', 'hbd');
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
