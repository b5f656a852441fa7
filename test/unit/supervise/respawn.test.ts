// respawn / failfast children: restarted after a crash with a backoff, not
// after exit 100, run as the configured user with HA_* from `env`, failfast
// escalates, stop ends them (and what they started).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TestContext, test } from 'node:test';
import type { RespawnSpec } from '../../../src/config/model';
import { type RespawnOptions, RespawnSupervisor } from '../../../src/supervise/respawn';
import { lookupUser, parsePasswdLine } from '../../../src/supervise/user-ids';
import { tempDir } from '../../helpers/tmp';
import { alive, captureLogger, waitFor } from '../resources/helpers';

const AT = { file: 'ha.cf', line: 1 };

/** A world-accessible directory with an executable script in it (run as nobody, it must reach both). */
function scriptIn(t: TestContext, body: string): { dir: string; script: string } {
  const dir = tempDir(t, 'hbd-respawn-');
  fs.chmodSync(dir, 0o777);
  const script = path.join(dir, 'client');
  fs.writeFileSync(script, `#!/bin/sh\nD=${dir}\n${body}\n`, { mode: 0o755 });
  return { dir, script };
}

function spec(script: string, extra: Partial<RespawnSpec> = {}): RespawnSpec {
  return { user: 'root', path: script, args: [], rebootIfItDies: false, at: AT, ...extra };
}

function supervisor(t: TestContext, opts: Partial<RespawnOptions> & Pick<RespawnOptions, 'specs'>): { sup: RespawnSupervisor; escalations: string[]; log: ReturnType<typeof captureLogger> } {
  const escalations: string[] = [];
  const log = captureLogger();
  const sup = new RespawnSupervisor({ env: {}, logger: log.logger, escalate: (r) => escalations.push(r), backoff: { initialMs: 40, maxMs: 320, stableMs: 5000 }, stopGraceMs: 300, ...opts });
  t.after(() => sup.stop());
  return { sup, escalations, log };
}

const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

test('a crashing client is restarted, with a doubling delay while it keeps dying young', async (t) => {
  const { dir, script } = scriptIn(t, 'date +%s%3N >> $D/starts\nexit 1');
  const { sup, log } = supervisor(t, { specs: [spec(script)] });
  sup.start();
  await waitFor('five starts', () => lines(path.join(dir, 'starts')).length >= 5, 8000);
  const at = lines(path.join(dir, 'starts')).map(Number);
  const gaps = at.slice(1).map((v, i) => v - at[i]!);
  // 40, 80, 160, 320 ms (plus process start-up): each clearly longer than the one before.
  assert.ok(gaps[0]! >= 35, `gaps ${gaps.join(',')}`);
  assert.ok(gaps[2]! > gaps[0]! * 2, `gaps ${gaps.join(',')}`);
  assert.ok(log.messages('warn').some((m) => /exited with return code 1: respawning in 80 ms/.test(m)));
});

test('exit code 100 means "do not respawn me"', async (t) => {
  const { dir, script } = scriptIn(t, 'echo x >> $D/starts\nexit 100');
  const { sup } = supervisor(t, { specs: [spec(script)] });
  sup.start();
  await waitFor('the client to be given up', () => sup.status()[0]?.givenUp !== null);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(lines(path.join(dir, 'starts')).length, 1);
  assert.equal(sup.status()[0]?.givenUp, 'exited with return code 100');
});

test('runs as the given user (nobody) and sees HA_NAME for every env directive', async (t) => {
  const nobody = lookupUser('nobody');
  if (nobody === null || process.getuid?.() !== 0) {
    t.skip('needs root and a nobody user');
    return;
  }
  const { dir, script } = scriptIn(t, 'id -u > $D/out.tmp; id -g >> $D/out.tmp; env | grep ^HA_ | sort >> $D/out.tmp; mv $D/out.tmp $D/out; exec sleep 60');
  const { sup } = supervisor(t, { specs: [spec(script, { user: 'nobody' })], env: { cluster: 'lvs', ping_timeout: '3' } });
  sup.start();
  await waitFor('the client to report', () => fs.existsSync(path.join(dir, 'out')));
  assert.deepEqual(lines(path.join(dir, 'out')), [String(nobody.uid), String(nobody.gid), 'HA_cluster=lvs', 'HA_ping_timeout=3']);
  assert.equal(sup.status()[0]?.pid !== null, true);
});

test('failfast: the client dying escalates, and it is not restarted', async (t) => {
  const { dir, script } = scriptIn(t, 'echo x >> $D/starts\nsleep 0.2\nexit 3');
  const { sup, escalations } = supervisor(t, { specs: [spec(script, { rebootIfItDies: true })] });
  sup.start();
  await waitFor('the escalation', () => escalations.length > 0);
  assert.match(escalations[0]!, /^failfast client .*client exited with return code 3$/);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(lines(path.join(dir, 'starts')).length, 1);
});

test('stop ends every child and what it started, SIGKILL for one that ignores SIGTERM, and nothing restarts', async (t) => {
  const { dir, script } = scriptIn(t, "sleep 60 & echo $! > $D/grandchild\ntrap '' TERM\necho $$ > $D/pid\nwhile :; do sleep 1; done");
  const { sup, escalations } = supervisor(t, { specs: [spec(script, { rebootIfItDies: true })] });
  sup.start();
  await waitFor('the child to start', () => fs.existsSync(path.join(dir, 'pid')) && fs.existsSync(path.join(dir, 'grandchild')));
  const pid = Number(lines(path.join(dir, 'pid'))[0]);
  const grandchild = Number(lines(path.join(dir, 'grandchild'))[0]);
  await sup.stop();
  assert.equal(alive(pid), false);
  await waitFor('the grandchild to go', () => !alive(grandchild));
  assert.deepEqual(escalations, [], 'a failfast client stopped on shutdown does not escalate');
  assert.equal(sup.status()[0]?.pid, null);
});

test('an unknown user: the client is not started and the reason is kept; ipfail is built in, not run', async (t) => {
  const { script } = scriptIn(t, 'exit 0');
  const { sup, log } = supervisor(t, { specs: [spec(script, { user: 'no-such-user-hbd' }), spec('/usr/lib/heartbeat/ipfail', { user: 'hacluster' })] });
  sup.start();
  assert.deepEqual(sup.status().map((c) => c.givenUp), ['no such user no-such-user-hbd']);
  assert.ok(log.messages('info').includes('/usr/lib/heartbeat/ipfail is not run: hbd does this itself'));
});

test('passwd lines', () => {
  assert.deepEqual(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin'), { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' });
  assert.equal(parsePasswdLine('broken:x:a:b:c:d:e'), null);
  assert.equal(parsePasswdLine(''), null);
  assert.equal(lookupUser('root')?.uid, 0);
  assert.equal(lookupUser('no-such-user-hbd'), null);
});
