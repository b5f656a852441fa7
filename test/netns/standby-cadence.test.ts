// standby_keepalive between two hbd nodes: the node that holds nothing sends
// at the slower standby interval and is still heard as alive; the active one
// keeps keepalive; a takeover brings the survivor back to keepalive at once,
// and a failback sends it back to standby. Rates are compared with each
// other (ratios), never against wall-clock targets.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';
import { Capture } from '../harness/capture';
import { DirectorLan } from '../harness/director-pair';
import { HbdNode, type StatusJson } from '../harness/hbd-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

const KEYS = 'auth 1\n1 sha1 standby-cadence-key\n';

const sendInterval = async (n: HbdNode) => (await n.status())?.sendIntervalMs;

/** Counter deltas of both nodes over the same window. */
async function window(nodes: readonly HbdNode[], ms: number): Promise<((n: number, k: string) => number)> {
  const before = await Promise.all(nodes.map((n) => n.status()));
  await new Promise((r) => setTimeout(r, ms));
  const after = await Promise.all(nodes.map((n) => n.status()));
  return (i, k) => {
    const c = (s: StatusJson | null | undefined) => s?.counters[k] ?? 0;
    return c(after[i]) - c(before[i]);
  };
}

/** node1 (VIP owner) and node2 on a LAN of their own, both started; `pair.n1` may be replaced (restart). */
function startPair(t: TestContext, subnet: string, timing: readonly string[]) {
  const net = new DirectorLan(t, subnet);
  const work = tempDir(t);
  const vip = `${subnet}.100`;
  const haCf = [...timing, 'initdead 1', 'bcast eth0', 'auto_failback on', 'node node1 node2', ''].join('\n');
  const mk = (name: string, host: 'n1' | 'n2') =>
    new HbdNode({ netns: net.ns(host), name, workDir: path.join(work, name), haCf, authkeys: KEYS, haresources: `node1 IPaddr2::${vip}/24/eth0\n` });
  const pair = { net, vip, n1: mk('node1', 'n1'), n2: mk('node2', 'n2'), restartNode1: () => { pair.n1 = mk('node1', 'n1'); pair.n1.start(); } };
  t.after(() => {
    pair.n1.kill();
    pair.n2.kill();
  });
  pair.n1.start();
  pair.n2.start();
  return pair;
}

test('standby_keepalive: the standby heartbeats slower, stays alive to the active, and returns to keepalive on takeover', { timeout: 90_000 }, async (t) => {
  const pair = startPair(t, '10.99.145', ['keepalive 10ms', 'deadtime 400ms', 'warntime 200ms', 'standby_keepalive 50ms']);
  const { net, vip, n2 } = pair;
  let n1 = pair.n1;
  await waitUntil('VIP on node1, node2 standing by', async () => net.holds('n1', vip) && (await sendInterval(n2)) === 50 && (await sendInterval(n1)) === 10, 20_000);

  const d = await window([n1, n2], 3000);
  const sent1 = d(0, 'status_sent');
  const sent2 = d(1, 'status_sent');
  t.diagnostic(`3 s: node1 sent ${sent1}, node2 sent ${sent2}; node1 accepted ${d(0, 'rx_accepted')}; late heartbeats ${d(0, 'late_heartbeats')}`);
  assert.ok(sent1 > 50, 'the active node heartbeats');
  assert.ok(sent2 > 10, 'the standby heartbeats');
  assert.ok(sent2 < 0.5 * sent1, 'the standby sends far fewer heartbeats than the active node (50 ms vs 10 ms)');
  assert.ok(d(0, 'rx_accepted') >= 0.8 * sent2, 'node1 received the standby\'s heartbeats');
  assert.equal(await n1.nodeStatus('node2'), 'active', 'the standby is alive to the active node');
  assert.equal(await n2.nodeStatus('node1'), 'active');
  assert.match(n2.cli(['status', 'hbparameter', '-p', 'standby_keepalive']).stdout, /^50ms$/m);

  // Takeover: node2 holds the VIP and heartbeats at keepalive again.
  n1.kill();
  await waitUntil('node2 took the VIP', () => net.holds('n2', vip), 10_000);
  assert.equal(await sendInterval(n2), 10, 'the survivor left standby when it took over');
  const after = await window([n2], 1000);
  t.diagnostic(`1 s after the takeover: node2 sent ${after(0, 'status_sent')}`);
  assert.ok(after(0, 'status_sent') > 2 * (sent2 / 3), 'node2 sends faster than it did while standing by');

  // Failback: node1 returns and takes its VIP back; node2 stands by again.
  pair.restartNode1();
  n1 = pair.n1;
  await waitUntil('failback: VIP on node1 only, node2 standing by', async () => net.holders(vip).join() === 'n1' && (await sendInterval(n2)) === 50, 20_000);
  await waitUntil('node1 at keepalive', async () => (await sendInterval(n1)) === 10, 10_000);
  assert.match(n2.log(), /heartbeats every 50 ms, deadtime 400 ms advertised/);
  assert.match(n2.log(), /heartbeats every 10 ms, deadtime 400 ms advertised/);
  assert.doesNotMatch(n2.log(), /quiet standby/, 'no standby_deadtime: never quiet');
});

