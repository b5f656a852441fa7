// hbd's native backend and ipvsadm looking at the same kernel table (inside
// the IPVS VM): what hbd programs, ipvsadm lists exactly (-Ln, --stats,
// --thresholds, --tun-info, --timeout, -L --daemon), and what ipvsadm
// programs, hbd reads back exactly. IPv4, IPv6, fwmark, SCTP, persistence,
// one-packet scheduling, scheduler flags, a persistence engine, thresholds
// and every tunnel type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openNativeIpvs } from '../../src/ipvs/native-backend';
import type { IpvsServiceState, ServiceKey } from '../../src/ipvs/types';
import { ipvsadm, lines, netns, vmOnly } from './helpers';

const HEADER = ['IP Virtual Server version 1.2.1 (size=4096)'];

test('what hbd programs, ipvsadm lists', { skip: vmOnly }, async (t) => {
  const ns = netns(t, 'adm');
  const b = await openNativeIpvs({ netns: ns });
  t.after(() => b.close());

  const tcp: ServiceKey = { af: 'inet', protocol: 'tcp', address: '10.0.0.100', port: 80 };
  const v6: ServiceKey = { af: 'inet6', protocol: 'tcp', address: '2001:db8::100', port: 443 };
  const fwm6: ServiceKey = { af: 'inet6', fwmark: 9 };
  await b.addService({ ...tcp, scheduler: 'wlc' });
  await b.addService({ af: 'inet', protocol: 'udp', address: '10.0.0.100', port: 53, scheduler: 'wlc', persistentTimeout: 600, netmask: '255.255.255.0', flags: { onePacket: true } });
  await b.addService({ af: 'inet', protocol: 'sctp', address: '10.0.0.100', port: 3868, scheduler: 'sh', flags: { sched1: true, sched2: true } });
  await b.addService({ af: 'inet', fwmark: 7, scheduler: 'wrr', persistentTimeout: 360 });
  await b.addService({ ...v6, scheduler: 'lc', persistentTimeout: 120, netmask: 64 });
  await b.addService({ ...fwm6, scheduler: 'rr' });
  await b.addService({ af: 'inet', protocol: 'udp', address: '10.0.0.100', port: 5060, scheduler: 'rr', persistentTimeout: 60, peName: 'sip' });
  await b.addDest(tcp, { address: '10.0.0.3', port: 8080, forward: 'masq', weight: 10, upperThreshold: 100, lowerThreshold: 50 });
  await b.addDest(tcp, { address: '10.0.0.4', port: 80, forward: 'route', weight: 0 });
  await b.addDest(tcp, { address: '10.0.0.5', port: 80, forward: 'tunnel', weight: 3, tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: { csum: true } });
  await b.addDest(tcp, { address: '10.0.0.6', port: 80, forward: 'tunnel', weight: 4, tunnelType: 'gre' });
  await b.addDest(tcp, { address: '10.0.0.7', port: 80, forward: 'tunnel', weight: 1 });
  await b.addDest({ af: 'inet', fwmark: 7 }, { address: '10.0.0.8', port: 0, forward: 'tunnel', weight: 1, tunnelType: 'gue', tunnelPort: 6081, tunnelFlags: { remCsum: true } });
  await b.addDest(v6, { address: '2001:db8::2', port: 443, forward: 'masq', weight: 5 });
  await b.addDest(fwm6, { address: '2001:db8::3', port: 80, forward: 'route', weight: 1 });

  assert.deepEqual(lines(ipvsadm(ns, '-Ln')), [
    ...HEADER,
    'Prot LocalAddress:Port Scheduler Flags',
    '-> RemoteAddress:Port Forward Weight ActiveConn InActConn',
    'TCP 10.0.0.100:80 wlc',
    '-> 10.0.0.3:8080 Masq 10 0 0',
    '-> 10.0.0.4:80 Route 0 0 0',
    '-> 10.0.0.5:80 Tunnel 3 0 0',
    '-> 10.0.0.6:80 Tunnel 4 0 0',
    '-> 10.0.0.7:80 Tunnel 1 0 0',
    'UDP 10.0.0.100:53 wlc persistent 600 mask 255.255.255.0 ops',
    'UDP 10.0.0.100:5060 rr persistent 60 pe sip',
    'SCTP 10.0.0.100:3868 sh (sh-fallback,sh-port)',
    'TCP [2001:db8::100]:443 lc persistent 120 mask 64',
    '-> [2001:db8::2]:443 Masq 5 0 0',
    'FWM 7 wrr persistent 360',
    '-> 10.0.0.8:0 Tunnel 1 0 0',
    'FWM 9 IPv6 rr',
    '-> [2001:db8::3]:80 Route 1 0 0',
  ]);
  const thresholds = lines(ipvsadm(ns, '-Ln', '--thresholds', '-t', '10.0.0.100:80'));
  assert.ok(thresholds.includes('-> 10.0.0.3:8080 100 50 0 0'), thresholds.join('\n'));
  assert.ok(thresholds.includes('-> 10.0.0.4:80 0 0 0 0'));
  const tun = lines(ipvsadm(ns, '-Ln', '--tun-info', '-t', '10.0.0.100:80'));
  assert.ok(tun.includes('-> 10.0.0.5:80 Tunnel gue:6080:+c 3 0 0'), tun.join('\n'));
  assert.ok(tun.includes('-> 10.0.0.6:80 Tunnel gre:-c 4 0 0'));
  assert.ok(tun.includes('-> 10.0.0.7:80 Tunnel ipip 1 0 0'), tun.join('\n'));
  assert.ok(lines(ipvsadm(ns, '-Ln', '--tun-info', '-f', '7')).includes('-> 10.0.0.8:0 Tunnel gue:6081:r+c 1 0 0'));
  const stats = lines(ipvsadm(ns, '-Ln', '--stats', '--exact'));
  assert.ok(stats.includes('TCP 10.0.0.100:80 0 0 0 0 0'), stats.join('\n'));

  // edits show up the same way
  await b.editService({ ...tcp, scheduler: 'rr', persistentTimeout: 300 });
  await b.editDest(tcp, { address: '10.0.0.3', port: 8080, forward: 'route', weight: 7 });
  await b.deleteDest(tcp, { address: '10.0.0.7', port: 80 });
  const after = lines(ipvsadm(ns, '-Ln', '-t', '10.0.0.100:80'));
  assert.deepEqual(after.slice(2), [
    'TCP 10.0.0.100:80 rr persistent 300',
    '-> 10.0.0.3:8080 Route 7 0 0',
    '-> 10.0.0.4:80 Route 0 0 0',
    '-> 10.0.0.5:80 Tunnel 3 0 0',
    '-> 10.0.0.6:80 Tunnel 4 0 0',
  ]);

  await b.setTimeouts({ tcp: 901, tcpFin: 121, udp: 301 });
  assert.deepEqual(lines(ipvsadm(ns, '-L', '--timeout')), ['Timeout (tcp tcpfin udp): 901 121 301']);

  await b.startDaemon({ role: 'master', mcastInterface: 'lo', syncId: 7 });
  await b.startDaemon({ role: 'backup', mcastInterface: 'lo', syncId: 8, maxLen: 1400, mcastGroup: '239.1.2.3', mcastPort: 9000, mcastTtl: 2 });
  assert.deepEqual(lines(ipvsadm(ns, '-L', '--daemon')), [
    'master sync daemon (mcast=lo, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)',
    'backup sync daemon (mcast=lo, syncid=8, maxlen=1400, group=239.1.2.3, port=9000, ttl=2)',
  ]);
  await b.stopDaemon('master');
  await b.stopDaemon('backup');
  assert.deepEqual(lines(ipvsadm(ns, '-L', '--daemon')), []);

  await b.flush();
  assert.deepEqual(lines(ipvsadm(ns, '-Ln')).slice(3), []);
});

