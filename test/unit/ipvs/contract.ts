// The IpvsBackend contract: what every backend must do, written once and run
// against the in-memory backend on any machine (memory-backend.test.ts) and
// against the kernel through the native backend inside the IPVS VM
// (test/vm/ipvs-native.test.ts). Each test gets a fresh, empty backend from
// the factory (for the kernel: a new network namespace) with `lo` up.
//
// Expected values are the kernel's (Linux 6.1): defaults, the order of its
// checks, and its errno codes; messages follow the C core's wording.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  IpvsBackend,
  IpvsDest,
  IpvsDestState,
  IpvsService,
  IpvsServiceState,
  IpvsStats,
  ServiceKey,
  SyncDaemon,
} from '../../../src/ipvs/types';

export interface ContractSubject {
  readonly backend: IpvsBackend;
  /** Removes whatever the factory created (the backend is closed first). */
  dispose(): Promise<void>;
}

export type BackendFactory = () => Promise<ContractSubject>;

export interface ContractOptions {
  /** node:test skip: a reason string skips the whole suite. */
  readonly skip?: string | false;
}

// ------------------------------------------------------------ helpers

const ZERO: IpvsStats = {
  conns: 0n, inPackets: 0n, outPackets: 0n, inBytes: 0n, outBytes: 0n,
  cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n,
};
const NO_FLAGS = { onePacket: false, sched1: false, sched2: false, sched3: false };

const keyText = (k: ServiceKey): string =>
  k.fwmark !== undefined ? `${k.af}/fwm/${k.fwmark}` : `${k.af}/${k.protocol}/${k.address}/${k.port}`;
const byKey = (a: IpvsServiceState, b: IpvsServiceState): number => keyText(a.key).localeCompare(keyText(b.key));
const byAddr = (a: IpvsDestState, b: IpvsDestState): number =>
  `${a.address}/${a.port}`.localeCompare(`${b.address}/${b.port}`);

