// The built-in address resources over an in-memory NetOps: interface and
// prefix from the routes, labels, lvs_support, announcements (parameters,
// pacing, cancelled by stop, refresh), native takeover steps and adoption.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AgentDeps, DEFAULT_ANNOUNCE, agentFactory, createAgent } from '../../../src/resources/create-agent';
import { ResourceGroupRunner } from '../../../src/resources/group-runner';
import type { Ipv4AddressAgent } from '../../../src/resources/ip/ipv4-agent';
import type { ResourceAgent } from '../../../src/resources/types';
import { captureLogger, context, group, ref, waitFor } from './helpers';
import { NetDouble } from './net-double';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** eth0 192.0.2.0/24, eth1 10.1.0.0/16 (+ fd00:1::/64), eth2 without routes. */
function lan(): NetDouble {
  return new NetDouble()
    .network('eth0', 'inet', '192.0.2.2', 24, '192.0.2.0', '192.0.2.255')
    .network('eth1', 'inet', '10.1.0.1', 16, '10.1.0.0', '10.1.255.255')
    .network('eth1', 'inet6', 'fd00:1::1', 64, 'fd00:1::')
    .link('eth2');
}

/** Fast announcements so tests do not wait 5 s; the defaults are checked separately. */
const FAST = { IPaddr: { intervalMs: 20 }, IPaddr2: { intervalMs: 20 }, IPv6addr: { intervalMs: 20 }, SendArp: { intervalMs: 20 } };

function deps(net: NetDouble, extra: Partial<AgentDeps> = {}): AgentDeps {
  return { haDir: '/nonexistent', initDir: '/nonexistent', baseEnv: {}, net, announce: FAST, ...extra };
}

const ctx = () => context(captureLogger());

test('IPaddr2 without an interface: interface, prefix and broadcast from the covering route; no label', async () => {
  const net = lan();
  const a = createAgent(ref('IPaddr2::10.1.2.3'), deps(net));
  assert.equal(await a.status(ctx()), 'stopped');
  await a.start(ctx());
  assert.deepEqual(net.where('10.1.2.3'), ['eth1 10.1.2.3/16 brd 10.1.255.255']);
  assert.equal(await a.status(ctx()), 'running');
  await a.stop(ctx());
  assert.deepEqual(net.where('10.1.2.3'), []);
  assert.equal(await a.status(ctx()), 'stopped');
});

test('announcements: first round before start returns, the rest paced; request+reply pairs; defaults per agent', async () => {
  assert.deepEqual(DEFAULT_ANNOUNCE.IPaddr, { count: 10, intervalMs: 500, mode: 'both' });
  assert.deepEqual(DEFAULT_ANNOUNCE.IPaddr2, { count: 5, intervalMs: 200, mode: 'both' });
  const net = lan();
  const a = createAgent(ref('IPaddr2::10.1.2.3/16/eth1'), deps(net, { announce: { IPaddr2: { intervalMs: 40, count: 4 } } }));
  await a.start(ctx());
  assert.equal(net.announced.length, 1);
  assert.deepEqual({ ...net.announced[0], at: 0 }, { ifname: 'eth1', address: '10.1.2.3', count: 1, intervalMs: 0, mode: 'both', at: 0 });
  await waitFor('four rounds', () => net.announced.length === 4);
  const gaps = net.announced.slice(1).map((x, i) => x.at - net.announced[i]!.at);
  assert.ok(gaps.every((g) => g >= 30), `gaps ${gaps.join(',')}`);
  await sleep(100);
  assert.equal(net.announced.length, 4, 'no more than count rounds');
  await a.stop(ctx());
});

test('stop silences announcements at once (the peer must be heard last)', async () => {
  const net = lan();
  const a = createAgent(ref('IPaddr2::10.1.2.3'), deps(net, { announce: { IPaddr2: { intervalMs: 30, count: 50 } } }));
  await a.start(ctx());
  await sleep(70);
  await a.stop(ctx());
  const n = net.announced.length;
  await sleep(150);
  assert.equal(net.announced.length, n);
});

