// The ownership state machine between two simulated nodes: every message a
// node sends reaches the peer and the node itself (as the engine delivers
// our own messages), operations complete when the executor says so, and the
// resulting group placement and wire messages are checked against what real
// Heartbeat nodes do (heartbeat-wire §7, the captures).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AutoFailback } from '../../../src/config/model';
import {
  type OwnershipAction,
  type OwnershipInput,
  type OwnershipState,
  heldGroups,
  holdName,
  initialOwnership,
  isStable,
  ownershipWaiting,
  rscStatus,
  stepOwnership,
} from '../../../src/cluster/ownership';

const GROUPS = [
  { key: 'IPaddr2::10.0.0.100/24/eth0', owner: 'node1' },
  { key: 'IPaddr2::10.0.0.101/24/eth0', owner: 'node2' },
];

interface Wire {
  from: string;
  fields: readonly (readonly [string, string])[];
}

class Sim {
  nodes = new Map<string, OwnershipState>();
  running = new Map<string, Set<string>>();
  wire: Wire[] = [];
  queue: { to: string; msg: Wire }[] = [];
  pendingOps: { node: string; id: number; action: string; groups: readonly string[] }[] = [];
  alive = new Set<string>();
  exited = new Set<string>();
  failStart = new Set<string>();
  now = 0;
  logs: string[] = [];

  constructor(autoFailback: AutoFailback) {
    for (const [self, peer] of [['node1', 'node2'], ['node2', 'node1']] as const) {
      this.nodes.set(self, initialOwnership({ self, peer, autoFailback, groups: GROUPS }));
      this.running.set(self, new Set());
    }
  }

  input(node: string, input: OwnershipInput): void {
    const { state, actions } = stepOwnership(this.nodes.get(node)!, input);
    this.nodes.set(node, state);
    this.idleTicksDoNothing(node, state);
    this.act(node, actions);
  }

  /** The daemon stops ticking when ownershipWaiting says so: in every state
   * every scenario reaches, a tick (even an hour later) must then be a no-op. */
  idleChecks = 0;
  private idleTicksDoNothing(node: string, state: OwnershipState): void {
    if (ownershipWaiting(state)) return;
    this.idleChecks++;
    const later = stepOwnership(state, { kind: 'tick', nowMs: this.now + 3_600_000 });
    assert.deepEqual(later.actions, [], `${node}: a tick acts although ownershipWaiting is false`);
    assert.deepEqual(later.state, state, `${node}: a tick changes the state although ownershipWaiting is false`);
  }

  private act(node: string, actions: readonly OwnershipAction[]): void {
    for (const a of actions) {
      if (a.kind === 'send') {
        const msg = { from: node, fields: a.fields };
        this.wire.push(msg);
        for (const to of ['node1', 'node2']) if (to === node || this.alive.has(to)) this.queue.push({ to, msg });
      } else if (a.kind === 'run') {
        this.pendingOps.push({ node, id: a.op.id, action: a.op.action, groups: a.op.groups });
      } else if (a.kind === 'exit') {
        this.exited.add(node);
      } else if (a.kind === 'log') {
        this.logs.push(`${node} ${a.level}: ${a.message}`);
      }
    }
  }

  /** Delivers messages and completes operations until nothing is left. */
  settle(maxSteps = 1000): void {
    for (let i = 0; i < maxSteps; i++) {
      const m = this.queue.shift();
      if (m) {
        if (!this.alive.has(m.to) || this.exited.has(m.to)) continue;
        const map = new Map(m.msg.fields);
        this.input(m.to, { kind: 'message', nowMs: this.now, msg: { type: map.get('t') ?? '', from: m.msg.from, get: (n) => map.get(n) } });
        continue;
      }
      const op = this.pendingOps.shift();
      if (op) {
        const run = this.running.get(op.node)!;
        const failed = op.action === 'acquire' ? op.groups.filter((g) => this.failStart.has(g)) : [];
        for (const g of op.groups) {
          if (op.action === 'acquire' && !failed.includes(g)) run.add(g);
          if (op.action === 'release') run.delete(g);
        }
        this.input(op.node, { kind: 'op-done', id: op.id, ok: failed.length === 0, failedGroups: failed, nowMs: this.now });
        continue;
      }
      return;
    }
    throw new Error('did not settle');
  }

