import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type MembershipAction,
  type MembershipInput,
  type MembershipState,
  initialMembership,
  membershipWaiting,
  REQNODES_RETRY_MS,
  stepMembership,
} from '../../../src/cluster/membership';

function run(state: MembershipState, inputs: MembershipInput[]): { state: MembershipState; actions: MembershipAction[] } {
  const actions: MembershipAction[] = [];
  for (const input of inputs) {
    const step = stepMembership(state, input);
    state = step.state;
    actions.push(...step.actions);
    // The daemon stops ticking while membershipWaiting is false: a tick must then do nothing.
    if (!membershipWaiting(state)) assert.deepEqual(stepMembership(state, { kind: 'tick', nowMs: input.nowMs + 3_600_000 }), { state, actions: [] });
  }
  return { state, actions };
}

const msg = (entries: [string, string][], nowMs = 0): MembershipInput => ({ kind: 'message', fields: new Map(entries), nowMs });

test('a node advertises up at start and stays up until comm up', () => {
  const r = run(initialMembership('node1', ['node1', 'node2']), [{ kind: 'start', nowMs: 0 }]);
  assert.equal(r.state.ownStatus, 'up');
  assert.deepEqual(r.actions, [{ kind: 'set-own-status', status: 'up' }]);
  assert.equal(r.state.commUp, false);
});

test('alone: the peer declared dead after initdead -> comm up -> active without asking anyone', () => {
  const r = run(initialMembership('node1', ['node1', 'node2']), [
    { kind: 'start', nowMs: 0 },
    { kind: 'node-status', node: 'node2', status: 'dead', nowMs: 10_000 },
  ]);
  assert.equal(r.state.commUp, true);
  assert.equal(r.state.ownStatus, 'active');
  assert.deepEqual(
    r.actions.slice(1).map((a) => a.kind),
    ['comm-up', 'set-own-status', 'active'],
  );
});

test('joining a live peer: reqnodes to it, retried every second, active on repnodes', () => {
  let { state, actions } = run(initialMembership('node2', ['node1', 'node2']), [
    { kind: 'start', nowMs: 0 },
    { kind: 'node-status', node: 'node1', status: 'active', nowMs: 250 },
  ]);
  assert.deepEqual(actions.filter((a) => a.kind === 'send'), [{ kind: 'send', fields: [['t', 'reqnodes'], ['dest', 'node1']] }]);
  assert.equal(state.ownStatus, 'up');
  ({ state, actions } = run(state, [{ kind: 'tick', nowMs: 250 + REQNODES_RETRY_MS - 1 }]));
  assert.deepEqual(actions, [], 'no retry before a second has passed');
  ({ state, actions } = run(state, [{ kind: 'tick', nowMs: 250 + REQNODES_RETRY_MS }]));
  assert.equal(actions.length, 1, 'retried after a second');
  ({ state, actions } = run(state, [msg([['dest', 'node2'], ['t', 'repnodes'], ['src', 'node1'], ['nodelist', 'node1 node2'], ['delnodelist', '']])]));
  assert.equal(state.ownStatus, 'active');
  assert.deepEqual(actions, [{ kind: 'set-own-status', status: 'active' }, { kind: 'active' }]);
  ({ actions } = run(state, [{ kind: 'tick', nowMs: 10_000 }]));
  assert.deepEqual(actions, [], 'no more reqnodes once active');
});

test('reqnodes from a peer is answered with the exact node list, dest first', () => {
  const { actions } = run(initialMembership('node1', ['node1', 'node2']), [msg([['t', 'reqnodes'], ['dest', 'node1'], ['src', 'node2']])]);
  assert.deepEqual(actions, [
    { kind: 'send', fields: [['dest', 'node2'], ['t', 'repnodes'], ['nodelist', 'node1 node2'], ['delnodelist', '']] },
  ]);
});

test('messages addressed to another node are ignored', () => {
  const { actions } = run(initialMembership('node1', ['node1', 'node2', 'node3']), [msg([['t', 'reqnodes'], ['dest', 'node3'], ['src', 'node2']])]);
  assert.deepEqual(actions, []);
});

test('the asked peer dies before answering: the node goes active on its own', () => {
  const { state } = run(initialMembership('node2', ['node1', 'node2']), [
    { kind: 'start', nowMs: 0 },
    { kind: 'node-status', node: 'node1', status: 'up', nowMs: 100 },
    { kind: 'node-status', node: 'node1', status: 'dead', nowMs: 2000 },
  ]);
  assert.equal(state.ownStatus, 'active');
  assert.equal(state.asking, null);
});

test('comm up waits for every configured node', () => {
  const { state } = run(initialMembership('a', ['a', 'b', 'c']), [
    { kind: 'start', nowMs: 0 },
    { kind: 'node-status', node: 'b', status: 'up', nowMs: 100 },
  ]);
  assert.equal(state.commUp, false);
  const after = stepMembership(state, { kind: 'node-status', node: 'c', status: 'dead', nowMs: 5000 });
  assert.equal(after.state.commUp, true);
  assert.deepEqual(after.actions[0], { kind: 'comm-up', livePeers: ['b'] });
});

test('a repnodes list that differs from ha.cf is adopted with a warning', () => {
  const { state, actions } = run(initialMembership('node2', ['node1', 'node2']), [
    { kind: 'start', nowMs: 0 },
    { kind: 'node-status', node: 'node1', status: 'active', nowMs: 10 },
    msg([['dest', 'node2'], ['t', 'repnodes'], ['src', 'node1'], ['nodelist', 'node1 node2 node3']]),
  ]);
  assert.deepEqual(state.nodes, ['node1', 'node2', 'node3']);
  assert.ok(state.peers.has('node3'));
  assert.ok(actions.some((a) => a.kind === 'log' && a.level === 'warn' && a.message.includes('node3')));
  assert.equal(state.ownStatus, 'active');
});

test('a one-node cluster is up and active at once', () => {
  const { state, actions } = run(initialMembership('solo', ['solo']), [{ kind: 'start', nowMs: 0 }]);
  assert.equal(state.ownStatus, 'active');
  assert.equal(state.commUp, true);
  assert.deepEqual(actions.map((a) => a.kind), ['set-own-status', 'comm-up', 'set-own-status', 'active']);
});
