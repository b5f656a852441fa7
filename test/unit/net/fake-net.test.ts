// The in-memory NetOps: the shared contract (the same suite runs against the
// kernel in network namespaces, test/netns/net-native.test.ts), plus what
// only the fake has: a settable routing table, promoted or removed
// secondaries, injected failures, recorded announcements, mockable pacing.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { FakeNet } from '../../../src/net/fake-net';
import { netOpsContract, rejectsWith, type NetSubject } from './contract';
import { arpFrame, decodeFrame, naFrame, type ObservedFrame } from './frames';

function contractNet(): FakeNet {
  return new FakeNet({
    links: [
      { ifname: 'eth0', addresses: ['10.61.0.1/24', '2001:db8:61::1/64'] },
      { ifname: 'eth1', addresses: ['10.62.0.1/24'] },
    ],
  });
}

/** The frames the fake recorded, as a capture on the wire would show them. */
function onTheWire(fake: FakeNet, from: number): ObservedFrame[] {
  return fake.frames
    .slice(from)
    .filter((f) => f.ifname === 'eth0')
    .map((f) => {
      const bytes = f.kind === 'na' ? naFrame(f.mac, f.address, f.router) : arpFrame(f.kind === 'arp-request' ? 1 : 2, f.mac, f.address);
      return decodeFrame(bytes) as ObservedFrame;
    });
}

netOpsContract('fake', async () => {
  const fake = contractNet();
  const subject: NetSubject = {
    net: fake,
    watch: async () => {
      const from = fake.frames.length;
      return { stop: async () => onTheWire(fake, from) };
    },
    setLinkUp: async (ifname, up) => fake.setLinkUp(ifname, up),
    dispose: async () => {},
  };
  return subject;
});

const V4 = { family: 'inet' } as const;

test('fake: removing a primary promotes a secondary (systemd) or takes them all (the kernel default)', async () => {
  for (const promote of [true, false]) {
    const net = new FakeNet({ links: [{ ifname: 'eth0' }], promoteSecondaries: promote });
    await net.addAddress({ ...V4, ifname: 'eth0', address: '10.0.0.100', prefixLen: 24 });
    await net.addAddress({ ...V4, ifname: 'eth0', address: '10.0.0.101', prefixLen: 24 });
    await net.addAddress({ ...V4, ifname: 'eth0', address: '10.0.0.102', prefixLen: 24 });
    await net.addAddress({ ...V4, ifname: 'eth0', address: '10.9.0.1', prefixLen: 24 });
    const v4 = async (): Promise<(string | boolean | undefined)[][]> => (await net.listAddresses('eth0')).filter((a) => a.family === 'inet').map((a) => [a.address, a.secondary]);
    assert.deepEqual(await v4(), [
      ['10.0.0.100', false], ['10.0.0.101', true], ['10.0.0.102', true], ['10.9.0.1', false],
    ]);
    await net.deleteAddress({ ...V4, ifname: 'eth0', address: '10.0.0.100', prefixLen: 24 });
    const left = await v4();
    assert.deepEqual(left, promote ? [['10.0.0.101', false], ['10.0.0.102', true], ['10.9.0.1', false]] : [['10.9.0.1', false]]);
  }
});

test('fake: the routing table - metrics, gateways, blackholes, default; connected routes follow the addresses', async () => {
  const net = new FakeNet({
    links: [{ ifname: 'eth0', addresses: ['10.0.0.1/24'] }, { ifname: 'eth1', addresses: ['192.168.5.1/24'] }, { ifname: 'eth2' }],
    routes: [
      { dst: 'default', ifname: 'eth0', gateway: '10.0.0.254' },
      { dst: '172.16.0.0/16', ifname: 'eth0', gateway: '10.0.0.254' },
      { dst: '10.0.0.0/24', ifname: 'eth1', metric: 200 },
      { dst: '198.51.100.0/24', ifname: 'eth2', type: 'blackhole' },
      { dst: '203.0.113.0/24', ifname: 'eth2' },
      { dst: '2001:db8:7::/64', ifname: 'eth2' },
    ],
  });
  assert.equal((await net.findInterface('10.0.0.100'))?.ifname, 'eth0');
  assert.deepEqual(await net.findInterface('10.0.0.100', 'eth1'), { ifname: 'eth1', prefixLen: 24, broadcast: '10.0.0.255' });
  assert.equal(await net.findInterface('172.16.1.1'), null);
  assert.equal(await net.findInterface('8.8.8.8'), null);
  assert.equal(await net.findInterface('198.51.100.7'), null);
  assert.deepEqual(await net.findInterface('203.0.113.9'), { ifname: 'eth2', prefixLen: 24, broadcast: '203.0.113.255' });
  assert.deepEqual(await net.findInterface('2001:db8:7::1'), { ifname: 'eth2', prefixLen: 64 });
  net.setRoutes([]);
  assert.equal(await net.findInterface('203.0.113.9'), null);
  // a /31 has no broadcast address
  await net.addAddress({ ...V4, ifname: 'eth2', address: '10.7.0.0', prefixLen: 31 });
  assert.deepEqual(await net.findInterface('10.7.0.1'), { ifname: 'eth2', prefixLen: 31 });
  // a static route does not survive its interface going down
  net.addRoute({ dst: '203.0.113.0/24', ifname: 'eth2' });
  net.setLinkUp('eth2', false);
  net.setLinkUp('eth2', true);
  assert.equal(await net.findInterface('203.0.113.9'), null);
  assert.equal((await net.findInterface('10.7.0.1'))?.ifname, 'eth2');
  net.removeLink('eth2');
  assert.equal(await net.findInterface('10.7.0.1'), null);
  await rejectsWith(net.linkInfo('eth2'), 'ENODEV');
  assert.throws(() => net.addRoute({ dst: '10.0.0.0/33', ifname: 'eth0' }), { code: 'EINVAL' });
});