test('optional refresh: re-announces while held, stops with the resource', async () => {
  const net = lan();
  const a = createAgent(ref('IPaddr2::10.1.2.3'), deps(net, { announce: { IPaddr2: { count: 1 } }, refresh: { intervalMs: 30, count: 1 } }));
  await a.start(ctx());
  await waitFor('refreshes', () => net.announced.length >= 4);
  assert.equal((a as Ipv4AddressAgent).holding?.refreshing, true);
  await a.stop(ctx());
  const n = net.announced.length;
  await sleep(100);
  assert.equal(net.announced.length, n);
  assert.equal((a as Ipv4AddressAgent).holding, null);
});

test('no route and no interface: RSC_NO_INTERFACE saying how to fix it; a named interface must exist', async () => {
  const net = lan();
  await assert.rejects(createAgent(ref('IPaddr2::172.16.0.5'), deps(net)).start(ctx()), {
    code: 'RSC_NO_INTERFACE',
    message: /no interface for 172\.16\.0\.5: no connected route covers it.*IPaddr2::172\.16\.0\.5\/24\/eth1/,
  });
  await assert.rejects(createAgent(ref('IPaddr2::10.1.2.3/16/eth9'), deps(net)).start(ctx()), { code: 'RSC_NO_INTERFACE', message: /interface eth9 named in IPaddr2::10\.1\.2\.3\/16\/eth9 does not exist/ });
  // A bare IP without a route is never put on eth0 by default.
  await assert.rejects(createAgent(ref('172.16.0.5'), deps(net)).start(ctx()), { code: 'RSC_NO_INTERFACE' });
  assert.deepEqual(net.calls.filter((c) => c.startsWith('add')), []);
  // nativeTakeover cannot say more: null, the JS start reports.
  assert.equal(await createAgent(ref('IPaddr2::172.16.0.5'), deps(net)).nativeTakeover(), null);
});

test('a named interface without a route on it is trusted with the given prefix; broadcast computed', async () => {
  const net = lan();
  await createAgent(ref('IPaddr2::172.16.0.5/28/eth2'), deps(net)).start(ctx());
  assert.deepEqual(net.where('172.16.0.5'), ['eth2 172.16.0.5/28 brd 172.16.0.15']);
  await createAgent(ref('IPaddr2::172.16.1.5/32/eth2'), deps(net)).start(ctx());
  assert.deepEqual(net.where('172.16.1.5'), ['eth2 172.16.1.5/32'], '/32 has no broadcast');
  await createAgent(ref('IPaddr2::10.1.9.9/24/eth1/10.1.9.127'), deps(net)).start(ctx());
  assert.deepEqual(net.where('10.1.9.9'), ['eth1 10.1.9.9/24 brd 10.1.9.127'], 'a given broadcast wins');
  await createAgent(ref('IPaddr2::10.1.9.10/24'), deps(net)).start(ctx());
  assert.deepEqual(net.where('10.1.9.10'), ['eth1 10.1.9.10/24 brd 10.1.9.255'], 'another prefix than the route\'s: its own broadcast');
});

test('IPaddr2 label: iface:label only when asked', async () => {
  const net = lan();
  await createAgent(ref('IPaddr2::10.1.2.3/16/eth1:vip'), deps(net)).start(ctx());
  assert.deepEqual(net.where('10.1.2.3'), ['eth1:vip 10.1.2.3/16 brd 10.1.255.255']);
});

test('IPaddr picks the first free alias label iface:N, shared across IPaddr resources, released on stop', async () => {
  const net = lan();
  net.addresses.push({ ifname: 'eth1', family: 'inet', address: '10.1.7.7', prefixLen: 16, label: 'eth1:0' });
  const make = agentFactory(deps(net));
  const one = make(ref('10.1.2.3'));
  const two = make(ref('IPaddr::10.1.2.4/16/eth1'));
  assert.equal(one.id, 'IPaddr::10.1.2.3');
  await one.start(ctx());
  await two.start(ctx());
  assert.deepEqual(net.where('10.1.2.3'), ['eth1:1 10.1.2.3/16 brd 10.1.255.255']);
  assert.deepEqual(net.where('10.1.2.4'), ['eth1:2 10.1.2.4/16 brd 10.1.255.255']);
  await one.stop(ctx());
  const three = make(ref('IPaddr::10.1.2.5'));
  await three.start(ctx());
  assert.deepEqual(net.where('10.1.2.5'), ['eth1:1 10.1.2.5/16 brd 10.1.255.255'], 'eth1:1 is free again');
});

