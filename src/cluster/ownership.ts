// Resource ownership in haresources mode (heartbeat-wire §7; Heartbeat's
// hb_resource.c and its rc.d/mach_down/req_resource/hb_standby scripts).
// Pure: step(state, input) -> (state, actions). The resource manager executes
// the actions (runs groups, sends messages) and feeds completions back.
//
// Two nodes: this node ("us") and its peer. A group is LOCAL when we are its
// preferred node (first field of its haresources line), FOREIGN otherwise.
// What a node holds is a set of those two bits; on the wire `rsc_hold` says it
// from the sender's point of view: none / local / foreign / all.
//
// One deliberate difference from Heartbeat (issue: takeover): when both nodes
// start together Heartbeat waits 10 s (RQSTDELAY) before taking its own
// groups. hbd takes them as soon as ownership is certain - the peer's
// `resource` message shows it does not hold them - and says so with
// isstable=1, which lets a real Heartbeat peer proceed at once too.

import type { AutoFailback } from '../config/model';

export const NONE = 0;
export const LOCAL = 1;
export const FOREIGN = 2;
export const ALL = 3;
export type Held = number;
const HOLD_NAMES = ['none', 'local', 'foreign', 'all'] as const;
export type HoldName = (typeof HOLD_NAMES)[number];

export function holdName(h: Held): HoldName {
  return HOLD_NAMES[h & ALL] ?? 'none';
}

export function parseHold(s: string | undefined): Held {
  const i = HOLD_NAMES.indexOf((s ?? '') as HoldName);
  return i < 0 ? NONE : i;
}

/** Heartbeat's timers. */
export const RQSTDELAY_MS = 10_000;
export const STANDBY_INIT_TIMEOUT_MS = 10_000;
export const STANDBY_RSC_TIMEOUT_MS = 60 * 60 * 1000;
export const AUTO_FAILBACK_RETRY_MS = 1000;
export const FAILED_START_STANDBY_DELAY_MS = 30_000;

export type ResourceState = 'init' | 'starting' | 'bothstarting' | 'rscrcvd' | 'stable' | 'shutdown';
export type Standby = 'not' | 'me' | 'other' | 'done';

/** What an operation does once the executor finished it (the script that ran after it in Heartbeat). */
export type OpPurpose =
  | 'req_our_resources'
  | 'mach_down'
  | 'standby_giveup'
  | 'standby_acquire'
  | 'shutdown'
  | 'ip_request_give'
  | 'ip_request_take'
  | 'partition_release'
  | 'failed_start_cleanup';

export interface Operation {
  readonly id: number;
  readonly action: 'acquire' | 'release';
  readonly groups: readonly string[];
  readonly purpose: OpPurpose;
  /** ip_request_give: who asked, and the group key. */
  readonly requester?: string;
  readonly key?: string;
  /** standby ops: the set as sent in ask_resources. */
  readonly rsctype?: Held;
}

export interface OwnershipConfig {
  readonly self: string;
  readonly peer: string;
  readonly autoFailback: AutoFailback;
  /** Group keys in haresources order, with their preferred node. */
  readonly groups: readonly { readonly key: string; readonly owner: string }[];
}

export interface OwnershipState {
  readonly cfg: OwnershipConfig;
  readonly resourceState: ResourceState;
  /** What we hold (LOCAL/FOREIGN bits), Heartbeat's i_hold_resources. */
  readonly iHold: Held;
  /** What the peer holds, from its point of view. */
  readonly otherHolds: Held;
  readonly otherIsStable: boolean;
  readonly takeoverInProgress: boolean;
  readonly standby: Standby;
  readonly standbyRsctype: Held;
  /** Absolute deadline of the running standby exchange (0 = none). */
  readonly standbyDeadlineMs: number;
  readonly rscNeedsFailback: boolean;
  readonly autoFailbackRetryAtMs: number;
  readonly localTakeoverAtMs: number;
  readonly shutdownInProgress: boolean;
  readonly rscNeedsShutdown: boolean;
  readonly peerHeardFrom: boolean;
  readonly peerDead: boolean;
  /** Operations queued or running, in order; the executor runs them one at a time. */
  readonly ops: readonly Operation[];
  readonly nextOpId: number;
  /** Groups whose start failed: given to the peer after FAILED_START_STANDBY_DELAY_MS. */
  readonly failedStartStandbyAtMs: number;
  readonly failedStartSet: Held;
}

export interface InMessage {
  readonly type: string;
  readonly from: string;
  readonly get: (name: string) => string | undefined;
}

