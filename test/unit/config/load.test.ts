import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { lexHaresources } from '../../../src/config/haresources';
import { DiagnosticSink, formatDiagnostic } from '../../../src/config/diagnostics';
import { type LoadOptions, loadHaDirectory } from '../../../src/config/load';
import type { HbdConfig } from '../../../src/config/model';
import { HACF_FIXTURES, codes, copyFixture, readHaCf, writeDir } from './helpers';

function mustLoad(dir: string, opts?: LoadOptions): HbdConfig {
  const r = loadHaDirectory(dir, opts);
  assert.ok(r.config, r.diagnostics.all.map(formatDiagnostic).join('\n'));
  return r.config;
}

const groupsOf = (c: HbdConfig) => c.resourceGroups.map((g) => [g.owner, g.key, g.resources.map((r) => r.raw)]);

test('fixture bcast: two interfaces, bare IP + script, IPaddr with broadcast', (t) => {
  const dir = copyFixture(t, 'bcast');
  const r = loadHaDirectory(dir, { nodeName: 'node1' });
  assert.deepEqual(codes(r.diagnostics.all), []);
  const c = r.config;
  assert.ok(c);
  assert.deepEqual(c.nodes, ['node1', 'node2']);
  assert.deepEqual([c.keepaliveMs, c.deadtimeMs, c.warntimeMs, c.initdeadMs, c.udpPort], [2000, 30000, 10000, 120000, 694]);
  assert.deepEqual(c.media.map((m) => [m.kind, m.kind === 'bcast' ? m.iface : '', m.at.line]), [['bcast', 'eth0', 8], ['bcast', 'eth1', 8]]);
  assert.equal(c.logging.facility, 'local0');
  assert.equal(c.autoFailback, 'on');
  assert.deepEqual(groupsOf(c), [
    ['node1', '192.168.1.10', ['192.168.1.10', 'httpd']],
    ['node2', 'IPaddr::192.168.1.11/24/eth0/192.168.1.255', ['IPaddr::192.168.1.11/24/eth0/192.168.1.255']],
  ]);
  assert.equal(c.resourceGroups[0]?.resources[0]?.shorthand, true);
  assert.deepEqual([c.auth.signIndex, c.auth.keys[0]?.method, c.auth.keys[0]?.secret], [1, 'sha1', 'HeartbeatSecret']);
  assert.deepEqual(c.origin, {
    kind: 'ha.d',
    path: dir,
    files: [path.join(dir, 'ha.cf'), path.join(dir, 'authkeys'), path.join(dir, 'haresources')],
    haDir: dir,
    initDir: '/etc/init.d',
  });
});

test('fixture ucast-shared: the same file on both nodes, udpport before the media, IPaddr2 label', (t) => {
  const dir = copyFixture(t, 'ucast-shared');
  for (const node of ['lb-a', 'lb-b']) {
    const c = mustLoad(dir, { nodeName: node });
    assert.equal(c.udpPort, 695);
    assert.deepEqual(c.media.map((m) => (m.kind === 'ucast' ? [m.iface, m.peer] : [])), [['eth1', '10.10.10.1'], ['eth1', '10.10.10.2']]);
    assert.deepEqual([c.keepaliveMs, c.deadtimeMs, c.initdeadMs, c.autoFailback], [500, 5000, 12000, 'off']);
    assert.deepEqual([c.auth.signIndex, c.auth.keys.map((k) => k.method)], [2, ['md5']]);
    assert.deepEqual(groupsOf(c), [['lb-a', 'IPaddr2::172.16.0.100/24/eth0:vip', ['IPaddr2::172.16.0.100/24/eth0:vip']]]);
  }
});

