import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DiagnosticSink } from '../../../src/config/diagnostics';
import { lexLdirectordCf } from '../../../src/ldirectord/lexer';
import { DEFAULT_QUIESCENT } from '../../../src/ldirectord/model';
import { tempDir } from '../../helpers/tmp';
import { LD_FIXTURES, codes, context, errors, onlyVirtual, parse, service, valid, warnings } from './helpers';

const fixture = (name: string) => fs.readFileSync(path.join(LD_FIXTURES, name), 'utf8');

// ------------------------------------------------------------ layout

test('lexer: virtual sections, indentation by 4 spaces or a tab, comments, blank lines', () => {
  const sink = new DiagnosticSink();
  const lexed = lexLdirectordCf(
    [
      'checktimeout=3 # trailing comment',
      '# a comment',
      'virtual=192.0.2.1:80',
      '\treal=192.0.2.11:80 gate',
      '    real=192.0.2.12:80 gate',
      '  \t# an indented comment',
      '',
      '\treceive="a#b"   # the # inside quotes stays',
      'quiescent=yes',
    ].join('\n'),
    'f',
    sink,
  );
  assert.deepEqual(sink.all, []);
  assert.deepEqual(lexed.globals.map((e) => [e.name, e.value, e.at.line]), [['checktimeout', '3', 1], ['quiescent', 'yes', 9]]);
  const [v] = lexed.virtuals;
  assert.equal(v?.header.value, '192.0.2.1:80');
  assert.deepEqual(v?.entries.map((e) => [e.name, e.value, e.at.line]), [['real', '192.0.2.11:80 gate', 4], ['real', '192.0.2.12:80 gate', 5], ['receive', '"a#b"', 8]]);
});

test('lexer: bad indentation and stray indented lines are errors with their line', () => {
  const { diags } = parse(['  checktimeout=3', 'virtual=192.0.2.1:80', '  real=192.0.2.11:80 gate', '\treal=192.0.2.12:80 gate', 'this is not a directive', ''].join('\n'));
  assert.deepEqual(errors(diags), [['LDCF_BAD_INDENT', 1], ['LDCF_BAD_INDENT', 3], ['LDCF_SYNTAX', 5]]);
});

test('unknown, misplaced and deprecated directives', () => {
  const { diags } = parse(
    ['frobnicate=1', 'real=192.0.2.11:80 gate', 'connecttimeout=3', 'timeout=3', 'virtual=192.0.2.1:80', '\tautoreload=yes', '\ttimeout=5', '\tconnecttimeout=5', '\treal=192.0.2.11:80 gate', ''].join('\n'),
  );
  assert.deepEqual(errors(diags), [
    ['LDCF_UNKNOWN_DIRECTIVE', 1],
    ['LDCF_VIRTUAL_ONLY', 2],
    ['LDCF_DEPRECATED', 3],
    ['LDCF_DEPRECATED', 4],
    ['LDCF_GLOBAL_ONLY', 6],
    ['LDCF_DEPRECATED', 7],
    ['LDCF_DEPRECATED', 8],
  ]);
  assert.match(diags[2]?.message ?? '', /negotiatetimeout/);
});

test('a single-valued directive given twice warns and the last wins', () => {
  const { config, diags } = parse(service(['real=192.0.2.11:80 gate', 'scheduler=wlc', 'scheduler=rr']));
  assert.deepEqual(warnings(diags), [['LDCF_REPEATED', 4]]);
  assert.equal(config?.virtuals[0]?.ipvs.scheduler, 'rr');
});

// ------------------------------------------------------------ defaults

