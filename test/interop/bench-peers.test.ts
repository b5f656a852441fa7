// The bench's adapters for the peers hbd is compared with: one real failover
// each for Heartbeat 3.0.6 and keepalived on the bench topology, measured
// from the client like the bench does (no timing asserts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { heartbeatAdapter } from '../../bench/failover/adapters/heartbeat';
import { keepalivedAdapter } from '../../bench/failover/adapters/keepalived';
import { createTopology } from '../../bench/failover/topology';
import { runTrial } from '../../bench/failover/trial';

const topo = createTopology(`hbdbp-${process.pid % 10000}-`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-bench-peers-'));
after(() => {
  topo.destroy();
  fs.rmSync(work, { recursive: true, force: true });
});

for (const adapter of [heartbeatAdapter, keepalivedAdapter]) {
  for (const mode of ['kill', 'linkcut'] as const) {
    test(`${adapter.impl} at its fastest setting, ${mode}: B serves the VIP, announced first, nothing left behind`, { skip: adapter.unavailable() ?? false, timeout: 90_000 }, async () => {
      const r = await runTrial(adapter, topo, adapter.settings().fastest, mode, { trial: 0, workDir: work });
      assert.equal(r.ok, true, r.error);
      assert.ok(r.t1 !== undefined && r.t2 !== undefined && r.t1 > 0 && r.t1 <= r.t2, JSON.stringify(r));
      assert.equal(topo.holds('a') || topo.holds('b'), false, 'reset removed the VIP');
    });
  }
}
