// The in-memory IpvsBackend: the shared contract (the same suite runs
// against the kernel in the IPVS VM), plus what only the memory backend has.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NativeBinding, NativeIpvsHandle } from '../../../src/native/binding';
import { MemoryIpvsBackend, MemoryIpvsKernel } from '../../../src/ipvs/memory-backend';
import { openNativeIpvs } from '../../../src/ipvs/native-backend';
import type { ServiceKey } from '../../../src/ipvs/types';
import { ipvsBackendContract } from './contract';

ipvsBackendContract('memory', async () => ({ backend: new MemoryIpvsBackend(), dispose: async () => {} }));

const TCP80: ServiceKey = { af: 'inet', protocol: 'tcp', address: '10.0.0.100', port: 80 };

test('memory: connection counts can be set for policy tests', async () => {
  const b = new MemoryIpvsBackend();
  await b.addService({ ...TCP80, scheduler: 'wlc' });
  await b.addDest(TCP80, { address: '10.0.0.2', port: 80, forward: 'route', weight: 1 });
  b.kernel.setDestConns(TCP80, { address: '10.0.0.2', port: 80 }, { active: 3, inactive: 7 });
  const [d] = await b.listDests(TCP80);
  assert.equal(d?.activeConns, 3);
  assert.equal(d?.inactiveConns, 7);
  assert.equal(d?.persistentConns, 0);
  // an edit keeps them, like the kernel's counters
  await b.editDest(TCP80, { address: '10.0.0.2', port: 80, forward: 'route', weight: 0 });
  assert.equal((await b.listDests(TCP80))[0]?.activeConns, 3);
  assert.throws(() => b.kernel.setDestConns(TCP80, { address: '10.0.0.9', port: 80 }, {}), { code: 'ENOENT' });
});

test('memory: interfaces, schedulers and engines are configurable', async () => {
  const b = new MemoryIpvsBackend({ interfaces: { eth0: 9000 }, schedulers: ['rr'], persistenceEngines: [] });
  await assert.rejects(b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 1 }), { code: 'ENODEV' });
  await b.startDaemon({ role: 'backup', mcastInterface: 'eth0', syncId: 1 });
  assert.equal((await b.listDaemons())[0]?.maxLen, 9000 - 28);
  await assert.rejects(b.addService({ ...TCP80, scheduler: 'wlc' }), { code: 'ENOENT' });
  await assert.rejects(b.addService({ ...TCP80, scheduler: 'rr', peName: 'sip' }), { code: 'ENOENT' });
  await b.addService({ ...TCP80, scheduler: 'rr' });
});

test('memory: an IPv6 sync group gives the IPv6 header allowance', async () => {
  const b = new MemoryIpvsBackend();
  await b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 0, mcastGroup: 'FF02::1:81' });
  assert.deepEqual(await b.listDaemons(), [
    { role: 'master', mcastInterface: 'lo', syncId: 0, maxLen: 1452, mcastGroup: 'ff02::1:81', mcastPort: 8848, mcastTtl: 1 },
  ]);
});

test('memory: the simulated kernel is a NativeIpvsHandle', async () => {
  const k: NativeIpvsHandle = new MemoryIpvsKernel();
  await k.addService({ af: 2, protocol: 6, addr: '10.0.0.1', port: 80, schedName: 'rr' });
  const [s] = await k.listServices();
  assert.equal(s?.flags, 0x2, 'listed services are HASHED, like the kernel says');
  assert.equal(s?.netmask, 0xffffffff);
});

test('native backend: a netns name means /run/netns/NAME, a path is used as is', async () => {
  const opened: (string | undefined)[] = [];
  const binding = {
    ipvsOpen: async (p?: string) => {
      opened.push(p);
      return new MemoryIpvsKernel();
    },
  } as unknown as NativeBinding;
  const a = await openNativeIpvs({ binding, netns: 'bk' });
  const b = await openNativeIpvs({ binding, netns: '/proc/1/ns/net' });
  const c = await openNativeIpvs({ binding });
  assert.deepEqual(opened, ['/run/netns/bk', '/proc/1/ns/net', undefined]);
  assert.equal(a.netns, '/run/netns/bk');
  assert.equal(c.netns, undefined);
  for (const x of [a, b, c]) x.close();
});