test('IPaddr refuses an interface the routing table contradicts (nic [x] Calculated nic: [y])', async () => {
  const net = lan();
  await assert.rejects(createAgent(ref('IPaddr::10.1.2.3/16/eth0'), deps(net)).start(ctx()), {
    code: 'RSC_BAD_ARGUMENT',
    message: /nic \[eth0\] Calculated nic: \[eth1\]/,
  });
  // IPaddr2 trusts the named interface.
  await createAgent(ref('IPaddr2::10.1.2.3/16/eth0'), deps(net)).start(ctx());
  assert.deepEqual(net.where('10.1.2.3'), ['eth0 10.1.2.3/16 brd 10.1.255.255']);
});

test('IPaddr2 lvs_support: a VIP on lo is moved off while held and put back on stop', async () => {
  const net = lan();
  net.addresses.push({ ifname: 'lo', family: 'inet', address: '10.1.2.3', prefixLen: 32, label: 'lo' });
  const a = createAgent(ref('IPaddr2::10.1.2.3'), deps(net));
  assert.equal(await a.status(ctx()), 'stopped', 'a loopback copy is not the VIP held');
  assert.equal(await a.nativeTakeover(), null, 'the core cannot move it off lo');
  await a.start(ctx());
  assert.deepEqual(net.where('10.1.2.3'), ['eth1 10.1.2.3/16 brd 10.1.255.255']);
  await a.stop(ctx());
  assert.deepEqual(net.where('10.1.2.3'), ['lo 10.1.2.3/32']);
  // IPaddr (lvs_support=0 in its wrapper) and IPaddr2 with lvs_support off leave lo alone.
  const off = createAgent(ref('IPaddr2::10.1.2.3'), deps(net, { ipaddr2LvsSupport: false }));
  await off.start(ctx());
  assert.deepEqual(net.where('10.1.2.3').sort(), ['eth1 10.1.2.3/16 brd 10.1.255.255', 'lo 10.1.2.3/32']);
  await off.stop(ctx());
  assert.deepEqual(net.where('10.1.2.3'), ['lo 10.1.2.3/32']);
});

test('idempotent: start when present adds nothing, stop when absent is fine, EEXIST/EADDRNOTAVAIL races count as done', async () => {
  const net = lan();
  const a = createAgent(ref('IPaddr2::10.1.2.3'), deps(net));
  await a.stop(ctx());
  await a.start(ctx());
  await a.start(ctx());
  assert.equal(net.calls.filter((c) => c.startsWith('add')).length, 1);
  net.failNext('deleteAddress', 'EADDRNOTAVAIL');
  await a.stop(ctx());
  net.failNext('addAddress', 'EEXIST');
  await a.start(ctx());
});

test('a netlink failure is RSC_NETLINK with what failed; an IPaddr label claim is released', async () => {
  const net = lan();
  const make = agentFactory(deps(net));
  net.failNext('addAddress', 'EPERM');
  await assert.rejects(make(ref('IPaddr::10.1.2.3')).start(ctx()), { code: 'RSC_NETLINK', message: /Adding inet address 10\.1\.2\.3\/16 .*eth1:0.*EPERM/ });
  await make(ref('IPaddr::10.1.2.4')).start(ctx());
  assert.deepEqual(net.where('10.1.2.4'), ['eth1:0 10.1.2.4/16 brd 10.1.255.255']);
  const b = make(ref('IPaddr2::10.1.2.9'));
  await b.start(ctx());
  net.failNext('deleteAddress', 'EBUSY');
  await assert.rejects(b.stop(ctx()), { code: 'RSC_NETLINK', message: /Removing 10\.1\.2\.9\/16 from eth1 failed/ });
});

