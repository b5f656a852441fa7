import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';
import { DiagnosticSink } from '../../../src/config/diagnostics';
import { buildResourceGroups, isIpShorthand, lexHaresources } from '../../../src/config/haresources';
import { tempDir } from '../../helpers/tmp';
import { codes, errors } from './helpers';

interface Opts {
  nodes?: string[];
  haDir?: string;
  initDir?: string;
  checkFilesystem?: boolean;
}

function read(text: string, opts: Opts = {}) {
  const sink = new DiagnosticSink();
  const lines = lexHaresources(text, 'haresources', sink);
  const groups = buildResourceGroups(lines, {
    sink,
    nodes: opts.nodes ?? ['node1', 'node2'],
    haDir: opts.haDir ?? '/nonexistent/ha.d',
    initDir: opts.initDir ?? '/nonexistent/init.d',
    checkFilesystem: opts.checkFilesystem ?? false,
    resourcesName: 'haresources',
    nodeListName: 'a node in ha.cf',
  });
  return { groups, diags: sink.all };
}

const summary = (groups: ReturnType<typeof read>['groups']) =>
  groups.map((g) => [g.owner, g.key, g.at.line, g.resources.map((r) => [r.name, [...r.args], r.shorthand])]);

test('haresources: one group per line; owner lowercased; key = first resource as written', () => {
  const { groups, diags } = read('# comment\nNode1 192.168.1.10 httpd\n\nnode2\tIPaddr::10.0.0.1/24/eth0 Filesystem::/dev/sda1::/data1::ext2\n');
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(summary(groups), [
    ['node1', '192.168.1.10', 2, [['IPaddr', ['192.168.1.10'], true], ['httpd', [], false]]],
    ['node2', 'IPaddr::10.0.0.1/24/eth0', 4, [['IPaddr', ['10.0.0.1/24/eth0'], false], ['Filesystem', ['/dev/sda1', '/data1', 'ext2'], false]]],
  ]);
  assert.equal(groups[0]?.resources[0]?.raw, '192.168.1.10');
});

test('haresources: the typical director line', () => {
  const { groups, diags } = read('lb1 ldirectord::ldirectord.cf LVSSyncDaemonSwap::master IPaddr2::10.0.0.100/24/eth0/10.0.0.255\n', { nodes: ['lb1', 'lb2'] });
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(summary(groups), [
    ['lb1', 'ldirectord::ldirectord.cf', 1, [
      ['ldirectord', ['ldirectord.cf'], false],
      ['LVSSyncDaemonSwap', ['master'], false],
      ['IPaddr2', ['10.0.0.100/24/eth0/10.0.0.255'], false],
    ]],
  ]);
});

test('haresources: `\\` continues a group; every resource points at the line where the group starts', () => {
  const { groups, diags } = read('node1 10.0.0.1 \\\n  10.0.0.2 \\\n  httpd\nnode2 10.0.0.3\n');
  assert.deepEqual(codes(diags), []);
  assert.deepEqual(summary(groups).map((g) => [g[0], g[2]]), [['node1', 1], ['node2', 4]]);
  assert.deepEqual(groups[0]?.resources.map((r) => [r.raw, r.at.line]), [['10.0.0.1', 1], ['10.0.0.2', 1], ['httpd', 1]]);
  // The backslash-newline is removed and nothing added, as ResourceManager's sed does.
  assert.deepEqual(read('node1 10.0.0.1 htt\\\npd\n').groups[0]?.resources.map((r) => r.raw), ['10.0.0.1', 'httpd']);
});

test('haresources: a diagnostic on a continued group points at its first line', () => {
  const { diags } = read('node1 10.0.0.1 \\\n  10.0.0.300\n');
  assert.deepEqual(errors(diags), [['HARES_BAD_ARGUMENT', 1]]);
});

test('haresources: a comment on a continued line is dropped by hbd, with a warning that Heartbeat keeps it', () => {
  const { groups, diags } = read('node1 10.0.0.1 \\\n  httpd # web\nnode2 10.0.0.2\n');
  assert.deepEqual(groups[0]?.resources.map((r) => r.raw), ['10.0.0.1', 'httpd']);
  assert.deepEqual(codes(diags), [['HARES_COMMENT_IN_CONTINUATION', 1]]);
  // A comment on the first line ends it: the backslash is inside the comment.
  const first = read('node1 10.0.0.1 # \\\nnode2 10.0.0.2\n');
  assert.deepEqual(summary(first.groups).map((g) => g[0]), ['node1', 'node2']);
});

test('haresources: a trailing backslash at the end of the file is dropped with a warning', () => {
  const { groups, diags } = read('node1 10.0.0.1 \\');
  assert.deepEqual(groups[0]?.resources.map((r) => r.raw), ['10.0.0.1']);
  assert.deepEqual(codes(diags), [['HARES_TRAILING_BACKSLASH', 1]]);
});

