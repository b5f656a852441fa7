// Two hbd nodes form a cluster on every UDP medium and auth method, detect a
// killed peer and a cut link, and recover when the link returns.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Lan } from '../../src/netns/lan';
import { type TestAuth, type TestMedium, authkeys, haCf } from '../harness/cluster-config';
import { HbdNode } from '../harness/hbd-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

const MEDIA: readonly TestMedium[] = ['bcast', 'ucast', 'mcast'];
const AUTHS: readonly TestAuth[] = ['crc', 'md5', 'sha1'];
let subnetCounter = 50;

for (const medium of MEDIA) {
  for (const auth of AUTHS) {
    test(`two hbd nodes over ${medium} with ${auth}`, { timeout: 60_000 }, async (t) => {
      const subnet = `10.99.${subnetCounter++}`;
      const work = tempDir(t);
      const lan = Lan.create([
        { name: 'n1', addresses: [`${subnet}.1/24`] },
        { name: 'n2', addresses: [`${subnet}.2/24`] },
      ]);
      t.after(() => lan.destroy());
      const conf = { medium, auth, nodes: ['node1', 'node2'], subnet, keepalive: '50ms', deadtime: '300ms', warntime: '150ms', initdead: '1' };
      const nodes = ['node1', 'node2'].map(
        (name, i) => new HbdNode({ netns: lan.ns(`n${i + 1}`), name, workDir: path.join(work, name), haCf: haCf(conf), authkeys: authkeys(auth) }),
      );
      const [a, b] = nodes as [HbdNode, HbdNode];
      t.after(() => nodes.forEach((n) => n.kill()));
      nodes.forEach((n) => n.start());
      await waitUntil('both active', async () => (await a.nodeStatus('node2')) === 'active' && (await b.nodeStatus('node1')) === 'active', 20_000);
      const s = await a.status();
      assert.equal(s?.ownStatus, 'active');
      assert.equal(s?.counters.drop_bad_auth, 0);
      assert.equal(s?.counters.edrop_replay, 0);
      // Link cut at the bridge: both declare the other dead; link back: both active again.
      lan.setLink('n2', false);
      await waitUntil('node1 declares node2 dead', async () => (await a.nodeStatus('node2')) === 'dead', 10_000);
      await waitUntil('node2 declares node1 dead', async () => (await b.nodeStatus('node1')) === 'dead', 10_000);
      assert.equal(a.cli(['status', 'hblinkstatus', 'node2', 'eth0']).stdout, 'dead\n');
      lan.setLink('n2', true);
      await waitUntil('active again after the link returns', async () => (await a.nodeStatus('node2')) === 'active' && (await b.nodeStatus('node1')) === 'active', 10_000);
      assert.match(a.log(), /returning after partition/, 'the heal is recognised as a partition, not a restart');
      // kill -9: the survivor declares it dead.
      b.kill();
      await waitUntil('node1 declares the killed node2 dead', async () => (await a.nodeStatus('node2')) === 'dead', 10_000);
    });
  }
}