test('defaults match ldirectord (set_defaults, read_config, ld_setup)', () => {
  const config = valid('virtual=192.0.2.100:80\n\treal=192.0.2.11:80 gate\n');
  const v = onlyVirtual(config);
  assert.deepEqual(config.globals, {
    checkIntervalMs: 10000,
    autoreload: false,
    callback: null,
    logfile: { kind: 'file', path: '/var/log/ldirectord.log' },
    supervised: false,
    readdQuiescent: false,
    maintenanceDir: null,
    execute: [],
  });
  assert.equal(v.id, 'tcp:192.0.2.100:80');
  assert.deepEqual(v.ipvs, { af: 'inet', protocol: 'tcp', address: '192.0.2.100', port: 80, scheduler: 'wrr' });
  assert.equal(v.check.type, 'negotiate');
  assert.equal(v.check.service, 'http', 'guessed from port 80');
  assert.equal(v.check.checkTimeoutMs, 5000);
  assert.equal(v.check.negotiateTimeoutMs, 30000);
  assert.equal(v.check.intervalMs, 10000);
  assert.equal(v.check.failureCount, 1);
  assert.equal(v.check.rise, 1);
  assert.equal(v.check.checkCount, 1);
  assert.equal(v.check.command, '/bin/true');
  assert.equal(v.check.httpMethod, 'GET');
  assert.equal(v.quiescent, DEFAULT_QUIESCENT);
  assert.equal(v.quiescent, false, 'hbd follows ldirectord\'s code: quiescent defaults to no');
  assert.equal(v.cleanStop, true);
  assert.equal(v.fallback, null);
  assert.deepEqual(v.email, { to: null, freqMs: 0, phases: ['starting', 'running', 'stopping', 'reloading'], smtp: null, from: null });
  assert.deepEqual(v.reals, [
    { at: { file: 'ldirectord.cf', line: 2 }, name: '192.0.2.11', address: '192.0.2.11', port: 80, forward: 'gate', weight: 1, lowerThreshold: 0, upperThreshold: 0, checkPort: 80, request: '/', receive: '' },
  ]);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(v.reals[0]), 'the model is frozen');
});

test('protocol: tcp by default, udp for port 53 or domain, fwm for a mark; mismatches are errors', () => {
  const dns = ['real=192.0.2.11 gate', 'request="example.com"'];
  assert.equal(onlyVirtual(valid(service(dns, 'virtual=192.0.2.100:53'))).protocol, 'udp');
  assert.deepEqual(onlyVirtual(valid(service(dns, 'virtual=192.0.2.100:domain'))).ipvs, { af: 'inet', protocol: 'udp', address: '192.0.2.100', port: 53, scheduler: 'wrr' });
  assert.equal(onlyVirtual(valid(service([...dns, 'protocol=tcp'], 'virtual=192.0.2.100:53'))).protocol, 'tcp');
  const fwm = onlyVirtual(valid(service(['real=192.0.2.11:80 gate', 'protocol=fwm'], 'virtual=7')));
  assert.deepEqual([fwm.id, fwm.protocol, fwm.ipvs, fwm.check.service], ['fwm:7', 'fwm', { af: 'inet', fwmark: 7, scheduler: 'wrr' }, 'none']);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'protocol=udp'], 'virtual=7')).diags), [['LDCF_PROTOCOL_MISMATCH', 3]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'protocol=fwm'])).diags), [['LDCF_PROTOCOL_MISMATCH', 3]]);
});

test('service is guessed from the port as ldirectord does', () => {
  const guess = (port: number) => onlyVirtual(valid(service(['real=192.0.2.11 gate', 'checktype=connect'], `virtual=192.0.2.100:${port}`))).check.service;
  assert.deepEqual(
    [21, 25, 53, 80, 110, 119, 143, 389, 443, 587, 636, 993, 995, 1812, 3128, 3306, 5060, 5432, 8080].map(guess),
    ['ftp', 'smtp', 'dns', 'http', 'pop', 'nntp', 'imap', 'ldap', 'https', 'submission', 'ldaps', 'imaps', 'pops', 'radius', 'http_proxy', 'mysql', 'sip', 'pgsql', 'none'],
  );
});

// ------------------------------------------------------------ virtual addresses