  tick(ms: number): void {
    this.now += ms;
    for (const n of this.alive) this.input(n, { kind: 'tick', nowMs: this.now });
    this.settle();
  }

  start(node: string, peerAlive: boolean): void {
    this.alive.add(node);
    this.exited.delete(node);
    this.input(node, { kind: 'comm-up', nowMs: this.now, peerAlive });
  }

  kill(node: string): void {
    this.alive.delete(node);
    this.running.set(node, new Set());
    this.queue = this.queue.filter((q) => q.to !== node);
    this.pendingOps = this.pendingOps.filter((o) => o.node !== node);
  }

  /** A fresh process for a node that died (generation+1): new state. */
  restart(node: string, autoFailback: AutoFailback): void {
    const peer = node === 'node1' ? 'node2' : 'node1';
    this.nodes.set(node, initialOwnership({ self: node, peer, autoFailback, groups: GROUPS }));
    this.start(node, this.alive.has(peer));
  }

  groups(node: string): string[] {
    return [...this.running.get(node)!].sort();
  }

  sent(from: string, t: string): Wire[] {
    return this.wire.filter((w) => w.from === from && new Map(w.fields).get('t') === t);
  }
}

const G1 = GROUPS[0]!.key;
const G2 = GROUPS[1]!.key;

function bothUp(af: AutoFailback): Sim {
  const sim = new Sim(af);
  sim.alive.add('node1').add('node2');
  sim.start('node1', true);
  sim.start('node2', true);
  sim.settle();
  return sim;
}

test('both nodes start together: each takes its own group at once, no 10 s RQSTDELAY wait', () => {
  const sim = bothUp('on');
  assert.deepEqual(sim.groups('node1'), [G1]);
  assert.deepEqual(sim.groups('node2'), [G2]);
  assert.ok(isStable(sim.nodes.get('node1')!) && isStable(sim.nodes.get('node2')!));
  assert.equal(rscStatus(sim.nodes.get('node1')!), 'local');
  // The wire shows the exchange a real node understands: starting, resource isstable=1.
  assert.equal(sim.sent('node1', 'starting').length, 1);
  assert.ok(sim.sent('node1', 'resource').some((w) => new Map(w.fields).get('isstable') === '1'));
  assert.ok(sim.sent('node1', 'ip-request-resp').every((w) => new Map(w.fields).get('dest') === 'node1'), 'self-addressed, as req_resource does');
});

test('a node alone after initdead takes every group and is stable without waiting', () => {
  const sim = new Sim('on');
  sim.alive.add('node1');
  sim.input('node1', { kind: 'peer-dead', nowMs: 0 });
  sim.input('node1', { kind: 'comm-up', nowMs: 0, peerAlive: false });
  sim.settle();
  assert.deepEqual(sim.groups('node1'), [G1, G2]);
  assert.equal(rscStatus(sim.nodes.get('node1')!), 'all');
  const stonith = sim.sent('node1', 'stonith')[0];
  assert.deepEqual(stonith?.fields, [['t', 'stonith'], ['node', 'node2'], ['result', 'n_stnth']]);
});

test('kill -9: the survivor takes the dead node\'s group (stonith n_stnth, mach_down)', () => {
  const sim = bothUp('on');
  sim.kill('node1');
  sim.input('node2', { kind: 'peer-dead', nowMs: sim.now });
  sim.settle();
  assert.deepEqual(sim.groups('node2'), [G1, G2]);
  const types = sim.wire.slice(-6).filter((w) => w.from === 'node2').map((w) => `${new Map(w.fields).get('t')}:${new Map(w.fields).get('info') ?? ''}`);
  assert.ok(types.includes('stonith:'), types.join(' '));
  assert.ok(types.includes('resource:mach_down'), types.join(' '));
  assert.equal(rscStatus(sim.nodes.get('node2')!), 'all');
});

