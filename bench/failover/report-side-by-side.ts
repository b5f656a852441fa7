// The report's side-by-side cost section: pairs of several implementations
// measured over the same windows (bench/failover/side-by-side.ts). Rows carry
// mode 'side by side, <comparison>'; besides each implementation's own cost,
// hbd's cost as a percentage of each other contender's, round by round.
import { NOT_MEASURED, type ReportRow, type RowKey, cpuPerFrameUs, defined, fmtNum, groupBy, makeRow, settingCell, sig3, table } from './report-format';
import type { CostRecord, SideBySideRecord } from './types';

export const sideBySideMode = (comparison: string) => `side by side, ${comparison}`;

/** A percentage of the other's figure, per round; undefined when the other is 0. */
const pctOf = (mine: number, theirs: number) => (theirs > 0 ? (mine / theirs) * 100 : undefined);

interface Entry {
  readonly round: number;
  readonly cost: CostRecord;
  readonly clean: boolean;
}

/** Per comparison, per contender position: its entries over the rounds. */
function positions(records: readonly SideBySideRecord[]): Map<string, Entry[][]> {
  const out = new Map<string, Entry[][]>();
  for (const [name, rs] of groupBy(records, (r) => r.comparison)) {
    const width = Math.max(...rs.map((r) => r.costs.length));
    out.set(
      name,
      Array.from({ length: width }, (_, i) =>
        rs.flatMap((r) => {
          const cost = r.costs[i];
          return cost ? [{ round: r.round, cost, clean: r.endedClean[i] ?? false }] : [];
        }),
      ),
    );
  }
  return out;
}

/** Rounds in which both contenders ended clean: the pairs of costs a ratio may use. */
function matchedRounds(mine: readonly Entry[], theirs: readonly Entry[]): [CostRecord, CostRecord][] {
  return mine.flatMap((m) => {
    const t = theirs.find((x) => x.round === m.round);
    return m.clean && t?.clean ? [[m.cost, t.cost] as [CostRecord, CostRecord]] : [];
  });
}

export function sideBySideRows(records: readonly SideBySideRecord[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const [name, columns] of positions(records)) {
    const mode = sideBySideMode(name);
    const keyOf = (c: CostRecord): RowKey => ({ bench: 'cost', impl: c.impl, setting: c.setting, settingLabel: c.settingLabel, mode });
    for (const entries of columns) {
      const first = entries[0];
      if (!first) continue;
      const key = keyOf(first.cost);
      const ok = entries.filter((e) => e.clean).map((e) => e.cost);
      const failed = entries.length - ok.length;
      rows.push(makeRow(key, 'cpuA', ok.map((c) => c.cpuA), failed, '%'));
      rows.push(makeRow(key, 'cpuB', ok.map((c) => c.cpuB), failed, '%'));
      rows.push(makeRow(key, 'cpuPair', ok.map((c) => c.cpuA + c.cpuB), failed, '%'));
      rows.push(makeRow(key, 'packetsPerSecA', ok.map((c) => c.packetsPerSecA), failed, 'packets/s'));
      rows.push(makeRow(key, 'packetsPerSecB', ok.map((c) => c.packetsPerSecB), failed, 'packets/s'));
      rows.push(makeRow(key, 'cpuPerFrameUs', ok.map(cpuPerFrameUs).filter(defined), failed, 'µs'));
    }
    // hbd (the first contender) against each of the others, round by round.
    const [mine, ...others] = columns;
    const hbdFirst = mine?.[0];
    if (!mine || !hbdFirst) continue;
    for (const theirs of others) {
      const peer = theirs[0]?.cost.impl;
      if (!peer) continue;
      const matched = matchedRounds(mine, theirs);
      const failed = mine.length - matched.length;
      const key = keyOf(hbdFirst.cost);
      rows.push(makeRow(key, `cpuAPctOf:${peer}`, matched.map(([m, t]) => pctOf(m.cpuA, t.cpuA)).filter(defined), failed, '%'));
      rows.push(makeRow(key, `cpuBPctOf:${peer}`, matched.map(([m, t]) => pctOf(m.cpuB, t.cpuB)).filter(defined), failed, '%'));
      rows.push(makeRow(key, `cpuPairPctOf:${peer}`, matched.map(([m, t]) => pctOf(m.cpuA + m.cpuB, t.cpuA + t.cpuB)).filter(defined), failed, '%'));
    }
  }
  return rows;
}

