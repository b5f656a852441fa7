import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { directiveClasses } from '../../../src/config/directives';
import { DEFAULT_APIAUTH } from '../../../src/config/settings';
import { tempDir } from '../../helpers/tmp';
import { BASE, codes, errors, only, readHaCf, withBase } from './helpers';

// ------------------------------------------------------------ the table

test('every directive of features.md §1.2 is known, with its class', () => {
  const expected: Record<string, string> = {
    node: 'M', keepalive: 'M', standby_keepalive: 'H', standby_deadtime: 'H', deadtime: 'M', warntime: 'M', initdead: 'M', udpport: 'M', bcast: 'M', mcast: 'M',
    mcast6: 'S', ucast: 'M', ucast6: 'S', serial: 'M', baud: 'M', hopfudge: 'S', ping: 'M', ping6: 'S', ping_group: 'M',
    deadping: 'M', hbaping: 'X', tipc: 'X', rds: 'X', auto_failback: 'M', nice_failback: 'P', respawn: 'M', failfast: 'S',
    apiauth: 'S', watchdog: 'S', stonith: 'P', stonith_host: 'P', realtime: 'M', rtprio: 'M', debug: 'M', logfacility: 'M',
    logfile: 'M', debugfile: 'M', use_logd: 'P', conn_logd_time: 'P', syslogmsgfmt: 'S', log_badpack: 'S', coredumps: 'P',
    coreroot: 'P', hbgenmethod: 'M', uuidfrom: 'S', autojoin: 'X', msgfmt: 'M', compression: 'S', compression_threshold: 'S',
    traditional_compression: 'P', max_rexmit_delay: 'S', memreserve: 'P', env: 'S', cluster: 'S', quorum_server: 'X',
    use_apphbd: 'X', crm: 'X', pacemaker: 'X', crm_daemon_dir: 'X', crmd_spawns_pengine: 'X', record_config_changes: 'X',
    record_pengine_inputs: 'X', enable_config_writes: 'X', normalpoll: 'X',
  };
  assert.deepEqual(Object.fromEntries(directiveClasses()), expected);
});

test('unknown directive: error with its line', () => {
  const { diags } = withBase('keepalive 2\nfrobnicate yes\n');
  assert.deepEqual(errors(diags), [['HACF_UNKNOWN_DIRECTIVE', 2]]);
  assert.equal(only(diags, 'HACF_UNKNOWN_DIRECTIVE')[0]?.message, 'unknown directive `frobnicate`');
  // Directive names are case-sensitive, as in Heartbeat.
  assert.deepEqual(errors(withBase('Keepalive 2\n').diags), [['HACF_UNKNOWN_DIRECTIVE', 1]]);
});

// ------------------------------------------------------------ defaults

test('defaults match Heartbeat 3.0.6 (heartbeat -D and init_config)', () => {
  const { settings, diags } = readHaCf('node a b\nbcast eth0\n');
  assert.equal(settings.clusterName, 'linux-ha');
  assert.equal(settings.keepaliveMs, 1000);
  assert.equal(settings.deadtimeMs, 30000);
  assert.equal(settings.warntimeMs, 15000);
  assert.equal(settings.initdeadMs, 30000);
  assert.equal(settings.deadpingMs, 30000);
  assert.equal(settings.udpPort, 694);
  assert.equal(settings.baud, 19200);
  assert.equal(settings.hopfudge, 1);
  assert.equal(settings.autoFailback, 'legacy');
  assert.equal(settings.realtime, true);
  assert.equal(settings.rtprio, null);
  assert.equal(settings.msgfmt, 'classic');
  assert.equal(settings.compression, 'zlib');
  assert.equal(settings.compressionThresholdKb, 2);
  assert.equal(settings.maxRexmitDelayMs, 250);
  assert.equal(settings.generationMethod, 'file');
  assert.equal(settings.uuidFrom, 'file');
  assert.deepEqual(settings.logging, {
    debugLevel: 0, facility: null, logfile: null, debugfile: null, logBadPackets: true, syslogFormat: true,
  });
  assert.equal(settings.watchdogDevice, null);
  assert.deepEqual(settings.env, {});
  assert.deepEqual(settings.stonith, []);
  assert.deepEqual(settings.ignored, []);
  assert.deepEqual(settings.apiauth.map((a) => [a.client, a.uids, a.gids, a.at.line]), DEFAULT_APIAUTH.map((a) => [a.client, a.uids, a.gids, 0]));
  // auto_failback legacy (the default) warns, like Heartbeat.
  assert.deepEqual(codes(diags), [['HACF_AUTO_FAILBACK_LEGACY', 0]]);
  assert.match(diags[0]?.message ?? '', /legacy \(the default when it is not set\)/);
});

test('warntime defaults to deadtime/2 (integer ms)', () => {
  assert.equal(withBase('keepalive 1\ndeadtime 3001ms\n').settings.warntimeMs, 1500);
  assert.equal(withBase('keepalive 100ms\ndeadtime 1\n').settings.warntimeMs, 500);
});

test('initdead default: = deadtime above 10 s, 12 s below 6 s, else 2 x deadtime', () => {
  const initdead = (deadtime: string) => withBase(`keepalive 1\ndeadtime ${deadtime}\n`).settings.initdeadMs;
  assert.equal(initdead('30'), 30000);
  assert.equal(initdead('11'), 11000);
  assert.equal(initdead('10'), 20000);
  assert.equal(initdead('8'), 16000);
  assert.equal(initdead('6'), 12000);
  assert.equal(initdead('5999ms'), 12000);
  assert.equal(initdead('3'), 12000);
  assert.equal(withBase('keepalive 50ms\ndeadtime 200ms\n').settings.initdeadMs, 12000);
});

