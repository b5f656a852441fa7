// The director's small I/O pieces: SMTP alerts, command runner, monitorfile
// lines, the config-file watcher, the check deadline.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import { DEADLINE_GRACE_MS, runWithDeadline } from '../../../src/ldirectord/check-loop';
import { shellCommandRunner } from '../../../src/ldirectord/commands';
import { CommandPinger } from '../../../src/ldirectord/command-pinger';
import { contentHash } from '../../../src/ldirectord/load';
import { maintenanceNames } from '../../../src/ldirectord/maintenance';
import { monitorLine, perlLocaltime } from '../../../src/ldirectord/monitor-file';
import { formatMessage, smtpSend } from '../../../src/ldirectord/smtp';
import { ConfigWatcher, type FileProbe } from '../../../src/ldirectord/watch';
import { FakeChecks, FakeClock } from './fakes';
import { onlyVirtual, service, valid } from './helpers';

test('smtpSend: EHLO, MAIL, RCPT per recipient, DATA with dot-stuffing, QUIT', async (t) => {
  const seen: string[] = [];
  const server = net.createServer((sock) => {
    let buf = '';
    let inData = false;
    sock.write('220 test ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (inData) {
          seen.push(`DATA> ${line}`);
          if (line === '.') {
            inData = false;
            sock.write('250 queued\r\n');
          }
          continue;
        }
        seen.push(line);
        if (line.startsWith('EHLO')) sock.write('250-test\r\n250 8BITMIME\r\n');
        else if (line === 'DATA') {
          inData = true;
          sock.write('354 go ahead\r\n');
        } else if (line === 'QUIT') sock.end('221 bye\r\n');
        else sock.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  await smtpSend({ host: '127.0.0.1', port, heloName: 'lb1', from: 'root@lb1', to: ['a@x', 'b@x'], subject: 'Deleted real server', body: 'line 1\n.hidden\n' }, 5000);
  assert.deepEqual(seen.slice(0, 5), ['EHLO lb1', 'MAIL FROM:<root@lb1>', 'RCPT TO:<a@x>', 'RCPT TO:<b@x>', 'DATA']);
  assert.ok(seen.includes('DATA> Subject: Deleted real server'));
  assert.ok(seen.includes('DATA> ..hidden'), 'dot-stuffed');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(seen.at(-1), 'QUIT');
  assert.match(formatMessage({ host: 'h', heloName: 'h', from: 'f', to: ['t'], subject: 's\r\nBcc: x', body: 'b' }), /^From: f\r\nTo: t\r\nSubject: s Bcc: x\r\n/);
});

test('smtpSend: refusals and dead servers become errors', async () => {
  await assert.rejects(smtpSend({ host: '127.0.0.1', port: 1, heloName: 'h', from: 'f', to: ['t'], subject: 's', body: 'b' }, 2000), /SMTP 127\.0\.0\.1/);
});

test('shellCommandRunner: the command may carry arguments; ours are passed without re-parsing', async () => {
  const r = await shellCommandRunner('printf "%s|"', ['start', '10.0.0.1:80', 'a b;echo no'], 5000);
  assert.deepEqual(r, { code: 0, output: 'start|10.0.0.1:80|a b;echo no|' });
  const slow = await shellCommandRunner('sleep 5', [], 100);
  assert.equal(slow.code, null);
  assert.match(slow.output, /killed after 100 ms/);
});

test('monitorfile lines look like ldirectord\'s', () => {
  assert.match(perlLocaltime(Date.UTC(2025, 0, 5, 3, 4, 5)), /^\w{3} Jan  [45] \d\d:04:05 2025$/);
  assert.match(monitorLine(0, 42, '192.0.2.11', 80, false, 'HTTP 500|oops\n'), /^\[.*\] \[42\] 192\.0\.2\.11 80 \[down\] HTTP 500%7coops%0a\n$/);
});

test('maintenance file names: IP:port, IP, FQDN:port, FQDN, short:port, short, and the name as written', () => {
  const v = onlyVirtual(valid(service(['real=www1:8080 masq', 'checkport=8081'])));
  const r = v.reals[0];
  if (r === undefined) throw new Error('no real');
  assert.deepEqual(maintenanceNames(r, ['web1.example.com']), [
    '192.0.2.11:8080', '192.0.2.11:8081', '192.0.2.11',
    'web1.example.com:8080', 'web1.example.com:8081', 'web1.example.com',
    'web1:8080', 'web1:8081', 'web1',
    'www1:8080', 'www1:8081', 'www1',
  ]);
});

test('ConfigWatcher: mtime says when to look, the content hash whether it changed', async () => {
  let stamp = 's1';
  let text = 'a';
  const probe: FileProbe = { stamp: async () => stamp, read: async () => text };
  const changes: string[] = [];
  const clock = new FakeClock();
  const w = new ConfigWatcher('/f', contentHash('a'), 1000, clock, probe, (h) => changes.push(h));
  await w.start();
  stamp = 's2';
  await w.poll();
  assert.deepEqual(changes, [], 'touched, same content');
  text = 'b';
  await w.poll();
  assert.deepEqual(changes, [], 'same stamp: not even read');
  stamp = 's3';
  await clock.advance(1000);
  assert.deepEqual(changes, [contentHash('b')]);
  w.stop();
  assert.equal(clock.pending, 0);
});

test('runWithDeadline: a runner that never settles is abandoned at timeout + grace', async () => {
  const clock = new FakeClock();
  const checks = new FakeChecks();
  checks.set('192.0.2.11', 'hang-ignoring-abort');
  const spec = { type: 'connect', service: 'none', protocol: 'tcp', timeoutMs: 1000 } as const;
  const target = { address: '192.0.2.11', port: 80, virtualAddress: '192.0.2.100', virtualPort: 80 };
  let result: { ok: boolean; message: string } | null = null;
  void runWithDeadline(checks, spec, target, clock).then((r) => (result = r));
  await clock.advance(1000 + DEADLINE_GRACE_MS - 1);
  assert.equal(result, null);
  await clock.advance(1);
  assert.deepEqual(result, { ok: false, message: 'no result within 1000 ms: check abandoned', durationMs: 1000 + DEADLINE_GRACE_MS });
  checks.set('192.0.2.11', () => {
    throw new Error('runner bug');
  });
  assert.match((await runWithDeadline(checks, spec, target, clock)).message, /check error: runner bug/);
});

test('CommandPinger: iputils ping for ping checks; a missing program is an error, not "down"', async () => {
  assert.equal(await new CommandPinger().ping('127.0.0.1', 1000), true);
  await assert.rejects(new CommandPinger('/no/such/ping').ping('127.0.0.1', 1000), /\/no\/such\/ping/);
  assert.equal(await new CommandPinger('false').ping('127.0.0.1', 1000), false);
});