test('standby_deadtime: between hbd nodes the standby goes quiet (long dt, rare heartbeats), no late-heartbeat warning, failover unchanged', { timeout: 90_000 }, async (t) => {
  const pair = startPair(t, '10.99.146', ['keepalive 10ms', 'deadtime 400ms', 'warntime 200ms', 'standby_keepalive 500ms', 'standby_deadtime 4000ms']);
  const { net, vip, n2 } = pair;
  let n1 = pair.n1;
  await waitUntil('VIP on node1, node2 a quiet standby', async () => net.holds('n1', vip) && (await sendInterval(n2)) === 500, 20_000);
  const s2 = await n2.status();
  assert.equal(s2?.quietStandby, true);
  assert.equal(s2?.advertisedDeadtimeMs, 4000);
  const peer = (s: StatusJson | null, name: string) => s?.nodes.find((n) => n.name === name) as (StatusJson['nodes'][number] & { deadtimeMs?: number; hbd?: boolean }) | undefined;
  assert.equal(peer(await n1.status(), 'node2')?.deadtimeMs, 4000, 'node1 honours the dt node2 advertises');
  assert.equal(peer(await n1.status(), 'node2')?.hbd, true);
  assert.equal((await n1.status())?.quietStandby, false, 'the active node is never quiet');

  const d = await window([n1, n2], 3000);
  const sent1 = d(0, 'status_sent');
  const sent2 = d(1, 'status_sent');
  t.diagnostic(`3 s: node1 sent ${sent1}, node2 sent ${sent2}; late heartbeats at node1 ${d(0, 'late_heartbeats')}`);
  assert.ok(sent2 >= 3 && sent2 <= 10, `the quiet standby sends about every 500 ms (${sent2} in 3 s)`);
  assert.ok(sent1 > 20 * sent2, 'the active node keeps keepalive');
  assert.equal(d(0, 'late_heartbeats'), 0, 'node1 stretches its warntime for the quiet standby');
  assert.equal(await n1.nodeStatus('node2'), 'active', 'the quiet standby is alive to the active node');
  assert.doesNotMatch(n1.log(), /late heartbeat/);
  assert.match(n2.cli(['status', 'hbparameter', '-p', 'standby_deadtime']).stdout, /^4000ms$/m);
  // Its acks of node1's seqs (one per 10, ~30 a second) wait for its status.
  assert.ok(d(1, 'acks_sent') >= 1 && d(1, 'acks_sent') <= sent2, `node2 sent ${d(1, 'acks_sent')} acks with ${sent2} heartbeats`);

  // Between hbd nodes the datagrams leave out the inner auth field (which no
  // receiver checks on UDP) and keep the outer trailer.
  const cap = await Capture.start(net.ns('c'), tempDir(t), 'udp port 694');
  t.after(() => cap.kill());
  await new Promise((r) => setTimeout(r, 1200));
  const payloads = (await cap.stop()).map(({ frame }) => frame.subarray(14 + 4 * ((frame[14] ?? 0) & 0xf) + 8).toString('latin1'));
  const statuses = payloads.filter((p) => p.includes('(0)t=status,'));
  assert.ok(statuses.length > 50, `${statuses.length} status datagrams captured`);
  for (const p of payloads) {
    assert.ok(p.startsWith('###\n') && /%%%\n\d+:1 [0-9a-f]{40},$/.test(p), p);
    assert.ok(!p.includes('(0)auth='), p);
  }
  // node1's statuses go out from a kept body with the seq patched: each one
  // carries a new, higher seq, and node2 dropped none of them.
  const seqs = statuses.filter((p) => p.includes('(0)src=node1,')).map((p) => parseInt(/\(0\)seq=([0-9a-f]+),/.exec(p)?.[1] ?? 'x', 16));
  assert.ok(seqs.length > 50 && seqs.every((v, i) => i === 0 || v > (seqs[i - 1] ?? Infinity)), `node1's seqs: ${seqs.join(' ')}`);
  for (const [name, value] of Object.entries((await n2.status())?.counters ?? {})) {
    if (/^(drop_|edrop_)/.test(name) && !/own_message|duplicate|not_for_us/.test(name)) assert.equal(value, 0, `node2 counter ${name}`);
  }

  // The active node's failure is noticed at its own deadtime, not the standby's.
  n1.kill();
  await waitUntil('node2 took the VIP', () => net.holds('n2', vip), 10_000);
  const taken = await n2.status();
  assert.equal(taken?.sendIntervalMs, 10, 'the survivor left quiet standby when it took over');
  assert.equal(taken?.quietStandby, false);
  assert.ok(taken?.advertisedDeadtimeMs === 400 || taken?.advertisedDeadtimeMs === 2400, `normal dt again (${String(taken?.advertisedDeadtimeMs)})`);
  assert.match(n2.log(), /quiet standby \(every peer is hbd\): deadtime 4000 ms advertised, heartbeats every 500 ms/);

  // Failback: node1 returns, takes its VIP back; node2 goes quiet again.
  pair.restartNode1();
  n1 = pair.n1;
  await waitUntil('failback: VIP on node1 only, node2 quiet again', async () => net.holders(vip).join() === 'n1' && (await sendInterval(n2)) === 500, 20_000);
  await waitUntil('node1 sees node2\'s long dt', async () => peer(await n1.status(), 'node2')?.deadtimeMs === 4000, 10_000);
});
