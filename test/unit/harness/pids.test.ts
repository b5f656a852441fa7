// The harness signals only processes it can prove are its own: a pid file or
// a reaped child's pid may name another test's daemon after pid wrap-around.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { HbdNode } from '../../harness/hbd-node';
import { PinnedMountNs, cmdlineHas, goneOrZombie, pidsInMountNs } from '../../harness/pids';
import { tempDir } from '../../helpers/tmp';

/** A pid that no process has right now (a child that ran and was reaped). */
function reapedPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

test('cmdlineHas: a process\'s arguments, exactly or within one; nothing once it is gone', async () => {
  const child = spawn('sleep', ['31.5']);
  try {
    await new Promise((r) => child.once('spawn', r));
    assert.ok(cmdlineHas(child.pid ?? 0, '31.5', true));
    assert.ok(cmdlineHas(child.pid ?? 0, '31'));
    assert.equal(cmdlineHas(child.pid ?? 0, '31', true), false);
  } finally {
    child.kill('SIGKILL');
  }
  const gone = reapedPid();
  assert.equal(cmdlineHas(gone, 'sh'), false);
  assert.ok(goneOrZombie(gone));
  assert.equal(goneOrZombie(process.pid), false);
});

test('PinnedMountNs: the namespace of a live process, its processes, nothing after release', () => {
  const ns = PinnedMountNs.of(process.pid);
  assert.ok(ns);
  assert.equal(ns.link, fs.readlinkSync('/proc/self/ns/mnt'));
  assert.ok(ns.pids().includes(process.pid));
  assert.deepEqual(pidsInMountNs(ns.link), ns.pids());
  ns.release();
  assert.deepEqual(ns.pids(), []);
  assert.equal(PinnedMountNs.of(reapedPid()), null);
});

test('HbdNode.daemonPid: a pid file naming another process is not our daemon', (t) => {
  const work = tempDir(t);
  const node = new HbdNode({ netns: 'unused', name: 'node1', workDir: work, haCf: '', authkeys: '' });
  fs.mkdirSync(node.stateDir, { recursive: true });
  // A killed daemon leaves its pid file; by the time it is read the pid may be this test runner.
  fs.writeFileSync(path.join(node.stateDir, 'hbd.pid'), String(process.pid));
  assert.equal(node.daemonPid(), null);
  node.kill(); // must not signal the test runner
  assert.equal(goneOrZombie(process.pid), false);
});