test('what ipvsadm programs, hbd reads', { skip: vmOnly }, async (t) => {
  const ns = netns(t, 'adm2');
  ipvsadm(ns, '-A', '-t', '[2001:db8::100]:443', '-s', 'lc', '-p', '120', '-M', '64');
  ipvsadm(ns, '-a', '-t', '[2001:db8::100]:443', '-r', '[2001:db8::2]:443', '-m', '-w', '5', '-x', '30', '-y', '20');
  ipvsadm(ns, '-A', '-u', '10.0.0.100:53', '-s', 'wlc', '-p', '600', '-M', '255.255.255.0', '-o');
  ipvsadm(ns, '-A', '-f', '7', '-s', 'sh', '-b', 'sh-port');
  ipvsadm(ns, '-a', '-f', '7', '-r', '10.0.0.5', '-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-csum', '-w', '2');
  ipvsadm(ns, '--set', '1000', '100', '200');
  ipvsadm(ns, '--start-daemon', 'backup', '--mcast-interface', 'lo', '--syncid', '3');

  const b = await openNativeIpvs({ netns: ns });
  t.after(() => b.close());
  const zero = { conns: 0n, inPackets: 0n, outPackets: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n };
  const flags = { onePacket: false, sched1: false, sched2: false, sched3: false };
  const want: IpvsServiceState[] = [
    { key: { af: 'inet', fwmark: 7 }, scheduler: 'sh', netmask: '255.255.255.255', flags: { ...flags, sched2: true }, stats: zero },
    { key: { af: 'inet', protocol: 'udp', address: '10.0.0.100', port: 53 }, scheduler: 'wlc', persistentTimeout: 600, netmask: '255.255.255.0', flags: { ...flags, onePacket: true }, stats: zero },
    { key: { af: 'inet6', protocol: 'tcp', address: '2001:db8::100', port: 443 }, scheduler: 'lc', persistentTimeout: 120, netmask: 64, flags, stats: zero },
  ];
  const order = (s: IpvsServiceState) => (s.key.fwmark !== undefined ? `0${s.key.fwmark}` : `${s.key.af}${s.key.port}`);
  assert.deepEqual((await b.listServices()).sort((x, y) => order(x).localeCompare(order(y))), want);
  assert.deepEqual(await b.listDests({ af: 'inet6', protocol: 'tcp', address: '2001:db8::100', port: 443 }), [
    { af: 'inet6', address: '2001:db8::2', port: 443, forward: 'masq', weight: 5, upperThreshold: 30, lowerThreshold: 20, activeConns: 0, inactiveConns: 0, persistentConns: 0, stats: zero },
  ]);
  assert.deepEqual(await b.listDests({ af: 'inet', fwmark: 7 }), [
    {
      af: 'inet', address: '10.0.0.5', port: 0, forward: 'tunnel', weight: 2, upperThreshold: 0, lowerThreshold: 0,
      tunnelType: 'gue', tunnelPort: 6080, tunnelFlags: { noCsum: false, csum: true, remCsum: false },
      activeConns: 0, inactiveConns: 0, persistentConns: 0, stats: zero,
    },
  ]);
  assert.deepEqual(await b.getTimeouts(), { tcp: 1000, tcpFin: 100, udp: 200 });
  assert.deepEqual(await b.listDaemons(), [
    { role: 'backup', mcastInterface: 'lo', syncId: 3, maxLen: 65507, mcastGroup: '224.0.0.81', mcastPort: 8848, mcastTtl: 1 },
  ]);
  // and hbd's errors for ipvsadm's table
  await assert.rejects(b.addService({ af: 'inet', fwmark: 7, scheduler: 'rr' }), { code: 'EEXIST', message: 'adding service FWM 7: File exists' });
  await b.stopDaemon('backup');
});
