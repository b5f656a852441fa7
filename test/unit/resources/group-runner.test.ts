// Groups as ResourceManager runs them, with real scripts: order, skipping
// what already runs, giving up after a failed start, stop retries, the
// escalation and the not-LSB-compliant verdicts.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { ResourceRef } from '../../../src/config/model';
import { agentFactory } from '../../../src/resources/create-agent';
import { ResourceGroupRunner } from '../../../src/resources/group-runner';
import type { ResourceAgent, ResourceContext, RscStatus } from '../../../src/resources/types';
import { type CapturedLog, type ScriptRig, captureLogger, context, group, scriptRig } from './helpers';

interface Rig {
  readonly rig: ScriptRig;
  readonly log: CapturedLog;
  readonly ctx: ResourceContext;
  readonly runner: ResourceGroupRunner;
  readonly escalations: string[];
}

function setup(t: TestContext, retries = 3): Rig {
  const rig = scriptRig(t);
  const log = captureLogger();
  const escalations: string[] = [];
  const runner = new ResourceGroupRunner({
    agentFor: agentFactory({ haDir: rig.haDir, initDir: rig.initDir, baseEnv: {} }),
    escalate: (reason) => escalations.push(reason),
    stopRetries: retries,
    stopRetryDelayMs: 10,
  });
  return { rig, log, ctx: context(log, { TEST_STATE: rig.state }), runner, escalations };
}

test('start runs left to right (status before each start), stop right to left', async (t) => {
  const { rig, ctx, runner } = setup(t);
  const g = group('node1', 'rsc::a', 'rsc::b', 'rsc::c');
  const up = await runner.start(g, ctx);
  assert.equal(up.ok, true);
  assert.deepEqual(up.steps.map((s) => `${s.action} ${s.id}`), ['start rsc::a', 'start rsc::b', 'start rsc::c']);
  assert.deepEqual(rig.trace(), ['a status', 'a start', 'b status', 'b start', 'c status', 'c start']);
  assert.equal(await runner.status(g, ctx), 'running');
  const down = await runner.stop(g, ctx);
  assert.equal(down.ok, true);
  assert.deepEqual(down.steps.map((s) => `${s.action} ${s.id}`), ['stop rsc::c', 'stop rsc::b', 'stop rsc::a']);
  assert.deepEqual(rig.trace().slice(-3), ['c stop', 'b stop', 'a stop']);
  assert.equal(await runner.status(g, ctx), 'stopped');
});

test('a resource whose status already says running is skipped, as Heartbeat does', async (t) => {
  const { rig, ctx, runner } = setup(t);
  const g = group('node1', 'rsc::a', 'rsc::b');
  await runner.agents(g)[1]!.start(ctx);
  const up = await runner.start(g, ctx);
  assert.deepEqual(up.steps, [
    { id: 'rsc::a', action: 'start', ok: true },
    { id: 'rsc::b', action: 'skip', ok: true, message: 'already running' },
  ]);
  assert.deepEqual(rig.trace().filter((l) => l.startsWith('b ')), ['b start', 'b status']);
});

test('a failing start in the middle: the group is stopped right to left, the failure returned', async (t) => {
  const { rig, log, ctx, runner, escalations } = setup(t);
  const g = group('node1', 'rsc::a', 'rsc::b::failstart', 'rsc::c');
  const out = await runner.start(g, ctx);
  assert.equal(out.ok, false);
  assert.equal(out.error?.code, 'RSC_START_FAILED');
  assert.equal(out.error?.resource, 'rsc::b::failstart');
  assert.deepEqual(out.steps.map((s) => `${s.action} ${s.id} ${s.ok}`), [
    'start rsc::a true',
    'start rsc::b::failstart false',
    // Heartbeat's giveupresourcegroup: the whole group, right to left.
    'stop rsc::c true',
    'stop rsc::b::failstart true',
    'stop rsc::a true',
  ]);
  assert.deepEqual(rig.trace(), ['a status', 'a start', 'b status', 'b start', 'c stop', 'b stop', 'a stop']);
  assert.ok(!rig.isOn('a'), 'what was started is stopped again');
  assert.ok(log.messages('fatal').includes('CRIT: Giving up resources due to failure of rsc::b::failstart'));
  assert.deepEqual(escalations, []);
});

test('a resource that was already running is stopped too when the group gives up (it goes to the peer)', async (t) => {
  const { rig, ctx, runner } = setup(t);
  const g = group('node1', 'rsc::a', 'rsc::b::failstart');
  await runner.agents(g)[0]!.start(ctx);
  const out = await runner.start(g, ctx);
  assert.equal(out.ok, false);
  assert.ok(!rig.isOn('a'));
});