test('fixture mcast: several groups, two for one node', (t) => {
  const r = loadHaDirectory(copyFixture(t, 'mcast'));
  assert.deepEqual(codes(r.diagnostics.all), []);
  const c = r.config;
  assert.ok(c);
  assert.deepEqual(c.media, [{ kind: 'mcast', iface: 'eth0', group: '239.0.0.43', port: 694, ttl: 1, loop: 0, at: c.media[0]?.at }]);
  assert.deepEqual(groupsOf(c), [
    ['alpha', '10.1.0.10', ['10.1.0.10', '10.1.0.11']],
    ['beta', 'IPaddr2::10.1.0.20/16', ['IPaddr2::10.1.0.20/16']],
    ['alpha', 'SendArp::10.1.0.30/eth0', ['SendArp::10.1.0.30/eth0']],
  ]);
  assert.equal(c.initdeadMs, 20000);
});

test('fixture serial-baud: baud before serial applies; crc warns', (t) => {
  const r = loadHaDirectory(copyFixture(t, 'serial-baud'), { checkFilesystem: false });
  assert.deepEqual(codes(r.diagnostics.all), [['AUTHKEYS_CRC_NO_SECURITY', 2]]);
  assert.equal(r.config?.baud, 115200);
  assert.deepEqual(r.config?.media.map((m) => m.kind), ['serial', 'bcast']);
});

test('fixture ping-ipfail: ping, ping_group, respawn ipfail, apiauth override, deadping', (t) => {
  const c = mustLoad(copyFixture(t, 'ping-ipfail'), { checkFilesystem: false });
  assert.deepEqual(c.pingNodes.map((p) => [p.kind, p.name, p.addresses]), [
    ['ping', '10.0.0.254', ['10.0.0.254']],
    ['ping_group', 'uplinks', ['10.0.1.254', '10.0.2.254']],
  ]);
  assert.deepEqual(c.respawn.map((s) => [s.user, s.path]), [['hacluster', '/usr/lib/heartbeat/ipfail']]);
  assert.deepEqual(c.apiauth.find((a) => a.client === 'ipfail'), { client: 'ipfail', uids: ['hacluster'], gids: ['haclient'], at: c.apiauth[0]?.at });
  assert.equal(c.apiauth[0]?.at.line, 10);
  assert.equal(c.deadpingMs, 15000);
  assert.equal(c.warntimeMs, 5000);
});

test('fixture director: ldirectord config found, sync daemon, VIP with broadcast, custom script, continuation', (t) => {
  const dir = copyFixture(t, 'director');
  const r = loadHaDirectory(dir, { nodeName: 'lb1' });
  assert.deepEqual(codes(r.diagnostics.all), []);
  const c = r.config;
  assert.ok(c);
  assert.deepEqual(groupsOf(c), [
    ['lb1', 'ldirectord::ldirectord.cf', ['ldirectord::ldirectord.cf', 'LVSSyncDaemonSwap::master', 'IPaddr2::10.0.0.100/24/eth0/10.0.0.255']],
    ['lb2', 'IPaddr2::10.0.0.101/24/eth0', ['IPaddr2::10.0.0.101/24/eth0', 'notify-admin::ops@example.com']],
  ]);
  assert.deepEqual(c.resourceGroups[1]?.resources[1]?.args, ['ops@example.com']);
  assert.deepEqual(c.logging, {
    debugLevel: 0, facility: 'local0', logfile: '/var/log/ha-log', debugfile: '/var/log/ha-debug', logBadPackets: true, syslogFormat: true,
  });
  assert.deepEqual([c.keepaliveMs, c.deadtimeMs, c.warntimeMs, c.initdeadMs], [200, 2000, 1000, 10000]);

  // Without its ldirectord.cf and script, the same directory fails with both errors.
  fs.rmSync(path.join(dir, 'ldirectord.cf'));
  fs.rmSync(path.join(dir, 'resource.d', 'notify-admin'));
  const broken = loadHaDirectory(dir, { nodeName: 'lb1' });
  assert.equal(broken.config, null);
  assert.deepEqual(codes(broken.diagnostics.errors), [['HARES_LDIRECTORD_CONFIG_NOT_FOUND', 1], ['HARES_SCRIPT_NOT_FOUND', 2]]);
});

