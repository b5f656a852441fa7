// 30 % packet loss in both directions between a real Heartbeat node and hbd:
// each asks the other for what it missed (NS_rexmit) and gets it back
// (byte-identical retransmission), and nothing is irretrievably lost.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { Lan } from '../../src/netns/lan';
import { authkeys, haCf } from '../harness/cluster-config';
import { HbdNode } from '../harness/hbd-node';
import { HeartbeatNode, heartbeatAvailable } from '../harness/heartbeat-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

function dropInput(netns: string, percent: number): void {
  const nft = (...args: string[]) => execFileSync('ip', ['netns', 'exec', netns, 'nft', ...args]);
  nft('add', 'table', 'inet', 'loss');
  nft('add', 'chain', 'inet', 'loss', 'input', '{ type filter hook input priority 0; }');
  nft('add', 'rule', 'inet', 'loss', 'input', 'udp', 'dport', '694', 'numgen', 'random', 'mod', '100', '<', String(percent), 'drop');
}

test('retransmission under 30 % loss between a real node and hbd', { skip: !heartbeatAvailable() && 'heartbeat is not installed', timeout: 90_000 }, async (t) => {
  const work = tempDir(t);
  const subnet = '10.99.42';
  const lan = Lan.create([{ name: 'n1', addresses: [`${subnet}.1/24`] }, { name: 'n2', addresses: [`${subnet}.2/24`] }]);
  t.after(() => lan.destroy());
  const conf = { medium: 'bcast' as const, auth: 'md5' as const, nodes: ['node1', 'node2'], subnet, keepalive: '100ms', deadtime: '3', warntime: '2', initdead: '6' };
  const real = new HeartbeatNode({ netns: lan.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf: haCf(conf), authkeys: authkeys('md5') });
  const hbd = new HbdNode({ netns: lan.ns('n2'), name: 'node2', workDir: path.join(work, 'node2'), haCf: haCf(conf), authkeys: authkeys('md5') });
  t.after(() => {
    real.kill();
    hbd.kill();
  });
  real.start();
  hbd.start();
  await waitUntil('both active', async () => real.clStatus('nodestatus', 'node2') === 'active' && (await hbd.nodeStatus('node1')) === 'active', 30_000);
  dropInput(lan.ns('n1'), 30);
  dropInput(lan.ns('n2'), 30);
  await new Promise((r) => setTimeout(r, 8000));
  const c = (await hbd.status())?.counters ?? {};
  t.diagnostic(`hbd: ${c.rexmit_requests_sent} requests sent, ${c.rexmit_requests_received} received, ${c.rexmits_sent} retransmissions, ${c.naks_sent} NAKs, ${c.acks_sent} acks`);
  assert.ok((c.rexmit_requests_sent ?? 0) > 0, 'hbd asked for missing packets');
  assert.ok((c.rexmit_requests_received ?? 0) > 0, 'the real node asked hbd for missing packets');
  assert.ok((c.rexmits_sent ?? 0) > 0, 'hbd retransmitted');
  assert.equal(c.naks_sent ?? 0, 0, 'hbd still had everything it was asked for');
  assert.ok((c.acks_sent ?? 0) > 0, 'hbd acknowledges (flow control with a protocol-1 peer)');
  const log = real.log();
  assert.match(log, /lost packet\(s\) for \[node2\]/, 'the real node saw gaps from hbd');
  assert.doesNotMatch(log, /Irretrievably lost packet/, 'and got every one back');
  assert.equal(real.clStatus('nodestatus', 'node2'), 'active');
  assert.equal(await hbd.nodeStatus('node1'), 'active');
});
