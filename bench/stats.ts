// Order statistics for bench results (nearest-rank percentiles).
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, min: NaN, median: NaN, p90: NaN, max: NaN };
  return {
    n: values.length,
    min: Math.min(...values),
    median: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    max: Math.max(...values),
  };
}

export interface TailSummary extends Summary {
  readonly p99: number;
}

/** summarize() plus the nearest-rank 99th percentile, for latency tails. */
export function summarizeTail(values: readonly number[]): TailSummary {
  return { ...summarize(values), p99: percentile(values, 0.99) };
}

/** One summarised result row of a bench's JSON (ipvs.json and friends). */
export interface BenchRow {
  bench: string;
  impl: string;
  setting: string;
  /** Runs that counted. */
  n: number;
  min: number;
  median: number;
  max: number;
  unit: string;
  /** Runs that did not count (not in min/median/max). */
  failed?: number;
}
