// The native backend against the kernel (inside the IPVS VM): the shared
// contract suite, each test in a fresh network namespace, then what only a
// real kernel can show: dumps that span many datagrams, parallel calls on
// one handle, namespaces kept apart, open errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openNativeIpvs } from '../../src/ipvs/native-backend';
import type { ServiceKey } from '../../src/ipvs/types';
import { loadNative } from '../../src/native/binding';
import { ipvsBackendContract } from '../unit/ipvs/contract';
import { HAVE_IPVS, deleteNetns, ipvsadm, lines, netns, vmOnly } from './helpers';

test('the VM kernel has IPVS', { skip: vmOnly }, () => {
  assert.ok(HAVE_IPVS, '/proc/net/ip_vs is missing: ip_vs was not loaded at boot');
});

ipvsBackendContract(
  'native (kernel, one network namespace per test)',
  async () => {
    const ns = netns(null, 'contract');
    try {
      const backend = await openNativeIpvs({ netns: ns });
      return { backend, dispose: async () => deleteNetns(ns) };
    } catch (e) {
      deleteNetns(ns);
      throw e;
    }
  },
  { skip: vmOnly },
);

test('a dump of 300 services with 3 destinations each spans many datagrams', { skip: vmOnly }, async (t) => {
  const ns = netns(t, 'dump');
  const b = await openNativeIpvs({ netns: ns });
  t.after(() => b.close());
  const keys: ServiceKey[] = [];
  for (let i = 0; i < 300; i++) {
    const key: ServiceKey = { af: 'inet', protocol: 'tcp', address: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 80 };
    keys.push(key);
    await b.addService({ ...key, scheduler: 'rr' });
  }
  for (const key of keys.slice(0, 20))
    for (let d = 2; d <= 4; d++) await b.addDest(key, { address: `10.99.0.${d}`, port: 8080, forward: 'masq', weight: d });
  const listed = await b.listServices();
  assert.equal(listed.length, 300);
  assert.equal(new Set(listed.map((s) => (s.key.fwmark === undefined ? s.key.address : ''))).size, 300);
  assert.equal((await b.listDests(keys[7]!)).length, 3);
  // and ipvsadm agrees
  assert.equal(lines(ipvsadm(ns, '-Ln')).filter((l) => l.startsWith('TCP ')).length, 300);
});

test('calls made together on one handle run one by one, in order', { skip: vmOnly }, async (t) => {
  const ns = netns(t, 'par');
  const b = await openNativeIpvs({ netns: ns });
  t.after(() => b.close());
  const adds = Array.from({ length: 40 }, (_, i) =>
    b.addService({ af: 'inet', fwmark: i + 1, scheduler: i % 2 ? 'rr' : 'wlc' }),
  );
  const mixed = [...adds, b.info(), b.getTimeouts(), b.listDaemons()];
  await Promise.all(mixed);
  assert.equal((await b.listServices()).length, 40);
  // a failing call in the middle does not disturb the others
  const results = await Promise.allSettled([
    b.addService({ af: 'inet', fwmark: 1, scheduler: 'rr' }),
    b.deleteService({ af: 'inet', fwmark: 2 }),
    b.deleteService({ af: 'inet', fwmark: 2 }),
  ]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code: string }).code)),
    ['EEXIST', 'ok', 'ESRCH'],
    'calls run in the order they were made',
  );
  // so a destination may follow its service without waiting for it
  const svc: ServiceKey = { af: 'inet', protocol: 'udp', address: '10.0.0.1', port: 53 };
  await Promise.all([
    b.addService({ ...svc, scheduler: 'rr' }),
    b.addDest(svc, { address: '10.0.0.2', port: 53, forward: 'route', weight: 1 }),
    b.editDest(svc, { address: '10.0.0.2', port: 53, forward: 'route', weight: 9 }),
  ]);
  assert.equal((await b.listDests(svc))[0]?.weight, 9);
});

test('each handle programs its own namespace only', { skip: vmOnly }, async (t) => {
  const a = netns(t, 'a');
  const z = netns(t, 'z');
  const ba = await openNativeIpvs({ netns: a });
  const bz = await openNativeIpvs({ netns: `/run/netns/${z}` });
  t.after(() => {
    ba.close();
    bz.close();
  });
  await ba.addService({ af: 'inet', fwmark: 5, scheduler: 'rr' });
  assert.equal((await ba.listServices()).length, 1);
  assert.deepEqual(await bz.listServices(), []);
  assert.deepEqual(lines(ipvsadm(z, '-Ln')).slice(3), []);
  assert.deepEqual(lines(ipvsadm(a, '-Ln')).slice(3), ['FWM 5 rr']);
});

test('open errors: a missing namespace is ENOENT and says which', { skip: vmOnly }, async () => {
  await assert.rejects(openNativeIpvs({ netns: 'no-such-ns' }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.message, 'opening a generic netlink socket in /run/netns/no-such-ns: No such file or directory');
    return true;
  });
});

test('the addon refuses malformed arguments synchronously', { skip: vmOnly }, async (t) => {
  const ns = netns(t, 'args');
  const h = await loadNative().ipvsOpen(`/run/netns/${ns}`);
  t.after(() => h.close());
  assert.equal(typeof h.familyId, 'number');
  assert.ok(h.familyId >= 16);
  const loose = h as unknown as Record<string, (...a: unknown[]) => unknown>;
  assert.throws(() => loose.addService!({ af: 2 }), TypeError);
  assert.throws(() => loose.addService!({ af: 3, fwmark: 1, schedName: 'rr' }), RangeError);
  assert.throws(() => loose.addService!({ af: 2, protocol: 6, addr: '10.0.0.1', port: 99999, schedName: 'rr' }), RangeError);
  assert.throws(
    () => loose.addService!({ af: 2, protocol: 6, addr: '::1', port: 80, schedName: 'rr' }),
    (e: Error & { code?: string }) => e.code === 'EINVAL' && /service\.addr '::1' as an IPv4 address/.test(e.message),
  );
  assert.throws(() => loose.addService!({ af: 2, fwmark: 1, schedName: 'a-scheduler-name-too-long' }), RangeError);
  assert.throws(() => loose.stopDaemon!('master'), TypeError);
  await h.addService({ af: 2, fwmark: 1, schedName: 'rr' });
  h.close();
  await assert.rejects(h.listServices(), { code: 'EBADF' });
});
