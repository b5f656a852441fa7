// Script resources run by real shell scripts (test/fixtures/resources):
// lookup order, calling convention, environment, status answers of every
// shape, timeouts that kill the whole process group.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ScriptAgent, type ScriptAgentOptions } from '../../../src/resources/script-agent';
import { ResourceError } from '../../../src/resources/types';
import { type ScriptRig, alive, captureLogger, context, ref, scriptRig, waitFor } from './helpers';

function agent(rig: ScriptRig, text: string, extra: Partial<ScriptAgentOptions> = {}): ScriptAgent {
  return new ScriptAgent(ref(text), { haDir: rig.haDir, initDir: rig.initDir, baseEnv: { HA_DIR: rig.haDir, HA_CURHOST: 'node1' }, ...extra });
}

test('start, status and stop of a script resource; ids in the canonical name::arg form', async (t) => {
  const rig = scriptRig(t);
  const log = captureLogger();
  const ctx = context(log, { TEST_STATE: rig.state });
  const a = agent(rig, 'rsc::web');
  assert.equal(a.id, 'rsc::web');
  assert.equal(await a.status(ctx), 'stopped');
  await a.start(ctx);
  assert.equal(await a.status(ctx), 'running');
  await a.stop(ctx);
  assert.equal(await a.status(ctx), 'stopped');
  assert.deepEqual(rig.trace(), ['web status', 'web start', 'web status', 'web stop', 'web status']);
  assert.ok(log.messages('info').includes(`Running ${path.join(rig.haDir, 'resource.d', 'rsc')} web start`));
  assert.ok(log.messages('info').includes('rsc::web start: web started'), 'stdout goes to the log');
});

test('a failing start is RSC_START_FAILED with ResourceManager\'s wording, stderr in the log', async (t) => {
  const rig = scriptRig(t);
  const log = captureLogger();
  const a = agent(rig, 'rsc::db::failstart');
  await assert.rejects(a.start(context(log, { TEST_STATE: rig.state })), (e: unknown) => {
    assert.ok(e instanceof ResourceError);
    assert.equal(e.code, 'RSC_START_FAILED');
    assert.equal(e.resource, 'rsc::db::failstart');
    assert.match(e.message, /^Return code 1 from .*\/rsc start$/);
    return true;
  });
  assert.ok(log.messages().includes('rsc::db::failstart start: cannot start db'));
});

test('lookup: resource.d first, then the init directory; a non-executable file does not count', async (t) => {
  const rig = scriptRig(t);
  const ctx = context(captureLogger(), { TEST_STATE: rig.state });
  await agent(rig, 'dup').start(ctx);
  await agent(rig, 'onlyinit').start(ctx);
  await agent(rig, 'notexec').start(ctx);
  assert.deepEqual(rig.trace(), ['resource.d/dup start', 'init.d/onlyinit start', 'init.d/notexec start']);
  assert.equal(agent(rig, 'dup').scriptPath(), path.join(rig.haDir, 'resource.d', 'dup'));
});

test('a missing script: start and stop fail with RSC_SCRIPT_NOT_FOUND, status says stopped', async (t) => {
  const rig = scriptRig(t);
  const ctx = context(captureLogger());
  const a = agent(rig, 'nosuch::x');
  await assert.rejects(a.start(ctx), { code: 'RSC_SCRIPT_NOT_FOUND', message: /Cannot locate resource script nosuch/ });
  await assert.rejects(a.stop(ctx), { code: 'RSC_SCRIPT_NOT_FOUND' });
  assert.equal(await a.status(ctx), 'stopped');
});

