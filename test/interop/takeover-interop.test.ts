// Resource takeover between hbd and a REAL Heartbeat 3.0.6 node (IPaddr2 via
// its resource agent), in both directions: takeover from a dead peer,
// failback when the owner returns, standby/takeover from either side.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';
import { DirectorLan } from '../harness/director-pair';
import { HbdNode } from '../harness/hbd-node';
import { HeartbeatNode, heartbeatAvailable } from '../harness/heartbeat-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

const skip = !heartbeatAvailable() && 'heartbeat is not installed';
let subnetCounter = 130;

interface Mixed {
  net: DirectorLan;
  real: HeartbeatNode;
  hbd: HbdNode;
  realHost: 'n1' | 'n2';
  hbdHost: 'n1' | 'n2';
  vip: string;
}

/** The owner of the VIP (node1) is `owner`; the other node is the other kind. */
function mixed(t: TestContext, owner: 'real' | 'hbd', hbdOnly: readonly string[] = []): Mixed {
  const subnet = `10.99.${subnetCounter++}`;
  const net = new DirectorLan(t, subnet);
  const work = tempDir(t);
  const vip = `${subnet}.100`;
  const haCf = ['keepalive 100ms', 'deadtime 1', 'warntime 500ms', 'initdead 2', 'bcast eth0', 'auto_failback on', 'node node1 node2', 'crm no', ''].join('\n');
  const authkeys = 'auth 1\n1 sha1 mixed-takeover-key\n';
  const haresources = `node1 IPaddr2::${vip}/24/eth0\n`;
  const realName = owner === 'real' ? 'node1' : 'node2';
  const hbdName = owner === 'real' ? 'node2' : 'node1';
  const realHost = owner === 'real' ? 'n1' : 'n2';
  const hbdHost = owner === 'real' ? 'n2' : 'n1';
  const real = new HeartbeatNode({ netns: net.ns(realHost), name: realName, workDir: path.join(work, 'real'), haCf, authkeys, haresources });
  const hbd = new HbdNode({ netns: net.ns(hbdHost), name: hbdName, workDir: path.join(work, 'hbd'), haCf: haCf + hbdOnly.map((l) => `${l}\n`).join(''), authkeys, haresources });
  t.after(() => {
    real.kill();
    hbd.kill();
  });
  return { net, real, hbd, realHost, hbdHost, vip };
}

async function bothActive(m: Mixed): Promise<void> {
  const realName = m.realHost === 'n1' ? 'node1' : 'node2';
  const hbdName = m.hbdHost === 'n1' ? 'node1' : 'node2';
  await waitUntil('both active', async () => m.real.clStatus('nodestatus', hbdName) === 'active' && (await m.hbd.nodeStatus(realName)) === 'active', 40_000);
}

/** A crashed box stops answering for its addresses. */
function crashCleanup(m: Mixed, host: 'n1' | 'n2'): void {
  execFileSync('ip', ['-n', m.net.ns(host), 'addr', 'del', `${m.vip}/24`, 'dev', 'eth0'], { stdio: 'ignore' });
}

test('hbd takes over from a dead real node, and gives the VIP back when it returns', { skip, timeout: 120_000 }, async (t) => {
  const m = mixed(t, 'real');
  m.real.start();
  m.hbd.start();
  await bothActive(m);
  await waitUntil('VIP on the real node', () => m.net.holders(m.vip).join() === m.realHost, 30_000);
  await waitUntil('the real node holds its own group', () => m.real.clStatus('rscstatus') === 'local', 20_000);
  await new Promise((r) => setTimeout(r, 5000));
  m.real.kill();
  try {
    crashCleanup(m, m.realHost);
  } catch {
    /* already gone */
  }
  await waitUntil('hbd holds the VIP', () => m.net.holds(m.hbdHost, m.vip), 15_000);
  await waitUntil('the client reaches it', () => m.net.clientPing(m.vip), 10_000);
  m.real.start();
  await waitUntil('failback to the real node', () => m.net.holders(m.vip).join() === m.realHost, 60_000);
  await waitUntil('both stable', () => m.real.clStatus('rscstatus') === 'local' && m.hbd.cli(['status', 'rscstatus']).stdout.trim() === 'local', 30_000);
  assert.doesNotMatch(m.real.log(), /Both machines own|No one owns/);
});