test('virtual= forms: IP:port, host:service, fwmark; virtual6 with [IPv6]:port and host names', () => {
  assert.equal(onlyVirtual(valid(service(['real=www1 gate'], 'virtual=vip:http'))).id, 'tcp:192.0.2.100:80');
  const v6 = onlyVirtual(valid(service(['real6=[2001:DB8:0::11]:80 masq'], 'virtual6=[2001:db8:0:0::5]:80')));
  assert.deepEqual([v6.id, v6.af, v6.address, v6.reals[0]?.address], ['tcp:[2001:db8::5]:80', 'inet6', '2001:db8::5', '2001:db8::11']);
  assert.equal(onlyVirtual(valid(service(['real6=www6 gate'], 'virtual6=[2001:db8::5]:80'))).reals[0]?.address, '2001:db8::11');
  assert.equal(onlyVirtual(valid(service(['real6=[2001:db8::11]:80 gate'], 'virtual6=9'))).id, 'fwm6:9');
});

test('virtual= errors: no port, IPv6 under virtual, IPv4 under virtual6, unresolvable, bad mark, duplicates', () => {
  const line1 = (header: string, body = 'real=192.0.2.11:80 gate') => errors(parse(service([body], header)).diags);
  // ldirectord reads `virtual=10.0.0.1` as firewall mark 10; hbd refuses it.
  assert.deepEqual(line1('virtual=192.0.2.100'), [['LDCF_BAD_VIRTUAL', 1]]);
  assert.deepEqual(line1('virtual=[2001:db8::5]:80'), [['LDCF_FAMILY_MISMATCH', 1]]);
  assert.deepEqual(line1('virtual6=192.0.2.100:80', 'real6=[2001:db8::11]:80 gate'), [['LDCF_FAMILY_MISMATCH', 1]]);
  assert.deepEqual(line1('virtual=nosuchhost:80'), [['LDCF_RESOLVE', 1]]);
  assert.deepEqual(line1('virtual=192.0.2.100:nosuchservice'), [['LDCF_RESOLVE', 1]]);
  assert.deepEqual(line1('virtual=0'), [['LDCF_BAD_VIRTUAL', 1]]);
  assert.deepEqual(line1('virtual=192.0.2.100:0'), [['LDCF_PORT_ZERO', 1]]);
  assert.deepEqual(line1('virtual=192.0.2.100:0', 'persistent=300'), []);
  const dup = parse(['virtual=192.0.2.100:80', '\treal=192.0.2.11 gate', 'virtual=vip:www', '\treal=192.0.2.12 gate', ''].join('\n'));
  assert.deepEqual(errors(dup.diags), [['LDCF_DUPLICATE_VIRTUAL', 3]]);
  assert.match(dup.diags[0]?.message ?? '', /already defined at line 1/);
});

// ------------------------------------------------------------ real servers

test('real= lines: forward methods, weight, request/receive pair, thresholds', () => {
  const v = onlyVirtual(
    valid(
      service([
        'real=192.0.2.11:80 gate',
        'real=192.0.2.12:8080 masq 5',
        'real=192.0.2.13 ipip 3 "/health", "OK" l:10 u:100',
        'real=www2:http masq "status.html","up"',
        'request="index.html"',
        'receive="Test Page"',
      ]),
    ),
  );
  const rs = v.reals.map((r) => [r.address, r.port, r.forward, r.weight, r.lowerThreshold, r.upperThreshold, r.checkPort, r.request, r.receive]);
  assert.deepEqual(rs, [
    ['192.0.2.11', 80, 'gate', 1, 0, 0, 80, 'index.html', 'Test Page'],
    ['192.0.2.12', 8080, 'masq', 5, 0, 0, 8080, 'index.html', 'Test Page'],
    ['192.0.2.13', 80, 'ipip', 3, 10, 100, 80, '/health', 'OK'],
    ['192.0.2.12', 80, 'masq', 1, 0, 0, 80, 'status.html', 'up'],
  ]);
});

test('real= ranges expand IPv4 addresses; host names resolve; duplicates warn', () => {
  const v = onlyVirtual(valid(service(['real=192.0.2.30->192.0.2.32:80 gate 2', 'real=sql01->sql03:80 gate', 'real=192.0.2.31:80 gate 9'])));
  assert.deepEqual(
    v.reals.map((r) => `${r.address} w${r.weight}`),
    ['192.0.2.30 w2', '192.0.2.31 w2', '192.0.2.32 w2', '192.0.2.21 w1', '192.0.2.22 w1', '192.0.2.23 w1'],
  );
  const { diags } = parse(service(['real=192.0.2.30->192.0.2.32:80 gate 2', 'real=192.0.2.31:80 gate 9']));
  assert.deepEqual(warnings(diags), [['LDCF_DUPLICATE_REAL', 3]]);
});

