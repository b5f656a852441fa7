// Serial heartbeats over a socat pty pair (a null-modem cable): two hbd
// nodes, and hbd beside a REAL Heartbeat 3.0.6 node.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Lan } from '../../src/netns/lan';
import { authkeys, haCf } from '../harness/cluster-config';
import { HbdNode } from '../harness/hbd-node';
import { HeartbeatNode, heartbeatAvailable } from '../harness/heartbeat-node';
import { ptyPair, socatAvailable } from '../harness/pty-pair';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

function lockDir(work: string, name: string): string {
  const dir = path.join(work, `${name}-locks`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

test('two hbd nodes over a serial pty pair', { skip: !socatAvailable() && 'socat is not installed', timeout: 60_000 }, async (t) => {
  const work = tempDir(t);
  const [ttyA, ttyB] = await ptyPair(t, work);
  const lan = Lan.create([{ name: 'n1', addresses: ['10.99.60.1/24'] }, { name: 'n2', addresses: ['10.99.60.2/24'] }]);
  t.after(() => lan.destroy());
  const conf = { medium: 'serial' as const, auth: 'sha1' as const, nodes: ['node1', 'node2'], subnet: '10.99.60' };
  const a = new HbdNode({ netns: lan.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf: haCf({ ...conf, serialDevice: ttyA }), authkeys: authkeys('sha1'), env: { HBD_SERIAL_LOCK_DIR: lockDir(work, 'a') } });
  const b = new HbdNode({ netns: lan.ns('n2'), name: 'node2', workDir: path.join(work, 'node2'), haCf: haCf({ ...conf, serialDevice: ttyB }), authkeys: authkeys('sha1'), env: { HBD_SERIAL_LOCK_DIR: lockDir(work, 'b') } });
  t.after(() => {
    a.kill();
    b.kill();
  });
  a.start();
  b.start();
  await waitUntil('both active over serial', async () => (await a.nodeStatus('node2')) === 'active' && (await b.nodeStatus('node1')) === 'active', 30_000);
  assert.equal(a.cli(['status', 'hblinkstatus', 'node2', ttyA]).stdout, 'up\n', 'the link is named after the local device');
  assert.ok(fs.readdirSync(path.join(work, 'a-locks')).some((f) => f.startsWith('LCK..')), 'a UUCP lock file guards the port');
  b.kill();
  await waitUntil('node1 declares node2 dead', async () => (await a.nodeStatus('node2')) === 'dead', 15_000);
});

test('real Heartbeat 3.0.6 and hbd over a serial pty pair', { skip: (!heartbeatAvailable() || !socatAvailable()) && 'heartbeat or socat missing', timeout: 90_000 }, async (t) => {
  const work = tempDir(t);
  const [ttyA, ttyB] = await ptyPair(t, work);
  const lan = Lan.create([{ name: 'n1', addresses: ['10.99.61.1/24'] }, { name: 'n2', addresses: ['10.99.61.2/24'] }]);
  t.after(() => lan.destroy());
  const conf = { medium: 'serial' as const, auth: 'sha1' as const, nodes: ['node1', 'node2'], subnet: '10.99.61' };
  const real = new HeartbeatNode({ netns: lan.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf: haCf({ ...conf, serialDevice: ttyA }), authkeys: authkeys('sha1') });
  const hbd = new HbdNode({ netns: lan.ns('n2'), name: 'node2', workDir: path.join(work, 'node2'), haCf: haCf({ ...conf, serialDevice: ttyB }), authkeys: authkeys('sha1'), env: { HBD_SERIAL_LOCK_DIR: lockDir(work, 'hbd') } });
  t.after(() => {
    real.kill();
    hbd.kill();
  });
  real.start();
  hbd.start();
  await waitUntil('the real node sees hbd active', () => real.clStatus('nodestatus', 'node2') === 'active', 45_000);
  await waitUntil('hbd sees the real node active', async () => (await hbd.nodeStatus('node1')) === 'active', 30_000);
  assert.equal(real.clStatus('hblinkstatus', 'node2', ttyA), 'up');
  assert.doesNotMatch(real.log(), /failed authentication|Bad\/invalid auth|NV failure|illegal field/);
  const s = await hbd.status();
  assert.equal(s?.counters.drop_bad_auth, 0);
  real.kill();
  await waitUntil('hbd declares the real node dead', async () => (await hbd.nodeStatus('node1')) === 'dead', 15_000);
});
