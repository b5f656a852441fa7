// A REAL Heartbeat 3.0.6 node (node1) and an hbd node (node2) in two network
// namespaces on one bridge, for bcast/ucast/mcast x crc/md5/sha1: each sees the
// other active, neither logs an authentication or replay problem, and when one
// side is killed the other declares it dead, using the dead node's advertised
// deadtime.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Lan } from '../../src/netns/lan';
import { Capture } from '../harness/capture';
import { type TestAuth, type TestMedium, authkeys, haCf } from '../harness/cluster-config';
import { HbdNode } from '../harness/hbd-node';
import { HeartbeatNode, heartbeatAvailable } from '../harness/heartbeat-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

const MEDIA: readonly TestMedium[] = ['bcast', 'ucast', 'mcast'];
const AUTHS: readonly TestAuth[] = ['crc', 'md5', 'sha1'];
const DEADTIME_MS = 1000;

/** Log lines a real node writes for bad, forged or replayed packets (heartbeat-wire §9). */
const REAL_NODE_COMPLAINTS =
  /authtoken does not match|authentication failed|failed authentication|Invalid authentication|replay attack|bad node|peel_netstring|NV failure|Bad\/invalid auth|lost packet|Late heartbeat|returning after partition/;

let subnetCounter = 10;

for (const medium of MEDIA) {
  for (const auth of AUTHS) {
    test(`real Heartbeat 3.0.6 and hbd over ${medium} with ${auth}`, { skip: !heartbeatAvailable() && 'heartbeat is not installed', timeout: 120_000 }, async (t) => {
      const subnet = `10.99.${subnetCounter++}`;
      const work = tempDir(t);
      const lan = Lan.create([
        { name: 'n1', addresses: [`${subnet}.1/24`] },
        { name: 'n2', addresses: [`${subnet}.2/24`] },
      ]);
      t.after(() => lan.destroy());
      const conf = { medium, auth, nodes: ['node1', 'node2'], subnet, deadtime: `${DEADTIME_MS}ms` };
      const real = new HeartbeatNode({ netns: lan.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf: haCf(conf), authkeys: authkeys(auth) });
      const hbd = new HbdNode({ netns: lan.ns('n2'), name: 'node2', workDir: path.join(work, 'node2'), haCf: haCf(conf), authkeys: authkeys(auth) });
      t.after(() => {
        real.kill();
        hbd.kill();
      });
      real.start();
      hbd.start();

      // Both see each other active.
      await waitUntil('the real node sees hbd active', () => real.clStatus('nodestatus', 'node2') === 'active', 30_000);
      await waitUntil('hbd sees the real node active', async () => (await hbd.nodeStatus('node1')) === 'active', 30_000);
      // The same cl_status questions get the same answers from both.
      assert.equal(hbd.cli(['status', 'nodestatus', 'node1']).stdout, `${real.clStatus('nodestatus', 'node1')}\n`);
      assert.equal(hbd.cli(['status', 'nodestatus', 'node2']).stdout, `${real.clStatus('nodestatus', 'node2')}\n`);
      assert.equal(hbd.cli(['status', 'hblinkstatus', 'node1', 'eth0']).stdout, 'up\n');
      assert.equal(real.clStatus('hblinkstatus', 'node2', 'eth0'), 'up');
      assert.equal(real.clStatus('listhblinks', 'node2'), 'eth0');

      // Neither side complains about the other's packets.
      const cap = medium === 'bcast' ? await Capture.start(lan.ns('n1'), work, `udp port 694 and src host ${subnet}.2`) : null;
      t.after(() => cap?.kill());
      await new Promise((r) => setTimeout(r, 1000));
      if (cap) {
        // Beside a real Heartbeat hbd sends what Heartbeat sends (msgfmt classic):
        // the inner auth field too, though only the outer trailer is checked.
        const payloads = (await cap.stop()).map(({ frame }) => frame.subarray(14 + 4 * ((frame[14] ?? 0) & 0xf) + 8).toString('latin1'));
        assert.ok(payloads.length > 5, `${payloads.length} hbd datagrams captured`);
        for (const p of payloads) assert.match(p, /\(0\)auth=1 [0-9a-f]+,%%%\n/);
      }
      assert.doesNotMatch(real.log(), REAL_NODE_COMPLAINTS, 'the real node logged a packet problem');
      const counters = (await hbd.status())?.counters ?? {};
      for (const [name, value] of Object.entries(counters)) {
        if (/^(drop_|edrop_)/.test(name) && !/own_message|duplicate|not_for_us/.test(name)) {
          assert.equal(value, 0, `hbd counter ${name}`);
        }
      }
      assert.ok((counters.rx_accepted ?? 0) > 10, 'hbd accepted the real node\'s heartbeats');

      // hbd killed: the real node declares it dead (deadtime + its 250 ms poll).
      // Past hbd's first 5 s, when it advertises deadtime + 2 s like Heartbeat.
      await waitUntil('hbd past its start-up deadtime', async () => Number((await hbd.status())?.uptimeMs ?? 0) > 5500, 15_000);
      let t0 = Date.now();
      hbd.kill();
      await waitUntil('the real node declares hbd dead', () => real.clStatus('nodestatus', 'node2') === 'dead', 15_000);
      const realDetectMs = Date.now() - t0;
      t.diagnostic(`real node detected hbd's death after ${realDetectMs} ms (deadtime ${DEADTIME_MS} ms)`);
      assert.ok(realDetectMs < DEADTIME_MS + 250 + 1500, `detection took ${realDetectMs} ms`);

      // hbd comes back (higher generation): both active again.
      hbd.start();
      await waitUntil('the real node sees hbd active again', () => real.clStatus('nodestatus', 'node2') === 'active', 30_000);
      await waitUntil('hbd sees the real node active again', async () => (await hbd.nodeStatus('node1')) === 'active', 30_000);
      assert.match(real.log(), /node2/);

      // The real node killed: hbd declares it dead within the real node's dt.
      await waitUntil('hbd past its start-up deadtime', async () => Number((await hbd.status())?.uptimeMs ?? 0) > 5500, 15_000);
      t0 = Date.now();
      real.kill();
      await waitUntil('hbd declares the real node dead', async () => (await hbd.nodeStatus('node1')) === 'dead', 15_000, 10);
      const hbdDetectMs = Date.now() - t0;
      t.diagnostic(`hbd detected the real node's death after ${hbdDetectMs} ms (deadtime ${DEADTIME_MS} ms)`);
      assert.ok(hbdDetectMs >= DEADTIME_MS - 150, `hbd declared death before the deadtime (${hbdDetectMs} ms)`);
      assert.ok(hbdDetectMs < DEADTIME_MS + 1500, `detection took ${hbdDetectMs} ms`);
    });
  }
}