/** Rejects with `code`; and when given, the message starts with `message`. */
async function rejectsWith(p: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, code, `code of: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

type PortKey = Extract<ServiceKey, { readonly port: number }>;
const TCP80: PortKey = { af: 'inet', protocol: 'tcp', address: '10.0.0.100', port: 80 };
const rr80: PortKey & IpvsService = { ...TCP80, scheduler: 'rr' };
const masq = (address: string, port = 80, weight = 1): IpvsDest => ({ address, port, forward: 'masq', weight });

/** The canonical state of a fresh service (all settings present). */
function expectedService(key: ServiceKey, rest: Partial<IpvsServiceState> & { scheduler: string }): IpvsServiceState {
  return {
    key,
    netmask: key.af === 'inet6' ? 128 : '255.255.255.255',
    flags: NO_FLAGS,
    stats: ZERO,
    ...rest,
  };
}

function expectedDest(d: IpvsDest & Partial<IpvsDestState>, af: 'inet' | 'inet6' = 'inet'): IpvsDestState {
  return {
    af,
    upperThreshold: 0,
    lowerThreshold: 0,
    activeConns: 0,
    inactiveConns: 0,
    persistentConns: 0,
    stats: ZERO,
    ...d,
  };
}

// ------------------------------------------------------------ the suite

export function ipvsBackendContract(name: string, factory: BackendFactory, options: ContractOptions = {}): void {
  /** Runs fn with a fresh backend, always disposing of it. */
  const withBackend = (fn: (b: IpvsBackend) => Promise<void>) => async () => {
    const subject = await factory();
    try {
      await fn(subject.backend);
    } finally {
      subject.backend.close();
      await subject.dispose();
    }
  };

  describe(`IpvsBackend contract: ${name}`, { skip: options.skip ?? false }, () => {
    test('info: IPVS 1.2.1 and the connection table size', withBackend(async (b) => {
      const info = await b.info();
      assert.equal(info.version, '1.2.1');
      assert.equal(info.connTableSize, 4096);
    }));

    test('a fresh table is empty, with the default timeouts and no daemons', withBackend(async (b) => {
      assert.deepEqual(await b.listServices(), []);
      assert.deepEqual(await b.listDaemons(), []);
      assert.deepEqual(await b.getTimeouts(), { tcp: 900, tcpFin: 120, udp: 300 });
    }));

    test('services of every kind come back in canonical form', withBackend(async (b) => {
      const add: IpvsService[] = [
        rr80,
        { af: 'inet', protocol: 'udp', address: '10.0.0.100', port: 53, scheduler: 'wlc', persistentTimeout: 600, netmask: '255.255.255.0', flags: { onePacket: true } },
        { af: 'inet', protocol: 'sctp', address: '10.0.0.100', port: 3868, scheduler: 'sh', flags: { sched1: true, sched2: true } },
        { af: 'inet', fwmark: 7, scheduler: 'wrr', persistentTimeout: 360, netmask: 24 },
        { af: 'inet6', protocol: 'tcp', address: '2001:DB8:0::100', port: 443, scheduler: 'lc', persistentTimeout: 120, netmask: 64 },
        { af: 'inet6', fwmark: 9, scheduler: 'rr' },
        { af: 'inet', protocol: 'udp', address: '10.0.0.100', port: 5060, scheduler: 'rr', persistentTimeout: 60, peName: 'sip' },
      ];
      for (const s of add) await b.addService(s);
      const want: IpvsServiceState[] = [
        expectedService(TCP80, { scheduler: 'rr' }),
        expectedService({ af: 'inet', protocol: 'udp', address: '10.0.0.100', port: 53 }, {
          scheduler: 'wlc', persistentTimeout: 600, netmask: '255.255.255.0', flags: { ...NO_FLAGS, onePacket: true },
        }),
        expectedService({ af: 'inet', protocol: 'sctp', address: '10.0.0.100', port: 3868 }, {
          scheduler: 'sh', flags: { ...NO_FLAGS, sched1: true, sched2: true },
        }),
        expectedService({ af: 'inet', fwmark: 7 }, { scheduler: 'wrr', persistentTimeout: 360, netmask: '255.255.255.0' }),
        expectedService({ af: 'inet6', protocol: 'tcp', address: '2001:db8::100', port: 443 }, {
          scheduler: 'lc', persistentTimeout: 120, netmask: 64,
        }),
        expectedService({ af: 'inet6', fwmark: 9 }, { scheduler: 'rr' }),
        expectedService({ af: 'inet', protocol: 'udp', address: '10.0.0.100', port: 5060 }, {
          scheduler: 'rr', persistentTimeout: 60, peName: 'sip',
        }),
      ];
      assert.deepEqual((await b.listServices()).sort(byKey), want.sort(byKey));
    }));

    test('adding a service twice: EEXIST', withBackend(async (b) => {
      await b.addService(rr80);
      await rejectsWith(b.addService({ ...rr80, scheduler: 'wlc' }), 'EEXIST', 'adding service TCP 10.0.0.100:80: File exists');
      // the kernel checks existence before the scheduler
      await rejectsWith(b.addService({ ...rr80, scheduler: 'no-such' }), 'EEXIST');
    }));

    test('unknown scheduler or persistence engine: ENOENT; bad IPv6 mask: EINVAL', withBackend(async (b) => {
      await rejectsWith(
        b.addService({ ...rr80, scheduler: 'nosuch' }),
        'ENOENT',
        'adding service TCP 10.0.0.100:80 (unknown scheduler or persistence engine): No such file or directory',
      );
      await rejectsWith(b.addService({ ...rr80, peName: 'nosuch' }), 'ENOENT');
      await rejectsWith(
        b.addService({ af: 'inet6', protocol: 'tcp', address: '2001:db8::1', port: 80, scheduler: 'rr', netmask: 0 }),
        'EINVAL',
      );
      assert.deepEqual(await b.listServices(), []);
    }));

    test('editing and deleting services; a missing one is ESRCH', withBackend(async (b) => {
      await rejectsWith(b.editService(rr80), 'ESRCH', 'editing service TCP 10.0.0.100:80 (no such service): No such process');
      await rejectsWith(b.deleteService(TCP80), 'ESRCH', 'deleting service TCP 10.0.0.100:80 (no such service): No such process');
      await b.addService(rr80);
      await b.editService({ ...rr80, scheduler: 'wlc', persistentTimeout: 300, netmask: '255.255.0.0' });
      assert.deepEqual(await b.listServices(), [
        expectedService(TCP80, { scheduler: 'wlc', persistentTimeout: 300, netmask: '255.255.0.0' }),
      ]);
      await rejectsWith(b.editService({ ...rr80, scheduler: 'nosuch' }), 'ENOENT');
      await b.editService(rr80); // persistence off again
      assert.deepEqual(await b.listServices(), [expectedService(TCP80, { scheduler: 'rr' })]);
      await b.deleteService(TCP80);
      assert.deepEqual(await b.listServices(), []);
    }));

    test('destinations: every forwarding method, thresholds, tunnels', withBackend(async (b) => {
      await b.addService(rr80);
      const dests: IpvsDest[] = [
        masq('10.0.1.2'),
        { address: '10.0.0.3', port: 8080, forward: 'masq', weight: 2, upperThreshold: 100, lowerThreshold: 50 },
        { address: '10.0.0.4', port: 80, forward: 'route', weight: 0 },
        { address: '10.0.0.7', port: 80, forward: 'tunnel', weight: 1 },
        { address: '10.0.0.5', port: 80, forward: 'tunnel', weight: 3, tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: { csum: true } },
        { address: '10.0.0.6', port: 80, forward: 'tunnel', weight: 4, tunnelType: 'gre', tunnelFlags: { noCsum: true } },
        { address: '10.0.0.8', port: 80, forward: 'tunnel', weight: 1, tunnelType: 'gue', tunnelPort: 6081, tunnelFlags: { remCsum: true } },
      ];
      for (const d of dests) await b.addDest(TCP80, d);
      const tun = (type: 'ipip' | 'gue' | 'gre', flags: { noCsum: boolean; csum: boolean; remCsum: boolean }, port?: number) => ({
        tunnelType: type,
        ...(port ? { tunnelPort: port } : {}),
        tunnelFlags: flags,
      });
      const plain = { noCsum: true, csum: false, remCsum: false };
      const want = [
        expectedDest(masq('10.0.1.2')),
        expectedDest({ address: '10.0.0.3', port: 8080, forward: 'masq', weight: 2, upperThreshold: 100, lowerThreshold: 50 }),
        expectedDest({ address: '10.0.0.4', port: 80, forward: 'route', weight: 0 }),
        expectedDest({ address: '10.0.0.7', port: 80, forward: 'tunnel', weight: 1, ...tun('ipip', plain) }),
        expectedDest({ address: '10.0.0.5', port: 80, forward: 'tunnel', weight: 3, ...tun('gue', { noCsum: false, csum: true, remCsum: false }, 6080) }),
        expectedDest({ address: '10.0.0.6', port: 80, forward: 'tunnel', weight: 4, ...tun('gre', plain) }),
        expectedDest({ address: '10.0.0.8', port: 80, forward: 'tunnel', weight: 1, ...tun('gue', { noCsum: false, csum: false, remCsum: true }, 6081) }),
      ];
      assert.deepEqual((await b.listDests(TCP80)).sort(byAddr), want.sort(byAddr));
    }));

    test('destination errors: EEXIST, ENOENT, ESRCH, ERANGE, EINVAL', withBackend(async (b) => {
      await b.addService(rr80);
      await b.addDest(TCP80, masq('10.0.0.2'));
      await rejectsWith(b.addDest(TCP80, masq('10.0.0.2')), 'EEXIST', 'adding destination 10.0.0.2:80 to TCP 10.0.0.100:80: File exists');
      await rejectsWith(
        b.editDest(TCP80, masq('10.0.0.9')),
        'ENOENT',
        'editing destination 10.0.0.9:80 of TCP 10.0.0.100:80 (no such destination): No such file or directory',
      );
      await rejectsWith(
        b.deleteDest(TCP80, { address: '10.0.0.9', port: 80 }),
        'ENOENT',
        'deleting destination 10.0.0.9:80 from TCP 10.0.0.100:80 (no such destination): No such file or directory',
      );
      const other: ServiceKey = { af: 'inet', protocol: 'tcp', address: '10.9.9.9', port: 1 };
      await rejectsWith(
        b.addDest(other, masq('10.0.0.2', 1)),
        'ESRCH',
        'adding destination 10.0.0.2:1 to TCP 10.9.9.9:1 (no such service): No such process',
      );
      await rejectsWith(b.listDests(other), 'ESRCH', 'listing the destinations of TCP 10.9.9.9:1 (no such service): No such process');
      await rejectsWith(b.addDest(TCP80, masq('10.0.0.3', 80, -1)), 'ERANGE');
      await rejectsWith(b.addDest(TCP80, { ...masq('10.0.0.3'), upperThreshold: 10, lowerThreshold: 20 }), 'ERANGE');
      await rejectsWith(b.addDest(TCP80, { ...masq('10.0.0.3'), lowerThreshold: 5 }), 'ERANGE'); // no upper = 0
      await rejectsWith(b.addDest(TCP80, { address: '10.0.0.3', port: 80, forward: 'tunnel', weight: 1, tunnelType: 'gue' }), 'EINVAL');
      await rejectsWith(b.addDest(TCP80, masq('224.0.0.5')), 'EINVAL');
      await rejectsWith(b.addDest(TCP80, masq('0.0.0.0')), 'EINVAL');
      // another family only through a tunnel
      await rejectsWith(b.addDest(TCP80, { af: 'inet6', ...masq('2001:db8::7') }), 'EINVAL');
      await b.addDest(TCP80, { af: 'inet6', address: '2001:db8::7', port: 80, forward: 'tunnel', weight: 1 });
      assert.equal((await b.listDests(TCP80)).length, 2);
    }));

    test('editing a destination: weight 0 (quiescent), thresholds, forwarding', withBackend(async (b) => {
      await b.addService(rr80);
      await b.addDest(TCP80, masq('10.0.0.2'));
      await b.editDest(TCP80, { address: '10.0.0.2', port: 80, forward: 'route', weight: 0, upperThreshold: 200, lowerThreshold: 150 });
      assert.deepEqual(await b.listDests(TCP80), [
        expectedDest({ address: '10.0.0.2', port: 80, forward: 'route', weight: 0, upperThreshold: 200, lowerThreshold: 150 }),
      ]);
      await rejectsWith(b.editDest(TCP80, masq('10.0.0.2', 80, -5)), 'ERANGE');
      await b.deleteDest(TCP80, { address: '10.0.0.2', port: 80 });
      assert.deepEqual(await b.listDests(TCP80), []);
    }));

    test('IPv6 and fwmark services with their destinations', withBackend(async (b) => {
      const v6: ServiceKey = { af: 'inet6', protocol: 'tcp', address: '2001:db8::100', port: 443 };
      const fwm: ServiceKey = { af: 'inet', fwmark: 7 };
      await b.addService({ ...v6, scheduler: 'wrr' });
      await b.addService({ ...fwm, scheduler: 'rr' });
      await b.addDest(v6, { address: '2001:DB8::0002', port: 443, forward: 'masq', weight: 5 });
      await b.addDest(fwm, { address: '10.0.0.8', port: 0, forward: 'route', weight: 1 });
      assert.deepEqual(await b.listDests(v6), [
        expectedDest({ address: '2001:db8::2', port: 443, forward: 'masq', weight: 5 }, 'inet6'),
      ]);
      assert.deepEqual(await b.listDests(fwm), [expectedDest({ address: '10.0.0.8', port: 0, forward: 'route', weight: 1 })]);
      await rejectsWith(
        b.addDest(v6, { address: '2001:db8::2', port: 443, forward: 'masq', weight: 5 }),
        'EEXIST',
        'adding destination [2001:db8::2]:443 to TCP [2001:db8::100]:443: File exists',
      );
      await rejectsWith(b.addDest(v6, { address: 'fe80::1', port: 443, forward: 'masq', weight: 1 }), 'EINVAL');
      await rejectsWith(b.deleteService({ af: 'inet6', fwmark: 7 }), 'ESRCH', 'deleting service FWM 7 IPv6 (no such service): No such process');
      await b.deleteService(fwm);
    }));

    test('values the kernel cannot take are refused before it: EINVAL', withBackend(async (b) => {
      await rejectsWith(b.addService({ ...rr80, address: '10.0.0.256' }), 'EINVAL', /^adding service TCP 10\.0\.0\.256:80 \('10\.0\.0\.256' is not an IPv4 address\)/);
      await rejectsWith(b.addService({ ...rr80, port: 70000 }), 'EINVAL');
      await rejectsWith(b.addService({ ...rr80, protocol: 'icmp' as 'tcp' }), 'EINVAL');
      await rejectsWith(b.addService({ ...rr80, netmask: '255.255.0' }), 'EINVAL');
      await rejectsWith(b.addService({ af: 'ipx' as 'inet', fwmark: 1, scheduler: 'rr' }), 'EAFNOSUPPORT');
      await rejectsWith(b.addService({ af: 'inet', fwmark: 0, scheduler: 'rr' }), 'EINVAL');
      await rejectsWith(b.addService({ ...rr80, address: '2001:db8::1' }), 'EINVAL');
      await b.addService(rr80);
      await rejectsWith(b.addDest(TCP80, masq('not-an-address')), 'EINVAL');
      await rejectsWith(b.addDest(TCP80, { ...masq('10.0.0.2'), forward: 'nat' as 'masq' }), 'EINVAL');
      await rejectsWith(b.addDest(TCP80, { ...masq('10.0.0.2'), weight: 1.5 }), 'EINVAL');
      assert.deepEqual(await b.listDests(TCP80), []);
    }));

    test('zero: one service or all; a missing one is ESRCH', withBackend(async (b) => {
      await b.addService(rr80);
      await b.zero(TCP80);
      await b.zero();
      await rejectsWith(b.zero({ ...TCP80, port: 81 }), 'ESRCH', 'zeroing the counters of TCP 10.0.0.100:81 (no such service): No such process');
      const [svc] = await b.listServices();
      assert.deepEqual(svc?.stats, ZERO);
    }));

    test('timeouts: 0 leaves a value unchanged', withBackend(async (b) => {
      await b.setTimeouts({ tcp: 1000, tcpFin: 0, udp: 200 });
      assert.deepEqual(await b.getTimeouts(), { tcp: 1000, tcpFin: 120, udp: 200 });
      await b.setTimeouts({ tcp: 0, tcpFin: 60, udp: 0 });
      assert.deepEqual(await b.getTimeouts(), { tcp: 1000, tcpFin: 60, udp: 200 });
      await rejectsWith(b.setTimeouts({ tcp: -1, tcpFin: 0, udp: 0 }), 'EINVAL');
    }));

    test('sync daemons: start, list with the kernel defaults, stop', withBackend(async (b) => {
      const backup: SyncDaemon = { role: 'backup', mcastInterface: 'lo', syncId: 9 };
      await b.startDaemon(backup);
      await rejectsWith(b.startDaemon(backup), 'EEXIST', 'starting the backup sync daemon on lo (syncid 9) (already running): File exists');
      await b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 7, maxLen: 1400, mcastGroup: '239.1.2.3', mcastPort: 9000, mcastTtl: 2 });
      assert.deepEqual(await b.listDaemons(), [
        { role: 'master', mcastInterface: 'lo', syncId: 7, maxLen: 1400, mcastGroup: '239.1.2.3', mcastPort: 9000, mcastTtl: 2 },
        // a backup takes its maxlen from the MTU: lo's 65536, capped at 65535 - IP/UDP headers
        { role: 'backup', mcastInterface: 'lo', syncId: 9, maxLen: 65507, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 },
      ]);
      await b.stopDaemon('master');
      await rejectsWith(b.stopDaemon('master'), 'ESRCH', 'stopping the master sync daemon (not running): No such process');
      await b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 0 });
      assert.deepEqual((await b.listDaemons())[0], {
        role: 'master', mcastInterface: 'lo', syncId: 0, maxLen: 1472, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1,
      });
      await b.stopDaemon('master');
      await b.stopDaemon('backup');
      assert.deepEqual(await b.listDaemons(), []);
    }));

    test('sync daemon errors: ENODEV, EINVAL', withBackend(async (b) => {
      await rejectsWith(
        b.startDaemon({ role: 'master', mcastInterface: 'nope0', syncId: 1 }),
        'ENODEV',
        'starting the master sync daemon on nope0 (syncid 1) (no such interface): No such device',
      );
      await rejectsWith(b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 1, mcastGroup: '10.1.1.1' }), 'EINVAL');
      await rejectsWith(b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 300 }), 'EINVAL');
      // the sync protocol cannot carry services with destinations of another family
      await b.addService(rr80);
      await b.addDest(TCP80, { af: 'inet6', address: '2001:db8::7', port: 80, forward: 'tunnel', weight: 1 });
      await rejectsWith(b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 1 }), 'EINVAL');
      await b.deleteDest(TCP80, { af: 'inet6', address: '2001:db8::7', port: 80 });
      await b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 1 });
      await rejectsWith(b.addDest(TCP80, { af: 'inet6', address: '2001:db8::7', port: 80, forward: 'tunnel', weight: 1 }), 'EINVAL');
      await b.stopDaemon('master');
    }));

    test('flush removes every service and leaves the daemons', withBackend(async (b) => {
      await b.addService(rr80);
      await b.addService({ af: 'inet', fwmark: 3, scheduler: 'rr' });
      await b.addDest(TCP80, masq('10.0.0.2'));
      await b.startDaemon({ role: 'backup', mcastInterface: 'lo', syncId: 1 });
      await b.flush();
      assert.deepEqual(await b.listServices(), []);
      assert.equal((await b.listDaemons()).length, 1);
      await b.stopDaemon('backup');
      await b.flush(); // an empty flush is fine
    }));

    test('after close every call rejects with EBADF', withBackend(async (b) => {
      b.close();
      await rejectsWith(b.listServices(), 'EBADF', 'using a closed IPVS handle: Bad file descriptor');
      b.close(); // idempotent
    }));
  });
}
