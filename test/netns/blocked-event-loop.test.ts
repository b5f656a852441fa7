// A JS event loop blocked for 2 s (Atomics.wait) delays neither heartbeats nor
// death detection: both happen on the engine's own thread.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { test } from 'node:test';
import { Lan } from '../../src/netns/lan';
import { HbdNode } from '../harness/hbd-node';
import { waitUntil } from '../helpers/hbd-cli';
import { tempDir } from '../helpers/tmp';

interface BlockReport {
  blockStart: number;
  blockEnd: number;
  events: { type: string; node?: string; status?: string; monoMs: number }[];
  statusSent: number;
}

test('a blocked JS thread delays neither heartbeats nor death detection', { timeout: 90_000 }, async (t) => {
  const work = tempDir(t);
  const lan = Lan.create([
    { name: 'n1', addresses: ['10.99.41.1/24'] },
    { name: 'n2', addresses: ['10.99.41.2/24'] },
  ]);
  t.after(() => lan.destroy());
  const haCf = ['keepalive 50ms', 'deadtime 300ms', 'warntime 150ms', 'initdead 2', 'bcast eth0', 'node node1 node2', 'auto_failback on', ''].join('\n');
  const node1 = new HbdNode({ netns: lan.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf, authkeys: 'auth 1\n1 sha1 blocked-test-key\n' });
  t.after(() => node1.kill());
  node1.start();

  const child = spawn('ip', ['netns', 'exec', lan.ns('n2'), process.execPath, path.join(__dirname, '..', 'harness', 'blocked-engine.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  const lines = readline.createInterface({ input: child.stdout! });
  const queue: string[] = [];
  lines.on('line', (l) => queue.push(l));
  const next = async (): Promise<string> => {
    await waitUntil('a line from the engine child', () => queue.length > 0, 30_000);
    return queue.shift() as string;
  };
  assert.equal(await next(), 'ready');
  await waitUntil('node1 sees node2', async () => (await node1.nodeStatus('node2')) === 'up', 15_000);
  const lateBefore = (await node1.status())?.counters.late_heartbeats ?? 0;

  // 1. Blocked for 2 s: node2 keeps sending every 50 ms; node1 sees no gap.
  child.stdin!.write('block 2000\n');
  const quiet = JSON.parse(await next()) as BlockReport;
  assert.ok(quiet.statusSent >= 30, `only ${quiet.statusSent} heartbeats sent during a 2 s block (keepalive 50 ms)`);
  const s1 = await node1.status();
  assert.equal(await node1.nodeStatus('node2'), 'up', 'node1 never lost node2');
  assert.equal((s1?.counters.late_heartbeats ?? 0) - lateBefore, 0, 'node1 saw no late heartbeat from node2');

  // 2. Blocked for 2 s and node1 dies meanwhile: the death is declared during
  // the block. (Past node1's first 5 s, when it advertises deadtime + 2 s.)
  await waitUntil('node1 past its start-up deadtime', async () => Number((await node1.status())?.uptimeMs ?? 0) > 5500, 15_000);
  child.stdin!.write('block 2000\n');
  await new Promise((r) => setTimeout(r, 300));
  node1.kill();
  const report = JSON.parse(await next()) as BlockReport;
  const death = report.events.find((e) => e.type === 'node-status' && e.node === 'node1' && e.status === 'dead');
  assert.ok(death, `node1's death was declared: ${JSON.stringify(report.events.map((e) => e.type))}`);
  assert.ok(death.monoMs > report.blockStart && death.monoMs < report.blockEnd, 'declared while the JS thread was blocked');
  t.diagnostic(`death declared ${death.monoMs - report.blockStart} ms into the block (node1 killed ~300 ms in, deadtime 300 ms)`);
  child.stdin!.write('exit\n');
});

test('the armed takeover brings the VIP up while the JS thread is blocked', { timeout: 90_000 }, async (t) => {
  const work = tempDir(t);
  const lan = Lan.create([
    { name: 'n1', addresses: ['10.99.43.1/24'] },
    { name: 'n2', addresses: ['10.99.43.2/24'] },
  ]);
  t.after(() => lan.destroy());
  const haCf = ['keepalive 50ms', 'deadtime 300ms', 'warntime 150ms', 'initdead 2', 'bcast eth0', 'node node1 node2', 'auto_failback on', ''].join('\n');
  const node1 = new HbdNode({ netns: lan.ns('n1'), name: 'node1', workDir: path.join(work, 'node1'), haCf, authkeys: 'auth 1\n1 sha1 blocked-test-key\n' });
  t.after(() => node1.kill());
  node1.start();
  const child = spawn('ip', ['netns', 'exec', lan.ns('n2'), process.execPath, path.join(__dirname, '..', 'harness', 'blocked-engine.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const queue: string[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => queue.push(l));
  const next = async (): Promise<string> => {
    await waitUntil('a line from the engine child', () => queue.length > 0, 30_000);
    return queue.shift() as string;
  };
  assert.equal(await next(), 'ready');
  const vip = '10.99.43.100';
  child.stdin!.write(`arm ${JSON.stringify([
    { kind: 'address', ifname: 'eth0', address: vip, prefixLen: 24, broadcast: '10.99.43.255' },
    { kind: 'announce', ifname: 'eth0', address: vip, count: 5, intervalMs: 200, mode: 'both' },
  ])}\n`);
  assert.equal(await next(), 'armed');
  await waitUntil('node1 past its start-up deadtime', async () => Number((await node1.status())?.uptimeMs ?? 0) > 5500, 15_000);
  const hasVip = () => execFileSync('ip', ['-n', lan.ns('n2'), '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).includes(` ${vip}/`);
  assert.equal(hasVip(), false);
  child.stdin!.write('block 3000\n');
  await new Promise((r) => setTimeout(r, 300));
  node1.kill();
  await waitUntil('the VIP is up on node2', hasVip, 2500, 5);
  assert.equal(queue.length, 0, 'the VIP came up while the child was still blocked (no report yet)');
  const report = JSON.parse(await next()) as BlockReport;
  const takeover = report.events.find((e) => e.type === 'takeover');
  assert.ok(takeover && takeover.monoMs > report.blockStart && takeover.monoMs < report.blockEnd, 'performed by the engine thread during the block');
  child.stdin!.write('exit\n');
});
