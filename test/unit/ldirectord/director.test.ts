import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { CommandRunner } from '../../../src/ldirectord/commands';
import { Director, DirectorConfigError, type DirectorOptions } from '../../../src/ldirectord/director';
import type { DirectorEvent } from '../../../src/ldirectord/events';
import type { MaintenanceSource } from '../../../src/ldirectord/maintenance';
import type { MailMessage } from '../../../src/ldirectord/smtp';
import { formatDirectorStatus } from '../../../src/ldirectord/status';
import { tempDir } from '../../helpers/tmp';
import { FakeChecks, FakeClock, FakeIpvs, settle } from './fakes';
import { SERVICES } from './helpers';

const SVC = 'tcp 192.0.2.100:80';

interface Rig {
  readonly director: Director;
  readonly ipvs: FakeIpvs;
  readonly checks: FakeChecks;
  readonly clock: FakeClock;
  readonly events: DirectorEvent[];
  readonly commands: string[];
  readonly mail: MailMessage[];
  readonly maintenance: Set<string>;
  readonly file: string;
  write(text: string): void;
  /** Event types in order, optionally only since index `from`. */
  types(from?: number): string[];
}

function rig(t: TestContext, text: string, extra: Partial<DirectorOptions> = {}, ipvs = new FakeIpvs()): Rig {
  const dir = tempDir(t, 'hbd-director-');
  const file = path.join(dir, 'ldirectord.cf');
  fs.writeFileSync(file, text);
  const checks = new FakeChecks();
  const clock = new FakeClock();
  const events: DirectorEvent[] = [];
  const commands: string[] = [];
  const mail: MailMessage[] = [];
  const maintenance = new Set<string>();
  const runCommand: CommandRunner = async (command, args) => {
    commands.push([command, ...args].join(' '));
    return { code: 0, output: '' };
  };
  const source: MaintenanceSource = { list: async () => new Set(maintenance), names: async (a) => (a === '192.0.2.12' ? ['web2.example.com'] : []) };
  const director = new Director({
    config: 'ldirectord.cf',
    load: { haDir: dir, cwd: dir, services: SERVICES, checkFilesystem: false },
    backend: ipvs,
    checks,
    clock,
    onEvent: (e) => events.push(e),
    runCommand,
    maintenance: source,
    mail: async (m) => {
      mail.push(m);
    },
    pollIntervalMs: 1000,
    ...extra,
  });
  t.after(() => director.stop());
  return {
    director, ipvs, checks, clock, events, commands, mail, maintenance, file,
    write: (next) => fs.writeFileSync(file, next),
    types: (from = 0) => events.slice(from).map((e) => e.type),
  };
}

const BASE = [
  'checkinterval=10',
  'checktimeout=2',
  'virtual=192.0.2.100:80',
  '\treal=192.0.2.11:80 gate 3',
  '\treal=192.0.2.12:80 gate 1',
  '\tchecktype=connect',
];
const config = (...extra: string[]) => [...BASE, ...extra.map((l) => (l.startsWith('!') ? l.slice(1) : `\t${l}`)), ''].join('\n');

test('start: services at once, real servers as their first checks pass, every server checked concurrently on its interval', async (t) => {
  const r = rig(t, config());
  await r.director.start();
  assert.deepEqual((await r.ipvs.snapshot()), { [SVC]: [] }, 'nothing is up before it is checked');
  await r.clock.advance(0);
  assert.deepEqual((await r.ipvs.snapshot()), { [SVC]: ['192.0.2.11:80 w3', '192.0.2.12:80 w1'] });
  assert.deepEqual(r.types(), ['ldirectord-started', 'real-up', 'real-up']);
  await r.clock.advance(10_000);
  await r.clock.advance(10_000);
  assert.deepEqual([r.checks.count('192.0.2.11'), r.checks.count('192.0.2.12')], [3, 3]);
  assert.deepEqual(r.checks.runs[0], { address: '192.0.2.11', port: 80, type: 'connect', timeoutMs: 2000 });
});

