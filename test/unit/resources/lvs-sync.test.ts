// LVSSyncDaemonSwap over the in-memory IPVS (the kernel's rules: EEXIST for a
// second daemon of a role, ENODEV for an unknown interface).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryIpvsBackend } from '../../../src/ipvs/memory-backend';
import { createAgent } from '../../../src/resources/create-agent';
import { captureLogger, context, ref } from './helpers';

function rig() {
  const ipvs = new MemoryIpvsBackend({ interfaces: { lo: 65536, eth0: 1500, eth1: 1500 } });
  const deps = { haDir: '/nonexistent', initDir: '/nonexistent', baseEnv: {}, ipvs };
  const roles = async () => (await ipvs.listDaemons()).map((d) => `${d.role}@${d.mcastInterface}`).sort();
  return { ipvs, deps, roles };
}

test('master start stops the backup daemon and starts the master; stop falls back to backup', async () => {
  const { ipvs, deps, roles } = rig();
  const ctx = context(captureLogger());
  await ipvs.startDaemon({ role: 'backup', mcastInterface: 'eth1', syncId: 0 });
  const a = createAgent(ref('LVSSyncDaemonSwap::master::eth1'), deps);
  assert.equal(a.id, 'LVSSyncDaemonSwap::master::eth1');
  assert.equal(await a.status(ctx), 'stopped');
  await a.start(ctx);
  assert.deepEqual(await roles(), ['master@eth1']);
  assert.equal(await a.status(ctx), 'running');
  await a.start(ctx); // idempotent
  assert.deepEqual(await roles(), ['master@eth1']);
  await a.stop(ctx);
  assert.deepEqual(await roles(), ['backup@eth1']);
  assert.equal(await a.status(ctx), 'stopped');
});

test('the interface defaults to eth0, as the 2.1.3 script', async () => {
  const { deps, roles } = rig();
  const a = createAgent(ref('LVSSyncDaemonSwap::backup'), deps);
  await a.start(context(captureLogger()));
  assert.deepEqual(await roles(), ['backup@eth0']);
  await a.stop(context(captureLogger()));
  assert.deepEqual(await roles(), ['master@eth0']);
});

test('stop always stops this role, even when the opposite one already runs (the script left both)', async () => {
  const { ipvs, deps, roles } = rig();
  await ipvs.startDaemon({ role: 'master', mcastInterface: 'eth0', syncId: 0 });
  await ipvs.startDaemon({ role: 'backup', mcastInterface: 'eth0', syncId: 0 });
  await createAgent(ref('LVSSyncDaemonSwap::master'), deps).stop(context(captureLogger()));
  assert.deepEqual(await roles(), ['backup@eth0']);
});

test('a daemon that cannot start (no such interface) fails the start with the kernel\'s reason', async () => {
  const { deps } = rig();
  const a = createAgent(ref('LVSSyncDaemonSwap::master::eth9'), deps);
  await assert.rejects(a.start(context(captureLogger())), { code: 'RSC_START_FAILED', message: /master sync daemon on eth9 failed: .*No such device/ });
});

test('stop succeeds once this role is down even if the fallback role cannot start (logged)', async () => {
  const { ipvs, deps, roles } = rig();
  const log = captureLogger();
  await ipvs.startDaemon({ role: 'master', mcastInterface: 'eth0', syncId: 0 });
  await createAgent(ref('LVSSyncDaemonSwap::master::eth9'), deps).stop(context(log));
  assert.deepEqual(await roles(), []);
  assert.ok(log.messages('error').some((m) => /backup sync daemon on eth9 failed/.test(m)));
});

test('bad arguments or no IPVS access give an agent that never starts and says why', async () => {
  const ctx = context(captureLogger());
  const bad = createAgent(ref('LVSSyncDaemonSwap::primary'), rig().deps);
  await assert.rejects(bad.start(ctx), { code: 'RSC_BAD_ARGUMENT', message: /role `primary` is not valid/ });
  assert.equal(await bad.status(ctx), 'stopped');
  await bad.stop(ctx);
  const noIpvs = createAgent(ref('LVSSyncDaemonSwap::master'), { haDir: '/x', initDir: '/x', baseEnv: {} });
  await assert.rejects(noIpvs.start(ctx), { message: /without IPVS access/ });
});
