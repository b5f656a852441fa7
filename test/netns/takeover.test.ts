// Resource takeover between two hbd nodes in namespaces: kill -9 and link-cut
// failover, failback on/off/legacy, standby/takeover variants, graceful stop,
// split-brain heal, ping-node failover (ipfail), and the gratuitous ARP frames
// checked byte by byte on the wire. Behaviour, not timing, is asserted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';
import { DirectorLan } from '../harness/director-pair';
import { Capture } from '../harness/capture';
import { HbdNode } from '../harness/hbd-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';
import { arpFrame } from '../unit/net/frames';

let subnetCounter = 100;
const KEYS = 'auth 1\n1 sha1 takeover-test-key\n';

interface Pair {
  net: DirectorLan;
  n1: HbdNode;
  n2: HbdNode;
  vip1: string;
  vip2: string;
  work: string;
}

function pair(t: TestContext, opts: { autoFailback?: string; twoGroups?: boolean; extra?: string[]; deadtime?: string } = {}): Pair {
  const subnet = `10.99.${subnetCounter++}`;
  const net = new DirectorLan(t, subnet);
  const work = tempDir(t);
  const vip1 = `${subnet}.100`;
  const vip2 = `${subnet}.101`;
  const haCf = [
    'keepalive 50ms',
    `deadtime ${opts.deadtime ?? '300ms'}`,
    'warntime 150ms',
    `initdead ${opts.deadtime && !opts.deadtime.endsWith('ms') ? opts.deadtime : '1'}`,
    'bcast eth0',
    `auto_failback ${opts.autoFailback ?? 'on'}`,
    'node node1 node2',
    ...(opts.extra ?? []),
    '',
  ].join('\n');
  const haresources = [`node1 IPaddr2::${vip1}/24/eth0`, ...(opts.twoGroups ? [`node2 IPaddr2::${vip2}/24/eth0`] : []), ''].join('\n');
  const mk = (name: string, host: 'n1' | 'n2') =>
    new HbdNode({ netns: net.ns(host), name, workDir: path.join(work, name), haCf, authkeys: KEYS, haresources });
  const n1 = mk('node1', 'n1');
  const n2 = mk('node2', 'n2');
  t.after(() => {
    n1.kill();
    n2.kill();
  });
  return { net, n1, n2, vip1, vip2, work };
}

async function startBoth(p: Pair): Promise<void> {
  p.n1.start();
  p.n2.start();
  await waitUntil('both active', async () => (await p.n1.nodeStatus('node2')) === 'active' && (await p.n2.nodeStatus('node1')) === 'active', 20_000);
}

const rsc = (n: HbdNode) => n.cli(['status', 'rscstatus']).stdout.trim();

test('both start together: each group is up on its owner at once, and the client reaches the VIP', { timeout: 60_000 }, async (t) => {
  const p = pair(t, { twoGroups: true });
  const t0 = Date.now();
  await startBoth(p);
  await waitUntil('VIPs on their owners', () => p.net.holds('n1', p.vip1) && p.net.holds('n2', p.vip2), 20_000);
  t.diagnostic(`both VIPs up ${Date.now() - t0} ms after start (Heartbeat waits ~10 s here)`);
  assert.ok(Date.now() - t0 < 8000, 'no RQSTDELAY-style 10 s wait between hbd nodes');
  await waitUntil('rscstatus local on both', () => rsc(p.n1) === 'local' && rsc(p.n2) === 'local', 10_000);
  assert.ok(p.net.clientPing(p.vip1));
  assert.equal(p.net.clientArp(p.vip1), p.net.mac('n1'));
});