export type OwnershipInput =
  | { readonly kind: 'comm-up'; readonly nowMs: number; readonly peerAlive: boolean }
  | { readonly kind: 'message'; readonly msg: InMessage; readonly nowMs: number }
  | { readonly kind: 'peer-dead'; readonly nowMs: number }
  | { readonly kind: 'peer-alive'; readonly nowMs: number }
  | { readonly kind: 'partition-return'; readonly nowMs: number }
  | { readonly kind: 'op-done'; readonly id: number; readonly ok: boolean; readonly failedGroups?: readonly string[]; readonly nowMs: number }
  | { readonly kind: 'tick'; readonly nowMs: number }
  | { readonly kind: 'request-standby'; readonly set: 'all' | 'local' | 'foreign' | 'failback'; readonly nowMs: number }
  | { readonly kind: 'request-takeover'; readonly set: 'all' | 'local' | 'foreign' | 'failback'; readonly nowMs: number }
  | { readonly kind: 'shutdown'; readonly nowMs: number };

export type Fields = readonly (readonly [string, string])[];

export type OwnershipAction =
  | { readonly kind: 'send'; readonly fields: Fields }
  | { readonly kind: 'run'; readonly op: Operation }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly message: string }
  | { readonly kind: 'event'; readonly type: string; readonly fields?: Readonly<Record<string, unknown>> }
  | { readonly kind: 'exit' };

export interface OwnershipStep {
  readonly state: OwnershipState;
  readonly actions: readonly OwnershipAction[];
}

export function initialOwnership(cfg: OwnershipConfig): OwnershipState {
  return {
    cfg,
    resourceState: 'init',
    iHold: NONE,
    otherHolds: NONE,
    otherIsStable: false,
    takeoverInProgress: false,
    standby: 'not',
    standbyRsctype: ALL,
    standbyDeadlineMs: 0,
    rscNeedsFailback: false,
    autoFailbackRetryAtMs: 0,
    localTakeoverAtMs: 0,
    shutdownInProgress: false,
    rscNeedsShutdown: false,
    peerHeardFrom: false,
    peerDead: false,
    ops: [],
    nextOpId: 1,
    failedStartStandbyAtMs: 0,
    failedStartSet: NONE,
  };
}

/** Group keys by category, in haresources order. */
export function groupsOf(cfg: OwnershipConfig, set: Held): string[] {
  return cfg.groups
    .filter((g) => ((g.owner === cfg.self ? LOCAL : FOREIGN) & set) !== 0)
    .map((g) => g.key);
}

export function isLocalGroup(cfg: OwnershipConfig, key: string): boolean {
  return cfg.groups.find((g) => g.key === key)?.owner === cfg.self;
}

const niceFailback = (s: OwnershipState) => s.cfg.autoFailback !== 'legacy';

/** A mutable builder for one step: state changes plus actions, in order. */
class Step {
  actions: OwnershipAction[] = [];
  constructor(public s: OwnershipState) {}
  set(patch: Partial<OwnershipState>): void {
    this.s = { ...this.s, ...patch };
  }
  send(fields: Fields): void {
    this.actions.push({ kind: 'send', fields });
  }
  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.actions.push({ kind: 'log', level, message });
  }
  event(type: string, fields?: Record<string, unknown>): void {
    this.actions.push({ kind: 'event', type, fields });
  }
  run(op: Omit<Operation, 'id'>): Operation {
    const full = { ...op, id: this.s.nextOpId };
    this.set({ nextOpId: this.s.nextOpId + 1, ops: [...this.s.ops, full] });
    this.actions.push({ kind: 'run', op: full });
    return full;
  }
  done(): OwnershipStep {
    return { state: this.s, actions: this.actions };
  }
}

/** Heartbeat's hb_rsc_isstable(). */
export function isStable(s: OwnershipState): boolean {
  if (!niceFailback(s)) return s.ops.length === 0;
  if (s.shutdownInProgress && s.resourceState === 'init') return true;
  return (
    s.otherIsStable &&
    !s.takeoverInProgress &&
    s.standby === 'not' &&
    s.standbyDeadlineMs === 0 &&
    s.ops.length === 0 &&
    (s.resourceState === 'stable' || s.resourceState === 'shutdown' || s.resourceState === 'init')
  );
}

/** What `cl_status rscstatus` prints: the held set, or "transition". */
export function rscStatus(s: OwnershipState): string {
  return isStable(s) ? holdName(s.iHold) : 'transition';
}

