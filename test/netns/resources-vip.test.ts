// A real IPaddr2/IPaddr/IPv6addr group in a network namespace: the kernel
// holds the addresses (prefix, broadcast, labels) after start and nothing
// after stop; lvs_support moves a loopback VIP away and back.
//
// NetOps here is IpCommandNet (the `ip` command in the namespace) because
// src/net/native-net.ts did not exist when this was written; switch `netOps`
// to the native NetOps once it can be opened in a namespace.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { type TestContext, test } from 'node:test';
import type { NetOps } from '../../src/net/types';
import { agentFactory } from '../../src/resources/create-agent';
import { ResourceGroupRunner } from '../../src/resources/group-runner';
import { testNetns } from '../helpers/netns';
import { captureLogger, context, group } from '../unit/resources/helpers';
import { IpCommandNet } from '../unit/resources/ip-command-net';

function netOps(ns: string): NetOps {
  return new IpCommandNet(ns);
}

interface KernelAddr {
  readonly where: string;
  readonly address: string;
}

/** `ifname[:label] address/prefix [brd B]` of every address in the namespace except the fixture's own. */
function kernelAddresses(ns: string): string[] {
  const links = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' })) as {
    ifname: string;
    addr_info?: { family: string; local: string; prefixlen: number; broadcast?: string; label?: string; scope?: string }[];
  }[];
  const out: KernelAddr[] = links.flatMap((l) =>
    (l.addr_info ?? [])
      .filter((a) => a.scope !== 'link' && !['127.0.0.1', '::1', '10.77.0.1', 'fd00:77::1'].includes(a.local))
      .map((a) => ({ where: a.label && a.label !== l.ifname ? a.label : l.ifname, address: `${a.local}/${a.prefixlen}${a.broadcast ? ` brd ${a.broadcast}` : ''}` })),
  );
  return out.map((a) => `${a.where} ${a.address}`).sort();
}

function rig(t: TestContext) {
  const ns = testNetns(t);
  execFileSync('ip', ['-n', ns, 'addr', 'add', 'fd00:77::1/64', 'dev', 'dummy0', 'nodad']);
  const escalations: string[] = [];
  const runner = new ResourceGroupRunner({
    agentFor: agentFactory({ haDir: '/nonexistent', initDir: '/nonexistent', baseEnv: {}, net: netOps(ns), announce: { IPaddr: { intervalMs: 10 }, IPaddr2: { intervalMs: 10 }, IPv6addr: { intervalMs: 10 } } }),
    escalate: (r) => escalations.push(r),
    stopRetries: 1,
    stopRetryDelayMs: 10,
  });
  return { ns, runner, escalations, ctx: context(captureLogger()) };
}

test('a VIP group starts left to right in the kernel and stops without a trace', { timeout: 30_000 }, async (t) => {
  const { ns, runner, escalations, ctx } = rig(t);
  const g = group('director1', 'IPaddr2::10.77.0.100', '10.77.0.101', 'IPaddr2::10.77.0.102/25/dummy0:web', 'IPv6addr::fd00:77:0:0:0:0:0:100');
  const up = await runner.start(g, ctx);
  assert.equal(up.ok, true, JSON.stringify(up));
  assert.deepEqual(kernelAddresses(ns), [
    'dummy0 10.77.0.100/24 brd 10.77.0.255',
    'dummy0 fd00:77::100/64',
    'dummy0:0 10.77.0.101/24 brd 10.77.0.255',
    'dummy0:web 10.77.0.102/25 brd 10.77.0.127',
  ]);
  assert.equal(await runner.status(g, ctx), 'running');
  const again = await runner.start(g, ctx);
  assert.deepEqual(again.steps.map((s) => s.action), ['skip', 'skip', 'skip', 'skip'], 'already running: skipped');
  const down = await runner.stop(g, ctx);
  assert.equal(down.ok, true, JSON.stringify(down));
  assert.deepEqual(kernelAddresses(ns), []);
  assert.equal(await runner.status(g, ctx), 'stopped');
  assert.deepEqual(escalations, []);
});

test('IPaddr2 lvs_support in the kernel: the VIP leaves lo while held and comes back', { timeout: 30_000 }, async (t) => {
  const { ns, runner, ctx } = rig(t);
  execFileSync('ip', ['-n', ns, 'addr', 'add', '10.77.0.100/32', 'dev', 'lo']);
  const g = group('director1', 'IPaddr2::10.77.0.100');
  assert.equal(await runner.status(g, ctx), 'stopped', 'on lo is not held');
  assert.equal((await runner.start(g, ctx)).ok, true);
  assert.deepEqual(kernelAddresses(ns), ['dummy0 10.77.0.100/24 brd 10.77.0.255']);
  assert.equal((await runner.stop(g, ctx)).ok, true);
  assert.deepEqual(kernelAddresses(ns), ['lo 10.77.0.100/32']);
});

test('native takeover steps are resolved from the namespace\'s routes; no route = a clear error', { timeout: 30_000 }, async (t) => {
  const { runner, ctx } = rig(t);
  const [vip] = runner.agents(group('director2', 'IPaddr2::10.77.0.100'));
  assert.deepEqual(await vip!.nativeTakeover(), [
    { kind: 'address', ifname: 'dummy0', family: 'inet', address: '10.77.0.100', prefixLen: 24, broadcast: '10.77.0.255' },
    { kind: 'announce', ifname: 'dummy0', address: '10.77.0.100', count: 5, intervalMs: 10, mode: 'both' },
  ]);
  const out = await runner.start(group('director2', 'IPaddr2::192.0.2.10'), ctx);
  assert.equal(out.ok, false);
  assert.equal(out.error?.code, 'RSC_NO_INTERFACE');
  assert.match(out.error?.message ?? '', /no interface for 192\.0\.2\.10/);
});
