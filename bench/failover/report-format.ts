// The building blocks of the bench report shared by its sections: result rows
// (one impl x setting x mode x metric, nearest-rank stats), number formatting
// and Markdown tables.
import { summarizeTail } from '../stats';
import type { CostRecord } from './types';

// ---------------------------------------------------------------- rows

export type Bench = 'failover' | 'sweep' | 'serial' | 'cost' | 'robustness';
export type Unit = 'ms' | 'µs' | '%' | 'packets/s' | 'MiB' | 'bytes' | 'count';

export interface ReportRow {
  readonly bench: Bench;
  readonly impl: string;
  readonly setting: string;
  readonly settingLabel: string;
  /** The failure mode; 'kill' for serial; the load for cost and robustness. */
  readonly mode: string;
  readonly metric: string;
  /** Values that counted (ok trials that have this metric). */
  readonly n: number;
  /** Trials not ok; for robustness, windows that did not end clean. */
  readonly failed: number;
  /** null when n = 0 (JSON has no NaN). */
  readonly min: number | null;
  readonly median: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly unit: Unit;
}

/** JSON-safe number: NaN becomes null, float noise is cut at 1 µs / 0.001 %. */
export function jsonNum(v: number): number | null {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : null;
}

export interface RowKey {
  readonly bench: Bench;
  readonly impl: string;
  readonly setting: string;
  readonly settingLabel: string;
  readonly mode: string;
}

export function makeRow(key: RowKey, metric: string, values: readonly number[], failed: number, unit: Unit): ReportRow {
  const s = summarizeTail(values);
  return {
    ...key,
    metric,
    n: s.n,
    failed,
    min: jsonNum(s.min),
    median: jsonNum(s.median),
    p90: jsonNum(s.p90),
    p99: jsonNum(s.p99),
    max: jsonNum(s.max),
    unit,
  };
}

/** Insertion-ordered grouping. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** Both directors' CPU per frame the pair sends, µs; undefined when nothing was sent. */
export function cpuPerFrameUs(c: CostRecord): number | undefined {
  const frames = c.packetsPerSecA + c.packetsPerSecB;
  return frames > 0 ? (((c.cpuA + c.cpuB) / 100) * 1e6) / frames : undefined;
}

export const defined = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

// ---------------------------------------------------------------- number formatting

/** 3 significant digits (30.0 s, 4.50 ms); whole numbers from 100 up (1234 ms reads better than 1.23e+3). */
export function sig3(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0 || Math.abs(v) >= 100) return String(Math.round(v) || 0);
  return v.toPrecision(3);
}

/** ms in a column headed "ms"; from 10 s on in seconds, labelled. */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 10_000 ? `${sig3(v / 1000)} s` : sig3(v);
}

export function fmtNum(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : sig3(v);
}

// ---------------------------------------------------------------- Markdown

export const NOT_MEASURED = '_Not measured in this run._';

/** A Markdown table; pipes in cells are escaped. */
export function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...body.map(line)].join('\n');
}

export function findRow(rows: readonly ReportRow[], key: RowKey, metric: string): ReportRow | undefined {
  return rows.find((r) => r.bench === key.bench && r.impl === key.impl && r.setting === key.setting && r.mode === key.mode && r.metric === metric);
}
export const settingCell = (g: { readonly setting: string; readonly settingLabel: string }) => (g.settingLabel && g.settingLabel !== g.setting ? `${g.setting} (${g.settingLabel})` : g.setting);
