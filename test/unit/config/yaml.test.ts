import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';
import { formatDiagnostic } from '../../../src/config/diagnostics';
import { type LoadOptions, configToYaml, loadHaDirectory, loadYamlConfig } from '../../../src/config/load';
import { tempDir } from '../../helpers/tmp';
import { HACF_FIXTURES, codes, copyFixture, errors, stripSources } from './helpers';

function writeYaml(t: TestContext, text: string, mode = 0o600, name = 'hbd.yaml'): string {
  const file = path.join(tempDir(t, 'hbd-yaml-'), name);
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

const MINIMAL = 'nodes: [node1, node2]\nmedia: [ { bcast: eth0 } ]\nauto_failback: on\nauth: { use: 1, keys: { 1: { method: sha1, key: s3cret } } }\n';

function load(t: TestContext, text: string, opts: LoadOptions = { checkFilesystem: false }) {
  const file = writeYaml(t, text);
  return { file, ...loadYamlConfig(file, opts) };
}

test('yaml: the documented example maps to the model', (t) => {
  const text = [
    'cluster: linux-ha',
    'nodes: [node1, node2]',
    'keepalive: 50ms',
    'deadtime: 200ms',
    'media:',
    '  - bcast: eth0',
    '  - ucast: { iface: eth0, peer: 10.0.0.2 }',
    '  - mcast: { iface: eth0, group: 239.0.0.43, port: 694, ttl: 1, loop: 0 }',
    '  - serial: /dev/ttyS0',
    'auto_failback: on',
    'auth: { use: 1, keys: { 1: { method: sha1, key: "s3cret" } } }',
    'resources:',
    '  - owner: node1',
    '    resources: [ "IPaddr2::10.0.0.100/24/eth0", "ldirectord::ldirectord.cf" ]',
    'standby_keepalive: 80ms',
    'standby_deadtime: 1000ms',
    '',
  ].join('\n');
  const { file, config, diagnostics } = load(t, text);
  assert.deepEqual(codes(diagnostics.all), []);
  assert.ok(config);
  assert.deepEqual(config.nodes, ['node1', 'node2']);
  assert.deepEqual([config.keepaliveMs, config.deadtimeMs, config.warntimeMs, config.initdeadMs], [50, 200, 100, 12000]);
  assert.equal(config.standbyKeepaliveMs, 80);
  assert.match(configToYaml(config), /^standby_keepalive: 80ms$/m);
  assert.equal(config.standbyDeadtimeMs, 1000);
  assert.match(configToYaml(config), /^standby_deadtime: 1$/m);
  assert.deepEqual(config.media.map((m) => [m.kind, m.at.line]), [['bcast', 6], ['ucast', 7], ['mcast', 8], ['serial', 9]]);
  assert.deepEqual(config.media[2], { kind: 'mcast', iface: 'eth0', group: '239.0.0.43', port: 694, ttl: 1, loop: 0, at: { file, line: 8 } });
  assert.deepEqual([config.auth.file, config.auth.signIndex, config.auth.keys[0]?.secret, config.auth.keys[0]?.at.line], [file, 1, 's3cret', 11]);
  assert.deepEqual(config.resourceGroups.map((g) => [g.owner, g.key, g.at.line, g.resources.map((r) => r.name)]), [
    ['node1', 'IPaddr2::10.0.0.100/24/eth0', 13, ['IPaddr2', 'ldirectord']],
  ]);
  assert.deepEqual(config.origin, { kind: 'yaml', path: file, files: [file], haDir: path.dirname(file), initDir: '/etc/init.d' });
  assert.ok(Object.isFrozen(config.media[0]));
});

test('yaml: the same validators and messages as ha.cf, with YAML line numbers', (t) => {
  const { diagnostics } = load(t, `${MINIMAL}keepalive: 2s\ncrm: on\nmcast_extra: 1\n`);
  // The YAML's own errors come first (translation), then those of the shared validators.
  assert.deepEqual(errors(diagnostics.all), [['YAML_UNKNOWN_KEY', 7], ['HACF_BAD_TIME', 5], ['HACF_PACEMAKER', 6]]);
  assert.equal(diagnostics.errors[0]?.message, 'unknown key `mcast_extra`');
  assert.equal(
    diagnostics.errors[1]?.message,
    '`keepalive` value `2s` is not a valid time: expected a number of seconds, or a number followed by ms or us (e.g. 2, 1.5, 500ms)',
  );
});

test('yaml: timing, mcast and haresources checks point into the YAML', (t) => {
  const text = [
    'nodes: [node1, node2]',
    'keepalive: 1',
    'deadtime: 2',
    'media:',
    '  - mcast: { iface: eth0, group: 239.0.0.43, port: 694, ttl: 5, loop: 0 }',
    'auto_failback: on',
    'auth: { use: 1, keys: { 1: { method: crc, key: oops } } }',
    'resources:',
    '  - owner: node3',
    '    resources:',
    '      - 10.0.0.1',
    '      - IPaddr2::10.0.0.999',
    '      - "Filesystem::/dev/sda1::/my data"',
    '',
  ].join('\n');
  const { diagnostics } = load(t, text);
  assert.deepEqual(errors(diagnostics.all), [
    ['HACF_MCAST_TTL', 5],
    ['HACF_DEADTIME_TOO_SMALL', 3],
    ['HACF_NO_MEDIA', 0],
    ['AUTHKEYS_KEY_NOT_ALLOWED', 7],
    ['HARES_BAD_NODE', 9],
    ['HARES_BAD_ARGUMENT', 12],
    ['HARES_BAD_RESOURCE_NAME', 13],
  ]);
  assert.equal(diagnostics.errors[4]?.message, 'bad node name `node3` in `resources`: not in the `nodes` list');
});

test('yaml: unknown keys, wrong types and missing keys are errors with line numbers', (t) => {
  const text = [
    'nodes: [node1, node2]',
    'media:',
    '  - bcast: eth0',
    '  - carrier: pigeon',
    '  - { bcast: eth1, serial: /dev/ttyS0 }',
    '  - ucast: { iface: eth0 }',
    '  - mcast: { iface: eth0, group: 239.0.0.1, port: 694, ttl: 1, loop: 0, colour: red }',
    'auto_failback: on',
    'auth: { use: 1, keys: { 1: { method: sha1, key: k, comment: x } } }',
    'respawn: { user: root }',
    'env: [A=1]',
    'resources:',
    '  - owner: node1',
    '',
  ].join('\n');
  const { diagnostics } = load(t, text);
  assert.deepEqual(errors(diagnostics.all), [
    ['YAML_UNKNOWN_KEY', 4],
    ['YAML_BAD_TYPE', 5],
    ['YAML_MISSING_KEY', 6],
    ['YAML_UNKNOWN_KEY', 7],
    ['YAML_BAD_TYPE', 10],
    ['YAML_BAD_TYPE', 11],
    ['YAML_UNKNOWN_KEY', 9],
    ['YAML_MISSING_KEY', 13],
  ]);
  assert.equal(diagnostics.errors[0]?.message, 'unknown key `carrier` in `media`: expected one of bcast, ucast, ucast6, mcast, mcast6, serial');
  assert.equal(diagnostics.errors[2]?.message, '`ucast` in `media` needs `peer`');
});

test('yaml: ha.cf directives that YAML writes under a section say where', (t) => {
  const { diagnostics } = load(t, `${MINIMAL}node: node3\nbcast: eth1\nrespawn_x: 1\n`);
  assert.deepEqual(errors(diagnostics.all), [['YAML_USE_STRUCTURED_KEY', 5], ['YAML_USE_STRUCTURED_KEY', 6], ['YAML_UNKNOWN_KEY', 7]]);
  assert.equal(diagnostics.errors[0]?.message, '`node` is written differently in YAML: `nodes: [node1, node2]`');
});

test('yaml: syntax errors, duplicate keys, a non-map document, a missing file', (t) => {
  const syntax = load(t, 'nodes: [a, b\nmedia: x\n');
  assert.equal(syntax.config, null);
  assert.equal(syntax.diagnostics.errors[0]?.code, 'YAML_SYNTAX');
  const dup = load(t, `${MINIMAL}keepalive: 1\nkeepalive: 2\n`);
  assert.deepEqual(errors(dup.diagnostics.all), [['YAML_SYNTAX', 6]]);
  assert.deepEqual(errors(load(t, '- a\n- b\n').diagnostics.all), [['YAML_BAD_TYPE', 1]]);
  const missing = loadYamlConfig('/nonexistent/hbd.yaml');
  assert.deepEqual(codes(missing.diagnostics.all), [['YAML_FILE_MISSING', 0]]);
});

test('yaml: auth is required; `use` must be an entry number', (t) => {
  const noAuth = load(t, 'nodes: [a, b]\nmedia: [ { bcast: eth0 } ]\nauto_failback: on\n');
  assert.deepEqual(errors(noAuth.diagnostics.all), [['YAML_MISSING_KEY', 0]]);
  const badUse = load(t, 'nodes: [a, b]\nmedia: [ { bcast: eth0 } ]\nauto_failback: on\nauth: { use: first, keys: { 1: { method: crc } } }\n');
  assert.deepEqual(errors(badUse.diagnostics.all), [['YAML_BAD_TYPE', 4]]);
  const missingEntry = load(t, 'nodes: [a, b]\nmedia: [ { bcast: eth0 } ]\nauto_failback: on\nauth: { use: 2, keys: { 1: { method: crc } } }\n');
  assert.deepEqual(errors(missingEntry.diagnostics.all), [['AUTHKEYS_AUTH_KEY_NOT_FOUND', 4]]);
});

test('yaml: every section form (ping nodes, respawn, apiauth, env, stonith, lists for plain directives)', (t) => {
  const text = [
    'nodes: [lb1, lb2]',
    'media: [ { bcast: [eth0, eth1] }, { serial: [/dev/ttyS0] }, { ucast6: { iface: eth0, peer: "fe80::2" } }, { mcast6: { iface: eth0, group: "ff12::1", port: 694, hops: 1, loop: 0 } } ]',
    'ping_nodes:',
    '  - ping: [10.0.0.254, 10.0.0.253]',
    '  - ping6: "2001:db8::fe"',
    '  - ping_group: { name: Uplinks, hosts: [10.0.1.254] }',
    'respawn:',
    '  - { user: hacluster, path: /usr/lib/heartbeat/ipfail }',
    '  - { user: root, path: /usr/sbin/guard, args: [-v, 3], failfast: true }',
    'apiauth: { ipfail: { uid: hacluster }, default: { gid: [haclient, admin] } }',
    'env: { FOO: bar, N: 3 }',
    'stonith:',
    '  - { type: baytech, config: /etc/ha.d/conf/stonith.baytech }',
    '  - { host: "*", type: rps10, params: [/dev/ttyS1, kathy, 0] }',
    'coredumps: [true, false]',
    'realtime: false',
    'udpport: 700',
    'auto_failback: "off"',
    'auth: { use: 1, keys: { 1: { method: md5, key: k } } }',
    '',
  ].join('\n');
  const { config, diagnostics } = load(t, text);
  // A list gives the directive once per item, like repeated ha.cf lines.
  assert.deepEqual(codes(diagnostics.all), [['HACF_IGNORED', 15], ['HACF_REPEATED_DIRECTIVE', 15], ['HACF_IGNORED', 15], ['HACF_RESPAWN_IPFAIL_BUILTIN', 8], ['HACF_IGNORED', 13], ['HACF_IGNORED', 14]]);
  assert.ok(config);
  assert.deepEqual(config.media.map((m) => m.kind), ['bcast', 'bcast', 'serial', 'ucast6', 'mcast6']);
  assert.deepEqual(config.pingNodes.map((p) => [p.kind, p.name, p.at.line]), [['ping', '10.0.0.254', 4], ['ping', '10.0.0.253', 4], ['ping6', '2001:db8::fe', 5], ['ping_group', 'uplinks', 6]]);
  assert.deepEqual(config.respawn.map((r) => [r.user, r.path, r.args, r.rebootIfItDies, r.at.line]), [
    ['hacluster', '/usr/lib/heartbeat/ipfail', [], false, 8],
    ['root', '/usr/sbin/guard', ['-v', '3'], true, 9],
  ]);
  assert.deepEqual(config.apiauth.slice(0, 2).map((a) => [a.client, a.uids, a.gids]), [['ipfail', ['hacluster'], []], ['default', [], ['haclient', 'admin']]]);
  assert.deepEqual(config.env, { FOO: 'bar', N: '3' });
  assert.deepEqual(config.stonith.map((s) => [s.host, s.type, s.params]), [[null, 'baytech', ['/etc/ha.d/conf/stonith.baytech']], ['*', 'rps10', ['/dev/ttyS1', 'kathy', '0']]]);
  assert.deepEqual(config.ignored.map((i) => [i.directive, i.value]), [['coredumps', 'true'], ['coredumps', 'false']]);
  assert.deepEqual([config.realtime, config.udpPort, config.autoFailback], [false, 700, 'off']);
});

test('yaml: udpport and baud apply wherever they are written (no ordering trap)', (t) => {
  const { config, diagnostics } = load(t, `media: [ { bcast: eth0 }, { serial: /dev/ttyS0 } ]\nnodes: [a, b]\nauto_failback: on\nudpport: 700\nbaud: 9600\nauth: { use: 1, keys: { 1: { method: sha1, key: k } } }\n`);
  assert.deepEqual(codes(diagnostics.all), []);
  assert.deepEqual([config?.udpPort, config?.baud], [700, 9600]);
});

test('yaml: haDir, relative to the file, is where scripts and ldirectord configs are found', (t) => {
  const root = tempDir(t);
  fs.mkdirSync(path.join(root, 'ha.d', 'resource.d'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ha.d', 'resource.d', 'websvc'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'ha.d', 'ldirectord.cf'), '');
  const text = `${MINIMAL}haDir: ha.d\nresources:\n  - owner: node1\n    resources: [websvc, ldirectord]\n`;
  const file = path.join(root, 'hbd.yaml');
  fs.writeFileSync(file, text, { mode: 0o600 });
  const ok = loadYamlConfig(file);
  assert.deepEqual(codes(ok.diagnostics.all), []);
  assert.equal(ok.config?.origin.haDir, path.join(root, 'ha.d'));
  fs.writeFileSync(file, text.replace('haDir: ha.d', 'haDir: elsewhere'));
  assert.deepEqual(errors(loadYamlConfig(file).diagnostics.all), [['HARES_SCRIPT_NOT_FOUND', 8], ['HARES_LDIRECTORD_CONFIG_NOT_FOUND', 8]]);
});

test('yaml: a file holding md5/sha1 keys that group or others can read gets a warning', (t) => {
  const readable = writeYaml(t, MINIMAL, 0o644);
  const r = loadYamlConfig(readable);
  assert.deepEqual(codes(r.diagnostics.all), [['YAML_SECRETS_READABLE', 4]]);
  assert.notEqual(r.config, null);
  assert.match(r.diagnostics.all[0]?.message ?? '', /mode 0644\): chmod 600 it/);
  assert.deepEqual(codes(loadYamlConfig(writeYaml(t, MINIMAL, 0o600)).diagnostics.all), []);
  const crcOnly = writeYaml(t, MINIMAL.replace('{ method: sha1, key: s3cret }', '{ method: crc }'), 0o644);
  assert.deepEqual(codes(loadYamlConfig(crcOnly).diagnostics.all), [['AUTHKEYS_CRC_NO_SECURITY', 4]]);
  assert.deepEqual(codes(loadYamlConfig(readable, { checkFilesystem: false }).diagnostics.all), []);
});

// ------------------------------------------------------------ configToYaml round trip

const ROUND_TRIP: readonly [string, LoadOptions][] = [
  ['bcast', {}],
  ['ucast-shared', {}],
  ['mcast', {}],
  ['serial-baud', { checkFilesystem: false }],
  ['ping-ipfail', { checkFilesystem: false }],
  ['director', { nodeName: 'lb1' }],
  ['legacy-crc', {}],
  ['kitchen-sink', { checkFilesystem: false }],
];

test('every loadable fixture is in the round-trip list', () => {
  const loadable = fs.readdirSync(HACF_FIXTURES).filter((name) => name !== 'debian-sample');
  assert.deepEqual([...loadable].sort(), ROUND_TRIP.map(([name]) => name).sort());
});

for (const [name, opts] of ROUND_TRIP) {
  test(`configToYaml round trip: ${name} gives an equal model and the same diagnostics`, (t) => {
    const dir = copyFixture(t, name);
    const fromHaD = loadHaDirectory(dir, opts);
    assert.ok(fromHaD.config, fromHaD.diagnostics.all.map(formatDiagnostic).join('\n'));
    const yamlText = configToYaml(fromHaD.config);
    const file = writeYaml(t, yamlText);
    const fromYaml = loadYamlConfig(file, opts);
    assert.ok(fromYaml.config, `${fromYaml.diagnostics.all.map(formatDiagnostic).join('\n')}\n${yamlText}`);
    assert.deepEqual(stripSources(fromYaml.config), stripSources(fromHaD.config));
    const sortedCodes = (r: typeof fromYaml) => r.diagnostics.all.map((d) => d.code).sort();
    assert.deepEqual(sortedCodes(fromYaml), sortedCodes(fromHaD));
    assert.equal(fromYaml.config.origin.haDir, path.resolve(dir));
  });
}

test('configToYaml: readable output (haDir, integer key numbers, ignored directives marked)', (t) => {
  const c = loadHaDirectory(copyFixture(t, 'kitchen-sink'), { checkFilesystem: false }).config;
  assert.ok(c);
  const text = configToYaml(c);
  assert.match(text, /^# hbd configuration converted from the Heartbeat files in /);
  assert.match(text, /\nhaDir: \//);
  assert.match(text, /\n {4}2:\n {6}method: sha1\n {6}key: rollover-new\n/);
  assert.match(text, /\n# below: ha\.cf directives accepted for compatibility and ignored by hbd\nuse_logd: no\n/);
  assert.match(text, /\nkeepalive: 100ms\n/);
  assert.match(text, /\ninitdead: 15\n/);
});
