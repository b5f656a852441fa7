// One real server's health, as a pure state machine: check results and
// maintenance in, new state and the transition (if any) out.
//
//   unknown ── ok ──────────────────────────────► up
//   unknown ── fail ────────────────────────────► down
//   up ── `failurecount` consecutive fails ─────► down   (ldirectord's failurecount)
//   down ── `rise` consecutive oks ─────────────► up     (hbd's rise; 1 = ldirectord)
//   any ── file in maintenancedir ──────────────► down   (checks skipped meanwhile)
//
// `unknown` is a server not yet checked; a server IPVS already had with a
// weight above 0 when the director started is adopted as up (ldirectord's
// ld_start), so a restart does not drop live servers while they are checked.
// `rise` applies to servers that failed: a new server comes up on its first
// success, as in ldirectord.

import type { CheckSettings } from './model';

export type HealthState = 'unknown' | 'up' | 'down';

/** What one check attempt was: `checktype = N` alternates connect and negotiate. */
export type CheckKind = 'connect' | 'negotiate' | 'ping' | 'external';

export interface ServerHealth {
  readonly state: HealthState;
  /** Consecutive successes / failures, whatever the state. */
  readonly okStreak: number;
  readonly failStreak: number;
  /** Up because IPVS had it when the director started, not yet checked. */
  readonly adopted: boolean;
  readonly maintenance: boolean;
  /** checktype N: connect checks passed since the last good negotiate; null = negotiate next. */
  readonly connectsSinceNegotiate: number | null;
  readonly lastMessage: string | null;
  /** Wall-clock ms of the last result, and how long it took. */
  readonly lastCheckAt: number | null;
  readonly lastDurationMs: number | null;
  readonly lastKind: CheckKind | null;
  /** When the state last changed (wall-clock ms), null if never. */
  readonly since: number | null;
}

export type Transition = 'up' | 'down' | null;

export interface HealthStep {
  readonly health: ServerHealth;
  readonly transition: Transition;
}

export function initialHealth(adopted: boolean): ServerHealth {
  return {
    state: adopted ? 'up' : 'unknown',
    okStreak: 0,
    failStreak: 0,
    adopted,
    maintenance: false,
    connectsSinceNegotiate: null,
    lastMessage: adopted ? 'adopted from the IPVS table (weight > 0) until checked' : null,
    lastCheckAt: null,
    lastDurationMs: null,
    lastKind: null,
    since: null,
  };
}

/** The kind of the next check for the virtual service's checktype. */
export function nextCheckKind(check: CheckSettings, h: ServerHealth): CheckKind | null {
  switch (check.type) {
    case 'off':
    case 'on':
      return null;
    case 'connect':
    case 'negotiate':
    case 'ping':
      return check.type;
    case 'external':
    case 'external-perl':
      return 'external';
    case 'combined':
      return h.connectsSinceNegotiate === null || h.connectsSinceNegotiate >= check.connectsPerNegotiate ? 'negotiate' : 'connect';
  }
}

export interface CheckOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly kind: CheckKind;
  readonly at: number;
  readonly durationMs: number;
}

function moved(h: ServerHealth, state: HealthState, at: number): HealthStep {
  const changed = state !== h.state;
  const transition: Transition = !changed ? null : state === 'up' ? 'up' : 'down';
  return { health: { ...h, state, since: changed ? at : h.since }, transition };
}

export function applyOutcome(h: ServerHealth, o: CheckOutcome, policy: Pick<CheckSettings, 'failureCount' | 'rise'>): HealthStep {
  let connects = h.connectsSinceNegotiate;
  if (o.kind === 'negotiate') connects = o.ok ? 0 : null;
  else if (o.kind === 'connect' && connects !== null) connects = o.ok ? connects + 1 : null;
  const next: ServerHealth = {
    ...h,
    adopted: false,
    okStreak: o.ok ? h.okStreak + 1 : 0,
    failStreak: o.ok ? 0 : h.failStreak + 1,
    connectsSinceNegotiate: connects,
    lastMessage: o.message,
    lastCheckAt: o.at,
    lastDurationMs: o.durationMs,
    lastKind: o.kind,
  };
  if (h.maintenance) return { health: next, transition: null };
  switch (h.state) {
    case 'unknown':
      return moved(next, o.ok ? 'up' : 'down', o.at);
    case 'up':
      return moved(next, !o.ok && next.failStreak >= policy.failureCount ? 'down' : 'up', o.at);
    case 'down':
      return moved(next, o.ok && next.okStreak >= policy.rise ? 'up' : 'down', o.at);
  }
}

/** `checktype = on`: up without checks (unless in maintenance). */
export function forceUp(h: ServerHealth, at: number): HealthStep {
  if (h.maintenance) return { health: h, transition: null };
  return moved({ ...h, adopted: false, lastMessage: 'checktype on: up without checks' }, 'up', at);
}

/** A maintenancedir file appeared or went away. Leaving maintenance keeps the server down until it passes `rise` checks. */
export function applyMaintenance(h: ServerHealth, inMaintenance: boolean, at: number): HealthStep {
  if (inMaintenance === h.maintenance) return { health: h, transition: null };
  if (inMaintenance) {
    return moved({ ...h, maintenance: true, adopted: false, okStreak: 0, lastMessage: 'in maintenance (maintenancedir)' }, 'down', at);
  }
  return { health: { ...h, maintenance: false, okStreak: 0, lastMessage: 'maintenance ended; waiting for checks' }, transition: null };
}
