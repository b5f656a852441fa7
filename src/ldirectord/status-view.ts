// One virtual service's status, from the configuration, the servers'
// health, the IPVS table as last read and the last desired table. Pure.

import { serverText } from './addresses';
import { type DesiredService, isUp } from './desired';
import type { ActualService } from './diff';
import { type ServerHealth, initialHealth } from './health';
import { destKeyText, serviceKeyOf, serviceKeyText } from './ipvs-text';
import type { RealServer, VirtualService } from './model';
import type { RealServerStatus, VirtualStatus } from './status';

export interface StatusSources {
  health(r: RealServer): ServerHealth | undefined;
  /** The service as IPVS had it after the last round; undefined if absent. */
  readonly actual: ActualService | undefined;
  readonly desired: DesiredService | undefined;
  readonly fallbackCommand: 'start' | 'stop' | null;
}

function checkText(v: VirtualService): string {
  const c = v.check;
  if (c.type === 'combined') return `negotiate ${c.service} every ${c.connectsPerNegotiate} connects`;
  if (c.type === 'negotiate') return `negotiate ${c.service}`;
  return c.type;
}

export function virtualStatus(v: VirtualService, src: StatusSources): VirtualStatus {
  const weightOf = (s: { address: string; port: number }): number | null => src.actual?.dests.find((d) => destKeyText(d) === destKeyText(s))?.weight ?? null;
  const healthOf = (r: RealServer) => src.health(r) ?? initialHealth(false);
  const reals = v.reals.map((r): RealServerStatus => {
    const h = healthOf(r);
    const state = v.check.type === 'off' ? 'off' : v.check.type === 'on' && !h.maintenance ? 'on' : h.state;
    return {
      server: serverText(r),
      forward: r.forward,
      weight: r.weight,
      ipvsWeight: weightOf(r),
      state,
      maintenance: h.maintenance,
      adopted: h.adopted,
      okStreak: h.okStreak,
      failStreak: h.failStreak,
      lastMessage: h.lastMessage,
      lastCheckAt: h.lastCheckAt === null ? null : new Date(h.lastCheckAt).toISOString(),
      lastDurationMs: h.lastDurationMs,
      checkPort: r.checkPort,
    };
  });
  return {
    id: v.id,
    service: serviceKeyText(serviceKeyOf(v.ipvs)),
    scheduler: v.ipvs.scheduler,
    persistent: v.ipvs.persistentTimeout ?? null,
    check: checkText(v),
    intervalMs: v.check.intervalMs,
    failureCount: v.check.failureCount,
    rise: v.check.rise,
    quiescent: v.quiescent,
    inIpvs: src.actual !== undefined,
    upCount: v.reals.filter((r) => isUp(v, healthOf(r))).length,
    fallback: v.fallback === null ? null : { server: serverText(v.fallback), active: src.desired?.fallbackActive ?? false, ipvsWeight: weightOf(v.fallback) },
    fallbackCommand: src.fallbackCommand,
    reals,
  };
}