function sendResourcesHeld(st: Step, stable: boolean, comment?: string): void {
  if (!niceFailback(st.s)) return;
  const fields: [string, string][] = [
    ['t', 'resource'],
    ['rsc_hold', holdName(st.s.iHold)],
    ['rtype', 'full'],
    ['isstable', stable ? '1' : '0'],
  ];
  if (comment) fields.push(['info', comment]);
  st.send(fields);
}

function sendStandbyMsg(st: Step, info: 'me' | 'other' | 'done', rsctype: Held): void {
  st.send([
    ['t', 'ask_resources'],
    ['rsc_hold', holdName(rsctype)],
    ['info', info],
  ]);
}

// §7.3 req_our_resources: acquire our local groups unless someone has them.
function reqOurResources(st: Step, getThemAnyway: boolean, peerAlive: boolean): void {
  const s = st.s;
  if (s.shutdownInProgress) return;
  if (niceFailback(s)) {
    if (((s.otherHolds & FOREIGN) !== 0 || (s.iHold & LOCAL) !== 0) && !getThemAnyway && s.standby === 'not') {
      st.log('info', 'Local Resource acquisition completed. (none)');
      return;
    }
    st.set({ iHold: s.iHold | LOCAL });
  }
  const groups = groupsOf(s.cfg, LOCAL);
  if (!niceFailback(s) && peerAlive) {
    // Legacy with a live peer: ask for each group (ip-request); the peer
    // gives it up and answers ip-request-resp, then we take it.
    for (const key of groups) st.send([['t', 'ip-request'], ['ipaddr', key]]);
    return;
  }
  // nice_failback, or alone: the self-addressed answer req_resource sends, then take them.
  for (const key of groups) {
    st.send([['t', 'ip-request-resp'], ['dest', s.cfg.self], ['ipaddr', key], ['weown', 'yes'], ['ok', 'OK']]);
  }
  st.run({ action: 'acquire', groups, purpose: 'req_our_resources' });
}

// §7.4 takeover_from_node: the peer is dead or gone; take its groups (mach_down) and ours.
function takeoverFromNode(st: Step, nowMs: number): void {
  const s = st.s;
  if (s.shutdownInProgress) {
    st.log('info', 'Resource takeover cancelled - shutdown in progress.');
    return;
  }
  st.log('info', `Resources being acquired from ${s.cfg.peer}.`);
  if (niceFailback(s)) {
    st.set({ iHold: s.iHold | FOREIGN, otherHolds: NONE, otherIsStable: true, takeoverInProgress: true });
  }
  reqOurResources(st, true, false);
  st.run({ action: 'acquire', groups: groupsOf(st.s.cfg, FOREIGN), purpose: 'mach_down' });
  st.set({ peerHeardFrom: true });
  void nowMs;
}

// §6.7/§7.2 comm up: announce we are starting (nice_failback) or ask for our groups (legacy).
function onCommUp(st: Step, peerAlive: boolean, nowMs: number): void {
  if (st.s.cfg.peer === '') {
    // A one-node cluster: nobody to negotiate with, every group is ours.
    st.set({ resourceState: 'stable', otherIsStable: true, iHold: ALL, peerDead: true });
    st.run({ action: 'acquire', groups: st.s.cfg.groups.map((g) => g.key), purpose: 'req_our_resources' });
    return;
  }
  if (niceFailback(st.s)) {
    st.send([['t', 'starting']]);
    st.set({ resourceState: 'starting' });
    if (!peerAlive) {
      // Alone: the peer was declared dead at initdead; take everything now.
      st.set({ otherIsStable: true });
    }
  } else {
    reqOurResources(st, false, peerAlive);
  }
  void nowMs;
}