test('the script sees its :: arguments in order, the action last, and the HA_* environment', async (t) => {
  const rig = scriptRig(t);
  process.env.LC_ALL = 'de_DE.UTF-8';
  t.after(() => delete process.env.LC_ALL);
  const ctx = context(captureLogger(), { TEST_STATE: rig.state, HA_src: 'node2', HA_rsc_hold: 'foreign', HA_CURHOST: 'node1b' });
  await agent(rig, 'envdump::/dev/sda1::/data::ext4').start(ctx);
  const dump = fs.readFileSync(path.join(rig.state, 'envdump'), 'utf8').split('\n');
  for (const line of ['argc=4', 'arg=/dev/sda1', 'arg=/data', 'arg=ext4', 'arg=start', `HA_DIR=${rig.haDir}`, 'HA_src=node2', 'HA_rsc_hold=foreign', 'cwd=/']) {
    assert.ok(dump.includes(line), `${line} in ${dump.join(' | ')}`);
  }
  assert.ok(dump.includes('HA_CURHOST=node1b'), 'the operation environment wins over the base');
  assert.ok(!dump.some((l) => l.startsWith('LC_ALL=')), 'LC_ALL is unset, as ResourceManager does');
});

test('status answers of every shape, through a real script', async (t) => {
  const rig = scriptRig(t);
  const ctx = context(captureLogger());
  const want: Record<string, 'running' | 'stopped'> = {
    running: 'running',
    'not-running': 'stopped',
    'NOT-running': 'stopped',
    'NOT-RUNNING': 'stopped',
    'ocf-ok': 'running',
    'ocf-stopped': 'stopped',
    'ok-only': 'running',
    'silent-0': 'stopped',
    'silent-3': 'stopped',
    inverted: 'running',
    multiline: 'running',
    'stderr-running': 'running',
    'stderr-running-3': 'stopped',
    'stderr-not-running': 'stopped',
    'stdout-wins': 'stopped',
    usage: 'stopped',
  };
  for (const [shape, status] of Object.entries(want)) {
    assert.equal(await agent(rig, `shape::${shape}`).status(ctx), status, shape);
  }
});

test('a start that outlives its timeout: RSC_TIMEOUT, and its whole process group is killed (even ignoring SIGTERM)', async (t) => {
  const rig = scriptRig(t);
  const log = captureLogger();
  const a = agent(rig, 'slow::s1', { timeouts: { start: 300 }, killGraceMs: 200 });
  const started = Date.now();
  await assert.rejects(a.start(context(log, { TEST_STATE: rig.state })), { code: 'RSC_TIMEOUT', message: /did not finish within 300 ms/ });
  assert.ok(Date.now() - started < 3000);
  const child = Number(fs.readFileSync(path.join(rig.state, 's1.child'), 'utf8'));
  await waitFor('the left-behind child to die', () => !alive(child));
  assert.ok(log.messages().includes('slow::s1 start: slow s1 start begins'), 'output up to the kill is kept');
});

test('a status that hangs throws RSC_TIMEOUT (the caller decides what unknown means)', async (t) => {
  const rig = scriptRig(t);
  const a = agent(rig, 'slow::s2', { timeouts: { status: 200 }, killGraceMs: 100 });
  await assert.rejects(a.status(context(captureLogger(), { TEST_STATE: rig.state })), { code: 'RSC_TIMEOUT' });
});

test('a start that leaves a daemon holding stdout still finishes, and the daemon survives', async (t) => {
  const rig = scriptRig(t);
  const ctx = context(captureLogger(), { TEST_STATE: rig.state });
  const a = agent(rig, 'daemonizer');
  const started = Date.now();
  await a.start(ctx);
  assert.ok(Date.now() - started < 2000, 'did not wait for the daemon');
  const pid = Number(fs.readFileSync(path.join(rig.state, 'daemon.pid'), 'utf8'));
  assert.ok(alive(pid), 'the daemon is not killed when the script exits');
  assert.equal(await a.status(ctx), 'running');
  await a.stop(ctx);
  await waitFor('the daemon to stop', () => !alive(pid));
});

test('an aborted start is cancelled; a stop ignores the abort signal (it is what shutdown needs)', async (t) => {
  const rig = scriptRig(t);
  const ac = new AbortController();
  const ctx = context(captureLogger(), { TEST_STATE: rig.state }, ac.signal);
  const slow = agent(rig, 'slow::s3', { killGraceMs: 100 });
  const p = slow.start(ctx);
  setTimeout(() => ac.abort(), 200);
  await assert.rejects(p, { code: 'RSC_START_FAILED', message: /cancelled/ });
  await agent(rig, 'rsc::after').stop(ctx);
  assert.ok(rig.trace().includes('after stop'));
});
