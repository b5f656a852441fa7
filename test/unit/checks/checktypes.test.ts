import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { test } from 'node:test';
import { NoIcmpPinger } from '../../../src/checks/ping';
import { createCheckRunner } from '../../../src/checks/runner';
import { checkSpecProblems, unsupportedServices } from '../../../src/checks/spec-problems';
import { tempDir } from '../../helpers/tmp';
import { check, closedPort, FakePinger, LOCAL, spec, tcpServer } from './helpers';

test('connect: a TCP connection is up, a closed port is "connect refused"', async (t) => {
  const port = await tcpServer(t, () => undefined);
  const up = await check(spec({ type: 'connect', service: 'http' }), port);
  assert.deepEqual([up.ok, up.message], [true, 'connected']);
  const down = await check(spec({ type: 'connect', service: 'http' }), await closedPort());
  assert.deepEqual([down.ok, down.message], [false, 'connect refused']);
  // fwm services are checked with TCP, as ldirectord does.
  assert.equal((await check(spec({ type: 'connect', service: 'none', protocol: 'fwm' }), port)).ok, true);
});

test('negotiate with service none connects', async (t) => {
  const port = await tcpServer(t, () => undefined);
  assert.equal((await check(spec({ service: 'none' }), port)).ok, true);
  assert.equal((await check(spec({ service: 'none' }), await closedPort())).ok, false);
});

test('connect on UDP and ping use the injected Pinger', async () => {
  const pinger = new FakePinger(new Set([LOCAL]));
  const udp = await check(spec({ type: 'connect', service: 'dns', protocol: 'udp' }), 53, { pinger });
  assert.deepEqual([udp.ok, udp.message], [true, 'echo reply']);
  const ping = await check(spec({ type: 'ping', service: 'none', timeoutMs: 250 }), 0, { pinger: new FakePinger(new Set()) });
  assert.deepEqual([ping.ok, ping.message], [false, 'no echo reply within 250 ms']);
  assert.deepEqual(pinger.calls, [LOCAL]);
});

test('ping without a native pinger fails clearly', async () => {
  const r = await check(spec({ type: 'ping', service: 'none' }), 0);
  assert.deepEqual([r.ok, r.message], [false, 'ping unavailable: no ICMP pinger available (native core not loaded)']);
  const custom = await check(spec({ type: 'ping', service: 'none' }), 0, { pinger: new NoIcmpPinger('raw sockets need CAP_NET_RAW') });
  assert.equal(custom.message, 'ping unavailable: raw sockets need CAP_NET_RAW');
});

test('a pinger that never answers is cut at the deadline', async () => {
  const r = await check(spec({ type: 'ping', service: 'none', timeoutMs: 200 }), 0, { pinger: { ping: () => new Promise<boolean>(() => undefined) } });
  assert.deepEqual([r.ok, r.message], [false, 'timeout after 200 ms (waiting for echo reply)']);
});

test('on is always up, off is never checked', async () => {
  assert.deepEqual((await check(spec({ type: 'on', service: 'http' }), 1)).ok, true);
  const off = await check(spec({ type: 'off', service: 'http' }), 1);
  assert.deepEqual([off.ok, off.message], [false, 'checktype off: not checked, server not added']);
});