function onStartingOrResources(st: Step, msg: InMessage, nowMs: number): void {
  const s = st.s;
  if (!niceFailback(s)) return;
  const fromPeer = msg.from !== s.cfg.self;
  let newState = s.resourceState;
  if (msg.type === 'starting' && fromPeer) {
    switch (s.resourceState) {
      case 'rscrcvd':
      case 'stable':
      case 'shutdown':
        break;
      case 'starting':
        newState = 'bothstarting';
        break;
      default:
        // Before our own comm up: Heartbeat has no handler yet and drops it;
        // our own `starting` will reach the peer later and it answers then.
        st.log('info', `'starting' from ${msg.from} before our comm up: ignored`);
        return;
    }
    st.set({ otherIsStable: false });
    if (s.takeoverInProgress) st.log('warn', 'T_STARTING received during takeover.');
    sendResourcesHeld(st, s.resourceState === 'stable');
  }
  if (msg.type === 'resource') {
    const hold = parseHold(msg.get('rsc_hold'));
    const full = msg.get('rtype') === 'full';
    switch (s.resourceState) {
      case 'bothstarting':
      case 'starting':
        newState = 'rscrcvd';
        break;
      case 'rscrcvd':
      case 'stable':
      case 'shutdown':
        break;
      default:
        st.log('error', `'resource' message received in state ${s.resourceState}`);
        return;
    }
    if (fromPeer) {
      const otherHolds = full ? hold : hold === NONE ? NONE : hold | st.s.otherHolds;
      st.set({ otherHolds, peerHeardFrom: true });
      const stableField = msg.get('isstable');
      if (stableField === '1') {
        if (!st.s.otherIsStable) {
          st.log('info', 'remote resource transition completed.');
          st.set({ otherIsStable: true });
          sendResourcesHeld(st, st.s.resourceState === 'stable');
          performAutoFailback(st, nowMs);
        }
      } else if (stableField !== undefined) {
        st.set({ otherIsStable: false });
      }
      const certain = (st.s.otherHolds & FOREIGN) === 0 && st.s.standby === 'not' && !st.s.takeoverInProgress;
      if (newState !== 'stable' && newState !== 'shutdown' && (st.s.otherIsStable || certain)) {
        // Heartbeat waits for the peer to be stable (or RQSTDELAY); hbd also
        // proceeds when the peer's own message shows our groups are free.
        st.log('info', st.s.otherIsStable ? 'remote resource transition completed.' : 'our resources are free: acquiring them now');
        st.set({ resourceState: 'stable' });
        newState = 'stable';
        reqOurResources(st, false, true);
        sendResourcesHeld(st, true);
        performAutoFailback(st, nowMs);
      }
    } else {
      // Our own message coming back: what we hold is already in our state,
      // and this copy may be stale (sent before an acquisition that has
      // happened since), so it must not overwrite it.
      const comment = msg.get('info');
      if (comment === 'mach_down') {
        st.log('info', 'mach_down takeover complete.');
        st.set({ takeoverInProgress: false, iHold: st.s.iHold | FOREIGN, rscNeedsFailback: true, otherIsStable: true });
      } else if (comment === 'shutdown') {
        newState = 'shutdown';
      }
      // The peer is dead: nobody can contest what we hold, so we are stable
      // now (Heartbeat waits RQSTDELAY here even when alone).
      if (st.s.peerDead && (newState === 'starting' || newState === 'rscrcvd' || newState === 'bothstarting')) {
        newState = 'stable';
        st.set({ localTakeoverAtMs: 0 });
        st.set({ resourceState: 'stable' });
        sendResourcesHeld(st, true);
      }
    }
  }
  st.set({ resourceState: newState });
  if (newState === 'rscrcvd' && st.s.localTakeoverAtMs === 0) st.set({ localTakeoverAtMs: nowMs + RQSTDELAY_MS });
  audit(st);
}

// Heartbeat's AuditResources: say loudly when ownership is inconsistent.
function audit(st: Step): void {
  const s = st.s;
  if (!niceFailback(s)) return;
  if ((s.iHold & LOCAL) !== 0 && (s.otherHolds & FOREIGN) !== 0) st.log('error', 'Both machines own our resources!');
  if ((s.otherHolds & LOCAL) !== 0 && (s.iHold & FOREIGN) !== 0) st.log('error', 'Both machines own foreign resources!');
}

function performAutoFailback(st: Step, nowMs: number): void {
  const s = st.s;
  if (s.shutdownInProgress || (s.iHold & FOREIGN) === 0 || !s.rscNeedsFailback || s.cfg.autoFailback !== 'on') {
    st.set({ rscNeedsFailback: false, autoFailbackRetryAtMs: 0 });
    return;
  }
  if (s.standby !== 'not' || !s.otherIsStable || s.resourceState !== 'stable' || s.ops.length > 0) {
    st.set({ autoFailbackRetryAtMs: nowMs + AUTO_FAILBACK_RETRY_MS });
    return;
  }
  st.log('info', 'Auto failback triggered: giving foreign resources back.');
  st.set({ standbyRsctype: FOREIGN, rscNeedsFailback: false, autoFailbackRetryAtMs: 0 });
  sendStandbyMsg(st, 'me', FOREIGN);
}