test('a failing stop is retried N times, 1 s apart by default; success on a retry is fine', async (t) => {
  const { rig, log, ctx, runner, escalations } = setup(t);
  const g = group('node1', 'rsc::a::stopfailsonce');
  await runner.start(g, ctx);
  const out = await runner.stop(g, ctx);
  assert.equal(out.ok, true);
  assert.deepEqual(out.steps, [{ id: 'rsc::a::stopfailsonce', action: 'stop', ok: true, message: 'stopped after 1 retries' }]);
  assert.deepEqual(rig.trace().filter((l) => l === 'a stop'), ['a stop', 'a stop']);
  assert.ok(log.messages('info').includes('Retrying failed stop operation [rsc::a::stopfailsonce]'));
  assert.deepEqual(escalations, []);
});

test('a stop that keeps failing while status says running: 1 + N attempts, then escalation', async (t) => {
  const { rig, log, ctx, runner, escalations } = setup(t, 3);
  const g = group('node1', 'rsc::a', 'rsc::b::failstop');
  await runner.start(g, ctx);
  const out = await runner.stop(g, ctx);
  assert.equal(out.ok, false);
  assert.equal(out.error?.code, 'RSC_STOP_FAILED');
  assert.equal(rig.trace().filter((l) => l === 'b stop').length, 4);
  assert.equal(escalations.length, 1);
  assert.match(escalations[0]!, /rsc::b::failstop of group rsc::a is still running after 4 stop attempts/);
  assert.ok(log.messages('fatal').some((m) => m.startsWith('CRIT: Resource STOP failure. Reboot required!')));
  // The rest of the group is still released.
  assert.deepEqual(out.steps.map((s) => `${s.action} ${s.id} ${s.ok}`), ['stop rsc::b::failstop false', 'stop rsc::a true']);
  assert.ok(!rig.isOn('a'));
});

test('a stop that fails while status says not running: "probably not LSB-compliant", counted as stopped', async (t) => {
  const { log, ctx, runner, escalations } = setup(t, 2);
  const g = group('node1', 'rsc::x::nonlsb');
  const out = await runner.stop(g, ctx);
  assert.equal(out.ok, true);
  assert.equal(out.steps[0]?.ok, true);
  assert.match(out.steps[0]?.message ?? '', /probably not LSB-compliant/);
  assert.deepEqual(escalations, []);
  assert.ok(log.messages('error').includes('ERROR: Resource script for rsc::x::nonlsb probably not LSB-compliant.'));
  assert.ok(log.messages('warn').includes('WARN: Machine reboot narrowly avoided!'));
});

/** An agent driven by the test: to check what the runner does with statuses that throw. */
class Scripted implements ResourceAgent {
  readonly id: string;
  readonly calls: string[] = [];
  constructor(
    readonly ref: ResourceRef,
    private readonly behave: { status?: () => RscStatus; stopFails?: boolean; adopt?: boolean },
  ) {
    this.id = ref.raw;
    if (behave.adopt) this.adoptNativeStart = async () => void this.calls.push('adopt');
  }
  async start(): Promise<void> {
    this.calls.push('start');
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
    if (this.behave.stopFails) throw new Error('nope');
  }
  async status(): Promise<RscStatus> {
    this.calls.push('status');
    if (!this.behave.status) throw new Error('status broken');
    return this.behave.status();
  }
  async nativeTakeover(): Promise<null> {
    return null;
  }
  adoptNativeStart?: () => Promise<void>;
}

test('unknown status: before a start it means "not running", after a failed stop "still running"', async () => {
  const log = captureLogger();
  const escalations: string[] = [];
  const agents = new Map<string, Scripted>();
  const runner = new ResourceGroupRunner({
    agentFor: (r) => {
      const a = new Scripted(r, { stopFails: r.raw === 'b' });
      agents.set(r.raw, a);
      return a;
    },
    escalate: (reason) => escalations.push(reason),
    stopRetries: 0,
    stopRetryDelayMs: 0,
  });
  const g = group('n', 'a', 'b');
  assert.equal((await runner.start(g, context(log))).ok, true);
  assert.deepEqual(agents.get('a')?.calls, ['status', 'start']);
  const out = await runner.stop(g, context(log));
  assert.equal(out.ok, false);
  assert.equal(escalations.length, 1);
});

test('an agent already running that can adopt a native start is adopted, not started', async () => {
  const log = captureLogger();
  let agent: Scripted | undefined;
  const runner = new ResourceGroupRunner({
    agentFor: (r) => (agent = new Scripted(r, { status: () => 'running', adopt: true })),
    escalate: () => undefined,
  });
  const out = await runner.start(group('n', 'vip'), context(log));
  assert.deepEqual(out.steps, [{ id: 'vip', action: 'skip', ok: true, message: 'already running (adopted)' }]);
  assert.deepEqual(agent?.calls, ['status', 'adopt']);
});

test('agents are made once per haresources item and shared by groups and reloads', () => {
  let made = 0;
  const runner = new ResourceGroupRunner({
    agentFor: (r) => {
      made++;
      return new Scripted(r, {});
    },
    escalate: () => undefined,
  });
  const a = runner.agents(group('n', 'x', 'y'));
  const b = runner.agents(group('n', 'x', 'y'));
  assert.equal(made, 2);
  assert.equal(a[0], b[0]);
});
