// Forged, replayed and corrupted datagrams sent to hbd (beside a real
// Heartbeat node) are dropped and counted by reason; none changes any state
// and the daemon keeps running.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadNative } from '../../src/native/binding';
import { Lan } from '../../src/netns/lan';
import { authkeys, haCf, keyTable } from '../harness/cluster-config';
import { HbdNode } from '../harness/hbd-node';
import { HeartbeatNode, heartbeatAvailable } from '../harness/heartbeat-node';
import { sendFromNamespace } from '../harness/udp-send';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

test('forged, replayed and malformed datagrams are counted and change nothing', { skip: !heartbeatAvailable() && 'heartbeat is not installed', timeout: 120_000 }, async (t) => {
  const native = loadNative();
  const subnet = '10.99.40';
  const work = tempDir(t);
  const lan = Lan.create([
    { name: 'n1', addresses: [`${subnet}.1/24`] },
    { name: 'n2', addresses: [`${subnet}.2/24`] },
    { name: 'c', addresses: [`${subnet}.9/24`] },
  ]);
  t.after(() => lan.destroy());
  const conf = { medium: 'bcast' as const, auth: 'sha1' as const, nodes: ['node1', 'node2'], subnet };
  const real = new HeartbeatNode({ netns: lan.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf: haCf(conf), authkeys: authkeys('sha1') });
  const hbd = new HbdNode({ netns: lan.ns('n2'), name: 'node2', workDir: path.join(work, 'node2'), haCf: haCf(conf), authkeys: authkeys('sha1') });
  t.after(() => {
    real.kill();
    hbd.kill();
  });
  real.start();
  hbd.start();
  await waitUntil('both active', async () => real.clStatus('nodestatus', 'node2') === 'active' && (await hbd.nodeStatus('node1')) === 'active', 30_000);

  const before = await hbd.status();
  assert.ok(before);
  const node1 = before.nodes.find((n) => n.name === 'node1') as unknown as { generation: number; lastSeq: number; uuid: string };
  const gen = node1.generation;
  const seq = node1.lastSeq;
  const uuid = Buffer.from(node1.uuid, 'hex');
  const good = keyTable('sha1');
  const status = (src: string, hg: number, s: number, st = 'active'): [string, string | Buffer][] => [
    ['t', 'status'], ['st', st], ['dt', '3e8'], ['protocol', '1'], ['src', src], ['srcuuid', uuid],
    ['seq', s.toString(16)], ['hg', hg.toString(16)], ['ts', Math.floor(Date.now() / 1000).toString(16)], ['ld', '0.00 0.00 0.00 1/1 1'], ['ttl', '3'],
  ];
  const valid = native.encodeDatagram(status('node1', gen, seq + 100000), good, 'netstring');
  const body = valid.subarray(0, valid.indexOf('%%%\n') + 4);
  const cases: { name: string; counter: string; dgram: Buffer }[] = [
    { name: 'garbage', counter: 'drop_bad_framing', dgram: Buffer.from('hello, heartbeat\n') },
    { name: 'wrong key', counter: 'drop_bad_auth', dgram: native.encodeDatagram(status('node1', gen, seq + 100000, 'dead'), { sign: 1, entries: [{ index: 1, method: 'sha1', secret: 'not-the-key' }] }, 'netstring') },
    { name: 'unknown auth entry', counter: 'drop_unknown_auth_index', dgram: native.encodeDatagram(status('node1', gen, seq + 100000), { sign: 7, entries: [{ index: 7, method: 'sha1', secret: 'interop-sha1-key' }] }, 'netstring') },
    { name: 'no auth trailer', counter: 'drop_no_auth', dgram: body },
    { name: 'truncated', counter: 'drop_truncated', dgram: valid.subarray(0, 120) },
    { name: 'classic with a wrong inner digest', counter: 'drop_bad_auth', dgram: native.encodeDatagram(status('node1', gen, seq + 100000, 'dead'), { sign: 1, entries: [{ index: 1, method: 'md5', secret: 'x' }] }, 'classic') },
    { name: 'replayed old seq', counter: 'edrop_old_seq', dgram: native.encodeDatagram(status('node1', gen, Math.max(1, seq - 5), 'dead'), good, 'netstring') },
    { name: 'lower generation', counter: 'edrop_replay', dgram: native.encodeDatagram(status('node1', gen - 1, seq + 200000, 'dead'), good, 'netstring') },
    { name: 'unknown node', counter: 'edrop_unknown_node', dgram: native.encodeDatagram(status('node9', gen, 1, 'active'), good, 'netstring') },
  ];
  const c0 = before.counters;
  sendFromNamespace(lan.ns('c'), `${subnet}.2`, 694, cases.map((c) => c.dgram));
  await new Promise((r) => setTimeout(r, 500));

  const after = await hbd.status();
  assert.ok(after, 'hbd still answers');
  const expected = new Map<string, number>();
  for (const c of cases) expected.set(c.counter, (expected.get(c.counter) ?? 0) + 1);
  for (const [counter, n] of expected) {
    assert.equal((after.counters[counter] ?? 0) - (c0[counter] ?? 0), n, `${counter} after ${cases.filter((c) => c.counter === counter).map((c) => c.name).join(', ')}`);
  }
  // Nothing changed: node1 is still active (the forged st=dead was never believed), no node died.
  assert.equal((await hbd.nodeStatus('node1')), 'active');
  assert.equal((after.counters.node_deaths ?? 0) - (c0.node_deaths ?? 0), 0);
  assert.equal(real.clStatus('nodestatus', 'node2'), 'active');
  assert.ok(hbd.running, 'hbd is still running');
  // The drops were logged (rate-limited), naming the reason.
  assert.match(hbd.log(), /dropped a packet: bad_auth: 10\.99\.40\.9:\d+/, 'with the address it came from');
});
