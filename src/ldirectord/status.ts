// The director's status: plain JSON (control socket, `--json`) and a table
// for people (`hbd ldirectord CONFIG status`, `hbd status`).

import type { ForwardName } from './model';

export type DirectorPhase = 'starting' | 'running' | 'reloading' | 'stopping' | 'stopped';

export interface RealServerStatus {
  /** `192.0.2.10:80`, `[2001:db8::10]:80`. */
  readonly server: string;
  readonly forward: ForwardName;
  /** Weight from the configuration. */
  readonly weight: number;
  /** Weight IPVS has now; null when it is not in the table. */
  readonly ipvsWeight: number | null;
  /** unknown = not checked yet; `on`/`off` for those checktypes. */
  readonly state: 'unknown' | 'up' | 'down' | 'on' | 'off';
  readonly maintenance: boolean;
  readonly adopted: boolean;
  readonly okStreak: number;
  readonly failStreak: number;
  readonly lastMessage: string | null;
  /** ISO time of the last check result. */
  readonly lastCheckAt: string | null;
  readonly lastDurationMs: number | null;
  readonly checkPort: number;
}

export interface VirtualStatus {
  readonly id: string;
  /** `tcp 192.0.2.1:80`, `fwmark 7`. */
  readonly service: string;
  readonly scheduler: string;
  readonly persistent: number | null;
  /** `negotiate http`, `negotiate http every 3 connects`, `connect`, `off`, ... */
  readonly check: string;
  readonly intervalMs: number;
  readonly failureCount: number;
  readonly rise: number;
  readonly quiescent: boolean;
  readonly inIpvs: boolean;
  readonly upCount: number;
  readonly fallback: { readonly server: string; readonly active: boolean; readonly ipvsWeight: number | null } | null;
  /** Last fallbackcommand run: start (all down) or stop; null if never. */
  readonly fallbackCommand: 'start' | 'stop' | null;
  readonly reals: readonly RealServerStatus[];
}

export interface PendingChange {
  readonly operation: string;
  readonly code: string;
  readonly message: string;
  /** ISO time it first failed. */
  readonly since: string;
}

export interface DirectorStatus {
  readonly config: string;
  readonly phase: DirectorPhase;
  readonly pid: number;
  readonly startedAt: string | null;
  readonly autoreload: boolean;
  readonly maintenanceDir: string | null;
  readonly reloads: { readonly ok: number; readonly failed: number; readonly lastErrors: readonly string[] };
  /** IPVS changes that did not apply; retried every round until they do. */
  readonly pending: readonly PendingChange[];
  readonly virtuals: readonly VirtualStatus[];
}

function table(rows: readonly (readonly string[])[], indent: string): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function streak(r: RealServerStatus): string {
  if (r.okStreak > 0) return `${r.okStreak} ok`;
  if (r.failStreak > 0) return `${r.failStreak} failed`;
  return '-';
}

/** The table for people; `heading` replaces the first line (e.g. for a one-off check round). */
export function formatDirectorStatus(s: DirectorStatus, heading?: string): string {
  const lines: string[] = [];
  const plural = s.virtuals.length === 1 ? 'service' : 'services';
  lines.push(heading ?? `ldirectord ${s.config}: ${s.phase} (pid ${s.pid}), ${s.virtuals.length} virtual ${plural}`);
  if (s.maintenanceDir !== null) lines.push(`maintenance directory: ${s.maintenanceDir}`);
  if (s.reloads.lastErrors.length > 0) {
    lines.push('last reload FAILED, still running the previous configuration:');
    for (const e of s.reloads.lastErrors) lines.push(`  ${e}`);
  }
  if (s.pending.length > 0) {
    lines.push('IPVS changes NOT applied (retried every round):');
    for (const p of s.pending) lines.push(`  ${p.operation}: ${p.code} ${p.message} (since ${p.since})`);
  }
  for (const v of s.virtuals) {
    lines.push('');
    const persist = v.persistent !== null ? ` persistent ${v.persistent}s` : '';
    const missing = v.inIpvs ? '' : '  NOT IN IPVS';
    lines.push(
      `${v.service}  ${v.scheduler}${persist}  check ${v.check} every ${seconds(v.intervalMs)} (fall ${v.failureCount}, rise ${v.rise})  ${v.upCount}/${v.reals.length} up${v.quiescent ? '  quiescent' : ''}${missing}`,
    );
    if (v.fallback !== null) {
      const ipvs = v.fallback.ipvsWeight === null ? '' : `, IPVS weight ${v.fallback.ipvsWeight}`;
      lines.push(`  fallback ${v.fallback.server}: ${v.fallback.active ? 'ACTIVE' : 'standby'}${ipvs}`);
    }
    if (v.reals.length === 0) continue;
    const rows: string[][] = [['REAL', 'FWD', 'WEIGHT', 'IPVS', 'STATE', 'STREAK', 'LAST CHECK']];
    for (const r of v.reals) {
      const state = r.maintenance ? `${r.state} (maint)` : r.adopted ? `${r.state} (adopted)` : r.state;
      const took = r.lastDurationMs === null ? '' : ` (${r.lastDurationMs} ms)`;
      rows.push([r.server, r.forward, String(r.weight), r.ipvsWeight === null ? '-' : String(r.ipvsWeight), state, streak(r), `${r.lastMessage ?? '-'}${took}`]);
    }
    lines.push(table(rows, '  '));
  }
  return `${lines.join('\n')}\n`;
}