test('real= errors, each on its line', () => {
  const { diags } = parse(
    service([
      'real=192.0.2.11:80',
      'real=192.0.2.11:80 direct',
      'real=192.0.2.11:80 gate heavy',
      'real=192.0.2.32->192.0.2.30:80 gate',
      'real=nosuchhost:80 gate',
      'real=192.0.2.11:nosuchservice gate',
      'real6=[2001:db8::11]:80 gate',
      'real=192.0.2.11:80 gate 1 u:70000',
      // ldirectord's own SIP sample: its unanchored pattern reads this as host "5060".
      'real=192.168.6.2::5060 gate',
    ]),
  );
  assert.deepEqual(errors(diags), [
    ['LDCF_BAD_REAL', 2],
    ['LDCF_BAD_REAL', 3],
    ['LDCF_BAD_REAL', 4],
    ['LDCF_BAD_RANGE', 5],
    ['LDCF_RESOLVE', 6],
    ['LDCF_RESOLVE', 7],
    ['LDCF_FAMILY_MISMATCH', 8],
    ['LDCF_BAD_REAL', 9],
    ['LDCF_BAD_REAL', 10],
  ]);
  assert.deepEqual(errors(parse(service(['real6=[2001:db8::11]->[2001:db8::12]:80 gate'], 'virtual6=[2001:db8::5]:80')).diags), [['LDCF_BAD_RANGE', 2]]);
  assert.deepEqual(errors(parse(service(['real=192.0.1.0->192.0.9.0:80 gate'])).diags), [['LDCF_BAD_RANGE', 2]]);
});

test('ports: gate/ipip forward to the virtual port (warning if another is written); masq maps; fwmark keeps 0', () => {
  const { config, diags } = parse(service(['real=192.0.2.11:8080 gate', 'real=192.0.2.12:8080 masq', 'real=192.0.2.13 masq']));
  assert.deepEqual(warnings(diags), [['LDCF_PORT_IGNORED', 2]]);
  assert.deepEqual(config?.virtuals[0]?.reals.map((r) => [r.port, r.checkPort]), [[80, 8080], [8080, 8080], [80, 80]]);
  const fwm = onlyVirtual(valid(service(['real=192.0.2.11 gate', 'real=192.0.2.12:443 gate', 'checkport=8443'], 'virtual=5')));
  assert.deepEqual(fwm.reals.map((r) => [r.port, r.checkPort]), [[0, 8443], [443, 8443]]);
  // A fwmark service's checks need a port from somewhere.
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'checktype=connect'], 'virtual=5')).diags), [['LDCF_NO_CHECK_PORT', 2]]);
  assert.equal(onlyVirtual(valid(service(['real=192.0.2.11 gate', 'service=http'], 'virtual=5'))).reals[0]?.checkPort, 80);
});

// ------------------------------------------------------------ checks and timing

test('checktype: every word, the numeric combined form, external-perl warns', () => {
  const type = (t: string) => onlyVirtual(valid(service(['real=192.0.2.11:80 gate', `checktype=${t}`]))).check;
  for (const t of ['connect', 'negotiate', 'ping', 'external', 'off', 'on']) assert.equal(type(t).type, t);
  assert.deepEqual([type('3').type, type('3').connectsPerNegotiate], ['combined', 3]);
  const perl = parse(service(['real=192.0.2.11:80 gate', 'checktype=external-perl', 'checkcommand="/usr/local/bin/check.pl"']));
  assert.deepEqual(warnings(perl.diags), [['LDCF_EXTERNAL_PERL', 3]]);
  assert.equal(perl.config?.virtuals[0]?.check.command, '/usr/local/bin/check.pl');
  assert.deepEqual(errors(parse(service(['real=192.0.2.11:80 gate', 'checktype=smoke'])).diags), [['LDCF_BAD_VALUE', 3]]);
});