function rowOf(rows: readonly ReportRow[], mode: string, c: CostRecord, metric: string): ReportRow | undefined {
  return rows.find((r) => r.bench === 'cost' && r.mode === mode && r.impl === c.impl && r.setting === c.setting && r.metric === metric);
}

function comparisonText(name: string, columns: readonly Entry[][], rows: readonly ReportRow[]): string {
  const mode = sideBySideMode(name);
  const firsts = columns.map((entries) => entries[0]?.cost).filter((c): c is CostRecord => c !== undefined);
  const med = (c: CostRecord, m: string) => fmtNum(rowOf(rows, mode, c, m)?.median);
  const summary = table(
    ['implementation', 'setting', 'windows', 'not clean', 'CPU A (%)', 'CPU B (%)', 'CPU pair (%)', 'packets/s A', 'packets/s B', 'CPU per frame (µs)'],
    firsts.map((c) => {
      const r = rowOf(rows, mode, c, 'cpuA');
      return [c.impl, settingCell(c), String((r?.n ?? 0) + (r?.failed ?? 0)), String(r?.failed ?? 0), med(c, 'cpuA'), med(c, 'cpuB'), med(c, 'cpuPair'), med(c, 'packetsPerSecA'), med(c, 'packetsPerSecB'), med(c, 'cpuPerFrameUs')];
    }),
  );
  const [mine, ...others] = columns;
  const hbd = firsts[0];
  if (!mine || !hbd) return summary;
  const rounds = [...new Set(columns.flatMap((entries) => entries.map((e) => e.round)))].sort((x, y) => x - y);
  const cell = (entries: readonly Entry[], round: number) => {
    const e = entries.find((x) => x.round === round);
    return e ? `${sig3(e.cost.cpuA)}${e.clean ? '' : ' (not clean)'}` : '–';
  };
  const ratioCell = (theirs: readonly Entry[], round: number) => {
    const m = mine.find((x) => x.round === round);
    const t = theirs.find((x) => x.round === round);
    const pct = m?.clean && t?.clean ? pctOf(m.cost.cpuA, t.cost.cpuA) : undefined;
    return pct === undefined ? '–' : `${sig3(pct)} %`;
  };
  const peers = others.map((theirs) => theirs[0]?.cost.impl ?? '?');
  const perRound = table(
    ['round', ...firsts.map((c) => `${c.impl} A (%)`), ...peers.map((p) => `hbd A as % of ${p} A`)],
    rounds.map((round) => [String(round + 1), ...columns.map((entries) => cell(entries, round)), ...others.map((theirs) => ratioCell(theirs, round))]),
  );
  const verdicts = peers.map((p) => {
    const a = rowOf(rows, mode, hbd, `cpuAPctOf:${p}`);
    const pair = rowOf(rows, mode, hbd, `cpuPairPctOf:${p}`);
    return `hbd against ${p}, median over the rounds: active director ${fmtNum(a?.median)} %, standby ${fmtNum(rowOf(rows, mode, hbd, `cpuBPctOf:${p}`)?.median)} %, pair ${fmtNum(pair?.median)} % of ${p}'s.`;
  });
  return [summary, '', 'Active director (A) round by round:', '', perRound, '', ...verdicts].join('\n');
}

export function sideBySideMarkdown(records: readonly SideBySideRecord[], rows: readonly ReportRow[]): string {
  if (records.length === 0) return NOT_MEASURED;
  const note =
    'Each comparison runs one pair per implementation, each in a topology of its own, at the same interval, all at once: ' +
    'started together, left alone 5 s, then measured over the same window. Rounds rotate which implementation runs in which topology and starts first. ' +
    'Windows measured one after another (the table above) are minutes apart, and on a shared machine a window depends on what else runs then; ' +
    'these are measured under the same conditions. A window in which a pair did not end as it began (A holds the VIP, B not) is left out and counted as not clean.';
  const parts = [...positions(records)].map(([name, columns]) => `### ${name}\n\n${comparisonText(name, columns, rows)}`);
  return [note, ...parts].join('\n\n');
}
