// Hard deadlines, aborts, concurrency and handle hygiene. The misbehaving
// servers run in a child process, so the handles this process holds after
// the checks are the checks' own.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runAll, type CheckJob } from '../../../src/checks/run-all';
import { createCheckRunner } from '../../../src/checks/runner';
import type { CheckResult, CheckRunner, CheckSpec } from '../../../src/checks/types';
import { tempDir } from '../../helpers/tmp';
import { childServers, spec, target } from './helpers';

/** Handles and timers held now; pending setImmediate callbacks (TLS teardown queues some) are not held resources. */
function resources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'Immediate').sort();
}

test('a server dribbling one byte per 100 ms cannot stretch the deadline', async (t) => {
  const servers = await childServers(t);
  const runner = createCheckRunner();
  const started = Date.now();
  const [http, smtp] = await Promise.all([
    runner.run(spec({ service: 'http', timeoutMs: 300 }), target(servers.dribble)),
    runner.run(spec({ service: 'smtp', timeoutMs: 300 }), target(servers.dribble)),
  ]);
  assert.deepEqual([http?.ok, http?.message], [false, 'timeout after 300 ms (waiting for status line)']);
  assert.deepEqual([smtp?.ok, smtp?.message], [false, 'timeout after 300 ms (waiting for banner)']);
  assert.ok(Date.now() - started < 3000);
});

test('an AbortSignal ends a check early; an aborted one does not start', async (t) => {
  const servers = await childServers(t);
  const runner = createCheckRunner();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const r = await runner.run(spec({ service: 'http', timeoutMs: 30_000 }), target(servers.silentTcp), controller.signal);
  assert.deepEqual([r.ok, r.message], [false, 'aborted (waiting for status line)']);
  assert.ok(r.durationMs < 3000);
  const again = await runner.run(spec({ service: 'http' }), target(servers.fastHttp), controller.signal);
  assert.deepEqual([again.ok, again.message], [false, 'aborted (starting)']);
});

test('one hung server does not delay nine fast ones', async (t) => {
  const servers = await childServers(t);
  const inner = createCheckRunner();
  const finishedAt: number[] = [];
  const started = Date.now();
  const runner: CheckRunner = {
    run: async (s, tg, signal) => {
      const r = await inner.run(s, tg, signal);
      finishedAt[tg.virtualPort] = Date.now() - started;
      return r;
    },
  };
  const job = (port: number, i: number, timeoutMs: number): CheckJob => ({
    spec: spec({ service: 'http', timeoutMs }),
    target: { ...target(port), virtualPort: i },
  });
  const jobs = [job(servers.silentTcp, 0, 2000), ...Array.from({ length: 9 }, (_, i) => job(servers.fastHttp, i + 1, 2000))];
  for (const concurrency of [10, 2]) {
    finishedAt.length = 0;
    const results = await runAll(runner, jobs, concurrency);
    assert.deepEqual(results.map((r: CheckResult) => r.ok), [false, ...Array<boolean>(9).fill(true)]);
    assert.equal(results[0]?.message, 'timeout after 2000 ms (waiting for status line)');
    const slowestFast = Math.max(...finishedAt.slice(1));
    assert.ok(slowestFast < (finishedAt[0] ?? 0), `fast checks waited for the hung one (concurrency ${concurrency})`);
  }
});

test('sub-second timed-out checks of every kind leave no handles behind', async (t) => {
  const servers = await childServers(t);
  const runner = createCheckRunner({ pinger: { ping: () => new Promise<boolean>(() => undefined) } });
  const timeoutMs = 300;
  const hang = path.join(tempDir(t), 'hang.sh');
  fs.writeFileSync(hang, '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
  const tcp: CheckSpec['service'][] = ['http', 'https', 'http_proxy', 'smtp', 'pop', 'pops', 'imap', 'imaps', 'nntp', 'ftp', 'ldap', 'ldaps', 'mysql', 'pgsql', 'sip'];
  const udp: CheckSpec['service'][] = ['dns', 'radius', 'sip'];
  const jobs: CheckJob[] = [
    ...tcp.map((service) => ({
      spec: spec({ service, timeoutMs, login: 'u', request: service === 'http_proxy' ? 'http://x/' : 'SELECT 1' }),
      target: target(servers.silentTcp),
    })),
    ...udp.map((service) => ({ spec: spec({ service, protocol: 'udp', timeoutMs, request: 'www.example.org' }), target: target(servers.silentUdp) })),
    { spec: spec({ service: 'smtp', timeoutMs }), target: target(servers.dribble) },
    { spec: spec({ type: 'external', service: 'none', command: hang, timeoutMs }), target: target(1) },
    { spec: spec({ type: 'ping', service: 'none', timeoutMs }), target: target(1) },
  ];
  const baseline = resources();
  for (let round = 0; round < 3; round++) {
    const started = Date.now();
    const results = await runAll(runner, jobs, jobs.length);
    for (const [i, r] of results.entries()) {
      assert.equal(r.ok, false, `job ${i}`);
      assert.match(r.message, /^timeout after 300 ms \(/, `job ${i}: ${r.message}`);
    }
    assert.ok(Date.now() - started < 3000, 'took too long');
    assert.deepEqual(resources(), baseline, `round ${round}`);
  }
});