test('external: arguments are vip vport rip rport; exit 0 up, other codes down with stderr', async (t) => {
  const dir = tempDir(t);
  const script = path.join(dir, 'check.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho "$@" > ${dir}/args\n[ "$3" = 127.0.0.1 ] && exit 0\necho "backend $3 sick" >&2\nexit 3\n`, { mode: 0o755 });
  const up = await check(spec({ type: 'external', service: 'none', command: script }), 8080);
  assert.deepEqual([up.ok, up.message], [true, `${script} exit 0`]);
  assert.equal(fs.readFileSync(path.join(dir, 'args'), 'utf8'), '192.0.2.10 80 127.0.0.1 8080\n');

  
  const down = await createCheckRunner().run(spec({ type: 'external', service: 'none', command: script }), {
    address: '127.0.0.2', port: 8080, virtualAddress: '7', virtualPort: 0,
  });
  assert.deepEqual([down.ok, down.message], [false, `${script} exit 3: backend 127.0.0.2 sick`]);

  const missing = await check(spec({ type: 'external', service: 'none', command: path.join(dir, 'nope') }), 1);
  assert.deepEqual([missing.ok, missing.message], [false, `checkcommand not found: ${path.join(dir, 'nope')}`]);
  assert.equal((await check(spec({ type: 'external', service: 'none' }), 1)).ok, true); // default /bin/true
});

/** Running, not a zombie (an orphan's zombie waits for a reaper that containers may lack). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

test('external: at the deadline the whole process group is killed', async (t) => {
  const dir = tempDir(t);
  const script = path.join(dir, 'hang.sh');
  // A grandchild that would outlive a TERM to the child alone.
  fs.writeFileSync(script, `#!/bin/sh\nsleep 30 &\necho $! > ${dir}/grandchild\ntrap '' TERM\nsleep 30\n`, { mode: 0o755 });
  const started = Date.now();
  const r = await check(spec({ type: 'external', service: 'none', command: script, timeoutMs: 300 }), 1);
  assert.deepEqual([r.ok, r.message], [false, `timeout after 300 ms (running ${script})`]);
  assert.ok(Date.now() - started < 3000);
  const grandchild = Number(fs.readFileSync(path.join(dir, 'grandchild'), 'utf8'));
  for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(alive(grandchild), false, 'grandchild still running');
  assert.ok(!process.getActiveResourcesInfo().includes('ProcessWrap'), 'child process handle left behind');
});

test('unsupportedServices and checkSpecProblems for the config layer', () => {
  assert.match(unsupportedServices().get('oracle') ?? '', /oracle is not supported/);
  assert.deepEqual([...unsupportedServices().keys()], ['oracle']);
  assert.deepEqual(checkSpecProblems(spec({ service: 'http', receive: 'ok' })), []);
  assert.deepEqual(checkSpecProblems(spec({ service: 'oracle' })), [unsupportedServices().get('oracle')]);
  assert.match(checkSpecProblems(spec({ service: 'http', receive: '(' })).join(), /invalid receive regex/);
  assert.deepEqual(checkSpecProblems(spec({ service: 'mysql', request: 'SELECT 1' })), ['mysql checks need login and request (a SELECT)']);
  assert.deepEqual(checkSpecProblems(spec({ service: 'http_proxy', request: '/index.html' })), ['http_proxy checks need request as an absolute http:// URI']);
  assert.deepEqual(checkSpecProblems(spec({ service: 'dns' })), ['dns checks need request (a name or address to look up)']);
  assert.deepEqual(checkSpecProblems(spec({ type: 'connect', service: 'none', protocol: 'sctp' })), [
    'connect checks over sctp are not supported; use checktype ping or external',
  ]);
  assert.deepEqual(checkSpecProblems(spec({ service: 'http', timeoutMs: 0 })), ['timeout must be more than 0 ms']);
});

test('oracle at run time fails with the same reason, without touching the network', async () => {
  const r = await check(spec({ service: 'oracle' }), 1521);
  assert.deepEqual([r.ok, r.message], [false, unsupportedServices().get('oracle')]);
});

test('IPv6 real servers: connect, and HTTP with a bracketed Host', async (t) => {
  let host: string | undefined;
  const server = http.createServer((req, res) => {
    host = req.headers.host;
    res.end('ok');
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => resolve(true));
  });
  if (!listening) return t.skip('no IPv6 loopback');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const runner = createCheckRunner();
  const where = { address: '::1', port, virtualAddress: '2001:db8::10', virtualPort: 80 };
  assert.equal((await runner.run(spec({ type: 'connect', service: 'http' }), where)).ok, true);
  const r = await runner.run(spec({ service: 'http', receive: '^ok$' }), where);
  assert.deepEqual([r.ok, r.message, host], [true, 'HTTP 200', '[::1]']);
});