test('announce failures are logged, not a failed start (the address is up)', async () => {
  const net = lan();
  const log = captureLogger();
  net.failNext('announce', 'ENETDOWN');
  await createAgent(ref('IPaddr2::10.1.2.3'), deps(net, { announce: { IPaddr2: { count: 1 } } })).start(context(log));
  assert.ok(log.messages('error').some((m) => m.startsWith('Could not announce 10.1.2.3 on eth1')));
});

test('nativeTakeover: the address fully resolved and the announcement with the agent\'s parameters', async () => {
  const net = lan();
  const d = deps(net, { announce: {} });
  assert.deepEqual(await createAgent(ref('IPaddr2::10.1.2.3'), d).nativeTakeover(), [
    { kind: 'address', ifname: 'eth1', family: 'inet', address: '10.1.2.3', prefixLen: 16, broadcast: '10.1.255.255' },
    { kind: 'announce', ifname: 'eth1', address: '10.1.2.3', count: 5, intervalMs: 200, mode: 'both' },
  ]);
  assert.deepEqual(await createAgent(ref('192.0.2.50'), d).nativeTakeover(), [
    { kind: 'address', ifname: 'eth0', family: 'inet', address: '192.0.2.50', prefixLen: 24, broadcast: '192.0.2.255', label: 'eth0:0' },
    { kind: 'announce', ifname: 'eth0', address: '192.0.2.50', count: 10, intervalMs: 500, mode: 'both' },
  ]);
  // haresources cannot write `::` in an address (it separates arguments): all eight groups.
  assert.deepEqual(await createAgent(ref('IPv6addr::fd00:1:0:0:0:0:0:10'), d).nativeTakeover(), [
    { kind: 'address', ifname: 'eth1', family: 'inet6', address: 'fd00:1:0:0:0:0:0:10', prefixLen: 64, noDad: true },
    { kind: 'announce', ifname: 'eth1', address: 'fd00:1:0:0:0:0:0:10', count: 5, intervalMs: 200, mode: 'both' },
  ]);
  assert.deepEqual(await createAgent(ref('SendArp::10.1.2.3/eth2'), d).nativeTakeover(), [
    { kind: 'announce', ifname: 'eth2', address: '10.1.2.3', count: 5, intervalMs: 200, mode: 'both' },
  ]);
  assert.equal(net.calls.length, 0, 'asking changes nothing');
});

test('after the core performed the steps, the group start adopts: no second add, label claimed, refresh runs', async () => {
  const net = lan();
  const d = deps(net, { refresh: { intervalMs: 30, count: 1 } });
  const runner = new ResourceGroupRunner({ agentFor: agentFactory(d), escalate: () => undefined });
  const g = group('peer', '192.0.2.50', 'IPaddr2::10.1.2.3');
  const steps = (await Promise.all(runner.agents(g).map((a: ResourceAgent) => a.nativeTakeover()))).flatMap((s) => s ?? []);
  // What the C core does at takeover, by hand:
  for (const s of steps) if (s.kind === 'address') await net.addAddress(s);
  const adds = net.calls.length;
  const out = await runner.start(g, ctx());
  assert.equal(out.ok, true);
  assert.deepEqual(out.steps.map((s) => s.message), ['already running (adopted)', 'already running (adopted)']);
  assert.equal(net.calls.length, adds, 'nothing added twice');
  const ipaddr = runner.agents(g)[0] as Ipv4AddressAgent;
  assert.deepEqual(ipaddr.holding, { ifname: 'eth0', label: 'eth0:0', refreshing: true });
  const next = await runner.agents(group('peer', 'IPaddr::192.0.2.51'))[0]!.nativeTakeover();
  assert.equal(next?.[0]?.kind === 'address' ? next[0].label : null, 'eth0:1', 'the adopted label is taken');
  await waitFor('a refresh', () => net.announced.length >= 2);
  await runner.stop(g, ctx());
  assert.deepEqual(net.where('192.0.2.50'), []);
});

