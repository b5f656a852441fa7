import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type IpfailAction, type IpfailInput, type IpfailState, initialIpfail, ipfailWaiting, stepIpfail } from '../../../src/cluster/ipfail';

function run(s: IpfailState, inputs: IpfailInput[]): { s: IpfailState; actions: IpfailAction[] } {
  const actions: IpfailAction[] = [];
  for (const i of inputs) {
    const r = stepIpfail(s, i);
    s = r.state;
    actions.push(...r.actions);
    // The daemon stops ticking while ipfailWaiting is false: a tick, stable or not, must then do nothing.
    for (const stable of [true, false]) if (!ipfailWaiting(s)) assert.deepEqual(stepIpfail(s, { kind: 'tick', stable, nowMs: i.nowMs + 3_600_000 }), { state: s, actions: [] });
  }
  return { s, actions };
}
const sends = (a: IpfailAction[]) => a.filter((x) => x.kind === 'send').map((x) => (x.kind === 'send' ? new Map(x.fields).get('t') : ''));

test('losing a ping node asks the peer for its count', () => {
  const { actions } = run(initialIpfail('node2', 100, true), [{ kind: 'ping-dead', count: 0, nowMs: 0 }]);
  const send = actions.find((a) => a.kind === 'send');
  assert.deepEqual(send?.kind === 'send' ? send.fields : null, [['t', 'num_ping_nodes'], ['num_ping', '0'], ['dest', 'node2'], ['from_id', 'ipfail'], ['to_id', 'ipfail']]);
});

test('the side that sees more ping nodes tells the other it is dead; that side gives up all after 2 x keepalive, once stable', () => {
  const more = run(initialIpfail('node1', 100, true), [{ kind: 'message', type: 'num_ping_nodes', from: 'node1', numPing: 0, count: 1, stable: true, nowMs: 0 }]);
  assert.deepEqual(sends(more.actions), ['you_are_dead']);
  let fewer = run(initialIpfail('node2', 100, true), [{ kind: 'message', type: 'you_are_dead', from: 'node2', count: 0, stable: true, nowMs: 0 }]);
  assert.equal(fewer.s.giveupAtMs, 200);
  fewer = run(fewer.s, [{ kind: 'tick', stable: true, nowMs: 199 }]);
  assert.deepEqual(fewer.actions.filter((a) => a.kind === 'standby'), []);
  fewer = run(fewer.s, [{ kind: 'tick', stable: false, nowMs: 200 }]);
  assert.deepEqual(fewer.actions.filter((a) => a.kind === 'standby'), [], 'waits while resources are in flux');
  fewer = run(fewer.s, [{ kind: 'tick', stable: true, nowMs: 300 }]);
  assert.deepEqual(fewer.actions.filter((a) => a.kind === 'standby'), [{ kind: 'standby', set: 'all' }]);
});

test('balanced counts abort a pending giveup; otherwise (auto_failback) foreign groups go back', () => {
  const pending = run(initialIpfail('node2', 100, true), [{ kind: 'message', type: 'you_are_dead', from: 'node2', count: 0, stable: true, nowMs: 0 }]).s;
  const aborted = run(pending, [{ kind: 'message', type: 'abort_giveup', from: 'node2', count: 1, stable: true, nowMs: 50 }, { kind: 'tick', stable: true, nowMs: 1000 }]);
  assert.deepEqual(aborted.actions.filter((a) => a.kind === 'standby'), []);
  const back = run(initialIpfail('node1', 100, true), [
    { kind: 'message', type: 'num_ping_nodes', from: 'node1', numPing: 1, count: 1, stable: true, nowMs: 0 },
    { kind: 'tick', stable: true, nowMs: 250 },
  ]);
  assert.deepEqual(sends(back.actions), ['abort_giveup']);
  assert.deepEqual(back.actions.filter((a) => a.kind === 'standby'), [{ kind: 'standby', set: 'foreign' }]);
  const off = run(initialIpfail('node1', 100, false), [
    { kind: 'message', type: 'num_ping_nodes', from: 'node1', numPing: 1, count: 1, stable: true, nowMs: 0 },
    { kind: 'tick', stable: true, nowMs: 250 },
  ]);
  assert.deepEqual(off.actions.filter((a) => a.kind === 'standby'), [], 'auto_failback off: nothing moves back');
});

test('messages from anyone but the peer are ignored', () => {
  const r = run(initialIpfail('node2', 100, true), [{ kind: 'message', type: 'you_are_dead', from: 'node9', count: 0, stable: true, nowMs: 0 }]);
  assert.equal(r.s.giveupAtMs, 0);
});