test('fixture legacy-crc: the legacy default warns; a group continued over three lines', (t) => {
  const r = loadHaDirectory(copyFixture(t, 'legacy-crc'));
  assert.deepEqual(codes(r.diagnostics.all), [['HACF_AUTO_FAILBACK_LEGACY', 0], ['AUTHKEYS_CRC_NO_SECURITY', 2]]);
  assert.equal(r.config?.autoFailback, 'legacy');
  assert.equal(r.config?.auth.signIndex, 0);
  assert.deepEqual(r.config && groupsOf(r.config), [['old1', '10.2.0.10/24/eth0', ['10.2.0.10/24/eth0', '10.2.0.11/24/eth0', '10.2.0.12']]]);
  assert.equal(r.config?.resourceGroups[0]?.at.line, 2);
});

test('fixture debian-sample: Debian\'s sample files (comments only) give exactly the missing-item errors', (t) => {
  const r = loadHaDirectory(copyFixture(t, 'debian-sample'));
  assert.equal(r.config, null);
  assert.deepEqual(
    r.diagnostics.all.map((d) => [path.basename(d.file), d.line, d.code]),
    [['ha.cf', 0, 'HACF_NO_NODES'], ['ha.cf', 0, 'HACF_NO_MEDIA'], ['authkeys', 0, 'AUTHKEYS_NO_AUTH']],
  );
  // Its two active lines are read as Heartbeat reads them.
  const { settings } = readHaCf(fs.readFileSync(path.join(HACF_FIXTURES, 'debian-sample', 'ha.cf'), 'utf8'));
  assert.equal(settings.logging.facility, 'local0');
  assert.equal(settings.autoFailback, 'on');
  const sink = new DiagnosticSink();
  assert.deepEqual(lexHaresources(fs.readFileSync(path.join(HACF_FIXTURES, 'debian-sample', 'haresources'), 'utf8'), 'h', sink), []);
});

test('authkeys mode: group/other readable is refused; writable bits are not looked at; no check without filesystem checks', (t) => {
  for (const [mode, ok] of [[0o600, true], [0o400, true], [0o622, true], [0o644, false], [0o640, false], [0o604, false]] as const) {
    const dir = copyFixture(t, 'mcast', mode);
    const r = loadHaDirectory(dir);
    assert.equal(r.config !== null, ok, mode.toString(8));
    if (!ok) {
      const [d] = r.diagnostics.errors;
      assert.deepEqual([d?.file, d?.line, d?.code], [path.join(dir, 'authkeys'), 0, 'AUTHKEYS_BAD_PERMISSIONS']);
      assert.equal(d?.message, `bad permissions on authkeys (mode 0${mode.toString(8)}): must not be readable by group or others, 600 recommended`);
    }
  }
  assert.notEqual(loadHaDirectory(copyFixture(t, 'mcast', 0o644), { checkFilesystem: false }).config, null);
});

test('diagnostics name the path as given, joined with the file name', () => {
  const rel = path.relative(process.cwd(), path.join(HACF_FIXTURES, 'legacy-crc'));
  const r = loadHaDirectory(rel, { checkFilesystem: false });
  assert.deepEqual(r.diagnostics.all.map((d) => d.file), [path.join(rel, 'ha.cf'), path.join(rel, 'authkeys')]);
  assert.match(formatDiagnostic(r.diagnostics.all[1] ?? { file: '', line: 0, severity: 'error', code: '', message: '' }), new RegExp(`^${rel.replace(/\./g, '\\.')}/authkeys:2: warning: signing with crc`));
});

test('missing files: ha.cf and authkeys are required; haresources is optional (warning, no groups)', (t) => {
  const noHaCf = loadHaDirectory(writeDir(t, { authkeys: 'auth 1\n1 sha1 k\n' }));
  assert.deepEqual(codes(noHaCf.diagnostics.all), [['HACF_FILE_MISSING', 0]]);
  const hacf = 'node a b\nbcast eth0\nauto_failback on\n';
  const noAuth = loadHaDirectory(writeDir(t, { 'ha.cf': hacf, haresources: '' }));
  assert.equal(noAuth.config, null);
  assert.deepEqual(codes(noAuth.diagnostics.all), [['AUTHKEYS_FILE_MISSING', 0]]);
  const noRes = loadHaDirectory(writeDir(t, { 'ha.cf': hacf, authkeys: 'auth 1\n1 sha1 k\n' }));
  assert.deepEqual(codes(noRes.diagnostics.all), [['HARES_FILE_MISSING', 0]]);
  assert.deepEqual(noRes.config?.resourceGroups, []);
  assert.equal(noRes.config?.origin.files.length, 2);
});

