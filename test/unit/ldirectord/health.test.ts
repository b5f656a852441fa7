import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CheckKind,
  type ServerHealth,
  type Transition,
  applyMaintenance,
  applyOutcome,
  forceUp,
  initialHealth,
  nextCheckKind,
} from '../../../src/ldirectord/health';
import type { CheckSettings } from '../../../src/ldirectord/model';
import { onlyVirtual, service, valid } from './helpers';

function settings(lines: readonly string[] = []): CheckSettings {
  return onlyVirtual(valid(service(['real=192.0.2.11 gate', ...lines]))).check;
}

/** Feeds results ('+' ok, '-' failed); returns the state after each and the transitions. */
function run(h: ServerHealth, results: string, policy: CheckSettings): { states: string; transitions: Transition[]; health: ServerHealth } {
  const states: string[] = [];
  const transitions: Transition[] = [];
  let t = 0;
  for (const c of results) {
    const kind: CheckKind = nextCheckKind(policy, h) ?? 'connect';
    const step = applyOutcome(h, { ok: c === '+', message: c, kind, at: ++t, durationMs: 1 }, policy);
    h = step.health;
    states.push(h.state === 'up' ? 'U' : h.state === 'down' ? 'D' : '?');
    transitions.push(step.transition);
  }
  return { states: states.join(''), transitions: transitions.filter((x) => x !== null), health: h };
}

test('ldirectord defaults: first result decides, one failure takes a server down, one success brings it back', () => {
  const r = run(initialHealth(false), '+-+', settings());
  assert.equal(r.states, 'UDU');
  assert.deepEqual(r.transitions, ['up', 'down', 'up']);
  assert.equal(run(initialHealth(false), '-', settings()).states, 'D');
});

test('failurecount: that many consecutive failures; one success resets the count', () => {
  const r = run(initialHealth(false), '+--+---', settings(['failurecount=3']));
  assert.equal(r.states, 'UUUUUUD');
  assert.equal(r.health.failStreak, 3);
});

test('rise: a failed server needs that many consecutive successes; a new one comes up on its first', () => {
  const p = settings(['rise=3']);
  assert.equal(run(initialHealth(false), '+', p).states, 'U');
  assert.equal(run(initialHealth(false), '-++-+++', p).states, 'DDDDDDU');
  assert.equal(run(initialHealth(false), '-++-+++', p).health.okStreak, 3);
});

test('an adopted server is up until its checks say otherwise', () => {
  const h = initialHealth(true);
  assert.deepEqual([h.state, h.adopted], ['up', true]);
  const r = run(h, '--', settings(['failurecount=2']));
  assert.equal(r.states, 'UD');
  assert.equal(r.health.adopted, false);
});

test('checktype N: negotiate, then N connects, then negotiate; a failure goes back to negotiate', () => {
  const p = settings(['checktype=2']);
  let h = initialHealth(false);
  const kinds: string[] = [];
  for (const c of '++++-+++') {
    const kind = nextCheckKind(p, h);
    if (kind === null) throw new Error('no kind');
    kinds.push(kind[0] ?? '?');
    h = applyOutcome(h, { ok: c === '+', message: '', kind, at: 0, durationMs: 0 }, p).health;
  }
  assert.equal(kinds.join(''), 'nccncncc', 'the failed connect (5th) sends the 6th check back to negotiate');
  assert.equal(nextCheckKind(settings(['checktype=0']), initialHealth(false)), 'negotiate');
  assert.equal(nextCheckKind(settings(['checktype=external-perl']), initialHealth(false)), 'external');
  assert.equal(nextCheckKind(settings(['checktype=on']), initialHealth(false)), null);
});

test('maintenance forces down, results meanwhile change nothing, leaving it needs rise successes', () => {
  const p = settings(['rise=2']);
  let step = applyMaintenance(run(initialHealth(false), '+', p).health, true, 10);
  assert.deepEqual([step.health.state, step.transition, step.health.maintenance], ['down', 'down', true]);
  step = applyOutcome(step.health, { ok: true, message: '', kind: 'negotiate', at: 11, durationMs: 0 }, p);
  assert.deepEqual([step.health.state, step.transition], ['down', null]);
  step = applyMaintenance(step.health, false, 12);
  assert.deepEqual([step.health.state, step.transition, step.health.maintenance], ['down', null, false]);
  assert.equal(run(step.health, '++', p).states, 'DU');
  assert.equal(forceUp(applyMaintenance(initialHealth(false), true, 1).health, 2).health.state, 'down', 'checktype on does not override maintenance');
});
