// The NetOps contract: what every implementation must do, written once and
// run against the in-memory FakeNet on any machine (fake-net.test.ts) and
// against the kernel through the addon in network namespaces
// (test/netns/net-native.test.ts). Each test gets a fresh subject whose
// network is:
//
//   eth0  10.61.0.1/24 brd 10.61.0.255, 2001:db8:61::1/64 (no DAD), up,
//         on a LAN where announcement frames can be watched
//   eth1  10.62.0.1/24 brd 10.62.0.255, up
//
// Expected values are the kernel's (Linux 6.x): its errno codes, flags and
// routes; messages follow the C core's wording.

import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { InterfaceAddress, NetOps } from '../../../src/net/types';
import type { ObservedFrame } from './frames';

export interface Watch {
  /** The ARP and NA frames seen since watch(), in order. */
  stop(): Promise<ObservedFrame[]>;
}

export interface NetSubject {
  readonly net: NetOps;
  /** Starts recording the frames on eth0's LAN. */
  watch(): Promise<Watch>;
  /** ip link set IFNAME up|down. */
  setLinkUp(ifname: string, up: boolean): Promise<void>;
  dispose(): Promise<void>;
}

export type NetFactory = (t: TestContext) => Promise<NetSubject>;

export interface ContractOptions {
  /** node:test skip: a reason string skips the whole suite. */
  readonly skip?: string | false;
  /** Per-test timeout. */
  readonly timeout?: number;
}