// §7.5 the 3-phase standby protocol (Heartbeat's ask_for_resources).
function onAskResources(st: Step, msg: InMessage, nowMs: number): void {
  const s = st.s;
  if (!niceFailback(s)) {
    st.log('info', 'Standby mode only implemented when nice_failback on');
    return;
  }
  if (s.resourceState === 'shutdown') return;
  const info = msg.get('info');
  const rtype = msg.get('rsc_hold') === undefined ? ALL : parseHold(msg.get('rsc_hold'));
  const fromMe = msg.from === s.cfg.self;
  if (s.standbyDeadlineMs !== 0 && nowMs < s.standbyDeadlineMs && info === 'me') {
    st.log('warn', `Standby in progress- new request from ${msg.from} ignored [${Math.ceil((s.standbyDeadlineMs - nowMs) / 1000)} seconds left]`);
    return;
  }
  let ignored = false;
  switch (s.standby) {
    case 'not':
      if (!s.otherIsStable) {
        st.log('warn', `standby message [${info}] from ${msg.from} ignored.  Other side is in flux.`);
        return;
      }
      if (s.resourceState !== 'stable') {
        st.log('warn', `standby message [${info}] from ${msg.from} ignored.  local resources in flux.`);
        return;
      }
      st.set({ standbyRsctype: rtype });
      if (info === 'me') {
        st.set({ otherIsStable: false });
        st.log('info', `${msg.from} wants to go standby [${holdName(rtype)}]`);
        if (fromMe) {
          st.set({ standby: 'me', standbyDeadlineMs: nowMs + STANDBY_INIT_TIMEOUT_MS });
        } else {
          st.set({ standby: 'other', standbyDeadlineMs: nowMs + STANDBY_RSC_TIMEOUT_MS });
          sendStandbyMsg(st, 'other', rtype);
        }
      } else {
        ignored = true;
      }
      break;
    case 'me':
      if (!fromMe) {
        st.set({ standbyRsctype: rtype, standbyDeadlineMs: nowMs + STANDBY_RSC_TIMEOUT_MS });
        if (info === 'other') {
          st.log('info', `standby: ${msg.from} can take our ${holdName(rtype)} resources`);
          goStandby(st, 'me', rtype);
        } else {
          ignored = true;
        }
      } else if (info === 'done') {
        st.log('info', `Local standby process completed [${holdName(rtype)}].`);
        st.set({ standby: 'done', iHold: s.iHold & ~s.standbyRsctype, standbyDeadlineMs: nowMs + STANDBY_RSC_TIMEOUT_MS });
      } else {
        ignored = true;
      }
      break;
    case 'other':
      st.set({ standbyRsctype: rtype });
      if (info === 'done') {
        st.set({ standbyDeadlineMs: nowMs + STANDBY_RSC_TIMEOUT_MS });
        if (!fromMe) {
          st.log('info', `standby: acquire [${holdName(rtype)}] resources from ${msg.from}`);
          goStandby(st, 'other', rtype);
          st.set({ standby: 'done' });
        } else {
          ignored = true;
        }
      } else if (!fromMe || info !== 'other') {
        ignored = true;
      }
      break;
    case 'done':
      st.set({ standbyRsctype: rtype });
      if (info === 'done') {
        st.set({ standbyDeadlineMs: 0, standby: 'not' });
        if (fromMe) {
          st.log('info', `Standby resource acquisition done [${holdName(rtype)}].`);
          const rup = rtype === LOCAL ? FOREIGN : rtype === FOREIGN ? LOCAL : ALL;
          st.set({ iHold: st.s.iHold | rup });
        } else {
          st.log('info', `Other node completed standby takeover of ${holdName(rtype)} resources.`);
        }
        sendResourcesHeld(st, true);
        st.event('standby complete', { rsc_hold: holdName(rtype), by: msg.from });
      } else {
        ignored = true;
      }
      break;
  }
  if (ignored) st.log('error', `Ignored standby message '${info}' from ${msg.from} in state ${s.standby}`);
}

// Heartbeat's go_standby: give up (who=me) or acquire (who=other) a resource set.
function goStandby(st: Step, who: 'me' | 'other', resourceSet: Held): void {
  let act: Held;
  switch (resourceSet) {
    case FOREIGN:
      act = who === 'me' ? FOREIGN : LOCAL;
      break;
    case LOCAL:
      act = who === 'me' ? LOCAL : FOREIGN;
      break;
    case ALL:
      act = ALL;
      break;
    default:
      st.log('error', `no resources to ${who === 'me' ? 'give up' : 'acquire'}`);
      return;
  }
  if (who === 'me') {
    st.set({ otherIsStable: false, iHold: st.s.iHold & ~resourceSet });
    sendResourcesHeld(st, false, 'standby');
  }
  st.log('info', `${who === 'me' ? 'give up' : 'acquire'} ${holdName(act)} HA resources (standby).`);
  st.run({
    action: who === 'me' ? 'release' : 'acquire',
    groups: groupsOf(st.s.cfg, act),
    purpose: who === 'me' ? 'standby_giveup' : 'standby_acquire',
    rsctype: resourceSet,
  });
}