test('hbd standing by at standby_keepalive is alive to a real node (no late heartbeats), never quiet beside it, and takes over at keepalive', { skip, timeout: 120_000 }, async (t) => {
  // standby_deadtime would make hbd a quiet standby beside hbd peers; a real
  // node does not send hbd=1, so hbd keeps the Heartbeat-safe 300 ms and dt.
  const m = mixed(t, 'real', ['standby_keepalive 300ms', 'standby_deadtime 4000ms']);
  m.real.start();
  m.hbd.start();
  await bothActive(m);
  await waitUntil('VIP on the real node, hbd standing by', async () => m.net.holders(m.vip).join() === m.realHost && (await m.hbd.status())?.sendIntervalMs === 300, 30_000);
  const sent0 = (await m.hbd.status())?.counters.status_sent ?? 0;
  await new Promise((r) => setTimeout(r, 6000));
  const sent = ((await m.hbd.status())?.counters.status_sent ?? 0) - sent0;
  t.diagnostic(`hbd sent ${sent} heartbeats in 6 s while standing by`);
  assert.ok(sent >= 10 && sent <= 30, 'about one heartbeat per 300 ms, not per 100 ms');
  assert.equal(m.real.clStatus('nodestatus', 'node2'), 'active');
  assert.doesNotMatch(m.real.log(), /Late heartbeat|node2.*dead/i, 'Heartbeat neither warned nor declared hbd dead');
  const s = await m.hbd.status();
  assert.equal(s?.quietStandby, false, 'not quiet: the real node is not hbd');
  assert.equal(s?.advertisedDeadtimeMs, 1000);
  assert.equal((s?.nodes.find((n) => n.name === 'node1') as { hbd?: boolean } | undefined)?.hbd, false);
  m.real.kill();
  crashCleanup(m, m.realHost);
  await waitUntil('hbd holds the VIP', () => m.net.holds(m.hbdHost, m.vip), 15_000);
  assert.equal((await m.hbd.status())?.sendIntervalMs, 100, 'back at keepalive once it holds the VIP');
});

test('a real node takes over from dead hbd, and gives the VIP back when hbd returns', { skip, timeout: 120_000 }, async (t) => {
  const m = mixed(t, 'hbd');
  m.real.start();
  m.hbd.start();
  await bothActive(m);
  await waitUntil('VIP on hbd', () => m.net.holders(m.vip).join() === m.hbdHost, 30_000);
  await new Promise((r) => setTimeout(r, 5000));
  m.hbd.kill();
  crashCleanup(m, m.hbdHost);
  await waitUntil('the real node holds the VIP', () => m.net.holds(m.realHost, m.vip), 20_000);
  // IPaddr2 adds the address before its ARP burst ends; Heartbeat says 'all' once the takeover is done.
  await waitUntil('the real node holds everything', () => m.real.clStatus('rscstatus') === 'all', 20_000);
  m.hbd.start();
  await waitUntil('failback to hbd', () => m.net.holders(m.vip).join() === m.hbdHost, 60_000);
  await waitUntil('both stable', () => m.real.clStatus('rscstatus') === 'local' && m.hbd.cli(['status', 'rscstatus']).stdout.trim() === 'local', 30_000);
});

test('standby and takeover work both ways between hbd and a real node', { skip, timeout: 180_000 }, async (t) => {
  const m = mixed(t, 'hbd');
  m.real.start();
  m.hbd.start();
  await bothActive(m);
  const stable = async () =>
    waitUntil('both stable', () => !['transition', ''].includes(m.real.clStatus('rscstatus')) && !['transition', ''].includes(m.hbd.cli(['status', 'rscstatus']).stdout.trim()), 30_000);
  await waitUntil('VIP on hbd', () => m.net.holders(m.vip).join() === m.hbdHost, 30_000);
  await stable();
  // hbd standby -> the real node takes it.
  assert.equal(m.hbd.cli(['standby', 'all']).status, 0);
  await waitUntil('VIP on the real node', () => m.net.holders(m.vip).join() === m.realHost, 30_000);
  await stable();
  // hbd takeover -> the real node gives it back.
  assert.equal(m.hbd.cli(['takeover', 'all']).status, 0);
  await waitUntil('VIP back on hbd', () => m.net.holders(m.vip).join() === m.hbdHost, 30_000);
  await stable();
  // The real node's own hb_takeover -> hbd gives it up.
  m.real.exec('/usr/share/heartbeat/hb_takeover', ['all']);
  await waitUntil('VIP on the real node after hb_takeover', () => m.net.holders(m.vip).join() === m.realHost, 30_000);
  await stable();
  // The real node's hb_standby -> hbd takes it.
  m.real.exec('/usr/share/heartbeat/hb_standby', ['all']);
  await waitUntil('VIP on hbd after hb_standby', () => m.net.holders(m.vip).join() === m.hbdHost, 30_000);
  await stable();
  assert.doesNotMatch(m.real.log(), /Both machines own|Ignored standby message/);
});