test('timeouts follow ldirectord\'s fallback chains; sub-second values and ms are accepted', () => {
  const chk = (globals: string[], lines: string[]) => onlyVirtual(valid(service(['real=192.0.2.11:80 gate', ...lines], undefined, globals))).check;
  let c = chk(['negotiatetimeout=20'], []);
  assert.deepEqual([c.checkTimeoutMs, c.negotiateTimeoutMs], [20000, 20000]);
  c = chk(['checktimeout=2', 'negotiatetimeout=20'], []);
  assert.deepEqual([c.checkTimeoutMs, c.negotiateTimeoutMs], [2000, 20000]);
  c = chk(['checktimeout=2'], ['negotiatetimeout=7']);
  assert.deepEqual([c.checkTimeoutMs, c.negotiateTimeoutMs], [7000, 7000], 'the virtual negotiatetimeout comes before the global checktimeout');
  c = chk(['checktimeout=2', 'negotiatetimeout=20'], ['checktimeout=0.5']);
  assert.deepEqual([c.checkTimeoutMs, c.negotiateTimeoutMs], [500, 500]);
  c = chk(['checkinterval=250ms', 'failurecount=3', 'rise=2'], []);
  assert.deepEqual([c.intervalMs, c.failureCount, c.rise], [250, 3, 2]);
  c = chk(['checkinterval=5', 'failurecount=3'], ['checkinterval=0.2', 'failurecount=2', 'rise=4']);
  assert.deepEqual([c.intervalMs, c.failureCount, c.rise], [200, 2, 4]);
  const bad = parse(service(['real=192.0.2.11:80 gate', 'checktimeout=0', 'checkinterval=soon', 'failurecount=0', 'rise=-1'], undefined, ['checkcount=2']));
  assert.deepEqual(codes(bad.diags), [['LDCF_DEPRECATED_WARN', 1], ['LDCF_OUT_OF_RANGE', 4], ['LDCF_BAD_TIME', 5], ['LDCF_OUT_OF_RANGE', 6], ['LDCF_OUT_OF_RANGE', 7]]);
});

test('check details: checkport, request/receive, httpmethod, virtualhost, credentials, ftp/sip default logins', () => {
  const v = onlyVirtual(
    valid(
      service([
        'real=192.0.2.11:80 gate',
        'checkport=8080',
        'request="/status"',
        'receive="ok$"',
        'httpmethod=head',
        'virtualhost="www.example.com"',
        'login="u"',
        'passwd="p"',
        'database="d"',
        'secret="s"',
      ]),
    ),
  );
  assert.deepEqual(
    [v.reals[0]?.checkPort, v.reals[0]?.request, v.reals[0]?.receive, v.check.httpMethod, v.check.virtualHost, v.check.login, v.check.password, v.check.database, v.check.secret],
    [8080, '/status', 'ok$', 'HEAD', 'www.example.com', 'u', 'p', 'd', 's'],
  );
  const ftp = onlyVirtual(valid(service(['real=192.0.2.11 masq', 'service=ftp'], 'virtual=192.0.2.100:21')));
  assert.deepEqual([ftp.check.login, ftp.check.password], ['anonymous', 'ldirectord@lb1']);
  const sip = onlyVirtual(valid(service(['real=192.0.2.11 gate', 'service=sip'], 'virtual=192.0.2.100:5060')));
  assert.equal(sip.check.login, 'ldirectord@lb1');
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'httpmethod=POST'])).diags), [['LDCF_BAD_VALUE', 3]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'service=gopher'])).diags), [['LDCF_BAD_VALUE', 3]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'checkport=0'])).diags), [['LDCF_OUT_OF_RANGE', 3]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'request="unbalanced'])).diags), [['LDCF_BAD_QUOTES', 3]]);
});