// ------------------------------------------------------------ timing

test('timing: values in every time syntax', () => {
  const { settings, diags } = withBase('keepalive 50ms\ndeadtime 0.2\nwarntime 100000us\ninitdead 12\ndeadping 300msec\n');
  assert.deepEqual(
    [settings.keepaliveMs, settings.deadtimeMs, settings.warntimeMs, settings.initdeadMs, settings.deadpingMs],
    [50, 200, 100, 12000, 300],
  );
  assert.deepEqual(codes(diags), []);
});

test('timing: deadtime must be more than 2 x keepalive (error on the deadtime line)', () => {
  const { diags } = withBase('keepalive 1\ndeadtime 2\n');
  assert.deepEqual(errors(diags), [['HACF_DEADTIME_TOO_SMALL', 2]]);
  assert.equal(
    only(diags, 'HACF_DEADTIME_TOO_SMALL')[0]?.message,
    'deadtime (2000 ms) is too small compared to keepalive (1000 ms): it must be more than twice keepalive',
  );
  assert.deepEqual(errors(withBase('keepalive 1\ndeadtime 2001ms\n').diags), []);
  // Only keepalive given: the default deadtime 30 s vs keepalive 20 s; the error points at keepalive.
  assert.deepEqual(errors(withBase('keepalive 20\n').diags), [['HACF_DEADTIME_TOO_SMALL', 1]]);
});