for (const af of ['on', 'off'] as const) {
  test(`the owner comes back with auto_failback ${af}`, () => {
    const sim = bothUp(af);
    sim.kill('node1');
    sim.input('node2', { kind: 'peer-dead', nowMs: sim.now });
    sim.settle();
    sim.restart('node1', af);
    sim.settle();
    sim.tick(2000);
    if (af === 'on') {
      assert.deepEqual(sim.groups('node1'), [G1], 'failed back to its preferred node');
      assert.deepEqual(sim.groups('node2'), [G2]);
      // The capture's exchange: ask_resources foreign me / other / done.
      assert.deepEqual(sim.sent('node2', 'ask_resources').map((w) => new Map(w.fields).get('info')), ['me', 'done']);
      assert.deepEqual(sim.sent('node1', 'ask_resources').map((w) => new Map(w.fields).get('info')), ['other', 'done']);
    } else {
      assert.deepEqual(sim.groups('node1'), [], 'stays where it is');
      assert.deepEqual(sim.groups('node2'), [G1, G2]);
    }
    assert.ok(isStable(sim.nodes.get('node1')!));
  });
}

for (const [set, n1, n2] of [
  ['all', [], [G1, G2]],
  ['local', [], [G1, G2]],
  ['foreign', [G1], [G2]],
] as const) {
  test(`hbd standby ${set} on node1`, () => {
    const sim = bothUp('on');
    sim.input('node1', { kind: 'request-standby', set, nowMs: sim.now });
    sim.settle();
    assert.deepEqual(sim.groups('node1'), [...n1]);
    assert.deepEqual(sim.groups('node2'), [...n2]);
    assert.ok(isStable(sim.nodes.get('node1')!) && isStable(sim.nodes.get('node2')!));
  });
}

test('standby foreign gives back only groups owned by the peer', () => {
  const sim = bothUp('off');
  sim.kill('node1');
  sim.input('node2', { kind: 'peer-dead', nowMs: sim.now });
  sim.settle();
  sim.restart('node1', 'off');
  sim.settle();
  sim.tick(1000);
  assert.deepEqual(sim.groups('node2'), [G1, G2]);
  sim.input('node2', { kind: 'request-standby', set: 'failback', nowMs: sim.now });
  sim.settle();
  assert.deepEqual(sim.groups('node1'), [G1]);
  assert.deepEqual(sim.groups('node2'), [G2]);
});

for (const [set, n1, n2] of [
  ['all', [G1, G2], []],
  ['local', [G1], [G2]],
  ['foreign', [G1, G2], []],
  ['failback', [G1, G2], []], // trap 7: the peer runs hb_standby with no argument = all
] as const) {
  test(`hbd takeover ${set} on node1 (the peer goes standby, mirrored)`, () => {
    const sim = bothUp('on');
    if (set === 'local') {
      // Give node2 node1's group first, so "take my local ones" has something to do.
      sim.input('node1', { kind: 'request-standby', set: 'local', nowMs: sim.now });
      sim.settle();
      assert.deepEqual(sim.groups('node2'), [G1, G2]);
    }
    sim.input('node1', { kind: 'request-takeover', set, nowMs: sim.now });
    sim.settle();
    assert.deepEqual(sim.groups('node1'), [...n1], `takeover ${set}`);
    assert.deepEqual(sim.groups('node2'), [...n2]);
  });
}

test('a second standby request during one is refused; a standby without reply times out', () => {
  const sim = bothUp('on');
  sim.kill('node2');
  sim.input('node1', { kind: 'request-standby', set: 'all', nowMs: sim.now });
  sim.settle();
  assert.equal(sim.nodes.get('node1')!.standby, 'me');
  sim.input('node1', { kind: 'request-standby', set: 'all', nowMs: sim.now });
  sim.settle();
  assert.ok(sim.logs.some((l) => l.includes('Standby in progress')));
  sim.tick(11_000);
  assert.equal(sim.nodes.get('node1')!.standby, 'not');
  assert.ok(sim.logs.some((l) => l.includes('No reply to standby request')));
  assert.deepEqual(sim.groups('node1'), [G1], 'nothing was given away');
});