// rc.d/hb_takeover on the peer: run hb_standby with the set mirrored.
// Trap 7: `failback` is not mapped, so hb_standby runs with no argument = all.
function onHbTakeover(st: Step, msg: InMessage, nowMs: number): void {
  if (msg.from === st.s.cfg.self) return;
  const set = msg.get('rsc_hold');
  const mapped: Held = set === 'local' ? FOREIGN : set === 'foreign' ? LOCAL : ALL;
  st.log('info', `${msg.from} asks to take over [${set ?? 'all'}]: going standby [${holdName(mapped)}]`);
  st.set({ standbyRsctype: mapped });
  sendStandbyMsg(st, 'me', mapped);
  void nowMs;
}

// rc.d/ip-request (legacy): give the group up if we have it, then answer.
function onIpRequest(st: Step, msg: InMessage): void {
  if (msg.from === st.s.cfg.self) return;
  const key = msg.get('ipaddr');
  if (!key) return;
  const known = st.s.cfg.groups.some((g) => g.key === key);
  st.run({ action: 'release', groups: known ? [key] : [], purpose: 'ip_request_give', requester: msg.from, key });
}

// rc.d/ip-request-resp: a response to OUR ip-request with ok=OK -> take the group.
function onIpRequestResp(st: Step, msg: InMessage): void {
  const dest = msg.get('dest');
  const key = msg.get('ipaddr');
  if (dest !== st.s.cfg.self || !key) return;
  // Our own self-addressed answers (nice_failback) are acted on directly already.
  if (msg.from === st.s.cfg.self) return;
  if (msg.get('ok') !== 'OK') return;
  st.log('info', `received ip-request-resp ${key} OK ${msg.get('weown') ?? ''}`);
  st.run({ action: 'acquire', groups: [key], purpose: 'ip_request_take', key });
}

function onShutdone(st: Step, msg: InMessage, nowMs: number): void {
  const s = st.s;
  if (msg.from === s.cfg.self) {
    st.set({ resourceState: 'shutdown', iHold: NONE });
    return;
  }
  st.log('info', `Received shutdown notice from '${msg.from}'.`);
  st.event('peer shutdown', { node: msg.from });
  st.set({ otherIsStable: true, otherHolds: NONE });
  // Heartbeat: process_resources(T_SHUTDONE) takes what we lack at once,
  // then takeover_from_node(); both end with us holding everything.
  if (!s.shutdownInProgress) takeoverFromNode(st, nowMs);
}

// §7.4 node death (Heartbeat's hb_rsc_recover_dead_resources).
function onPeerDead(st: Step, nowMs: number): void {
  const s = st.s;
  st.set({ peerDead: true });
  if (s.standby !== 'not') {
    st.log('info', 'Cancelling pending standby operation');
    st.set({ standby: 'not', standbyDeadlineMs: 0 });
    if (!s.otherIsStable && (s.iHold & ALL) === ALL) st.set({ otherIsStable: true });
  }
  if (s.shutdownInProgress) return;
  st.set({ rscNeedsFailback: true });
  let needStonith = true;
  if (s.peerHeardFrom) {
    if (niceFailback(s)) {
      if (s.otherHolds === NONE) needStonith = false;
    }
  }
  st.event('node dead', { node: s.cfg.peer });
  if (needStonith) {
    st.send([['t', 'stonith'], ['node', s.cfg.peer], ['result', 'n_stnth']]);
    st.log('warn', 'No STONITH device configured.');
    takeoverFromNode(st, nowMs);
  } else {
    st.log('info', `Dead node ${s.cfg.peer} gave up resources.`);
    st.send([['t', 'stonith'], ['node', s.cfg.peer], ['result', 'unneeded']]);
    if (niceFailback(s)) {
      if ((st.s.iHold & ALL) === ALL) {
        st.set({ otherIsStable: true });
        return;
      }
      if ((st.s.iHold & LOCAL) === 0) reqOurResources(st, true, false);
      if ((st.s.iHold & FOREIGN) === 0) takeoverFromNode(st, nowMs);
    } else {
      takeoverFromNode(st, nowMs);
    }
  }
}

