// Traffic through IPVS programmed by hbd (inside the IPVS VM), and
// connection sync between two directors.
//
//   cl (client)  10.1.0.2 ── 10.1.0.1 + VIP 10.1.0.100   dir (master director)
//                                     10.2.1.1 ── 10.2.1.2  rs1 (node HTTP :8080)
//                                     10.2.2.1 ── 10.2.2.2  rs2 (node HTTP :8080)
//                                     10.3.0.1 ── 10.3.0.2  bk (backup director)
//
// TCP 10.1.0.100:80, rr, NAT to both real servers: requests alternate; the
// counters and connections show up through hbd and through ipvsadm. The
// master sync daemon on dir (started by hbd) sends the connections to the
// backup daemon on bk (started by hbd), where `ipvsadm -Lnc` lists them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openNativeIpvs, type NativeIpvsBackend } from '../../src/ipvs/native-backend';
import type { ServiceKey } from '../../src/ipvs/types';
import { deleteNetns, httpGets, httpServer, ipvsadm, lines, link, netns, nsExec, sh, until, vmOnly } from './helpers';

const VIP: ServiceKey = { af: 'inet', protocol: 'tcp', address: '10.1.0.100', port: 80 };

describe('IPVS data path and connection sync, programmed by hbd', { skip: vmOnly }, () => {
  const made: string[] = [];
  let dir = '', cl = '', rs1 = '', rs2 = '', bk = '';
  let master: NativeIpvsBackend | undefined;
  let backup: NativeIpvsBackend | undefined;

  before(async () => {
    dir = netns(null, 'dir');
    cl = netns(null, 'cl');
    rs1 = netns(null, 'rs1');
    rs2 = netns(null, 'rs2');
    bk = netns(null, 'bk');
    made.push(dir, cl, rs1, rs2, bk);
    link(dir, 'cl0', '10.1.0.1/24', cl, 'eth0', '10.1.0.2/24');
    sh('ip', ['-n', dir, 'addr', 'add', '10.1.0.100/32', 'dev', 'cl0']);
    link(dir, 'rs1', '10.2.1.1/24', rs1, 'eth0', '10.2.1.2/24');
    link(dir, 'rs2', '10.2.2.1/24', rs2, 'eth0', '10.2.2.2/24');
    link(dir, 'sy0', '10.3.0.1/24', bk, 'sy0', '10.3.0.2/24');
    for (const [ns, gw] of [[cl, '10.1.0.1'], [rs1, '10.2.1.1'], [rs2, '10.2.2.1']] as const)
      sh('ip', ['-n', ns, 'route', 'add', 'default', 'via', gw]);
    nsExec(dir, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await Promise.all([httpServer(rs1, 'rs1', 8080), httpServer(rs2, 'rs2', 8080)]);
    master = await openNativeIpvs({ netns: dir });
    backup = await openNativeIpvs({ netns: bk });
  });

  after(() => {
    master?.close();
    backup?.close();
    for (const ns of made) deleteNetns(ns);
  });

  test('round robin over NAT: both real servers answer, in turn', async () => {
    const m = master!;
    await m.addService({ ...VIP, scheduler: 'rr' });
    await m.addDest(VIP, { address: '10.2.1.2', port: 8080, forward: 'masq', weight: 1 });
    await m.addDest(VIP, { address: '10.2.2.2', port: 8080, forward: 'masq', weight: 1 });

    const bodies = await httpGets(cl, '10.1.0.100', 80, 4);
    assert.equal(bodies.length, 4, `answers: ${bodies.join(',')}`);
    assert.deepEqual([...bodies].sort(), ['rs1', 'rs1', 'rs2', 'rs2']);
    assert.notEqual(bodies[0], bodies[1], 'rr alternates');
    assert.notEqual(bodies[1], bodies[2]);

    // the counters, through hbd and through ipvsadm (the kernel folds its
    // per-CPU counters into these every 2 s)
    const svc = await until('the service counters to show 4 connections', async () => {
      const [s] = await m.listServices();
      return s?.stats?.conns === 4n ? s : undefined;
    });
    assert.ok((svc.stats?.inPackets ?? 0n) > 0n && (svc.stats?.outBytes ?? 0n) > 0n);
    const dests = await until('the destination counters', async () => {
      const ds = await m.listDests(VIP);
      return ds.every((d) => d.stats?.conns === 2n) ? ds : undefined;
    });
    assert.equal(dests.reduce((n, d) => n + (d.inactiveConns ?? 0) + (d.activeConns ?? 0), 0), 4);
    const stats = lines(ipvsadm(dir, '-Ln', '--stats', '--exact'));
    const row = stats.find((l) => l.startsWith('TCP 10.1.0.100:80 '))?.split(' ') ?? [];
    assert.equal(row[2], '4', stats.join('\n'));
    // packet counters may still grow by the last FIN/ACKs between the two reads
    assert.ok(BigInt(row[3] ?? '0') >= (svc.stats?.inPackets ?? 0n), stats.join('\n'));

    // quiescent: weight 0 takes no new connections
    await m.editDest(VIP, { address: '10.2.2.2', port: 8080, forward: 'masq', weight: 0 });
    assert.deepEqual(await httpGets(cl, '10.1.0.100', 80, 3), ['rs1', 'rs1', 'rs1']);
    await m.editDest(VIP, { address: '10.2.2.2', port: 8080, forward: 'masq', weight: 1 });
  });

  test("the backup's ipvsadm -Lnc shows the master's connections", async () => {
    const m = master!;
    const bkp = backup!;
    // the backup director knows the same service (as it would from the same config)
    await bkp.addService({ ...VIP, scheduler: 'rr' });
    await bkp.addDest(VIP, { address: '10.2.1.2', port: 8080, forward: 'masq', weight: 1 });
    await bkp.addDest(VIP, { address: '10.2.2.2', port: 8080, forward: 'masq', weight: 1 });
    await bkp.startDaemon({ role: 'backup', mcastInterface: 'sy0', syncId: 7 });
    await m.startDaemon({ role: 'master', mcastInterface: 'sy0', syncId: 7 });
    assert.deepEqual(lines(ipvsadm(bk, '-L', '--daemon')), [
      'backup sync daemon (mcast=sy0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)',
    ]);
    assert.deepEqual(lines(ipvsadm(dir, '-L', '--daemon')), [
      'master sync daemon (mcast=sy0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)',
    ]);

    // connections made now (through the master) are synced to the backup
    const answers = await httpGets(cl, '10.1.0.100', 80, 4);
    assert.equal(answers.length, 4);
    const synced = await until('the backup to list the synced connections', () => {
      const conns = lines(ipvsadm(bk, '-Lnc')).filter((l) => l.startsWith('TCP ') && l.includes('10.1.0.100:80'));
      return conns.length > 0 ? conns : undefined;
    }, 30_000);
    for (const c of synced) {
      // pro expire state source virtual destination
      const [, , , source, virtual, destination] = c.split(' ');
      assert.match(source ?? '', /^10\.1\.0\.2:\d+$/);
      assert.equal(virtual, '10.1.0.100:80');
      assert.match(destination ?? '', /^10\.2\.[12]\.2:8080$/);
    }
    const mine = lines(ipvsadm(dir, '-Lnc')).filter((l) => l.startsWith('TCP '));
    const key = (l: string) => l.split(' ').slice(3).join(' ');
    for (const c of synced) assert.ok(mine.map(key).includes(key(c)), `${c} is not one of the master's:\n${mine.join('\n')}`);

    await m.stopDaemon('master');
    await bkp.stopDaemon('backup');
    assert.deepEqual(await m.listDaemons(), []);
  });
});