test('timing: keepalive and warntime must be > 0 ms; bad syntax such as 2s is an error', () => {
  assert.deepEqual(errors(withBase('keepalive 0\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('keepalive 499us\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('warntime 0\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  const { diags } = withBase('deadtime 2s\n');
  assert.deepEqual(errors(diags), [['HACF_BAD_TIME', 1]]);
  assert.equal(
    diags[0]?.message,
    '`deadtime` value `2s` is not a valid time: expected a number of seconds, or a number followed by ms or us (e.g. 2, 1.5, 500ms)',
  );
});

test('timing: initdead below deadtime is an error; below 10 s a warning', () => {
  const low = withBase('keepalive 1\ndeadtime 30\ninitdead 20\n');
  assert.deepEqual(errors(low.diags), [['HACF_INITDEAD_TOO_SMALL', 3]]);
  const short = withBase('keepalive 1\ndeadtime 3\ninitdead 5\n');
  assert.deepEqual(codes(short.diags), [['HACF_INITDEAD_SHORT', 3]]);
  assert.equal(short.settings.initdeadMs, 5000);
});

test('timing: deadping defaults to deadtime; an explicit one must exceed 2 x keepalive', () => {
  assert.equal(withBase('keepalive 1\ndeadtime 20\n').settings.deadpingMs, 20000);
  assert.deepEqual(errors(withBase('keepalive 1\ndeadtime 20\ndeadping 2\n').diags), [['HACF_DEADPING_TOO_SMALL', 3]]);
  assert.equal(withBase('keepalive 1\ndeadtime 20\ndeadping 3\n').settings.deadpingMs, 3000);
});

test('timing: warntime at or above deadtime warns (no late-heartbeat warning could come first)', () => {
  assert.deepEqual(codes(withBase('keepalive 1\ndeadtime 10\nwarntime 10\n').diags), [['HACF_WARNTIME_NOT_BELOW_DEADTIME', 3]]);
});

test('timing: standby_keepalive (hbd only) must stay below warntime and under half of deadtime', () => {
  const ok = withBase('keepalive 10ms\ndeadtime 100ms\nwarntime 60ms\nstandby_keepalive 40ms\n');
  assert.deepEqual(codes(ok.diags), []);
  assert.equal(ok.settings.standbyKeepaliveMs, 40);
  assert.equal(withBase('keepalive 10ms\ndeadtime 100ms\n').settings.standbyKeepaliveMs, null, 'unset: keepalive always');
  // The default warntime is deadtime / 2 = 50 ms.
  const late = withBase('keepalive 10ms\ndeadtime 100ms\nstandby_keepalive 50ms\n');
  assert.deepEqual(errors(late.diags), [['HACF_STANDBY_KEEPALIVE_TOO_LONG', 3]]);
  assert.equal(
    only(late.diags, 'HACF_STANDBY_KEEPALIVE_TOO_LONG')[0]?.message,
    'standby_keepalive (50 ms) must be below warntime (50 ms): the peer would report each of the standby\'s heartbeats as late',
  );
  const dead = withBase('keepalive 10ms\ndeadtime 100ms\nwarntime 100ms\nstandby_keepalive 50ms\n');
  assert.deepEqual(errors(dead.diags), [['HACF_STANDBY_KEEPALIVE_TOO_LONG', 4]]);
  assert.match(only(dead.diags, 'HACF_STANDBY_KEEPALIVE_TOO_LONG')[0]?.message ?? '', /deadtime must be more than twice it/);
  const same = withBase('keepalive 10ms\ndeadtime 100ms\nstandby_keepalive 10ms\n');
  assert.deepEqual(codes(same.diags), [['HACF_STANDBY_KEEPALIVE_NO_EFFECT', 3]]);
  assert.equal(same.settings.standbyKeepaliveMs, null);
  assert.deepEqual(errors(withBase('standby_keepalive 0\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
});

test('timing: standby_deadtime (hbd only, quiet standby) needs a standby_keepalive under half of it and under the stretched warntime', () => {
  // warntime 50 ms stretched by 1000 / 100: hbd peers warn after 500 ms.
  const ok = withBase('keepalive 10ms\ndeadtime 100ms\nstandby_keepalive 200ms\nstandby_deadtime 1000ms\n');
  assert.deepEqual(codes(ok.diags), [], 'beyond warntime and half of deadtime is fine: only hbd peers see it');
  assert.deepEqual([ok.settings.standbyKeepaliveMs, ok.settings.standbyDeadtimeMs], [200, 1000]);
  assert.equal(withBase('keepalive 10ms\ndeadtime 100ms\n').settings.standbyDeadtimeMs, null, 'unset: deadtime always');
  const alone = withBase('keepalive 10ms\ndeadtime 100ms\nstandby_deadtime 1000ms\n');
  assert.deepEqual(errors(alone.diags), [['HACF_STANDBY_DEADTIME_NEEDS_KEEPALIVE', 3]]);
  const short = withBase('keepalive 10ms\ndeadtime 100ms\nstandby_keepalive 200ms\nstandby_deadtime 400ms\n');
  assert.deepEqual(errors(short.diags), [['HACF_STANDBY_DEADTIME_TOO_SHORT', 4]]);
  assert.equal(
    only(short.diags, 'HACF_STANDBY_DEADTIME_TOO_SHORT')[0]?.message,
    'standby_deadtime (400 ms) is too short for standby_keepalive (200 ms): it must be more than twice it',
  );
  const late = withBase('keepalive 10ms\ndeadtime 100ms\nwarntime 20ms\nstandby_keepalive 200ms\nstandby_deadtime 1000ms\n');
  assert.deepEqual(errors(late.diags), [['HACF_STANDBY_KEEPALIVE_TOO_LONG', 4]]);
  assert.equal(
    only(late.diags, 'HACF_STANDBY_KEEPALIVE_TOO_LONG')[0]?.message,
    'standby_keepalive (200 ms) must be below 200 ms, the warntime hbd peers allow a quiet standby (warntime x standby_deadtime / deadtime)',
  );
  const same = withBase('keepalive 10ms\ndeadtime 100ms\nstandby_keepalive 40ms\nstandby_deadtime 100ms\n');
  assert.deepEqual(codes(same.diags), [['HACF_STANDBY_DEADTIME_NO_EFFECT', 4]]);
  assert.equal(same.settings.standbyDeadtimeMs, null);
  assert.deepEqual(errors(withBase('standby_deadtime soon\n').diags), [['HACF_BAD_TIME', 1]]);
});

// ------------------------------------------------------------ value handling

test('a single-valued directive with several values: the last wins, with a warning', () => {
  const { settings, diags } = withBase('keepalive 1 2\n');
  assert.equal(settings.keepaliveMs, 2000);
  assert.deepEqual(codes(diags), [['HACF_EXTRA_VALUES', 1]]);
});

test('a single-valued directive set twice: the later line wins, with a warning', () => {
  const { settings, diags } = withBase('keepalive 1\ndebug 1\nkeepalive 2\n');
  assert.equal(settings.keepaliveMs, 2000);
  assert.deepEqual(codes(diags), [['HACF_REPEATED_DIRECTIVE', 3]]);
  assert.match(diags[0]?.message ?? '', /already set at line 1/);
});

test('a directive without a value is ignored with a warning, as Heartbeat does', () => {
  const { settings, diags } = withBase('keepalive\n');
  assert.equal(settings.keepaliveMs, 1000);
  assert.deepEqual(codes(diags), [['HACF_MISSING_VALUE', 1]]);
});

// ------------------------------------------------------------ nodes

test('nodes: lowercased, list or repeated lines, commas allowed', () => {
  const { settings, diags } = readHaCf('node Node1 NODE2,node3\nnode node4\nbcast eth0\nauto_failback on\n');
  assert.deepEqual(settings.nodes, ['node1', 'node2', 'node3', 'node4']);
  assert.deepEqual(codes(diags), []);
});

test('nodes: a duplicate is a warning and counted once', () => {
  const { settings, diags } = readHaCf('node a b\nnode A\nbcast eth0\nauto_failback on\n');
  assert.deepEqual(settings.nodes, ['a', 'b']);
  assert.deepEqual(codes(diags), [['HACF_DUPLICATE_NODE', 2]]);
});

test('nodes: none is an error; more than MAXNODE (100, ping nodes included) is an error', () => {
  assert.deepEqual(errors(readHaCf('bcast eth0\nauto_failback on\n').diags), [['HACF_NO_NODES', 0]]);
  const many = Array.from({ length: 99 }, (_, i) => `n${i}`).join(' ');
  const ok = readHaCf(`node ${many}\nping 10.0.0.1\nbcast eth0\nauto_failback on\n`);
  assert.deepEqual(errors(ok.diags), []);
  const over = readHaCf(`node ${many}\nping 10.0.0.1\nnode extra\nbcast eth0\nauto_failback on\n`);
  assert.deepEqual(errors(over.diags), [['HACF_TOO_MANY_NODES', 3]]);
});

test('nodes: a name of 100 characters or more is refused', () => {
  assert.deepEqual(errors(withBase(`node ${'x'.repeat(100)}\n`).diags), [['HACF_BAD_NODE_NAME', 1]]);
  assert.deepEqual(errors(withBase(`node ${'x'.repeat(99)}\n`).diags), []);
});

test('nodes: the current node must be listed (case-insensitive)', () => {
  assert.deepEqual(errors(withBase('', { nodeName: 'Alpha' }).diags), []);
  const { diags } = withBase('', { nodeName: 'gamma' });
  assert.deepEqual(errors(diags), [['HACF_LOCAL_NODE_UNKNOWN', 0]]);
  assert.equal(diags.find((d) => d.severity === 'error')?.message, "current node `gamma` is not in ha.cf's node list (alpha, beta)");
});

test('nodes: a ping node may not carry the name of a node', () => {
  assert.deepEqual(errors(withBase('ping_group alpha 10.0.0.1\n').diags), [['HACF_NAME_CONFLICT', 1]]);
});

test('cluster name', () => {
  assert.equal(withBase('cluster prod-lb\n').settings.clusterName, 'prod-lb');
});

// ------------------------------------------------------------ media

test('bcast: one medium per interface; `udp` is the old name', () => {
  const { settings, diags } = readHaCf('node a b\nbcast eth0 eth1\nudp eth2\nauto_failback on\n');
  assert.deepEqual(settings.media.map((m) => [m.kind, 'iface' in m ? m.iface : '', m.at.line]), [
    ['bcast', 'eth0', 2],
    ['bcast', 'eth1', 2],
    ['bcast', 'eth2', 3],
  ]);
  assert.deepEqual(codes(diags), [['HACF_UDP_ALIAS', 3]]);
});

test('media: none is an error; a bad interface name is an error', () => {
  assert.deepEqual(errors(readHaCf('node a b\nauto_failback on\n').diags), [['HACF_NO_MEDIA', 0]]);
  assert.deepEqual(errors(withBase('bcast eth0/1\n').diags), [['HACF_BAD_INTERFACE', 1]]);
  assert.deepEqual(errors(withBase('bcast averyveryverylongname\n').diags), [['HACF_BAD_INTERFACE', 1]]);
});

test('mcast: all five fields, ttl 0..4 (trap 2: not 0..255), loop 0|1, a class D group', () => {
  const { settings, diags } = withBase('mcast eth0 239.0.0.43 694 4 0\n');
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(settings.media[0], {
    kind: 'mcast', iface: 'eth0', group: '239.0.0.43', port: 694, ttl: 4, loop: 0, at: { file: 'ha.cf', line: 1 },
  });
  assert.deepEqual(errors(withBase('mcast eth0 239.0.0.43 694 5 0\n').diags), [['HACF_MCAST_TTL', 1]]);
  assert.match(withBase('mcast eth0 239.0.0.43 694 5 0\n').diags[0]?.message ?? '', /0\.\.4 only/);
  assert.deepEqual(errors(withBase('mcast eth0 239.0.0.43 694 1 2\n').diags), [['HACF_MCAST_LOOP', 1]]);
  assert.deepEqual(errors(withBase('mcast eth0 10.0.0.43 694 1 0\n').diags), [['HACF_MCAST_GROUP', 1]]);
  assert.deepEqual(errors(withBase('mcast eth0 240.0.0.1 694 1 0\n').diags), [['HACF_MCAST_GROUP', 1]]);
  assert.deepEqual(errors(withBase('mcast eth0 224.0.0.1 0 1 0\n').diags), [['HACF_BAD_PORT', 1]]);
  assert.deepEqual(errors(withBase('mcast eth0 224.0.0.1 65536 1 0\n').diags), [['HACF_BAD_PORT', 1]]);
  const missing = withBase('mcast eth0 239.0.0.1 694 1\n').diags;
  assert.deepEqual(errors(missing), [['HACF_MEDIUM_SYNTAX', 1]]);
  assert.match(missing[0]?.message ?? '', /missing its loop/);
  assert.deepEqual(codes(withBase('mcast eth0 239.0.0.1 694 1 0 extra\n').diags), [['HACF_EXTRA_FIELDS', 1]]);
});

test('mcast: its port is its own; udpport does not apply to it (trap 3)', () => {
  const { settings, diags } = readHaCf('udpport 700\nmcast eth0 239.0.0.1 5405 1 0\nnode a b\nauto_failback on\n');
  assert.deepEqual(codes(diags), []);
  assert.equal(settings.media[0]?.kind === 'mcast' ? settings.media[0].port : -1, 5405);
  assert.equal(settings.udpPort, 700);
});

test('mcast6: group scope and flags as mcast6.c, hops 0..4', () => {
  const ok = withBase('mcast6 eth0 ff12::694 694 1 0\n');
  assert.deepEqual(codes(ok.diags), []);
  assert.deepEqual(ok.settings.media[0], {
    kind: 'mcast6', iface: 'eth0', group: 'ff12::694', port: 694, hops: 1, loop: 0, at: { file: 'ha.cf', line: 1 },
  });
  for (const group of ['ff0e::1', 'ff01::1', 'fe80::1', 'ff12::', 'ff52::1']) {
    assert.deepEqual(errors(withBase(`mcast6 eth0 ${group} 694 1 0\n`).diags), [['HACF_MCAST_GROUP', 1]], group);
  }
  assert.deepEqual(errors(withBase('mcast6 eth0 ff15::1 694 5 0\n').diags), [['HACF_MCAST_TTL', 1]]);
});

test('ucast: interface and peer (address or host name); extra fields warn', () => {
  const { settings, diags } = withBase('ucast eth1 10.10.10.2\nucast eth1 peer.example.com\n');
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(settings.media.slice(0, 2).map((m) => (m.kind === 'ucast' ? [m.iface, m.peer] : [])), [
    ['eth1', '10.10.10.2'],
    ['eth1', 'peer.example.com'],
  ]);
  assert.deepEqual(errors(withBase('ucast eth1\n').diags), [['HACF_MEDIUM_SYNTAX', 1]]);
  assert.deepEqual(errors(withBase('ucast eth1 10.0.0.300\n').diags), [['HACF_BAD_ADDRESS', 1]]);
  assert.deepEqual(codes(withBase('ucast eth1 10.0.0.2 eth2\n').diags), [['HACF_EXTRA_FIELDS', 1]]);
});

test('ucast: a line to the node\'s own address stays in the model (skipped at run time), so one ha.cf fits both nodes', () => {
  const { settings } = readHaCf('ucast eth0 10.0.0.1\nucast eth0 10.0.0.2\nnode a b\nauto_failback on\n');
  assert.equal(settings.media.length, 2);
});

test('ucast6: unicast only; a named scope must be the line\'s interface', () => {
  assert.deepEqual(codes(withBase('ucast6 eth0 fe80::2%eth0\nucast6 eth0 2001:db8::2\nucast6 eth0 fe80::3%2\n').diags), []);
  for (const peer of ['ff02::1', '::', '::1', 'nonsense']) {
    assert.deepEqual(errors(withBase(`ucast6 eth0 ${peer}\n`).diags), [['HACF_BAD_ADDRESS', 1]], peer);
  }
  assert.deepEqual(errors(withBase('ucast6 eth0 fe80::2%eth1\n').diags), [['HACF_BAD_ADDRESS', 1]]);
});

test('udpport: used by bcast/ucast/ucast6, 1..65535', () => {
  assert.equal(readHaCf('udpport 695\nbcast eth0\nnode a b\nauto_failback on\n').settings.udpPort, 695);
  assert.deepEqual(errors(withBase('udpport 0\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('udpport 65536\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('udpport ha\n').diags), [['HACF_BAD_INTEGER', 1]]);
});

test('udpport after the bcast line: bcast keeps 694 as in Heartbeat, with a warning', () => {
  const { settings, diags } = readHaCf('bcast eth0\nudpport 695\nnode a b\nauto_failback on\n');
  assert.equal(settings.udpPort, 694);
  assert.deepEqual(codes(diags), [['HACF_UDPPORT_AFTER_MEDIA', 2]]);
  assert.match(diags[0]?.message ?? '', /after the `bcast` line 1, which already uses port 694/);
});

test('udpport between bcast and ucast: the two would use different ports, an error', () => {
  const { diags } = readHaCf('bcast eth0\nudpport 695\nucast eth1 10.0.0.2\nnode a b\nauto_failback on\n');
  assert.deepEqual(codes(diags), [['HACF_UDPPORT_AFTER_MEDIA', 2], ['HACF_UDPPORT_CONFLICT', 2]]);
});

test('serial: full path; baud before serial is used', () => {
  const { settings, diags } = readHaCf('baud 115200\nserial /dev/ttyS0 /dev/ttyS1\nnode a b\nauto_failback on\n');
  assert.deepEqual(codes(diags), []);
  assert.equal(settings.baud, 115200);
  assert.deepEqual(settings.media.map((m) => (m.kind === 'serial' ? m.device : '')), ['/dev/ttyS0', '/dev/ttyS1']);
  assert.deepEqual(errors(withBase('serial ttyS0\n').diags), [['HACF_SERIAL_PATH', 1]]);
});

test('baud: the allowed speeds only, once only; after serial it does not apply (warning)', () => {
  for (const b of [9600, 19200, 38400, 57600, 115200, 230400, 460800]) assert.equal(withBase(`baud ${b}\n`).settings.baud, b);
  assert.deepEqual(errors(withBase('baud 4800\n').diags), [['HACF_BAD_BAUD', 1]]);
  assert.deepEqual(errors(withBase('baud 9600\nbaud 19200\n').diags), [['HACF_BAUD_REPEATED', 2]]);
  const late = readHaCf('serial /dev/ttyS0\nbaud 115200\nnode a b\nauto_failback on\n');
  assert.equal(late.settings.baud, 19200);
  assert.deepEqual(codes(late.diags), [['HACF_BAUD_AFTER_SERIAL', 2]]);
});

test('serial: with filesystem checks the port must exist and be a character device', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'notatty');
  fs.writeFileSync(file, '');
  assert.deepEqual(errors(withBase(`serial ${file}\n`, { checkFilesystem: true }).diags), [['HACF_SERIAL_NOT_TTY', 1]]);
  assert.deepEqual(errors(withBase(`serial ${dir}/missing\n`, { checkFilesystem: true }).diags), [['HACF_SERIAL_MISSING', 1]]);
  assert.deepEqual(errors(withBase('serial /dev/null\n', { checkFilesystem: true }).diags), []);
});

test('hopfudge: 0..255', () => {
  assert.equal(withBase('hopfudge 0\n').settings.hopfudge, 0);
  assert.equal(withBase('hopfudge 255\n').settings.hopfudge, 255);
  assert.deepEqual(errors(withBase('hopfudge 256\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
});

test('ping, ping6, ping_group: pseudo-nodes in declaration order', () => {
  const { settings, diags } = withBase('ping 10.0.0.254 GW.example\nping_group Uplinks 10.0.1.254 10.0.2.254\nping6 2001:db8::1\n');
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(settings.pingNodes.map((p) => [p.kind, p.name, p.addresses, p.at.line]), [
    ['ping', '10.0.0.254', ['10.0.0.254'], 1],
    ['ping', 'gw.example', ['GW.example'], 1],
    ['ping_group', 'uplinks', ['10.0.1.254', '10.0.2.254'], 2],
    ['ping6', '2001:db8::1', ['2001:db8::1'], 3],
  ]);
  assert.deepEqual(errors(withBase('ping_group lonely\n').diags), [['HACF_PING_GROUP_SYNTAX', 1]]);
  assert.deepEqual(errors(withBase('ping 300.1.1.1\n').diags), [['HACF_BAD_ADDRESS', 1]]);
  assert.deepEqual(errors(withBase('ping6 10.0.0.1\n').diags), [['HACF_BAD_ADDRESS', 1]]);
});

// ------------------------------------------------------------ failback

test('auto_failback: on, off, legacy, or any boolean', () => {
  const mode = (v: string) => readHaCf(`node a b\nbcast eth0\nauto_failback ${v}\n`).settings.autoFailback;
  assert.equal(mode('on'), 'on');
  assert.equal(mode('yes'), 'on');
  assert.equal(mode('off'), 'off');
  assert.equal(mode('0'), 'off');
  assert.equal(mode('legacy'), 'legacy');
  assert.equal(mode('LEGACY'), 'legacy');
  const legacy = readHaCf('node a b\nbcast eth0\nauto_failback legacy\n');
  assert.deepEqual(codes(legacy.diags), [['HACF_AUTO_FAILBACK_LEGACY', 3]]);
  assert.deepEqual(errors(readHaCf('node a b\nbcast eth0\nauto_failback maybe\n').diags), [['HACF_BAD_VALUE', 3]]);
});

test('nice_failback alone: Heartbeat 3.0.6 ends in auto_failback legacy (its code tests its own global)', () => {
  const { settings, diags } = readHaCf('nice_failback on\nnode a b\nbcast eth0\n');
  assert.equal(settings.autoFailback, 'legacy');
  assert.deepEqual(codes(diags), [['HACF_NICE_FAILBACK_OBSOLETE', 1], ['HACF_AUTO_FAILBACK_LEGACY', 0]]);
  assert.match(diags[0]?.message ?? '', /gives auto_failback legacy/);
});

test('nice_failback after auto_failback on|off gives off; a later auto_failback wins', () => {
  assert.equal(readHaCf('auto_failback on\nnice_failback on\nnode a b\nbcast eth0\n').settings.autoFailback, 'off');
  assert.equal(readHaCf('auto_failback legacy\nnice_failback on\nnode a b\nbcast eth0\n').settings.autoFailback, 'legacy');
  assert.equal(readHaCf('nice_failback on\nauto_failback on\nnode a b\nbcast eth0\n').settings.autoFailback, 'on');
  assert.deepEqual(errors(readHaCf('nice_failback perhaps\nnode a b\nbcast eth0\n').diags), [['HACF_BAD_BOOLEAN', 1]]);
});

// ------------------------------------------------------------ processes

test('respawn and failfast: user, absolute command, arguments', () => {
  const { settings, diags } = withBase('respawn hacluster /usr/lib/heartbeat/ipfail\nfailfast root /usr/sbin/watcher -v --x=1\n');
  assert.deepEqual(codes(diags), [['HACF_RESPAWN_IPFAIL_BUILTIN', 1]], 'ipfail is built in: noted, not run');
  assert.deepEqual(settings.respawn.map((r) => [r.user, r.path, r.args, r.rebootIfItDies, r.at.line]), [
    ['hacluster', '/usr/lib/heartbeat/ipfail', [], false, 1],
    ['root', '/usr/sbin/watcher', ['-v', '--x=1'], true, 2],
  ]);
  assert.deepEqual(errors(withBase('respawn hacluster ipfail\n').diags), [['HACF_RESPAWN_NOT_ABSOLUTE', 1]]);
  assert.deepEqual(errors(withBase('respawn hacluster\n').diags), [['HACF_RESPAWN_SYNTAX', 1]]);
});

test('respawn: with filesystem checks the command must be executable', (t) => {
  const dir = tempDir(t);
  const script = path.join(dir, 'helper');
  fs.writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
  const plain = path.join(dir, 'plain');
  fs.writeFileSync(plain, '', { mode: 0o644 });
  assert.deepEqual(codes(withBase(`respawn root ${script}\n`, { checkFilesystem: true }).diags), []);
  assert.deepEqual(errors(withBase(`respawn root ${plain}\n`, { checkFilesystem: true }).diags), [['HACF_RESPAWN_NOT_EXECUTABLE', 1]]);
  assert.deepEqual(errors(withBase(`respawn root ${dir}/none\n`, { checkFilesystem: true }).diags), [['HACF_RESPAWN_NOT_EXECUTABLE', 1]]);
  // Not checked without filesystem checks.
  assert.deepEqual(errors(withBase(`respawn root ${plain}\n`).diags), []);
  assert.deepEqual(codes(withBase(`respawn no-such-user-hbd ${script}\n`, { checkFilesystem: true }).diags), [['HACF_RESPAWN_UNKNOWN_USER', 1]]);
});

test('ipfail with auto_failback legacy: warning (ipfail refuses to run then)', () => {
  const { diags } = readHaCf('respawn hacluster /usr/lib/heartbeat/ipfail\nnode a b\nbcast eth0\n');
  assert.deepEqual(codes(diags), [['HACF_RESPAWN_IPFAIL_BUILTIN', 1], ['HACF_AUTO_FAILBACK_LEGACY', 0], ['HACF_IPFAIL_WITH_LEGACY', 1]]);
});

test('apiauth: uid/gid lists; duplicates and malformed lines are errors; defaults fill the rest', () => {
  const { settings, diags } = withBase('apiauth ipfail gid=haclient uid=hacluster,root\napiauth default gid=haclient\n');
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(settings.apiauth.map((a) => [a.client, a.uids, a.gids, a.at.line]), [
    ['ipfail', ['hacluster', 'root'], ['haclient'], 1],
    ['default', [], ['haclient'], 2],
    ['ccm', ['hacluster'], [], 0],
    ['ping', [], ['haclient'], 0],
    ['lha-snmpagent', ['root'], [], 0],
    ['anon', ['root'], ['haclient'], 0],
  ]);
  assert.deepEqual(errors(withBase('apiauth x uid=a\napiauth x gid=b\n').diags), [['HACF_APIAUTH_DUPLICATE', 2]]);
  assert.deepEqual(errors(withBase('apiauth x uid=a uid=b\n').diags), [['HACF_APIAUTH_SYNTAX', 1]]);
  assert.deepEqual(errors(withBase('apiauth x user=a\n').diags), [['HACF_APIAUTH_SYNTAX', 1]]);
  assert.deepEqual(errors(withBase('apiauth x\n').diags), [['HACF_APIAUTH_SYNTAX', 1]]);
  assert.deepEqual(errors(withBase('apiauth x uid=\n').diags), [['HACF_APIAUTH_SYNTAX', 1]]);
});

test('env: NAME=value entries (values may be empty)', () => {
  const { settings } = withBase('env FOO=bar BAZ=\nenv FOO=qux\n');
  assert.deepEqual(settings.env, { FOO: 'qux', BAZ: '' });
  assert.deepEqual(errors(withBase('env FOO\n').diags), [['HACF_ENV_SYNTAX', 1]]);
  assert.deepEqual(errors(withBase('env =x\n').diags), [['HACF_ENV_SYNTAX', 1]]);
});

test('watchdog: once only', () => {
  assert.equal(withBase('watchdog /dev/watchdog\n').settings.watchdogDevice, '/dev/watchdog');
  assert.deepEqual(errors(withBase('watchdog /dev/watchdog\nwatchdog /dev/watchdog1\n').diags), [['HACF_WATCHDOG_REPEATED', 2]]);
});

test('stonith and stonith_host: recorded, and reported as ignored', () => {
  const { settings, diags } = withBase('stonith baytech /etc/ha.d/conf/stonith.baytech\nstonith_host * baytech 10.0.0.3 mylogin pw\nstonith_host KATHY rps10 /dev/ttyS1 ken3 0\n');
  assert.deepEqual(settings.stonith.map((s) => [s.host, s.type, s.params]), [
    [null, 'baytech', ['/etc/ha.d/conf/stonith.baytech']],
    ['*', 'baytech', ['10.0.0.3', 'mylogin', 'pw']],
    ['kathy', 'rps10', ['/dev/ttyS1', 'ken3', '0']],
  ]);
  assert.deepEqual(codes(diags), [['HACF_IGNORED', 1], ['HACF_IGNORED', 2], ['HACF_IGNORED', 3], ['HACF_STONITH_HOST_UNKNOWN', 3]]);
  // config.ignored is for directives without a field in the model; stonith has one.
  assert.deepEqual(settings.ignored, []);
  assert.deepEqual(errors(withBase('stonith baytech\n').diags), [['HACF_STONITH_SYNTAX', 1]]);
  assert.deepEqual(errors(withBase('stonith_host *\n').diags), [['HACF_STONITH_SYNTAX', 1]]);
});

// ------------------------------------------------------------ scheduling, logging, protocol

test('realtime, rtprio (1..99), debug (0..255)', () => {
  const { settings } = withBase('realtime off\nrtprio 50\ndebug 3\n');
  assert.deepEqual([settings.realtime, settings.rtprio, settings.logging.debugLevel], [false, 50, 3]);
  assert.deepEqual(errors(withBase('rtprio 0\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('rtprio 100\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('debug 256\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('debug high\n').diags), [['HACF_BAD_INTEGER', 1]]);
  assert.deepEqual(errors(withBase('realtime sometimes\n').diags), [['HACF_BAD_BOOLEAN', 1]]);
});

test('logging: facility (or none), files, log_badpack, syslogmsgfmt', () => {
  const { settings } = withBase('logfacility local0\nlogfile /var/log/ha-log\ndebugfile /var/log/ha-debug\nlog_badpack no\nsyslogmsgfmt false\n');
  assert.deepEqual(settings.logging, {
    debugLevel: 0, facility: 'local0', logfile: '/var/log/ha-log', debugfile: '/var/log/ha-debug', logBadPackets: false, syslogFormat: false,
  });
  assert.equal(withBase('logfacility none\n').settings.logging.facility, null);
  assert.deepEqual(errors(withBase('logfacility local9\n').diags), [['HACF_BAD_VALUE', 1]]);
  assert.deepEqual(errors(withBase('logfacility LOCAL0\n').diags), [['HACF_BAD_VALUE', 1]]);
});

test('protocol settings: hbgenmethod, uuidfrom, msgfmt, compression, thresholds', () => {
  const { settings, diags } = withBase(
    'hbgenmethod time\nuuidfrom nodename\nmsgfmt netstring\ncompression bz2\ncompression_threshold 4\nmax_rexmit_delay 500\n',
  );
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(
    [settings.generationMethod, settings.uuidFrom, settings.msgfmt, settings.compression, settings.compressionThresholdKb, settings.maxRexmitDelayMs],
    ['time', 'nodename', 'netstring', 'bz2', 4, 500],
  );
  for (const bad of ['hbgenmethod clock', 'uuidfrom disk', 'msgfmt xml', 'compression gzip', 'hbgenmethod File']) {
    assert.deepEqual(errors(withBase(`${bad}\n`).diags), [['HACF_BAD_VALUE', 1]], bad);
  }
  assert.deepEqual(errors(withBase('compression_threshold 0\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
  assert.deepEqual(errors(withBase('max_rexmit_delay 250ms\n').diags), [['HACF_BAD_INTEGER', 1]]);
});

// ------------------------------------------------------------ accepted and ignored (P)

test('class P directives: checked, then a warning and an entry in config.ignored', () => {
  const { settings, diags } = withBase(
    'use_logd yes\nconn_logd_time 60\ncoredumps true\ncoreroot /var/lib/heartbeat/cores\ntraditional_compression no\nmemreserve 6500\n',
  );
  assert.deepEqual(codes(diags), [1, 2, 3, 4, 5, 6].map((l) => ['HACF_IGNORED', l]));
  assert.equal(diags[0]?.message, '`use_logd` is accepted for compatibility and ignored by hbd');
  assert.deepEqual(settings.ignored.map((i) => [i.directive, i.value, i.at.line]), [
    ['use_logd', 'yes', 1],
    ['conn_logd_time', '60', 2],
    ['coredumps', 'true', 3],
    ['coreroot', '/var/lib/heartbeat/cores', 4],
    ['traditional_compression', 'no', 5],
    ['memreserve', '6500', 6],
  ]);
  // An invalid value is still an error, as in Heartbeat.
  assert.deepEqual(errors(withBase('use_logd maybe\n').diags), [['HACF_BAD_BOOLEAN', 1]]);
  assert.deepEqual(errors(withBase('conn_logd_time 1m\n').diags), [['HACF_BAD_TIME', 1]]);
  assert.deepEqual(errors(withBase('memreserve 0\n').diags), [['HACF_OUT_OF_RANGE', 1]]);
});

// ------------------------------------------------------------ rejected (X)

test('crm/pacemaker on: rejected with the reason; off, no, false accepted silently', () => {
  for (const v of ['on', 'respawn', 'yes', 'minimal', 'valgrind']) {
    const { diags } = withBase(`crm ${v}\n`);
    assert.deepEqual(errors(diags), [['HACF_PACEMAKER', 1]], v);
  }
  const { diags } = withBase('crm on\n');
  assert.equal(
    diags[0]?.message,
    "hbd implements Heartbeat's haresources (crm off) mode; Pacemaker (crm on|respawn|minimal|...) is not supported: remove the line or write `crm off`",
  );
  assert.deepEqual(errors(withBase('pacemaker respawn\n').diags), [['HACF_PACEMAKER', 1]]);
  for (const v of ['off', 'no', 'false', 'n', '0']) assert.deepEqual(codes(withBase(`crm ${v}\npacemaker ${v}\n`).diags), [], v);
  assert.deepEqual(errors(withBase('crm sometimes\n').diags), [['HACF_BAD_VALUE', 1]]);
});

test('autojoin: none accepted; other/any conflict with haresources mode', () => {
  assert.deepEqual(codes(withBase('autojoin none\n').diags), []);
  for (const v of ['any', 'other', 'ANY']) {
    const { diags } = withBase(`autojoin ${v}\n`);
    assert.deepEqual(errors(diags), [['HACF_AUTOJOIN', 1]], v);
    assert.match(diags[0]?.message ?? '', /conflicts with haresources mode/);
  }
  assert.deepEqual(errors(withBase('autojoin some\n').diags), [['HACF_BAD_VALUE', 1]]);
});

test('other class X directives are errors that say why', () => {
  const lines = [
    'hbaping qlogic-qla2200-0',
    'tipc 1 2',
    'rds 1 2',
    'quorum_server qs.example',
    'use_apphbd yes',
    'crm_daemon_dir /usr/lib/pacemaker',
    'crmd_spawns_pengine yes',
    'record_config_changes on',
    'record_pengine_inputs on',
    'enable_config_writes on',
    'normalpoll true',
  ];
  const { diags } = withBase(`${lines.join('\n')}\n`);
  assert.deepEqual(errors(diags), lines.map((_, i) => ['HACF_UNSUPPORTED', i + 1]));
  assert.match(diags[5]?.message ?? '', /^`crm_daemon_dir` is not supported by hbd: it only applies to Pacemaker/);
});

test('the BASE used by these tests is itself clean', () => {
  assert.deepEqual(codes(readHaCf(BASE).diags), []);
});