test('a failing server is removed (quiescent=no) and comes back after `rise` successes', async (t) => {
  const r = rig(t, config('rise=2', 'failurecount=2'));
  await r.director.start();
  await r.clock.advance(0);
  r.checks.set('192.0.2.12', false);
  await r.clock.advance(10_000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3', '192.0.2.12:80 w1'], 'one failure is a soft failure');
  await r.clock.advance(10_000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3']);
  const down = r.events.find((e) => e.type === 'real-down');
  assert.deepEqual(down, { type: 'real-down', virtual: 'tcp:192.0.2.100:80', real: '192.0.2.12:80', message: 'connect failed', maintenance: false });
  r.checks.set('192.0.2.12', true);
  await r.clock.advance(10_000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3'], 'one success is not enough with rise=2');
  await r.clock.advance(10_000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3', '192.0.2.12:80 w1']);
  assert.deepEqual(r.types().filter((x) => x.startsWith('real')), ['real-up', 'real-up', 'real-down', 'real-up']);
});

test('quiescent=yes: a failed server keeps its entry with weight 0, and gets its weight back', async (t) => {
  const r = rig(t, config('quiescent=yes'));
  r.checks.set('192.0.2.12', false);
  await r.director.start();
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w0', '192.0.2.12:80 w0'], 'unchecked servers start quiescent, as ldirectord');
  await r.clock.advance(0);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3', '192.0.2.12:80 w0']);
  r.checks.set('192.0.2.12', true);
  await r.clock.advance(10_000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3', '192.0.2.12:80 w1']);
});

test('all servers down: fallback server and fallbackcommand start; the first one back: removed and stop', async (t) => {
  const r = rig(t, config('fallback=127.0.0.1:80 gate', 'fallbackcommand="/usr/local/bin/sorry --page"'));
  r.checks.set('192.0.2.11', false);
  r.checks.set('192.0.2.12', false);
  await r.director.start();
  await r.clock.advance(0);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['127.0.0.1:80 w1']);
  assert.deepEqual(r.commands, ['/usr/local/bin/sorry --page start 192.0.2.100:80 tcp']);
  assert.ok(r.types().includes('fallback-on'));
  r.checks.set('192.0.2.12', true);
  await r.clock.advance(10_000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.12:80 w1']);
  assert.deepEqual(r.commands, ['/usr/local/bin/sorry --page start 192.0.2.100:80 tcp', '/usr/local/bin/sorry --page stop 192.0.2.100:80 tcp']);
  assert.deepEqual(r.events.filter((e) => e.type.startsWith('fallback')), [
    { type: 'fallback-on', virtual: 'tcp:192.0.2.100:80', fallback: '127.0.0.1:80' },
    { type: 'fallback-off', virtual: 'tcp:192.0.2.100:80', fallback: '127.0.0.1:80' },
  ]);
  const status = r.director.status().virtuals[0];
  assert.deepEqual([status?.fallback, status?.fallbackCommand], [{ server: '127.0.0.1:80', active: false, ipvsWeight: null }, 'stop']);
});

test('a hung server is abandoned at its deadline and delays no other server', async (t) => {
  const r = rig(t, config());
  r.checks.set('192.0.2.11', 'hang-ignoring-abort');
  await r.director.start();
  await r.clock.advance(0);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.12:80 w1'], 'the healthy server is up without waiting');
  await r.clock.advance(2_499);
  assert.equal(r.director.status().virtuals[0]?.reals[0]?.state, 'unknown');
  await r.clock.advance(1);
  const hung = r.director.status().virtuals[0]?.reals[0];
  assert.deepEqual([hung?.state, hung?.lastMessage], ['down', 'no result within 2000 ms: check abandoned']);
  await r.clock.advance(7_500);
  assert.deepEqual([r.checks.count('192.0.2.11'), r.checks.count('192.0.2.12')], [2, 2], 'both still on the 10 s schedule');
});

test('start-up adoption: servers IPVS already has with weight > 0 stay up until checked; strangers are purged', async (t) => {
  const ipvs = new FakeIpvs();
  const key = { af: 'inet', protocol: 'tcp', address: '192.0.2.100', port: 80 } as const;
  await ipvs.addService({ ...key, scheduler: 'wrr' });
  await ipvs.addDest(key, { address: '192.0.2.11', port: 80, forward: 'route', weight: 3 });
  await ipvs.addDest(key, { address: '192.0.2.12', port: 80, forward: 'route', weight: 0 });
  await ipvs.addDest(key, { address: '192.0.2.99', port: 80, forward: 'route', weight: 1 });
  ipvs.calls.length = 0;
  const r = rig(t, config(), {}, ipvs);
  r.checks.set('192.0.2.11', 'hang');
  await r.director.start();
  assert.deepEqual(ipvs.calls, ['deleteDest tcp 192.0.2.100:80 192.0.2.12:80', 'deleteDest tcp 192.0.2.100:80 192.0.2.99:80']);
  const adopted = r.director.status().virtuals[0]?.reals[0];
  assert.deepEqual([adopted?.state, adopted?.adopted, adopted?.ipvsWeight], ['up', true, 3]);
  await r.clock.advance(2_500);
  assert.deepEqual((await ipvs.snapshot())[SVC], ['192.0.2.12:80 w1'], 'removed once its check fails');
});

test('reload: a weight change is one edit, unchanged servers keep their state; new servers are checked', async (t) => {
  const r = rig(t, config('failurecount=3'));
  await r.director.start();
  await r.clock.advance(0);
  r.checks.set('192.0.2.11', false);
  await r.clock.advance(10_000);
  const before = r.director.status().virtuals[0]?.reals[0];
  assert.deepEqual([before?.state, before?.failStreak], ['up', 1]);
  r.ipvs.calls.length = 0;
  r.write(config('failurecount=3').replace('192.0.2.12:80 gate 1', '192.0.2.12:80 gate 5'));
  const result = await r.director.reload();
  assert.deepEqual(result, { ok: true, diagnostics: [] });
  assert.deepEqual(r.ipvs.calls, ['editDest tcp 192.0.2.100:80 192.0.2.12:80 w5']);
  const after = r.director.status().virtuals[0]?.reals[0];
  assert.deepEqual([after?.state, after?.failStreak], ['up', 1], 'the soft-failure count survived the reload');
  assert.equal(r.types().at(-1), 'reload-ok');

  r.ipvs.calls.length = 0;
  r.write(config('failurecount=3', 'real=192.0.2.13:80 gate 2'));
  await r.director.reload();
  await r.clock.advance(0);
  assert.deepEqual(r.ipvs.calls, ['editDest tcp 192.0.2.100:80 192.0.2.12:80 w1', 'addDest tcp 192.0.2.100:80 192.0.2.13:80 w2']);
  assert.equal(r.checks.count('192.0.2.13'), 1);
});

test('reload: a service removed from the file is deleted from IPVS, a new one is created; others untouched', async (t) => {
  const extra = ['virtual=192.0.2.100:443', '\treal=192.0.2.11:443 gate', '\tchecktype=connect', ''].join('\n');
  const r = rig(t, config() + extra);
  await r.director.start();
  await r.clock.advance(0);
  r.ipvs.calls.length = 0;
  r.write(config() + extra.replace(':443', ':8443').replace(':443', ':8443'));
  assert.equal((await r.director.reload()).ok, true);
  await r.clock.advance(0);
  assert.deepEqual(r.ipvs.calls, [
    'addService tcp 192.0.2.100:8443',
    'deleteService tcp 192.0.2.100:443',
    'addDest tcp 192.0.2.100:8443 192.0.2.11:8443 w1',
  ]);
  assert.deepEqual(Object.keys(await r.ipvs.snapshot()), [SVC, 'tcp 192.0.2.100:8443']);
  assert.deepEqual(r.director.managedServices().map((k) => ('port' in k ? k.port : k.fwmark)).sort(), [80, 8443]);
});

test('reload with a broken file keeps the running configuration and reports every diagnostic', async (t) => {
  const r = rig(t, config());
  await r.director.start();
  await r.clock.advance(0);
  const table = (await r.ipvs.snapshot());
  r.ipvs.calls.length = 0;
  r.write(config('scheduler=wlc', 'real=192.0.2.13:80 teleport', 'persistent=soon'));
  const result = await r.director.reload();
  assert.equal(result.ok, false);
  assert.deepEqual(result.diagnostics.map((d) => d.replace(r.file, 'FILE')), [
    'FILE:8: error: forward method `teleport` is not valid: expected gate, masq or ipip',
    'FILE:9: error: `persistent` value `soon` is not a timeout in seconds: expected 1..2147483647',
  ]);
  assert.deepEqual(r.ipvs.calls, []);
  assert.deepEqual((await r.ipvs.snapshot()), table);
  const s = r.director.status();
  assert.deepEqual([s.reloads.ok, s.reloads.failed, s.reloads.lastErrors.length, s.virtuals[0]?.scheduler], [0, 1, 2, 'wrr']);
  assert.deepEqual(r.events.at(-1)?.type, 'reload-failed');
  assert.match(formatDirectorStatus(s), /last reload FAILED/);
});

test('autoreload: a content change reloads (and runs callback); a touch without change does not', async (t) => {
  const text = config().replace('checkinterval=10', 'checkinterval=10\nautoreload=yes\ncallback="/usr/local/bin/sync"');
  const r = rig(t, text);
  await r.director.start();
  await r.clock.advance(0);
  const at = new Date(Date.now() + 5000);
  fs.utimesSync(r.file, at, at);
  // The watcher reads the real file: give each poll real time to finish.
  for (let i = 0; i < 3; i++) {
    await r.clock.advance(1000);
    await new Promise((res) => setTimeout(res, 20));
  }
  assert.deepEqual([r.director.status().reloads.ok, r.commands], [0, []]);
  r.write(text.replace('192.0.2.12:80 gate 1', '192.0.2.12:80 gate 7'));
  await waitFor(async () => {
    await r.clock.advance(1000);
    return r.director.status().reloads.ok === 1;
  });
  await settle();
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3', '192.0.2.12:80 w7']);
  assert.deepEqual(r.commands, [`/usr/local/bin/sync ${r.file}`]);
});

test('maintenancedir: a file named after a server drains it without a config edit; removing it brings it back', async (t) => {
  const r = rig(t, config('quiescent=yes').replace('checkinterval=10', 'checkinterval=10\nmaintenancedir=/maint'));
  await r.director.start();
  await r.clock.advance(0);
  r.maintenance.add('192.0.2.11:80');
  await r.clock.advance(1000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w0', '192.0.2.12:80 w1']);
  assert.deepEqual(r.events.filter((e) => e.type === 'real-down').map((e) => ('maintenance' in e ? e.maintenance : null)), [true]);
  const checked = r.checks.count('192.0.2.11');
  await r.clock.advance(10_000);
  assert.equal(r.checks.count('192.0.2.11'), checked, 'no checks while in maintenance');
  r.maintenance.delete('192.0.2.11:80');
  r.maintenance.add('web2');
  await r.clock.advance(1000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w0', '192.0.2.12:80 w0'], 'short host name from reverse DNS');
  r.maintenance.clear();
  await r.clock.advance(10_000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3', '192.0.2.12:80 w1']);
});

test('IPVS failures: logged once, shown in status, retried until they apply', async (t) => {
  const r = rig(t, config(), { retryIntervalMs: 5000 });
  r.ipvs.failNext('addDest', 'EPERM', 2, '192.0.2.12');
  await r.director.start();
  await r.clock.advance(0);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3']);
  const pending = r.director.status().pending;
  assert.deepEqual(pending.map((p) => [p.operation, p.code]), [['add real server 192.0.2.12:80 in tcp 192.0.2.100:80 (route, weight 1)', 'EPERM']]);
  assert.match(formatDirectorStatus(r.director.status()), /IPVS changes NOT applied/);
  await r.clock.advance(5000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3'], 'second failure');
  await r.clock.advance(5000);
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.11:80 w3', '192.0.2.12:80 w1']);
  assert.deepEqual(r.director.status().pending, []);
  assert.deepEqual(r.types().filter((x) => x.startsWith('ipvs')), ['ipvs-failed', 'ipvs-recovered']);
});

test('stop: cleanstop removes managed services only; cleanstop=no leaves them serving', async (t) => {
  const ipvs = new FakeIpvs();
  await ipvs.addService({ af: 'inet', protocol: 'tcp', address: '203.0.113.1', port: 22, scheduler: 'rr' });
  const text = config() + ['virtual=192.0.2.100:443', '\treal=192.0.2.11:443 gate', '\tchecktype=connect', '\tcleanstop=no', ''].join('\n');
  const r = rig(t, text, {}, ipvs);
  await r.director.start();
  await r.clock.advance(0);
  const cleaned = await r.director.stop();
  assert.deepEqual(cleaned, [SVC]);
  assert.deepEqual(Object.keys(await ipvs.snapshot()), ['tcp 192.0.2.100:443', 'tcp 203.0.113.1:22']);
  assert.equal(r.director.status().phase, 'stopped');
  const checks = r.checks.runs.length;
  await r.clock.advance(60_000);
  assert.equal(r.checks.runs.length, checks, 'no checks after stop');
});

test('stop while starting or reloading leaves nothing running', async (t) => {
  const r = rig(t, config('fallback=127.0.0.1:80'));
  const started = r.director.start();
  const stopped = r.director.stop();
  await started;
  await stopped;
  assert.equal(r.director.status().phase, 'stopped');
  assert.equal(r.clock.pending, 0, 'no timers');
  assert.deepEqual(await r.ipvs.snapshot(), {}, 'cleanstop still applied');

  const again = rig(t, config());
  await again.director.start();
  await again.clock.advance(0);
  again.write(config('real=192.0.2.13:80 gate'));
  const reloading = again.director.reload();
  await again.director.stop();
  assert.equal((await reloading).ok, true);
  assert.equal(again.clock.pending, 0);
  const runs = again.checks.runs.length;
  await again.clock.advance(60_000);
  assert.equal(again.checks.runs.length, runs);
});

test('checktype on and off', async (t) => {
  const text = ['virtual=192.0.2.100:80', '\treal=192.0.2.11:80 gate', '\tchecktype=on', 'virtual=192.0.2.100:81', '\treal=192.0.2.11:81 gate', '\tchecktype=off', '\tfallback=127.0.0.1:81', ''].join('\n');
  const r = rig(t, text);
  await r.director.start();
  await r.clock.advance(30_000);
  assert.deepEqual((await r.ipvs.snapshot()), { [SVC]: ['192.0.2.11:80 w1'], 'tcp 192.0.2.100:81': [] });
  assert.equal(r.checks.runs.length, 0);
  assert.deepEqual(r.director.status().virtuals.map((v) => v.reals[0]?.state), ['on', 'off']);
});

test('checktype N alternates connect and negotiate checks', async (t) => {
  const r = rig(t, config().replace('checktype=connect', 'checktype=2\n\tservice=http'));
  await r.director.start();
  for (let i = 0; i < 4; i++) await r.clock.advance(i === 0 ? 0 : 10_000);
  assert.deepEqual(r.checks.runs.filter((x) => x.address === '192.0.2.11').map((x) => x.type), ['negotiate', 'connect', 'connect', 'negotiate']);
});

test('checkOnce: one concurrent round, applied by difference, nothing left running', async (t) => {
  const r = rig(t, config('fallback=127.0.0.1:80'));
  r.checks.set('192.0.2.11', false);
  const s = await r.director.checkOnce();
  assert.deepEqual((await r.ipvs.snapshot())[SVC], ['192.0.2.12:80 w1']);
  assert.deepEqual(s.virtuals[0]?.reals.map((x) => [x.server, x.state, x.ipvsWeight]), [['192.0.2.11:80', 'down', null], ['192.0.2.12:80', 'up', 1]]);
  assert.equal(r.clock.pending, 0, 'no timers left');
  assert.match(formatDirectorStatus(s), /192\.0\.2\.12:80 +gate +1 +1 +up/);
});

test('a configuration with errors does not start', async (t) => {
  const r = rig(t, 'virtual=192.0.2.100:80\n\treal=192.0.2.11 gate\n\tfrobnicate=1\n');
  await assert.rejects(r.director.start(), (e: unknown) => e instanceof DirectorConfigError && e.diagnostics.map((d) => d.code).join() === 'LDCF_UNKNOWN_DIRECTIVE');
  assert.deepEqual((await r.ipvs.snapshot()), {});
  assert.equal(r.director.status().phase, 'stopped');
});

test('email alerts: down and up, resends while down, only in the listed phases', async (t) => {
  const r = rig(t, config('emailalert="ops@example.com"', 'emailalertfreq=60', 'servicename=Web'));
  await r.director.start();
  await r.clock.advance(0);
  r.checks.set('192.0.2.12', false);
  await r.clock.advance(10_000);
  assert.deepEqual(r.mail.map((m) => m.subject), [
    '[Web] Restored real server: 192.0.2.11:80 (192.0.2.100:80) (Weight set to 3)',
    '[Web] Restored real server: 192.0.2.12:80 (192.0.2.100:80) (Weight set to 1)',
    '[Web] Deleted real server: 192.0.2.12:80 (192.0.2.100:80)',
  ]);
  assert.deepEqual([r.mail[2]?.to, r.mail[2]?.host], [['ops@example.com'], 'localhost']);
  assert.match(r.mail[2]?.body ?? '', /Daemon-Status: running/);
  await r.clock.advance(60_000);
  assert.equal(r.mail.at(-1)?.subject, '[Web] Inaccessible real server: 192.0.2.12:80 (192.0.2.100:80)');
  r.checks.set('192.0.2.12', true);
  await r.clock.advance(10_000);
  assert.equal(r.mail.at(-1)?.subject, '[Web] Restored real server: 192.0.2.12:80 (192.0.2.100:80) (Weight set to 1)');
  const quiet = rig(t, config('emailalert="ops@example.com"', 'emailalertstatus=starting'));
  quiet.checks.set('192.0.2.12', false);
  await quiet.director.start();
  await quiet.clock.advance(0);
  assert.deepEqual(quiet.mail, [], 'the first checks run after start-up, in the running phase');
});

test('monitorfile gets one line per check result', async (t) => {
  const dir = tempDir(t);
  const monitor = path.join(dir, 'monitor.log');
  const r = rig(t, config(`monitorfile="${monitor}"`));
  r.checks.set('192.0.2.12', false);
  await r.director.start();
  await r.clock.advance(0);
  await waitFor(() => fs.existsSync(monitor) && fs.readFileSync(monitor, 'utf8').split('\n').length >= 3);
  const lines = fs.readFileSync(monitor, 'utf8').trim().split('\n').sort((a, b) => a.localeCompare(b));
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', new RegExp(`^\\[\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\\] \\[${process.pid}\\] 192\\.0\\.2\\.1[12] 80 \\[(up|down)\\] connect (ok|failed)$`));
});

/** Real-time wait for conditions that depend on real file I/O. */
async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((res) => setTimeout(res, 10));
  }
}