test('kill -9: the survivor takes the VIP (native, announced), the client follows; failback when the owner returns', { timeout: 60_000 }, async (t) => {
  const p = pair(t);
  await startBoth(p);
  await waitUntil('VIP on node1', () => p.net.holds('n1', p.vip1), 20_000);
  assert.ok(p.net.clientPing(p.vip1));
  const cap = await Capture.start(p.net.ns('c'), p.work, 'arp');
  t.after(() => cap.kill());
  p.n1.kill();
  execFileSync('ip', ['-n', p.net.ns('n1'), 'addr', 'del', `${p.vip1}/24`, 'dev', 'eth0']); // a crashed box stops answering ARP
  await waitUntil('VIP on node2', () => p.net.holds('n2', p.vip1), 10_000, 10);
  await waitUntil('the client reaches the VIP again', () => p.net.clientPing(p.vip1), 10_000);
  await new Promise((r) => setTimeout(r, 1500)); // 5 rounds 200 ms apart
  const frames = await cap.stop();
  // IPaddr2: 5 rounds of request + reply from node2, exactly send_arp's frames.
  const mac = p.net.mac('n2');
  const req = arpFrame(1, mac, p.vip1);
  const rep = arpFrame(2, mac, p.vip1);
  const garps = frames.filter((f) => f.frame.equals(req) || f.frame.equals(rep));
  assert.ok(garps.length >= 10, `expected 5 request+reply rounds, saw ${garps.length} matching frames of ${frames.length}`);
  assert.ok(frames.filter((f) => f.frame.subarray(6, 12).equals(Buffer.from(mac.replaceAll(':', ''), 'hex')) && f.frame.readUInt16BE(12) === 0x0806).every((f) => f.frame.equals(req) || f.frame.equals(rep) || f.frame.readUInt16BE(20) === 1), 'no malformed gratuitous frames');
  assert.equal(p.net.clientArp(p.vip1), mac, 'the client now sends to node2');
  const log = p.n2.log();
  assert.match(log, /native takeover from node1: addresses up and announced/);
  assert.equal(rsc(p.n2), 'all');
  // Failback (auto_failback on).
  p.n1.start();
  await waitUntil('VIP back on node1 only', () => p.net.holds('n1', p.vip1) && !p.net.holds('n2', p.vip1), 20_000);
  // As Heartbeat: node2 (no groups of its own) then says it holds its local set.
  await waitUntil('rscstatus local on node2', () => rsc(p.n2) === 'local', 10_000);
  assert.ok(p.net.clientPing(p.vip1));
});

test('auto_failback off: the VIP stays on the survivor when the owner returns', { timeout: 60_000 }, async (t) => {
  const p = pair(t, { autoFailback: 'off' });
  await startBoth(p);
  await waitUntil('VIP on node1', () => p.net.holds('n1', p.vip1), 20_000);
  p.n1.kill();
  await waitUntil('VIP on node2', () => p.net.holds('n2', p.vip1), 10_000);
  execFileSync('ip', ['-n', p.net.ns('n1'), 'addr', 'flush', 'dev', 'eth0', 'label', 'eth0']);
  execFileSync('ip', ['-n', p.net.ns('n1'), 'addr', 'add', `${p.net.subnet}.1/24`, 'brd', '+', 'dev', 'eth0']);
  p.n1.start();
  await waitUntil('node1 back', async () => (await p.n2.nodeStatus('node1')) === 'active', 20_000);
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual(p.net.holders(p.vip1), ['n2']);
  assert.equal(rsc(p.n1), 'none');
});

test('auto_failback legacy: ip-request brings the group back to its owner', { timeout: 60_000 }, async (t) => {
  const p = pair(t, { autoFailback: 'legacy' });
  await startBoth(p);
  await waitUntil('VIP on node1', () => p.net.holds('n1', p.vip1), 20_000);
  p.n1.kill();
  execFileSync('ip', ['-n', p.net.ns('n1'), 'addr', 'del', `${p.vip1}/24`, 'dev', 'eth0']);
  await waitUntil('VIP on node2', () => p.net.holds('n2', p.vip1), 10_000);
  p.n1.start();
  await waitUntil('VIP back on node1 only', () => p.net.holds('n1', p.vip1) && !p.net.holds('n2', p.vip1), 20_000);
  assert.match(p.n1.log(), /ip-request-resp/);
  const r = p.n1.cli(['standby']);
  assert.equal(r.status, 1, 'standby needs nice_failback, as in Heartbeat');
});

for (const [cmd, set, n1has, n2has] of [
  ['standby', 'all', [], ['vip1', 'vip2']],
  ['standby', 'local', [], ['vip1', 'vip2']],
  ['standby', 'foreign', ['vip1'], ['vip2']],
  ['takeover', 'all', ['vip1', 'vip2'], []],
  ['takeover', 'foreign', ['vip1', 'vip2'], []],
  ['takeover', 'failback', ['vip1', 'vip2'], []], // trap 7: the peer gives up everything
] as const) {
  test(`hbd ${cmd} ${set} between two hbd nodes`, { timeout: 60_000 }, async (t) => {
    const p = pair(t, { twoGroups: true });
    await startBoth(p);
    await waitUntil('VIPs on their owners', () => p.net.holds('n1', p.vip1) && p.net.holds('n2', p.vip2), 20_000);
    try {
      await waitUntil('stable', () => rsc(p.n1) === 'local' && rsc(p.n2) === 'local', 10_000);
    } catch (e) {
      t.diagnostic(JSON.stringify({ n1: (await p.n1.status())?.resources, n2: (await p.n2.status())?.resources }));
      t.diagnostic(p.n1.log().split('\n').filter((l) => /message (starting|resource)|transition|acquir|Standby|standby/.test(l)).map((l) => l.slice(60, 220)).join('\n'));
      throw e;
    }
    const r = p.n1.cli([cmd, set]);
    assert.equal(r.status, 0, r.stderr);
    const vip = (k: 'vip1' | 'vip2') => p[k];
    await waitUntil(`${cmd} ${set} done`, () => {
      const ok1 = (['vip1', 'vip2'] as const).every((k) => p.net.holds('n1', vip(k)) === (n1has as readonly string[]).includes(k));
      const ok2 = (['vip1', 'vip2'] as const).every((k) => p.net.holds('n2', vip(k)) === (n2has as readonly string[]).includes(k));
      return ok1 && ok2;
    }, 15_000);
    try {
      await waitUntil('stable again', () => !['transition', ''].includes(rsc(p.n1)) && !['transition', ''].includes(rsc(p.n2)), 10_000);
    } catch (e) {
      t.diagnostic(JSON.stringify({ n1: (await p.n1.status())?.resources, n2: (await p.n2.status())?.resources }));
      throw e;
    }
  });
}

