// Built-in ipfail (Heartbeat's contrib/ipfail, normally `respawn hacluster
// .../ipfail`): the node that sees fewer ping nodes than its peer gives its
// resources away; when the counts balance again, the node holding foreign
// groups gives them back (auto_failback on). Same messages as ipfail's
// (num_ping_nodes / you_are_dead / abort_giveup), addressed to the peer.
// Pure: step(state, input) -> (state, actions).

export interface IpfailState {
  readonly peer: string;
  readonly keepaliveMs: number;
  readonly autoFailback: boolean;
  /** Pending delayed give-up: which set and when (0 = none). */
  readonly giveupAtMs: number;
  readonly giveupSet: 'all' | 'foreign';
  /** The give-up came due while resources were in flux: do it once stable. */
  readonly needStandby: boolean;
}

export type IpfailInput =
  | { readonly kind: 'ping-up'; readonly count: number; readonly nowMs: number }
  | { readonly kind: 'ping-dead'; readonly count: number; readonly nowMs: number }
  | { readonly kind: 'link-dead'; readonly count: number; readonly nowMs: number }
  | { readonly kind: 'message'; readonly type: string; readonly from: string; readonly numPing?: number; readonly count: number; readonly stable: boolean; readonly nowMs: number }
  | { readonly kind: 'tick'; readonly stable: boolean; readonly nowMs: number };

export type IpfailAction =
  | { readonly kind: 'send'; readonly fields: readonly (readonly [string, string])[] }
  | { readonly kind: 'standby'; readonly set: 'all' | 'foreign' }
  | { readonly kind: 'log'; readonly level: 'info' | 'warn'; readonly message: string };

export const IPFAIL_TYPES: ReadonlySet<string> = new Set(['num_ping_nodes', 'you_are_dead', 'abort_giveup']);

/** Whether a tick could change anything (the tick case's conditions). */
export function ipfailWaiting(s: IpfailState): boolean {
  return s.giveupAtMs !== 0 || s.needStandby;
}

export function initialIpfail(peer: string, keepaliveMs: number, autoFailback: boolean): IpfailState {
  return { peer, keepaliveMs, autoFailback, giveupAtMs: 0, giveupSet: 'all', needStandby: false };
}

function clientMsg(type: string, peer: string, extra: [string, string][] = []): IpfailAction {
  // API client messages carry the client's ids; ipfail talks to ipfail.
  return { kind: 'send', fields: [['t', type], ...extra, ['dest', peer], ['from_id', 'ipfail'], ['to_id', 'ipfail']] };
}

function delayGiveup(s: IpfailState, set: 'all' | 'foreign', nowMs: number, actions: IpfailAction[]): IpfailState {
  // ipfail's default delay: twice the keepalive.
  actions.push({ kind: 'log', level: 'info', message: `Delayed giveup [${set}] in ${2 * s.keepaliveMs} ms.` });
  return { ...s, giveupAtMs: nowMs + 2 * s.keepaliveMs, giveupSet: set };
}

export function stepIpfail(s: IpfailState, input: IpfailInput): { state: IpfailState; actions: IpfailAction[] } {
  const actions: IpfailAction[] = [];
  switch (input.kind) {
    case 'ping-up':
      actions.push({ kind: 'log', level: 'info', message: 'A ping node just came up.' });
      actions.push(clientMsg('num_ping_nodes', s.peer, [['num_ping', String(input.count)]]));
      return { state: s, actions };
    case 'ping-dead':
    case 'link-dead':
      actions.push({ kind: 'log', level: 'info', message: input.count > 0 ? 'Checking remote count of ping nodes.' : 'We are dead. :<' });
      actions.push(clientMsg('num_ping_nodes', s.peer, [['num_ping', String(input.count)]]));
      return { state: s, actions };
    case 'message': {
      if (input.from === s.peer || input.from === '') {
        if (input.type === 'num_ping_nodes') {
          const theirs = input.numPing ?? 0;
          if (input.count > theirs) {
            actions.push({ kind: 'log', level: 'info', message: 'Telling other node that we have more visible ping nodes.' });
            actions.push(clientMsg('you_are_dead', s.peer));
          } else if (input.count < theirs) {
            actions.push({ kind: 'log', level: 'info', message: 'Giving up because we have less visible ping nodes.' });
            return { state: delayGiveup(s, 'all', input.nowMs, actions), actions };
          } else {
            actions.push({ kind: 'log', level: 'info', message: 'Ping node count is balanced.' });
            actions.push(clientMsg('abort_giveup', s.peer));
            if (s.giveupAtMs !== 0) return { state: { ...s, giveupAtMs: 0, needStandby: false }, actions };
            if (s.autoFailback && input.stable) {
              actions.push({ kind: 'log', level: 'info', message: 'Giving up foreign resources (auto_failback).' });
              return { state: delayGiveup(s, 'foreign', input.nowMs, actions), actions };
            }
          }
        } else if (input.type === 'you_are_dead') {
          actions.push({ kind: 'log', level: 'info', message: 'Giving up because we were told that we have less ping nodes.' });
          return { state: delayGiveup(s, 'all', input.nowMs, actions), actions };
        } else if (input.type === 'abort_giveup') {
          if (s.giveupAtMs !== 0) actions.push({ kind: 'log', level: 'info', message: 'Giveup aborted: ping node counts are balanced again.' });
          return { state: { ...s, giveupAtMs: 0, needStandby: false }, actions };
        }
      }
      return { state: s, actions };
    }
    case 'tick': {
      let state = s;
      if (state.giveupAtMs !== 0 && input.nowMs >= state.giveupAtMs) state = { ...state, giveupAtMs: 0, needStandby: true };
      if (state.needStandby && input.stable) {
        actions.push({ kind: 'standby', set: state.giveupSet });
        state = { ...state, needStandby: false };
      }
      return { state, actions };
    }
  }
}
