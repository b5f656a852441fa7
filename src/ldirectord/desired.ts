// The IPVS table the configuration and the servers' health call for. Pure.
//
// Per virtual service:
//   - the service with its settings (scheduler, persistence, flags);
//   - every real server that is up, with its configured weight;
//   - a real server that is down (failed, unchecked, in maintenance):
//       quiescent = yes → kept with weight 0 (existing connections continue);
//       quiescent = no  → absent (deleted);
//   - the fallback server, weight 1, when no real server is up, once every
//     server has been checked at least once (so a start does not flash the
//     sorry page while the first checks run);
//   - checktype off: the service only (ldirectord adds no real or fallback
//     server); checktype on: every real server is up.

import type { IpvsDest, IpvsService, ForwardMethod } from '../ipvs/types';
import type { HealthState } from './health';
import type { ForwardName, RealServer, VirtualService } from './model';

export interface DesiredDest {
  readonly dest: IpvsDest;
  readonly role: 'real' | 'fallback';
  /**
   * false for a quiescent (weight 0) server that is not in IPVS: ldirectord
   * leaves it out unless `readdquiescent` is set (or the table is being set
   * up at start or reload).
   */
  readonly addIfMissing: boolean;
}

export interface DesiredService {
  readonly virtualId: string;
  readonly service: IpvsService;
  readonly dests: readonly DesiredDest[];
  readonly upCount: number;
  /** Every real server has been checked (or needs no check): fallback decisions are final. */
  readonly settled: boolean;
  readonly fallbackActive: boolean;
}

export interface ServerView {
  readonly state: HealthState;
  readonly maintenance: boolean;
}

export interface DesiredInput {
  readonly virtuals: readonly VirtualService[];
  /** Health of a real server of a virtual service; unknown servers count as not up. */
  readonly server: (v: VirtualService, r: RealServer) => ServerView;
  /** Add weight-0 servers that are missing from IPVS (start-up, reload, readdquiescent). */
  readonly addMissingQuiescent: boolean;
}

export function forwardMethod(f: ForwardName): ForwardMethod {
  return f === 'gate' ? 'route' : f === 'masq' ? 'masq' : 'tunnel';
}

function destOf(address: string, port: number, forward: ForwardName, weight: number, lower: number, upper: number, af: IpvsDest['af']): IpvsDest {
  return { af, address, port, forward: forwardMethod(forward), weight, lowerThreshold: lower, upperThreshold: upper };
}

export function isUp(v: VirtualService, view: ServerView): boolean {
  if (view.maintenance) return false;
  return v.check.type === 'on' || view.state === 'up';
}

export function desiredService(v: VirtualService, input: DesiredInput): DesiredService {
  if (v.check.type === 'off') return { virtualId: v.id, service: v.ipvs, dests: [], upCount: 0, settled: true, fallbackActive: false };
  const dests = new Map<string, DesiredDest>();
  let upCount = 0;
  let settled = true;
  for (const r of v.reals) {
    const view = input.server(v, r);
    if (view.state === 'unknown' && !view.maintenance && v.check.type !== 'on') settled = false;
    const key = `${r.address}|${r.port}`;
    if (isUp(v, view)) {
      upCount++;
      dests.set(key, { dest: destOf(r.address, r.port, r.forward, r.weight, r.lowerThreshold, r.upperThreshold, v.af), role: 'real', addIfMissing: true });
    } else if (v.quiescent) {
      dests.set(key, {
        dest: destOf(r.address, r.port, r.forward, 0, r.lowerThreshold, r.upperThreshold, v.af),
        role: 'real',
        addIfMissing: input.addMissingQuiescent,
      });
    }
  }
  const fb = v.fallback;
  const fallbackActive = fb !== null && upCount === 0 && settled;
  if (fb !== null && fallbackActive) {
    // A fallback that is also a (down) real server takes that entry over.
    dests.set(`${fb.address}|${fb.port}`, { dest: destOf(fb.address, fb.port, fb.forward, 1, 0, 0, v.af), role: 'fallback', addIfMissing: true });
  }
  return { virtualId: v.id, service: v.ipvs, dests: [...dests.values()], upCount, settled, fallbackActive };
}

export function desiredTable(input: DesiredInput): DesiredService[] {
  return input.virtuals.map((v) => desiredService(v, input));
}
