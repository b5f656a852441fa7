// tempDir's clean-up: a process of the test still writing into the tree when
// it is removed (a real Heartbeat logs all the time) must not stop the test's
// own later clean-up hooks (killing that process, destroying namespaces).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/tmp';

let laterHookRan = false;
let treeLeft = '';

test('a writer still busy in the tree while it is removed', async (t) => {
  const dir = tempDir(t);
  treeLeft = dir;
  const logs = path.join(dir, 'log');
  fs.mkdirSync(logs);
  // Creates files faster than the removal's retries can empty the directory.
  const writer = spawn('sh', ['-c', `i=0; while :; do i=$((i+1)); : > "${logs}/$i"; done`], { stdio: 'ignore' });
  t.after(() => {
    writer.kill('SIGKILL');
    laterHookRan = true;
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(fs.readdirSync(logs).length > 0, 'the writer is writing');
});

test("the test's later clean-up hook still ran; the tree is gone now or at exit", () => {
  assert.equal(laterHookRan, true);
  process.once('exit', () => assert.equal(fs.existsSync(treeLeft), false));
});