/** Rejects with `code`; and when given, the message is `message` (or matches it). */
export async function rejectsWith(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, code, `code of: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

const find = (list: InterfaceAddress[], address: string): InterfaceAddress | undefined => list.find((a) => a.address === address);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export function netOpsContract(name: string, factory: NetFactory, opts: ContractOptions = {}): void {
  const timeout = opts.timeout ?? 20_000;
  describe(`NetOps contract: ${name}`, { skip: opts.skip ?? false }, () => {
    /** A test with a fresh subject, disposed whatever happens. */
    const it = (title: string, body: (s: NetSubject) => Promise<void>): void => {
      test(title, { timeout }, async (t) => {
        const s = await factory(t);
        try {
          await body(s);
        } finally {
          await s.dispose();
        }
      });
    };

    it('linkInfo: index, MAC, state and MTU; ENODEV for an unknown interface', async ({ net }) => {
      const l = await net.linkInfo('eth0');
      assert.equal(l.ifname, 'eth0');
      assert.ok(l.ifindex > 1);
      assert.match(l.mac, MAC);
      assert.notEqual(l.mac, '00:00:00:00:00:00');
      assert.equal(l.up, true);
      assert.equal(l.mtu, 1500);
      assert.notEqual((await net.linkInfo('eth1')).ifindex, l.ifindex);
      await rejectsWith(net.linkInfo('nosuch0'), 'ENODEV', 'reading interface nosuch0: No such device');
    });

    it('listAddresses: every interface or one; IPv4 labels default to the interface name', async ({ net }) => {
      const all = await net.listAddresses();
      const a = find(all, '10.61.0.1');
      assert.deepEqual(
        { ...a },
        { ifname: 'eth0', family: 'inet', address: '10.61.0.1', prefixLen: 24, broadcast: '10.61.0.255', label: 'eth0', secondary: false, tentative: false, dadFailed: false },
      );
      const v6 = find(all, '2001:db8:61::1');
      assert.equal(v6?.family, 'inet6');
      assert.equal(v6?.prefixLen, 64);
      assert.equal(v6?.label, undefined);
      assert.equal(v6?.broadcast, undefined);
      assert.ok(find(all, '127.0.0.1'));
      const eth1 = await net.listAddresses('eth1');
      assert.ok(eth1.length > 0);
      assert.ok(eth1.every((x) => x.ifname === 'eth1'));
      assert.ok(find(eth1, '10.62.0.1'));
      await rejectsWith(net.listAddresses('nosuch0'), 'ENODEV');
    });

    it('IPv4 with a label and a broadcast: added, listed, EEXIST, removed, EADDRNOTAVAIL', async ({ net }) => {
      const spec = { ifname: 'eth0', family: 'inet', address: '10.61.0.100', prefixLen: 24, broadcast: '10.61.0.255', label: 'eth0:0' } as const;
      await net.addAddress(spec);
      const a = find(await net.listAddresses('eth0'), '10.61.0.100');
      assert.equal(a?.label, 'eth0:0');
      assert.equal(a?.broadcast, '10.61.0.255');
      assert.equal(a?.prefixLen, 24);
      assert.equal(a?.secondary, true, 'a second address of the subnet is secondary');
      await rejectsWith(net.addAddress(spec), 'EEXIST', 'adding 10.61.0.100/24 to eth0: File exists');
      // the same address with another prefix length is another address to the kernel
      await net.addAddress({ ifname: 'eth0', family: 'inet', address: '10.61.0.100', prefixLen: 32 });
      await net.deleteAddress({ ifname: 'eth0', family: 'inet', address: '10.61.0.100', prefixLen: 32 });
      await net.deleteAddress(spec);
      assert.equal(find(await net.listAddresses(), '10.61.0.100'), undefined);
      await rejectsWith(net.deleteAddress(spec), 'EADDRNOTAVAIL', 'removing 10.61.0.100/24 from eth0: Cannot assign requested address');
      // no broadcast given: none set (ip addr add without brd)
      await net.addAddress({ ifname: 'eth1', family: 'inet', address: '10.62.0.100', prefixLen: 24 });
      const b = find(await net.listAddresses('eth1'), '10.62.0.100');
      assert.equal(b?.broadcast, undefined);
      assert.equal(b?.label, 'eth1');
    });

    it('refusals before the kernel: unknown interface, a label of another interface, mixed-up specs', async ({ net }) => {
      await rejectsWith(
        net.addAddress({ ifname: 'nosuch0', family: 'inet', address: '10.61.0.100', prefixLen: 24 }),
        'ENODEV',
        'adding 10.61.0.100/24 to nosuch0: No such device',
      );
      await rejectsWith(
        net.addAddress({ ifname: 'eth0', family: 'inet', address: '10.61.0.100', prefixLen: 24, label: 'eth1:0' }),
        'EINVAL',
        'adding 10.61.0.100/24 to eth0 (the label eth1:0 does not begin with the interface name): Invalid argument',
      );
      await rejectsWith(net.addAddress({ ifname: 'eth0', family: 'inet6', address: '10.61.0.100', prefixLen: 24 }), 'EINVAL');
      await rejectsWith(net.addAddress({ ifname: 'eth0', family: 'inet', address: '10.61.0.100', prefixLen: 33 }), 'EINVAL');
      await rejectsWith(net.addAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8:61::100', prefixLen: 64, label: 'eth0:1' }), 'EINVAL');
      assert.equal(find(await net.listAddresses(), '10.61.0.100'), undefined);
    });

    it('IPv6: without DAD usable at once, with DAD tentative; EEXIST; a delete must name the prefix', async ({ net }) => {
      await net.addAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8:61::100', prefixLen: 64, noDad: true });
      await net.addAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8:61::101', prefixLen: 64 });
      const list = await net.listAddresses('eth0');
      assert.equal(find(list, '2001:db8:61::100')?.tentative, false);
      assert.equal(find(list, '2001:db8:61::101')?.tentative, true);
      // the kernel reports addresses in canonical form
      await rejectsWith(
        net.addAddress({ ifname: 'eth0', family: 'inet6', address: '2001:DB8:61:0::100', prefixLen: 64, noDad: true }),
        'EEXIST',
        'adding 2001:db8:61::100/64 to eth0: File exists',
      );
      await rejectsWith(net.deleteAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8:61::100', prefixLen: 80 }), 'EADDRNOTAVAIL');
      await net.deleteAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8:61::100', prefixLen: 64 });
      await net.deleteAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8:61::101', prefixLen: 64 });
      assert.equal(find(await net.listAddresses(), '2001:db8:61::100'), undefined);
    });

    it('findInterface: two interfaces, two subnets, a VIP in each; none for an unrouted address', async ({ net }) => {
      assert.deepEqual(await net.findInterface('10.61.0.77'), { ifname: 'eth0', prefixLen: 24, broadcast: '10.61.0.255' });
      assert.deepEqual(await net.findInterface('10.62.0.77'), { ifname: 'eth1', prefixLen: 24, broadcast: '10.62.0.255' });
      assert.equal(await net.findInterface('10.63.0.1'), null);
      assert.equal(await net.findInterface('192.0.2.1'), null);
      assert.deepEqual(await net.findInterface('2001:db8:61::77'), { ifname: 'eth0', prefixLen: 64 });
      assert.equal(await net.findInterface('2001:db8:99::1'), null);
      // the interface a configuration names: its own route, or the computed one marked
      assert.deepEqual(await net.findInterface('10.61.0.77', 'eth0'), { ifname: 'eth0', prefixLen: 24, broadcast: '10.61.0.255' });
      assert.deepEqual(await net.findInterface('10.61.0.77', 'eth1'), { ifname: 'eth0', prefixLen: 24, broadcast: '10.61.0.255', differs: true });
      assert.equal(await net.findInterface('10.63.0.1', 'eth1'), null);
      await rejectsWith(net.findInterface('10.61.0.77', 'nosuch0'), 'ENODEV');
      await rejectsWith(net.findInterface('fe80::1'), 'EINVAL');
      assert.equal((await net.findInterface('fe80::1', 'eth1'))?.ifname, 'eth1');
      await rejectsWith(net.findInterface('10.61.0.999'), 'EINVAL');
    });

    it('findInterface follows the addresses: a new subnet routes, a narrower prefix wins, a down link has none', async (s) => {
      const { net } = s;
      await net.addAddress({ ifname: 'eth1', family: 'inet', address: '10.63.0.1', prefixLen: 16, broadcast: '10.63.255.255' });
      assert.deepEqual(await net.findInterface('10.63.5.9'), { ifname: 'eth1', prefixLen: 16, broadcast: '10.63.255.255' });
      await net.addAddress({ ifname: 'eth0', family: 'inet', address: '10.63.5.1', prefixLen: 24 });
      assert.deepEqual(await net.findInterface('10.63.5.9'), { ifname: 'eth0', prefixLen: 24, broadcast: '10.63.5.255' });
      // a /32 adds no route
      await net.addAddress({ ifname: 'eth1', family: 'inet', address: '10.64.0.1', prefixLen: 32 });
      assert.equal(await net.findInterface('10.64.0.1'), null);
      // a down interface takes its connected routes with it
      await s.setLinkUp('eth1', false);
      assert.equal((await net.linkInfo('eth1')).up, false);
      assert.equal(await net.findInterface('10.62.0.77'), null);
      await s.setLinkUp('eth1', true);
      assert.equal((await net.findInterface('10.62.0.77'))?.ifname, 'eth1');
    });

    it('announce IPv4: per round a request then a reply (send_arp), or one of them', async (s) => {
      const { net } = s;
      const mac = (await net.linkInfo('eth0')).mac;
      const w = await s.watch();
      await net.announce({ ifname: 'eth0', address: '10.61.0.100', count: 2, intervalMs: 30 });
      await net.announce({ ifname: 'eth0', address: '10.61.0.101', count: 2, intervalMs: 10, mode: 'request' });
      await net.announce({ ifname: 'eth0', address: '10.61.0.102', count: 1, intervalMs: 10, mode: 'reply' });
      await net.announce({ ifname: 'eth0', address: '10.61.0.103', count: 0, intervalMs: 10 });
      const frames = (await w.stop()).filter((f) => f.address.startsWith('10.61.0.10'));
      assert.deepEqual(
        frames.map((f) => `${f.kind} ${f.address}`),
        ['arp-request 10.61.0.100', 'arp-reply 10.61.0.100', 'arp-request 10.61.0.100', 'arp-reply 10.61.0.100', 'arp-request 10.61.0.101', 'arp-request 10.61.0.101', 'arp-reply 10.61.0.102'],
      );
      for (const f of frames) {
        assert.equal(f.mac, mac);
        assert.equal(f.ethSrc, mac);
        assert.equal(f.ethDst, 'ff:ff:ff:ff:ff:ff');
        assert.equal(f.gratuitous, true);
        assert.equal(f.targetMac, f.kind === 'arp-reply' ? mac : '00:00:00:00:00:00');
      }
    });

    it('announce IPv6: unsolicited neighbour advertisements with Override and the MAC', async (s) => {
      const { net } = s;
      const mac = (await net.linkInfo('eth0')).mac;
      await net.addAddress({ ifname: 'eth0', family: 'inet6', address: '2001:db8:61::100', prefixLen: 64, noDad: true });
      const w = await s.watch();
      await net.announce({ ifname: 'eth0', address: '2001:db8:61::100', count: 2, intervalMs: 20 });
      await net.announce({ ifname: 'eth0', address: '2001:db8:61::100', count: 1, intervalMs: 20, router: true });
      const frames = (await w.stop()).filter((f) => f.address === '2001:db8:61::100');
      assert.deepEqual(frames.map((f) => [f.kind, f.naFlags]), [['na', 0x20], ['na', 0x20], ['na', 0xa0]]);
      for (const f of frames) {
        assert.equal(f.mac, mac);
        assert.equal(f.ethDst, '33:33:00:00:00:01');
        assert.equal(f.gratuitous, true);
      }
    });

    it('announce refusals: unknown interface, loopback, a down interface', async (s) => {
      const { net } = s;
      await rejectsWith(net.announce({ ifname: 'nosuch0', address: '10.61.0.100', count: 1, intervalMs: 0 }), 'ENODEV', 'opening AF_PACKET on nosuch0: No such device');
      await rejectsWith(net.announce({ ifname: 'lo', address: '127.0.0.2', count: 1, intervalMs: 0 }), 'EOPNOTSUPP');
      await s.setLinkUp('eth1', false);
      await rejectsWith(
        net.announce({ ifname: 'eth1', address: '10.62.0.100', count: 2, intervalMs: 0 }),
        'ENETDOWN',
        'sending gratuitous ARP for 10.62.0.100 on eth1: Network is down',
      );
      await rejectsWith(net.announce({ ifname: 'eth0', address: '10.61.0.300', count: 1, intervalMs: 0 }), 'EINVAL');
    });

    it('announce stops when its signal aborts: nothing after an early abort, the rest cut short', async (s) => {
      const { net } = s;
      const w = await s.watch();
      const early = new AbortController();
      early.abort();
      await assert.rejects(net.announce({ ifname: 'eth0', address: '10.61.0.110', count: 3, intervalMs: 10, signal: early.signal }), { name: 'AbortError' });
      const late = new AbortController();
      // the first round goes out at once, the abort comes well after it
      const run = net.announce({ ifname: 'eth0', address: '10.61.0.111', count: 50, intervalMs: 300, signal: late.signal });
      setTimeout(() => late.abort(), 700).unref();
      await assert.rejects(run, { name: 'AbortError' });
      const frames = await w.stop();
      assert.equal(frames.filter((f) => f.address === '10.61.0.110').length, 0);
      const cut = frames.filter((f) => f.address === '10.61.0.111').length;
      assert.ok(cut >= 2 && cut < 100, `${cut} frames of an aborted 50-round announcement`);
    });
  });
}
