// Membership: this node's own advertised status and "communications up"
// (docs/protocol.md §6, "Communications up"). Pure: (state, input) ->
// (state, actions). Peer liveness itself (deadlines, dt, links) is decided by
// the native heartbeat thread; this module only reacts to what it reports.
//
//   own status:  init --start--> up --comm up + reqnodes/repnodes--> active
//   comm up:     every configured node has been heard from or declared dead
//                (initdead applies before comm up, the peer's dt after).
//   At comm up a node asks a live peer for the node list (t=reqnodes,
//   retried every second until t=repnodes arrives) and only then goes active;
//   with no live peer it goes active at once. It answers a peer's reqnodes
//   with the exact cluster node list.

export type NodeStatus = 'init' | 'up' | 'active' | 'dead' | 'ping';
export type OwnStatus = 'init' | 'up' | 'active';

/** One message field as sent: [name, value] strings (binary fields are added by the core). */
export type Field = readonly [name: string, value: string];

export interface PeerView {
  readonly status: NodeStatus;
  /** true once anything was heard from the node, or it was declared dead. */
  readonly settled: boolean;
}

export interface MembershipState {
  readonly self: string;
  readonly ownStatus: OwnStatus;
  readonly commUp: boolean;
  /** Cluster members (normal nodes), as configured or as adopted from repnodes. */
  readonly nodes: readonly string[];
  readonly peers: ReadonlyMap<string, PeerView>;
  /** While waiting for repnodes: the peer asked and when we last asked (monotonic ms). */
  readonly asking: { readonly peer: string; readonly lastAskMs: number } | null;
}

export type MembershipInput =
  | { readonly kind: 'start'; readonly nowMs: number }
  | { readonly kind: 'node-status'; readonly node: string; readonly status: NodeStatus; readonly nowMs: number }
  | { readonly kind: 'message'; readonly fields: ReadonlyMap<string, string>; readonly nowMs: number }
  | { readonly kind: 'tick'; readonly nowMs: number };

export type MembershipAction =
  | { readonly kind: 'set-own-status'; readonly status: OwnStatus }
  | { readonly kind: 'send'; readonly fields: readonly Field[] }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn'; readonly message: string }
  | { readonly kind: 'comm-up'; readonly livePeers: readonly string[] }
  | { readonly kind: 'active' }
  | { readonly kind: 'node-list-changed'; readonly nodes: readonly string[] };

export interface Step {
  readonly state: MembershipState;
  readonly actions: readonly MembershipAction[];
}

/** How often an unanswered reqnodes is repeated (Heartbeat: every second). */
export const REQNODES_RETRY_MS = 1000;

const LIVE: ReadonlySet<NodeStatus> = new Set(['init', 'up', 'active']);

export function initialMembership(self: string, nodes: readonly string[]): MembershipState {
  const peers = new Map<string, PeerView>();
  for (const n of nodes) if (n !== self) peers.set(n, { status: 'init', settled: false });
  return { self, ownStatus: 'init', commUp: false, nodes: [...nodes], peers, asking: null };
}

export function livePeers(state: MembershipState): string[] {
  return [...state.peers].filter(([, p]) => p.settled && LIVE.has(p.status)).map(([n]) => n);
}

/** Whether a tick could change anything (onTick's conditions). */
export function membershipWaiting(state: MembershipState): boolean {
  return state.asking !== null;
}

export function stepMembership(state: MembershipState, input: MembershipInput): Step {
  switch (input.kind) {
    case 'start':
      return onStart(state);
    case 'node-status':
      return onNodeStatus(state, input.node, input.status, input.nowMs);
    case 'message':
      return onMessage(state, input.fields, input.nowMs);
    case 'tick':
      return onTick(state, input.nowMs);
  }
}

// §6.2: a node advertises init, then up right away.
function onStart(state: MembershipState): Step {
  if (state.ownStatus !== 'init') return { state, actions: [] };
  const up: MembershipState = { ...state, ownStatus: 'up' };
  const actions: MembershipAction[] = [{ kind: 'set-own-status', status: 'up' }];
  if (up.peers.size === 0) {
    // A one-node cluster: nobody to wait for, communications are up now.
    const step = activate({ ...up, commUp: true });
    return { state: step.state, actions: [...actions, { kind: 'comm-up', livePeers: [] }, ...step.actions] };
  }
  return { state: up, actions };
}