test('graceful shutdown hands everything over at once (shutdone), then stonith unneeded', () => {
  const sim = bothUp('on');
  sim.input('node1', { kind: 'shutdown', nowMs: sim.now });
  sim.settle();
  assert.ok(sim.exited.has('node1'));
  assert.deepEqual(sim.groups('node1'), []);
  assert.deepEqual(sim.groups('node2'), [G1, G2]);
  assert.deepEqual(sim.sent('node1', 'resource').at(-1)?.fields, [['t', 'resource'], ['rsc_hold', 'none'], ['rtype', 'full'], ['isstable', '0'], ['info', 'shutdown']]);
  assert.deepEqual(sim.sent('node1', 'shutdone')[0]?.fields, [['t', 'shutdone'], ['st', 'dead']]);
  sim.kill('node1');
  sim.input('node2', { kind: 'peer-dead', nowMs: sim.now });
  sim.settle();
  assert.deepEqual(new Map(sim.sent('node2', 'stonith').at(-1)?.fields).get('result'), 'unneeded');
});

test('legacy (auto_failback legacy): ip-request / ip-request-resp, and the owner gets its group back', () => {
  const sim = bothUp('legacy');
  assert.deepEqual(sim.groups('node1'), [G1]);
  assert.deepEqual(sim.groups('node2'), [G2]);
  assert.ok(sim.sent('node1', 'ip-request').length === 1);
  sim.kill('node1');
  sim.input('node2', { kind: 'peer-dead', nowMs: sim.now });
  sim.settle();
  assert.deepEqual(sim.groups('node2'), [G1, G2]);
  sim.restart('node1', 'legacy');
  sim.settle();
  assert.deepEqual(sim.groups('node1'), [G1]);
  assert.deepEqual(sim.groups('node2'), [G2]);
  const resp = sim.sent('node2', 'ip-request-resp').at(-1);
  assert.deepEqual(resp?.fields, [['t', 'ip-request-resp'], ['dest', 'node1'], ['ipaddr', G1], ['weown', 'yes'], ['ok', 'OK']]);
  assert.equal(sim.sent('node1', 'resource').length, 0, 'legacy nodes send no resource messages');
});

test('split brain heals: each group ends on exactly one node, its owner', () => {
  const sim = bothUp('off');
  // Partition: both declare the other dead and take everything.
  sim.alive.delete('node2');
  sim.input('node1', { kind: 'peer-dead', nowMs: sim.now });
  sim.settle();
  sim.alive.add('node2');
  sim.alive.delete('node1');
  sim.input('node2', { kind: 'peer-dead', nowMs: sim.now });
  sim.settle();
  sim.alive.add('node1');
  assert.deepEqual(sim.groups('node1'), [G1, G2]);
  assert.deepEqual(sim.groups('node2'), [G1, G2]);
  sim.input('node1', { kind: 'partition-return', nowMs: sim.now });
  sim.input('node2', { kind: 'partition-return', nowMs: sim.now });
  sim.settle();
  assert.deepEqual(sim.groups('node1'), [G1]);
  assert.deepEqual(sim.groups('node2'), [G2]);
  assert.equal(holdName(sim.nodes.get('node1')!.iHold), 'local');
});

test('a group that fails to start is given to the peer 30 s later', () => {
  const sim = bothUp('on');
  sim.kill('node1');
  sim.failStart.add(G1);
  sim.input('node2', { kind: 'peer-dead', nowMs: sim.now });
  sim.settle();
  assert.deepEqual(sim.groups('node2'), [G2], 'the failed group is not running');
  assert.ok(sim.logs.some((l) => l.includes('Giving up resources due to failure of')));
  sim.failStart.clear();
  sim.restart('node1', 'on');
  sim.settle();
  sim.tick(31_000);
  assert.deepEqual(sim.groups('node1'), [G1]);
  assert.deepEqual(heldGroups(sim.nodes.get('node2')!), [G2]);
});

test('a one-node cluster takes every group at comm up', () => {
  const { state, actions } = stepOwnership(initialOwnership({ self: 'solo', peer: '', autoFailback: 'on', groups: [{ key: 'a', owner: 'solo' }, { key: 'b', owner: 'other' }] }), { kind: 'comm-up', nowMs: 0, peerAlive: false });
  const run = actions.find((a) => a.kind === 'run');
  assert.deepEqual(run?.kind === 'run' ? run.op.groups : [], ['a', 'b']);
  assert.equal(holdName(state.iHold), 'all');
});