test('graceful stop hands the VIP over at once (shutdone), long before deadtime', { timeout: 60_000 }, async (t) => {
  const p = pair(t, { deadtime: '10' });
  p.n1.start();
  p.n2.start();
  await waitUntil('both active', async () => (await p.n1.nodeStatus('node2')) === 'active' && (await p.n2.nodeStatus('node1')) === 'active', 30_000);
  await waitUntil('VIP on node1', () => p.net.holds('n1', p.vip1), 20_000);
  const t0 = Date.now();
  await p.n1.stop();
  await waitUntil('VIP on node2', () => p.net.holds('n2', p.vip1), 8_000);
  t.diagnostic(`VIP on node2 ${Date.now() - t0} ms after SIGTERM (deadtime 10 s)`);
  assert.equal(p.net.holds('n1', p.vip1), false, 'node1 released it');
  assert.match(p.n2.log(), /Received shutdown notice from 'node1'/);
});

test('link cut (split brain) then heal: both take the VIP, then exactly one owner remains and re-announces', { timeout: 90_000 }, async (t) => {
  const p = pair(t, { autoFailback: 'off' });
  await startBoth(p);
  await waitUntil('VIP on node1', () => p.net.holds('n1', p.vip1), 20_000);
  await new Promise((r) => setTimeout(r, 5500)); // past the start-up deadtime
  p.net.lan.setLink('n1', false);
  await waitUntil('node2 takes the VIP', () => p.net.holds('n2', p.vip1), 10_000);
  assert.deepEqual(p.net.holders(p.vip1), ['n1', 'n2'], 'split brain: both hold it');
  const cap = await Capture.start(p.net.ns('c'), p.work, 'arp');
  t.after(() => cap.kill());
  p.net.lan.setLink('n1', true);
  await waitUntil('one owner again', () => p.net.holders(p.vip1).length === 1, 15_000);
  assert.deepEqual(p.net.holders(p.vip1), ['n1'], 'the preferred node keeps it');
  await new Promise((r) => setTimeout(r, 1500));
  const frames = await cap.stop();
  const mac1 = p.net.mac('n1');
  assert.ok(frames.some((f) => f.frame.equals(arpFrame(1, mac1, p.vip1))), 'node1 re-announced the VIP after the heal');
  assert.match(p.n1.log(), /returning after partition/);
  await waitUntil('the client reaches node1', () => p.net.clientPing(p.vip1) && p.net.clientArp(p.vip1) === mac1, 10_000);
});

test('ping-node failover (ipfail): the node that loses its ping node gives the VIP away, gets it back later', { timeout: 90_000 }, async (t) => {
  const subnet = `10.99.${subnetCounter}`;
  const p = pair(t, { extra: [`ping ${subnet}.9`, 'respawn hacluster /usr/lib/heartbeat/ipfail'] });
  await startBoth(p);
  await waitUntil('VIP on node1', () => p.net.holds('n1', p.vip1), 20_000);
  await waitUntil('ping node up on both', async () => (await p.n1.nodeStatus(`${subnet}.9`)) === 'ping' && (await p.n2.nodeStatus(`${subnet}.9`)) === 'ping', 15_000);
  // node1 loses its uplink: ICMP from the ping node is dropped on node1 only.
  const nft = (...a: string[]) => execFileSync('ip', ['netns', 'exec', p.net.ns('n1'), 'nft', ...a]);
  nft('add', 'table', 'inet', 'uplink');
  nft('add', 'chain', 'inet', 'uplink', 'input', '{ type filter hook input priority 0; }');
  nft('add', 'rule', 'inet', 'uplink', 'input', 'ip', 'protocol', 'icmp', 'drop');
  await waitUntil('VIP moves to node2', () => p.net.holds('n2', p.vip1) && !p.net.holds('n1', p.vip1), 20_000);
  assert.match(p.n1.log(), /ipfail: Giving up because we were told that we have less ping nodes/);
  nft('delete', 'table', 'inet', 'uplink');
  await waitUntil('VIP back on node1', () => p.net.holds('n1', p.vip1) && !p.net.holds('n2', p.vip1), 30_000);
});