test('checks that cannot work are errors at load time: oracle, bad receive regex, SQL without a query', () => {
  const oracle = parse(service(['real=192.0.2.11 gate'], 'virtual=192.0.2.100:1521'));
  assert.deepEqual(errors(oracle.diags), [['LDCF_UNSUPPORTED_SERVICE', 1]]);
  assert.match(oracle.diags[0]?.message ?? '', /guessed from port 1521/);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'service=oracle'], 'virtual=192.0.2.100:1521')).diags), [['LDCF_UNSUPPORTED_SERVICE', 3]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'checktype=connect'], 'virtual=192.0.2.100:1521')).diags), []);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'receive="(unclosed"'])).diags), [['LDCF_CHECK_SPEC', 1]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate "/x", "[bad"'])).diags), [['LDCF_CHECK_SPEC', 2]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'login="u"'], 'virtual=192.0.2.100:3306')).diags), [['LDCF_CHECK_SPEC', 1]]);
});

// ------------------------------------------------------------ IPVS settings

test('scheduler, persistent, netmask, schedflags, ops', () => {
  const v = onlyVirtual(valid(service(['real=192.0.2.11 gate', 'scheduler=sh', 'persistent=600', 'netmask=255.255.255.0', 'schedflags=sh-fallback,sh-port'])));
  assert.deepEqual(v.ipvs, {
    af: 'inet', protocol: 'tcp', address: '192.0.2.100', port: 80, scheduler: 'sh', persistentTimeout: 600, netmask: '255.255.255.0', flags: { sched1: true, sched2: true },
  });
  const v6 = onlyVirtual(valid(service(['real6=[2001:db8::11] gate', 'persistent=60', 'netmask=64'], 'virtual6=[2001:db8::5]:80')));
  assert.equal(v6.ipvs.netmask, 64);
  const udp = onlyVirtual(valid(service(['real=192.0.2.11 gate', 'ops=yes', 'checktype=ping'], 'virtual=192.0.2.100:53')));
  assert.deepEqual(udp.ipvs.flags, { onePacket: true });
  const { diags } = parse(
    service(['real=192.0.2.11 gate', 'ops=yes', 'netmask=255.255.255.0', 'scheduler=WRR', 'schedflags=sh-random', 'persistent=0']),
  );
  assert.deepEqual(codes(diags), [['LDCF_BAD_VALUE', 5], ['LDCF_BAD_VALUE', 6], ['LDCF_OUT_OF_RANGE', 7], ['LDCF_NETMASK_WITHOUT_PERSISTENT', 4], ['LDCF_OPS_NOT_UDP', 3]]);
  assert.deepEqual(errors(parse(service(['real=192.0.2.11 gate', 'persistent=60', 'netmask=255.0.0.300'])).diags), [['LDCF_BAD_NETMASK', 4]]);
  assert.deepEqual(errors(parse(service(['real6=[2001:db8::11] gate', 'persistent=60', 'netmask=129'], 'virtual6=[2001:db8::5]:80')).diags), [['LDCF_BAD_NETMASK', 4]]);
});

// ------------------------------------------------------------ fallback