// Split brain healed (wire §6.4): Heartbeat gives up everything and restarts.
// hbd resolves it in place and deterministically, which also agrees with what
// a real Heartbeat peer does: each group stays with (or returns to) its
// preferred node; the other side releases its foreign groups, and the owner
// re-announces its addresses (the resource manager re-ARPs after this).
function onPartitionReturn(st: Step, nowMs: number): void {
  const s = st.s;
  st.log('error', `Cluster node ${s.cfg.peer} returning after partition: resolving ownership`);
  st.event('split brain', { node: s.cfg.peer, held: holdName(s.iHold) });
  st.set({ peerDead: false });
  const foreign = groupsOf(s.cfg, FOREIGN);
  if ((s.iHold & FOREIGN) !== 0 && foreign.length > 0) {
    st.set({ iHold: s.iHold & ~FOREIGN });
    st.run({ action: 'release', groups: foreign, purpose: 'partition_release' });
  }
  if ((s.iHold & LOCAL) !== 0) {
    st.event('reannounce', { groups: groupsOf(s.cfg, LOCAL) });
  }
  st.set({ otherIsStable: false, rscNeedsFailback: false });
  sendResourcesHeld(st, false);
  void nowMs;
}

function onOpDone(st: Step, id: number, ok: boolean, failedGroups: readonly string[], nowMs: number): void {
  const op = st.s.ops.find((o) => o.id === id);
  if (!op) return;
  st.set({ ops: st.s.ops.filter((o) => o.id !== id) });
  if (!ok && op.action === 'acquire') {
    // ResourceManager: a failing start stops the group and, 30 s later,
    // hb_standby gives that set to the peer.
    const set = failedGroups.reduce((acc, k) => acc | (isLocalGroup(st.s.cfg, k) ? LOCAL : FOREIGN), NONE);
    st.log('error', `Giving up resources due to failure of ${failedGroups.join(', ')}`);
    st.event('resource failed', { groups: failedGroups });
    if (set !== NONE && niceFailback(st.s)) {
      st.set({ failedStartStandbyAtMs: nowMs + FAILED_START_STANDBY_DELAY_MS, failedStartSet: st.s.failedStartSet | set });
    }
  }
  switch (op.purpose) {
    case 'req_our_resources':
      st.log('info', 'Local Resource acquisition completed.');
      sendResourcesHeld(st, true, 'req_our_resources()');
      break;
    case 'mach_down':
      st.log('info', `mach_down takeover complete for node ${st.s.cfg.peer}.`);
      if (niceFailback(st.s)) {
        // mach_down's FIFO message (no rtype: OR-ed in); we process our own copy.
        st.send([['t', 'resource'], ['rsc_hold', 'foreign'], ['info', 'mach_down']]);
      }
      st.event('takeover complete', { from: st.s.cfg.peer });
      break;
    case 'standby_giveup':
    case 'standby_acquire':
      sendStandbyMsg(st, 'done', op.rsctype ?? st.s.standbyRsctype);
      break;
    case 'shutdown':
      st.log('info', 'All HA resources relinquished.');
      st.send([['t', 'shutdone'], ['st', 'dead']]);
      st.actions.push({ kind: 'exit' });
      break;
    case 'ip_request_give':
      st.send([['t', 'ip-request-resp'], ['dest', op.requester ?? ''], ['ipaddr', op.key ?? ''], ['weown', op.groups.length ? 'yes' : 'no'], ['ok', 'OK']]);
      break;
    case 'partition_release':
      sendResourcesHeld(st, true);
      break;
    case 'ip_request_take':
    case 'failed_start_cleanup':
      break;
  }
  maybeShutdown(st, nowMs);
}

// Heartbeat's hb_giveup_resources: shut down once resource activity is done.
function maybeShutdown(st: Step, nowMs: number): void {
  if (!st.s.rscNeedsShutdown || !isStable(st.s)) return;
  st.set({ rscNeedsShutdown: false, shutdownInProgress: true });
  const held = st.s.iHold;
  st.set({ iHold: NONE, resourceState: 'shutdown' });
  if (niceFailback(st.s)) {
    st.send([['t', 'resource'], ['rsc_hold', 'none'], ['rtype', 'full'], ['isstable', '0'], ['info', 'shutdown']]);
  }
  st.log('info', 'Heartbeat shutdown in progress.');
  st.log('info', 'Giving up all HA resources.');
  // Every group (ResourceManager listkeys '.*' order), each right to left.
  const groups = st.s.cfg.groups.map((g) => g.key);
  st.run({ action: 'release', groups, purpose: 'shutdown' });
  void held;
  void nowMs;
}

function onShutdown(st: Step, nowMs: number): void {
  if (st.s.shutdownInProgress) {
    st.log('info', 'shutdown already underway.');
    return;
  }
  if (!isStable(st.s)) {
    st.log('warn', 'Shutdown delayed until current resource activity finishes.');
  }
  st.set({ rscNeedsShutdown: true });
  // Shutting down before comm up (nothing negotiated yet) is always allowed.
  if (st.s.resourceState === 'init' || st.s.peerDead) st.set({ otherIsStable: true });
  maybeShutdown(st, nowMs);
}

