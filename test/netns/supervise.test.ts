// respawn and watchdog in a running daemon: the child is restarted when it
// dies (but not after exit 100), and the watchdog device is tickled while the
// node hears its own heartbeat, then closed with the magic 'V'.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DirectorLan } from '../harness/director-pair';
import { HbdNode } from '../harness/hbd-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

test('respawn restarts a child unless it exits 100; the watchdog is tickled, then closed cleanly', { timeout: 90_000 }, async (t) => {
  const work = tempDir(t);
  const net = new DirectorLan(t, '10.99.140');
  const starts = path.join(work, 'starts.log');
  const device = path.join(work, 'watchdog');
  fs.writeFileSync(device, '');
  const child = path.join(work, 'child.sh');
  // Runs ~300 ms, exits 1 the first two times and 100 the third time.
  fs.writeFileSync(child, `#!/bin/sh\necho "$HA_SITE" >> ${starts}\nsleep 0.3\nn=$(wc -l < ${starts})\n[ "$n" -ge 3 ] && exit 100\nexit 1\n`, { mode: 0o755 });
  fs.chmodSync(child, 0o755);
  const haCf = ['keepalive 50ms', 'deadtime 300ms', 'initdead 1', 'bcast eth0', `respawn root ${child}`, 'env SITE=lab', `watchdog ${device}`, 'node node1', ''].join('\n');
  const node = new HbdNode({ netns: net.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf, authkeys: 'auth 1\n1 sha1 k\n' });
  t.after(() => node.kill());
  node.start();
  await waitUntil('three runs of the child', () => fs.existsSync(starts) && fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean).length >= 3, 30_000);
  await new Promise((r) => setTimeout(r, 3000));
  const runs = fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(runs, ['lab', 'lab', 'lab'], 'restarted after exit 1, not after exit 100; sees HA_SITE from `env`');
  await waitUntil('the watchdog is tickled', () => fs.statSync(device).size > 5, 10_000);
  await node.stop();
  const bytes = fs.readFileSync(device);
  assert.equal(bytes.at(-1), 'V'.charCodeAt(0), 'closed with the magic V so softdog does not fire');
});