test('fallback: own per service, global per family, global without port inherits the service port', () => {
  const config = valid(
    [
      'fallback=127.0.0.1',
      'fallback6=[::1]:8080 masq',
      'virtual=192.0.2.100:80',
      '\treal=192.0.2.11 gate',
      'virtual=192.0.2.100:443',
      '\treal=192.0.2.11 gate',
      '\tfallback=localhost:443 masq',
      'virtual6=[2001:db8::5]:80',
      '\treal6=[2001:db8::11] masq',
      'virtual=192.0.2.100:25',
      '\treal=192.0.2.11 masq',
      '\tfallback=192.0.2.50:2525 masq',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    config.virtuals.map((v) => (v.fallback === null ? null : [v.fallback.address, v.fallback.port, v.fallback.forward])),
    [['127.0.0.1', 80, 'gate'], ['127.0.0.1', 443, 'masq'], ['::1', 8080, 'masq'], ['192.0.2.50', 2525, 'masq']],
  );
  const { diags } = parse(
    ['fallback=[::1]:80', 'virtual=192.0.2.100:80', '\treal=192.0.2.11 gate', '\tfallback6=[::1]:80', '\tfallback=127.0.0.1:80 direct', ''].join('\n'),
  );
  assert.deepEqual(errors(diags), [['LDCF_FAMILY_MISMATCH', 1], ['LDCF_BAD_FALLBACK', 5], ['LDCF_FAMILY_MISMATCH', 4]]);
});

// ------------------------------------------------------------ globals

test('global switches: quiescent, readdquiescent, cleanstop, autoreload, fork, supervised, callback, logfile, maintenancedir, execute', () => {
  const config = valid(
    [
      'quiescent=yes',
      'readdquiescent=yes',
      'cleanstop=no',
      'autoreload=yes',
      'fork=yes',
      'supervised=yes',
      'callback="/usr/local/bin/sync-config"',
      'logfile="local0"',
      'maintenancedir=/etc/ha.d/maint',
      'virtual=192.0.2.100:80',
      '\treal=192.0.2.11 gate',
      'virtual=192.0.2.100:443',
      '\treal=192.0.2.11 gate',
      '\tquiescent=no',
      '\tcleanstop=yes',
      '',
    ].join('\n'),
  );
  assert.deepEqual(config.globals, {
    checkIntervalMs: 10000,
    autoreload: true,
    callback: '/usr/local/bin/sync-config',
    logfile: { kind: 'syslog', facility: 'local0' },
    supervised: true,
    readdQuiescent: true,
    maintenanceDir: '/etc/ha.d/maint',
    execute: [],
  });
  assert.deepEqual(config.virtuals.map((v) => [v.quiescent, v.cleanStop]), [[true, false], [false, true]]);
  assert.deepEqual(valid('logfile="/var/log/ld.log"\nvirtual=192.0.2.100:80\n\treal=192.0.2.11 gate\n').globals.logfile, { kind: 'file', path: '/var/log/ld.log' });
  const { diags } = parse(['logfile=nowhere', 'quiescent=maybe', 'supervised', 'execute=other.cf', 'virtual=192.0.2.100:80', '\treal=192.0.2.11 gate', ''].join('\n'));
  assert.deepEqual(codes(diags), [['LDCF_LOGFILE', 1], ['LDCF_BAD_BOOLEAN', 2], ['LDCF_DEPRECATED_WARN', 3], ['LDCF_IGNORED', 4]]);
});

test('email alert directives', () => {
  const config = valid(
    [
      'emailalert="ops@example.com, oncall@example.com"',
      'emailalertfreq=3600',
      'emailalertstatus=starting, running',
      'emailalertfrom=lb@example.com',
      'smtp=mail.example.com',
      'virtual=192.0.2.100:80',
      '\treal=192.0.2.11 gate',
      '\tservicename=Web Site',
      '\tcomment=Test load balanced web site',
      'virtual=192.0.2.100:443',
      '\treal=192.0.2.11 gate',
      '\temailalertstatus=none',
      '\temailalert=web@example.com',
      '',
    ].join('\n'),
  );
  const [a, b] = config.virtuals;
  assert.deepEqual(a?.email, { to: 'ops@example.com, oncall@example.com', freqMs: 3600000, phases: ['starting', 'running'], smtp: 'mail.example.com', from: 'lb@example.com' });
  assert.deepEqual([a?.serviceName, a?.comment], ['Web Site', 'Test load balanced web site']);
  assert.deepEqual([b?.email.to, b?.email.phases], ['web@example.com', []]);
  const { diags } = parse(['emailalertstatus=none,running', 'emailalertstatus=sometimes', 'smtp=bad host!', 'virtual=192.0.2.100:80', '\treal=192.0.2.11 gate', ''].join('\n'));
  assert.deepEqual(errors(diags), [['LDCF_BAD_VALUE', 1], ['LDCF_BAD_VALUE', 2], ['LDCF_BAD_VALUE', 3]]);
});

test('ignored and extension directives: load, rise; no virtual service warns', () => {
  assert.deepEqual(warnings(parse(service(['real=192.0.2.11 gate', 'load="x"'])).diags), [['LDCF_IGNORED', 3]]);
  assert.deepEqual(codes(parse('checktimeout=3\n').diags), [['LDCF_NO_VIRTUAL', 0]]);
});

test('filesystem checks (only when asked): maintenancedir, commands, monitorfile', (t) => {
  const dir = tempDir(t);
  const text = [
    `maintenancedir=${path.join(dir, 'no-such-dir')}`,
    'callback="/no/such/program"',
    'virtual=192.0.2.100:80',
    '\treal=192.0.2.11 gate',
    '\tchecktype=external',
    '\tcheckcommand="/no/such/check"',
    `\tmonitorfile="${path.join(dir, 'missing', 'monitor.log')}"`,
    'virtual=192.0.2.100:443',
    '\treal=192.0.2.11 gate',
    `\tmonitorfile="${path.join(dir, 'monitor.log')}"`,
    '',
  ].join('\n');
  assert.deepEqual(codes(parse(text).diags), []);
  const { diags } = parse(text, 'ldirectord.cf', context({ checkFilesystem: true }));
  assert.deepEqual(codes(diags), [['LDCF_MAINTENANCEDIR_MISSING', 1], ['LDCF_COMMAND_NOT_EXECUTABLE', 2], ['LDCF_MONITORFILE', 7], ['LDCF_COMMAND_NOT_EXECUTABLE', 6]]);
});

// ------------------------------------------------------------ real-world files

test('Debian\'s sample ldirectord.cf parses as ldirectord reads it', () => {
  const config = valid(fixture('debian-example.cf'), 'debian-example.cf');
  const v = onlyVirtual(config);
  assert.equal(config.globals.autoreload, true);
  assert.equal(v.id, 'tcp:192.168.6.240:80');
  assert.deepEqual(v.reals.map((r) => r.address), ['192.168.6.2', '192.168.6.3', '192.168.6.6']);
  assert.deepEqual([v.fallback?.address, v.fallback?.port], ['127.0.0.1', 80]);
  assert.deepEqual([v.check.type, v.check.service, v.check.checkTimeoutMs, v.check.intervalMs, v.ipvs.scheduler], ['negotiate', 'http', 3000, 1000, 'rr']);
  assert.deepEqual([v.reals[0]?.request, v.reals[0]?.receive, v.check.virtualHost], ['index.html', 'Test Page', 'www.x.y.z']);
  assert.equal(v.quiescent, false);
});

test('the same sample with every block enabled: exactly the problems ldirectord has too, with their lines', () => {
  const { diags } = parse(fixture('debian-example-all.cf'), 'debian-example-all.cf');
  assert.deepEqual(codes(diags), [
    ['LDCF_DUPLICATE_VIRTUAL', 63],
    ['LDCF_REPEATED', 104],
    ['LDCF_UNSUPPORTED_SERVICE', 257],
    ['LDCF_BAD_REAL', 319],
    ['LDCF_BAD_REAL', 320],
    ['LDCF_BAD_REAL', 321],
  ]);
  const fixed = valid(fixture('debian-example-fixed.cf'), 'debian-example-fixed.cf');
  assert.equal(fixed.virtuals.length, 20);
  assert.deepEqual(
    fixed.virtuals.map((v) => `${v.id} ${v.check.type === 'combined' ? 'combined' : v.check.type} ${v.check.service}`).slice(0, 3),
    ['tcp:192.168.6.240:80 negotiate http', 'fwm:1 negotiate http', 'tcp:192.168.6.240:8080 negotiate http'],
  );
});

test('kitchen-sink fixture uses every directive and parses', () => {
  const { config, diags } = parse(fixture('kitchen-sink.cf'), 'kitchen-sink.cf');
  assert.deepEqual(errors(diags), []);
  assert.ok(config !== null);
  assert.deepEqual(warnings(diags).map(([c]) => c).sort(), ['LDCF_DEPRECATED_WARN', 'LDCF_DEPRECATED_WARN', 'LDCF_EXTERNAL_PERL', 'LDCF_IGNORED', 'LDCF_IGNORED']);
});