test('IPv6addr: added without DAD, prefix from the argument or the route, announced; DAD-failed copies do not count', async () => {
  const net = lan();
  const a = createAgent(ref('IPv6addr::fd00:1:0:0:0:0:0:10'), deps(net));
  await a.start(ctx());
  assert.ok(net.calls.includes('add fd00:1:0:0:0:0:0:10/64 eth1 nodad'));
  assert.equal(await a.status(ctx()), 'running');
  // The kernel lists it compressed; still the same address.
  net.addresses = net.addresses.map((x) => (x.address === 'fd00:1:0:0:0:0:0:10' ? { ...x, address: 'fd00:1::10' } : x));
  assert.equal(await a.status(ctx()), 'running');
  assert.equal(net.announced[0]?.address, 'fd00:1:0:0:0:0:0:10');
  await a.stop(ctx());
  assert.equal(await a.status(ctx()), 'stopped');
  assert.deepEqual(net.where('fd00:1::10'), []);
  await createAgent(ref('IPv6addr::fd00:9:0:0:0:0:0:10/48/eth2'), deps(net)).start(ctx());
  assert.ok(net.calls.includes('add fd00:9:0:0:0:0:0:10/48 eth2 nodad'));
  await assert.rejects(createAgent(ref('IPv6addr::fd00:8:0:0:0:0:0:1'), deps(net)).start(ctx()), { code: 'RSC_NO_INTERFACE' });
  net.addresses.push({ ifname: 'eth1', family: 'inet6', address: 'fd00:1::20', prefixLen: 64, dadFailed: true });
  assert.equal(await createAgent(ref('IPv6addr::fd00:1:0:0:0:0:0:20'), deps(net)).status(ctx()), 'stopped');
});

test('SendArp: announcements only, a pseudo status, a named interface must exist', async () => {
  const net = lan();
  const a = createAgent(ref('SendArp::10.1.2.3/eth2'), deps(net, { announce: { SendArp: { count: 3, intervalMs: 10 } } }));
  assert.equal(await a.status(ctx()), 'stopped');
  await a.start(ctx());
  assert.equal(await a.status(ctx()), 'running');
  await waitFor('three rounds', () => net.announced.length === 3);
  assert.deepEqual(net.calls, [], 'no address added');
  assert.ok(net.announced.every((x) => x.ifname === 'eth2' && x.address === '10.1.2.3'));
  await a.stop(ctx());
  assert.equal(await a.status(ctx()), 'stopped');
  await assert.rejects(createAgent(ref('SendArp::10.1.2.3/eth7'), deps(net)).start(ctx()), { code: 'RSC_NO_INTERFACE' });
});

test('arguments that do not parse, or no NetOps: an agent that never starts and says why', async () => {
  const net = lan();
  const bad = createAgent(ref('IPaddr2::10.1.2.300'), deps(net));
  await assert.rejects(bad.start(ctx()), { code: 'RSC_BAD_ARGUMENT', message: /is not an IPv4 address/ });
  assert.equal(await bad.nativeTakeover(), null);
  const two = createAgent(ref('IPaddr2::10.1.2.3::x'), deps(net));
  await assert.rejects(two.start(ctx()), { message: /takes exactly one argument, not 2/ });
  const noNet = createAgent(ref('IPaddr2::10.1.2.3'), { haDir: '/x', initDir: '/x', baseEnv: {} });
  await assert.rejects(noNet.start(ctx()), { message: /without network access/ });
});

test('a link that is down: the address is added, with a warning (IPaddr2 would bring it up)', async () => {
  const net = lan();
  net.link('eth3', false);
  const log = captureLogger();
  await createAgent(ref('IPaddr2::172.16.0.5/24/eth3'), deps(net)).start(context(log));
  assert.ok(log.messages('warn').some((m) => /eth3 is down/.test(m)));
  assert.deepEqual(net.where('172.16.0.5'), ['eth3 172.16.0.5/24 brd 172.16.0.255']);
});