/** Whether a tick could change anything: every condition onTick tests. */
export function ownershipWaiting(s: OwnershipState): boolean {
  return s.localTakeoverAtMs !== 0 || s.standbyDeadlineMs !== 0 || s.autoFailbackRetryAtMs !== 0 || s.failedStartStandbyAtMs !== 0 || s.rscNeedsShutdown;
}

// Keep ownershipWaiting in step with the conditions here.
function onTick(st: Step, nowMs: number): void {
  const s = st.s;
  // RQSTDELAY: nobody became stable; take our local groups (if free).
  if (s.localTakeoverAtMs !== 0 && nowMs >= s.localTakeoverAtMs) {
    st.set({ localTakeoverAtMs: 0 });
    if (s.resourceState === 'rscrcvd') {
      st.set({ resourceState: 'stable' });
      reqOurResources(st, false, true);
      st.log('info', 'local resource transition completed.');
      sendResourcesHeld(st, true);
    }
  }
  if (s.standby === 'me' && s.standbyDeadlineMs !== 0 && nowMs >= s.standbyDeadlineMs) {
    st.log('warn', 'No reply to standby request.  Standby request cancelled.');
    st.set({ standby: 'not', standbyDeadlineMs: 0, otherIsStable: true });
  }
  if (s.autoFailbackRetryAtMs !== 0 && nowMs >= s.autoFailbackRetryAtMs) {
    st.set({ autoFailbackRetryAtMs: 0 });
    performAutoFailback(st, nowMs);
  }
  if (s.failedStartStandbyAtMs !== 0 && nowMs >= s.failedStartStandbyAtMs) {
    const set = s.failedStartSet;
    st.set({ failedStartStandbyAtMs: 0, failedStartSet: NONE });
    if (!s.peerDead && isStable(st.s)) {
      st.log('warn', `handing [${holdName(set)}] to ${s.cfg.peer} after the failed start`);
      st.set({ standbyRsctype: set });
      sendStandbyMsg(st, 'me', set);
    }
  }
  maybeShutdown(st, nowMs);
}

function onRequest(st: Step, kind: 'standby' | 'takeover', set: 'all' | 'local' | 'foreign' | 'failback'): void {
  if (kind === 'standby') {
    // hb_standby: failback means foreign.
    const held = set === 'failback' ? FOREIGN : parseHold(set);
    st.log('info', `Going standby [${holdName(held)}].`);
    sendStandbyMsg(st, 'me', held);
  } else {
    st.send([['t', 'hb_takeover'], ['rsc_hold', set]]);
  }
}

export function stepOwnership(state: OwnershipState, input: OwnershipInput): OwnershipStep {
  const st = new Step(state);
  switch (input.kind) {
    case 'comm-up':
      onCommUp(st, input.peerAlive, input.nowMs);
      break;
    case 'message': {
      const m = input.msg;
      if (m.from !== state.cfg.self) st.set({ peerHeardFrom: true, peerDead: false });
      switch (m.type) {
        case 'starting':
        case 'resource':
          onStartingOrResources(st, m, input.nowMs);
          break;
        case 'ask_resources':
          onAskResources(st, m, input.nowMs);
          break;
        case 'hb_takeover':
          onHbTakeover(st, m, input.nowMs);
          break;
        case 'ip-request':
          onIpRequest(st, m);
          break;
        case 'ip-request-resp':
          onIpRequestResp(st, m);
          break;
        case 'shutdone':
          onShutdone(st, m, input.nowMs);
          break;
        default:
          break;
      }
      break;
    }
    case 'peer-dead':
      onPeerDead(st, input.nowMs);
      break;
    case 'peer-alive':
      st.set({ peerDead: false });
      break;
    case 'partition-return':
      onPartitionReturn(st, input.nowMs);
      break;
    case 'op-done':
      onOpDone(st, input.id, input.ok, input.failedGroups ?? [], input.nowMs);
      break;
    case 'tick':
      onTick(st, input.nowMs);
      break;
    case 'request-standby':
      onRequest(st, 'standby', input.set);
      break;
    case 'request-takeover':
      onRequest(st, 'takeover', input.set);
      break;
    case 'shutdown':
      onShutdown(st, input.nowMs);
      break;
  }
  return st.done();
}

/** Groups this node should be running, from its held bits. */
export function heldGroups(s: OwnershipState): string[] {
  return groupsOf(s.cfg, s.iHold);
}