test('haresources: owner must be a node; key must be unique; a group needs resources', () => {
  const bad = read('node3 10.0.0.1\n');
  assert.deepEqual(errors(bad.diags), [['HARES_BAD_NODE', 1]]);
  assert.equal(bad.diags[0]?.message, 'bad node name `node3` in haresources: not a node in ha.cf');
  const dup = read('node1 10.0.0.1 httpd\nnode2 10.0.0.1\n');
  assert.deepEqual(errors(dup.diags), [['HARES_DUPLICATE_KEY', 2]]);
  assert.match(dup.diags[0]?.message ?? '', /already starts the group at line 1/);
  assert.deepEqual(errors(read('node1\n').diags), [['HARES_NO_RESOURCES', 1]]);
});

test('haresources: the bare-IP shorthand is the shell glob [0-9]*.[0-9]*.[0-9]*.[0-9]*', () => {
  for (const yes of ['10.0.0.1', '10.0.0.1/24', '10.0.0.1/24/eth0/10.0.0.255', '1.2.3.4.5', '1a.2.3.4']) assert.equal(isIpShorthand(yes), true, yes);
  for (const no of ['IPaddr::10.0.0.1', 'httpd', '10.0.0', 'a1.2.3.4', '2001:db8::1']) assert.equal(isIpShorthand(no), false, no);
  // Matching the glob is not enough: the address is then checked as IPaddr's.
  assert.deepEqual(errors(read('node1 1.2.3.4.5\n').diags), [['HARES_BAD_ARGUMENT', 1]]);
});

test('haresources: empty `::` arguments are dropped with a warning; bad resource names are errors', () => {
  const { groups, diags } = read('node1 Filesystem::/dev/sda1::::ext2\n');
  assert.deepEqual(groups[0]?.resources[0]?.args, ['/dev/sda1', 'ext2']);
  assert.deepEqual(codes(diags), [['HARES_EMPTY_ARGUMENT', 1]]);
  assert.deepEqual(errors(read('node1 ::foo\n').diags), [['HARES_BAD_RESOURCE_NAME', 1]]);
  assert.deepEqual(errors(read('node1 /etc/init.d/foo\n').diags), [['HARES_BAD_RESOURCE_NAME', 1]]);
});

test('built-ins: IPaddr/IPaddr2 arguments (ip[/bits[/iface[:label]]][/bcast])', () => {
  const good = [
    'IPaddr::10.0.0.1',
    'IPaddr::10.0.0.1/24',
    'IPaddr::10.0.0.1/24/eth0',
    'IPaddr::10.0.0.1/24/10.0.0.255',
    'IPaddr::10.0.0.1/24/eth0/10.0.0.255',
    'IPaddr::10.0.0.1/255.255.255.0/eth0',
    'IPaddr2::10.0.0.1/32',
    'IPaddr2::10.0.0.1/24/eth0:vip',
    'IPaddr2::10.0.0.1/24/eth0:vip/10.0.0.255',
    'IPaddr2::10.0.0.1/24/',
  ];
  for (const r of good) assert.deepEqual(codes(read(`node1 ${r}\n`).diags), [], r);
  const bad = [
    'IPaddr::10.0.0.256',
    'IPaddr::10.0.0.1/33',
    'IPaddr::10.0.0.1/0',
    'IPaddr::10.0.0.1/255.0.255.0',
    'IPaddr::10.0.0.1//eth0',
    'IPaddr::10.0.0.1/24/eth0/10.0.0.300',
    'IPaddr::10.0.0.1/24/10.0.0.255/eth0',
    'IPaddr::10.0.0.1/24/eth0/10.0.0.255/x',
    'IPaddr2::10.0.0.1/24/eth0:averyveryverylonglabel',
    'IPaddr2::2001:db8:0:0:0:0:0:1',
  ];
  for (const r of bad) assert.deepEqual(errors(read(`node1 ${r}\n`).diags), [['HARES_BAD_ARGUMENT', 1]], r);
  assert.deepEqual(errors(read('node1 IPaddr2::10.0.0.1::eth0\n').diags), [['HARES_ARG_COUNT', 1]]);
  assert.deepEqual(errors(read('node1 IPaddr2\n').diags), [['HARES_ARG_COUNT', 1]]);
  // IPaddr picks its own alias label; a label given to it is dropped with a warning.
  assert.deepEqual(codes(read('node1 IPaddr::10.0.0.1/24/eth0:1\n').diags), [['HARES_LABEL_IGNORED', 1]]);
});