test('fake: failures can be injected, once or several times', async () => {
  const net = new FakeNet({ links: [{ ifname: 'eth0', addresses: ['10.0.0.1/24'] }] });
  net.failNext('addAddress', 'EPERM');
  await rejectsWith(net.addAddress({ ...V4, ifname: 'eth0', address: '10.0.0.100', prefixLen: 24 }), 'EPERM', 'adding 10.0.0.100/24 to eth0: Operation not permitted');
  await net.addAddress({ ...V4, ifname: 'eth0', address: '10.0.0.100', prefixLen: 24 });
  net.failNext('announce', 'ENETDOWN', 2);
  await rejectsWith(net.announce({ ifname: 'eth0', address: '10.0.0.100', count: 1, intervalMs: 0 }), 'ENETDOWN');
  await rejectsWith(net.announce({ ifname: 'eth0', address: '10.0.0.100', count: 1, intervalMs: 0 }), 'ENETDOWN');
  await net.announce({ ifname: 'eth0', address: '10.0.0.100', count: 1, intervalMs: 0 });
  net.failNext('findInterface', 'EBUSY');
  await rejectsWith(net.findInterface('10.0.0.5'), 'EBUSY');
  net.failNext('deleteAddress', 'EPERM');
  await rejectsWith(net.deleteAddress({ ...V4, ifname: 'eth0', address: '10.0.0.100', prefixLen: 24 }), 'EPERM');
  net.failNext('listAddresses', 'EPERM');
  await rejectsWith(net.listAddresses(), 'EPERM');
  net.failNext('linkInfo', 'EPERM');
  await rejectsWith(net.linkInfo('eth0'), 'EPERM');
  // the kernel's own explanation comes with EEXIST / EADDRNOTAVAIL for IPv4
  await assert.rejects(net.addAddress({ ...V4, ifname: 'eth0', address: '10.0.0.100', prefixLen: 24 }), { kernelMessage: 'ipv4: Address already assigned' });
});

test('fake: IPv6 duplicate address detection ends when the test says so', async () => {
  const net = new FakeNet({ links: [{ ifname: 'eth0' }] });
  await net.addAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8::5', prefixLen: 64 });
  assert.equal((await net.listAddresses('eth0')).find((a) => a.address === '2001:db8::5')?.tentative, true);
  net.finishDad('2001:db8::5');
  assert.equal((await net.listAddresses('eth0')).find((a) => a.address === '2001:db8::5')?.tentative, false);
});

test('fake: announcements are paced by timers (first round at once) and recorded', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let clock = 0;
  const net = new FakeNet({ links: [{ ifname: 'eth0', mac: '02:00:5e:10:00:01' }], now: () => clock });
  const run = net.announce({ ifname: 'eth0', address: '10.0.0.100', count: 3, intervalMs: 200 });
  await Promise.resolve();
  assert.equal(net.frames.length, 2, 'the first round goes out at once');
  for (let i = 1; i <= 2; i++) {
    clock += 200;
    t.mock.timers.tick(200);
    await new Promise((r) => setImmediate(r));
  }
  await run;
  assert.deepEqual(net.frames.map((f) => [f.kind, f.atMs]), [
    ['arp-request', 0], ['arp-reply', 0], ['arp-request', 200], ['arp-reply', 200], ['arp-request', 400], ['arp-reply', 400],
  ]);
  assert.deepEqual({ ...net.announcements[0] }, {
    ifname: 'eth0', address: '10.0.0.100', family: 'inet', mode: 'both', count: 3, intervalMs: 200, router: false, rounds: 3, cancelled: false, done: true,
  });
  mock.timers.reset();
});

test('fake: an aborted announcement records where it stopped', async () => {
  const net = new FakeNet({ links: [{ ifname: 'eth0' }] });
  const ac = new AbortController();
  const run = net.announce({ ifname: 'eth0', address: '2001:db8::5', count: 10, intervalMs: 30, signal: ac.signal });
  setTimeout(() => ac.abort(), 45);
  await assert.rejects(run, { name: 'AbortError' });
  const rec = net.announcements[0];
  assert.equal(rec?.cancelled, true);
  assert.equal(rec?.family, 'inet6');
  assert.ok(rec && rec.rounds >= 1 && rec.rounds < 10);
  assert.equal(net.frames.length, rec?.rounds);
});
