// The harness itself: two REAL Heartbeat nodes see each other active. This
// proves the test bed before hbd is swapped in for one of them.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Lan } from '../../src/netns/lan';
import { HeartbeatNode, heartbeatAvailable } from '../harness/heartbeat-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

test('two real Heartbeat 3.0.6 nodes form a cluster in namespaces', { skip: !heartbeatAvailable() && 'heartbeat not installed', timeout: 120_000 }, async (t) => {
  const work = tempDir(t);
  const lan = Lan.create([
    { name: 'n1', addresses: ['10.99.1.1/24'] },
    { name: 'n2', addresses: ['10.99.1.2/24'] },
  ]);
  t.after(() => lan.destroy());
  const haCf = ['keepalive 100ms', 'deadtime 1', 'warntime 500ms', 'initdead 2', 'bcast eth0', 'auto_failback on', 'node node1 node2', 'crm no', ''].join('\n');
  const authkeys = 'auth 1\n1 sha1 interop-key\n';
  const nodes = ['node1', 'node2'].map(
    (name, i) => new HeartbeatNode({ netns: lan.ns(`n${i + 1}`), name, workDir: path.join(work, name), haCf, authkeys }),
  );
  t.after(() => nodes.forEach((n) => n.kill()));
  nodes.forEach((n) => n.start());
  const [a, b] = nodes as [HeartbeatNode, HeartbeatNode];
  await waitUntil('node1 sees node2 active', () => a.clStatus('nodestatus', 'node2') === 'active', 30_000);
  await waitUntil('node2 sees node1 active', () => b.clStatus('nodestatus', 'node1') === 'active', 30_000);
  assert.equal(a.clStatus('hbstatus'), 'Heartbeat is running on this machine.');
  assert.deepEqual(a.clStatus('listhblinks', 'node2').split(/\s+/), ['eth0']);
  b.kill();
  await waitUntil('node1 declares node2 dead', () => a.clStatus('nodestatus', 'node2') === 'dead', 15_000);
});