test('the current node must be in the node list', (t) => {
  const r = loadHaDirectory(copyFixture(t, 'mcast'), { nodeName: 'gamma' });
  assert.equal(r.config, null);
  assert.deepEqual(codes(r.diagnostics.all), [['HACF_LOCAL_NODE_UNKNOWN', 0]]);
  assert.match(r.diagnostics.all[0]?.message ?? '', /^current node `gamma` is not in ha.cf's node list/);
});

test('haresources owners are checked against ha.cf nodes; more than two nodes warns', (t) => {
  const dir = writeDir(t, {
    'ha.cf': 'node a b c\nbcast eth0\nauto_failback on\n',
    authkeys: 'auth 1\n1 sha1 k\n',
    haresources: 'a 10.0.0.1\nx 10.0.0.2\n',
  });
  const r = loadHaDirectory(dir);
  assert.deepEqual(codes(r.diagnostics.all), [['HARES_BAD_NODE', 2], ['HARES_MORE_THAN_TWO_NODES', 1]]);
  assert.equal(r.diagnostics.errors[0]?.file, path.join(dir, 'haresources'));
});

test('initDir option: scripts are looked up there after resource.d', (t) => {
  const dir = writeDir(t, {
    'ha.cf': 'node a b\nbcast eth0\nauto_failback on\n',
    authkeys: 'auth 1\n1 sha1 k\n',
    haresources: 'a 10.0.0.1 mysvc\n',
  });
  const initDir = writeDir(t, { mysvc: '#!/bin/sh\n' });
  fs.chmodSync(path.join(initDir, 'mysvc'), 0o755);
  assert.deepEqual(codes(loadHaDirectory(dir).diagnostics.errors), [['HARES_SCRIPT_NOT_FOUND', 1]]);
  const c = mustLoad(dir, { initDir });
  assert.equal(c.origin.initDir, initDir);
});

test('the model is deep-frozen', (t) => {
  const c = mustLoad(copyFixture(t, 'director'));
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.media));
  assert.ok(Object.isFrozen(c.media[0]));
  assert.ok(Object.isFrozen(c.auth.keys[0]));
  assert.ok(Object.isFrozen(c.resourceGroups[0]?.resources[0]?.args));
  assert.ok(Object.isFrozen(c.logging));
  assert.throws(() => {
    (c as { keepaliveMs: number }).keepaliveMs = 1;
  }, TypeError);
});

test('a configuration with errors gives no model but every diagnostic, each with file and line', (t) => {
  const dir = writeDir(t, {
    'ha.cf': 'keepalive 1\ndeadtime 1\nbcast lo\nfrobnicate yes\nnode alpha beta\ncrm on\nmcast eth0 239.0.0.1 694 9 0\n',
    authkeys: 'auth 1\n1 sha1\n',
    haresources: 'alpha IPaddr2::10.0.0.999/24\n',
  });
  const r = loadHaDirectory(dir);
  assert.equal(r.config, null);
  assert.deepEqual(
    r.diagnostics.errors.map((d) => [path.basename(d.file), d.line, d.code]),
    [
      ['ha.cf', 4, 'HACF_UNKNOWN_DIRECTIVE'],
      ['ha.cf', 6, 'HACF_PACEMAKER'],
      ['ha.cf', 7, 'HACF_MCAST_TTL'],
      ['ha.cf', 2, 'HACF_DEADTIME_TOO_SMALL'],
      ['authkeys', 2, 'AUTHKEYS_KEY_MISSING'],
      ['haresources', 1, 'HARES_BAD_ARGUMENT'],
    ],
  );
});