test('built-ins: IPv6addr (and why `::` cannot appear in a haresources IPv6 address)', () => {
  assert.deepEqual(codes(read('node1 IPv6addr::2001:db8:0:0:0:0:0:10/64/eth0\n').diags), []);
  assert.deepEqual(codes(read('node1 IPv6addr::fe80:0:0:0:0:0:0:10\n').diags), []);
  const split = read('node1 IPv6addr::2001:db8::10/64\n');
  assert.deepEqual(errors(split.diags), [['HARES_IPV6_DOUBLE_COLON', 1]]);
  assert.match(split.diags[0]?.message ?? '', /write all eight groups/);
  assert.deepEqual(errors(read('node1 IPv6addr::2001:db8:0:0:0:0:0:10/129\n').diags), [['HARES_BAD_ARGUMENT', 1]]);
  assert.deepEqual(errors(read('node1 IPv6addr::10.0.0.1\n').diags), [['HARES_BAD_ARGUMENT', 1]]);
});

test('built-ins: SendArp, LVSSyncDaemonSwap, ldirectord arguments', () => {
  assert.deepEqual(codes(read('node1 SendArp::10.0.0.1/eth0\n').diags), []);
  assert.deepEqual(errors(read('node1 SendArp::10.0.0.1\n').diags), [['HARES_BAD_ARGUMENT', 1]]);
  assert.deepEqual(codes(read('node1 LVSSyncDaemonSwap::master\nnode2 LVSSyncDaemonSwap::backup::eth1\n').diags), []);
  assert.deepEqual(errors(read('node1 LVSSyncDaemonSwap::primary\n').diags), [['HARES_BAD_ARGUMENT', 1]]);
  assert.deepEqual(errors(read('node1 LVSSyncDaemonSwap\n').diags), [['HARES_BAD_ARGUMENT', 1]]);
  assert.deepEqual(codes(read('node1 ldirectord\nnode2 ldirectord::www.cf\n').diags), []);
  assert.deepEqual(errors(read('node1 ldirectord::a.cf::b.cf\n').diags), [['HARES_BAD_ARGUMENT', 1]]);
});

function haDirWith(t: TestContext, files: Record<string, { text: string; mode: number }>): string {
  const dir = tempDir(t);
  for (const [name, f] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), f.text, { mode: f.mode });
    fs.chmodSync(path.join(dir, name), f.mode);
  }
  return dir;
}

test('scripts: resource.d, then the init directory; must be executable files (filesystem checks only)', (t) => {
  const haDir = haDirWith(t, {
    'resource.d/httpd': { text: '#!/bin/sh\n', mode: 0o755 },
    'resource.d/notexec': { text: '#!/bin/sh\n', mode: 0o644 },
  });
  const initDir = haDirWith(t, { mysql: { text: '#!/bin/sh\n', mode: 0o755 } });
  fs.mkdirSync(path.join(haDir, 'resource.d', 'adir'));
  const opts = { haDir, initDir, checkFilesystem: true };
  assert.deepEqual(codes(read('node1 httpd mysql\n', opts).diags), []);
  const { diags } = read('node1 httpd nosuch notexec adir\n', opts);
  assert.deepEqual(errors(diags), [['HARES_SCRIPT_NOT_FOUND', 1], ['HARES_SCRIPT_NOT_FOUND', 1], ['HARES_SCRIPT_NOT_FOUND', 1]]);
  assert.equal(diags[0]?.message, `resource script \`nosuch\` not found in ${haDir}/resource.d or ${initDir}: it must be an executable file`);
  // Built-ins need no script.
  assert.deepEqual(codes(read('node1 IPaddr2::10.0.0.1/24 SendArp::10.0.0.1/eth0 LVSSyncDaemonSwap::master\n', opts).diags), []);
  // Without filesystem checks, nothing is looked up.
  assert.deepEqual(codes(read('node1 nosuch\n', { haDir, initDir }).diags), []);
});

test('ldirectord configuration: DIR/name, DIR/conf/name, then an absolute path; missing = error', (t) => {
  const haDir = haDirWith(t, {
    'ldirectord.cf': { text: '', mode: 0o644 },
    'conf/web.cf': { text: '', mode: 0o644 },
  });
  const abs = path.join(haDir, 'elsewhere.cf');
  fs.writeFileSync(abs, '');
  const opts = { haDir, checkFilesystem: true };
  assert.deepEqual(codes(read(`node1 ldirectord\nnode2 ldirectord::web.cf ldirectord::${abs}\n`, opts).diags), []);
  const { diags } = read('node1 ldirectord::missing.cf\n', opts);
  assert.deepEqual(errors(diags), [['HARES_LDIRECTORD_CONFIG_NOT_FOUND', 1]]);
  assert.equal(
    diags[0]?.message,
    `ldirectord configuration \`missing.cf\` not found: looked for ${haDir}/missing.cf, ${haDir}/conf/missing.cf`,
  );
});