function onNodeStatus(state: MembershipState, node: string, status: NodeStatus, nowMs: number): Step {
  const prev = state.peers.get(node);
  if (!prev || node === state.self) return { state, actions: [] };
  const peers = new Map(state.peers);
  peers.set(node, { status, settled: true });
  let next: MembershipState = { ...state, peers };
  const actions: MembershipAction[] = [];
  // The peer we asked died before answering: ask another, or go active.
  if (next.asking?.peer === node && !LIVE.has(status)) {
    next = { ...next, asking: null };
    const step = askOrActivate(next, nowMs);
    return { state: step.state, actions: [...actions, ...step.actions] };
  }
  if (!next.commUp && [...peers.values()].every((p) => p.settled)) {
    next = { ...next, commUp: true };
    actions.push({ kind: 'comm-up', livePeers: livePeers(next) });
    const step = askOrActivate(next, nowMs);
    return { state: step.state, actions: [...actions, ...step.actions] };
  }
  return { state: next, actions };
}

// §6.7: ask a live peer for the node list, or become active when alone.
function askOrActivate(state: MembershipState, nowMs: number): Step {
  if (state.ownStatus === 'active') return { state, actions: [] };
  const peer = livePeers(state)[0];
  if (peer === undefined) return activate(state);
  return {
    state: { ...state, asking: { peer, lastAskMs: nowMs } },
    actions: [reqnodes(peer)],
  };
}

function activate(state: MembershipState): Step {
  return {
    state: { ...state, ownStatus: 'active', asking: null },
    actions: [{ kind: 'set-own-status', status: 'active' }, { kind: 'active' }],
  };
}

function reqnodes(peer: string): MembershipAction {
  return { kind: 'send', fields: [['t', 'reqnodes'], ['dest', peer]] };
}

function onTick(state: MembershipState, nowMs: number): Step {
  const asking = state.asking;
  if (!asking || nowMs - asking.lastAskMs < REQNODES_RETRY_MS) return { state, actions: [] };
  return { state: { ...state, asking: { ...asking, lastAskMs: nowMs } }, actions: [reqnodes(asking.peer)] };
}

function onMessage(state: MembershipState, fields: ReadonlyMap<string, string>, nowMs: number): Step {
  const type = fields.get('t');
  const src = fields.get('src');
  const dest = fields.get('dest');
  if (dest !== undefined && dest !== state.self) return { state, actions: [] };
  if (type === 'reqnodes' && src !== undefined && src !== state.self) {
    // The reply lists every normal node; Heartbeat puts `dest` before `t`.
    return {
      state,
      actions: [{ kind: 'send', fields: [['dest', src], ['t', 'repnodes'], ['nodelist', state.nodes.join(' ')], ['delnodelist', '']] }],
    };
  }
  if (type === 'repnodes' && state.asking !== null) {
    return onRepnodes(state, fields.get('nodelist') ?? '', nowMs);
  }
  return { state, actions: [] };
}

// The requester adopts the replied list (Heartbeat does): unknown names are
// added; configured nodes missing from it are dropped, with a warning, since
// that means the two ha.cf files disagree.
function onRepnodes(state: MembershipState, nodelist: string, _nowMs: number): Step {
  const listed = nodelist.split(/\s+/).filter(Boolean).map((n) => n.toLowerCase());
  const actions: MembershipAction[] = [];
  let next = state;
  if (listed.length > 0 && listed.join(' ') !== state.nodes.join(' ')) {
    const added = listed.filter((n) => !state.nodes.includes(n));
    const removed = state.nodes.filter((n) => !listed.includes(n) && n !== state.self);
    const peers = new Map(state.peers);
    for (const n of added) if (n !== state.self) peers.set(n, { status: 'init', settled: false });
    for (const n of removed) peers.delete(n);
    const nodes = listed.includes(state.self) ? listed : [...listed, state.self];
    next = { ...state, nodes, peers };
    actions.push({
      kind: 'log',
      level: 'warn',
      message: `node list from ${state.asking?.peer ?? 'peer'} differs from ha.cf (added: ${added.join(' ') || '-'}, removed: ${removed.join(' ') || '-'}): the ha.cf files disagree`,
    });
    actions.push({ kind: 'node-list-changed', nodes });
  }
  const step = activate(next);
  return { state: step.state, actions: [...actions, ...step.actions] };
}
