// README quick-start line (a): `hbd demo` runs the whole failover story end to
// end, and leaves nothing behind - also when interrupted.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hbd, waitUntil } from '../helpers/hbd-cli';
import { HBD_BIN } from '../helpers/tmp';

function demoNamespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('hbd-demo-'));
}

function demoProcesses(): string[] {
  const out = spawnSync('pgrep', ['-af', 'hbd-demo-'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter((l) => l && !l.includes('pgrep'));
}

test('hbd demo: failover with a client-side timeline, failback, cleanup', { timeout: 120_000 }, () => {
  const r = hbd(['demo'], { timeoutMs: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  for (const re of [
    /VIP 10\.99\.0\.100 up on director1/,
    /the client reaches the VIP/,
    /killing director1 with SIGKILL/,
    /[+-]\s*\d+ ms {2}last heartbeat from director1 on the wire/,
    /\+\s*\d+ ms {2}director2 declares director1 dead and adds the VIP on its heartbeat thread/,
    /\+\s*\d+ ms {2}first gratuitous ARP for 10\.99\.0\.100 from director2/,
    /\+\s*\d+ ms {2}the VIP answers the client again/,
    /VIP back on director1 \d+ ms after its restart/,
    /rscstatus local/,
    /cleaning up/,
  ]) {
    assert.match(out, re);
  }
  const ms = (label: RegExp) => Number(new RegExp(`([+-]\\s*\\d+) ms  ${label.source}`).exec(out)?.[1]?.replace(/\s/g, ''));
  const lastBeat = ms(/last heartbeat/);
  const garp = ms(/first gratuitous ARP/);
  const answers = ms(/the VIP answers/);
  assert.ok(lastBeat <= 0 && garp > lastBeat && answers >= garp, `causal order: ${lastBeat} < ${garp} <= ${answers}`);
  assert.deepEqual(demoNamespaces(), [], 'no namespaces left behind');
  assert.deepEqual(demoProcesses(), [], 'no daemons left behind');
});

test('hbd demo cleans up when interrupted (Ctrl-C)', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [HBD_BIN, 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitUntil('the demo running', () => out.includes('both directors running'), 30_000);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(out, /interrupted: cleaning up/);
  await waitUntil('namespaces gone', () => demoNamespaces().length === 0, 10_000);
  await waitUntil('daemons gone', () => demoProcesses().length === 0, 10_000);
});
