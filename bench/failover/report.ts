// Turns one failover bench run (bench/results/raw.json) into:
//   latest.json  one row per impl × setting × mode × metric (nearest-rank stats),
//   RESULTS.md   the tables, with how they were measured,
//   failover.svg every trial's T2 on a log time axis, and the hbd sweep.
//
// Usage: node dist/bench/failover/report.js [--raw bench/results/raw.json] [--out bench/results]

import * as fs from 'node:fs';
import * as path from 'node:path';
import { percentile } from '../stats';
import {
  type Bench,
  NOT_MEASURED,
  type ReportRow,
  type RowKey,
  cpuPerFrameUs,
  defined,
  findRow,
  fmtMs,
  fmtNum,
  groupBy,
  makeRow,
  settingCell,
  sig3,
  table,
  type Unit,
} from './report-format';
import { sideBySideMarkdown, sideBySideMode, sideBySideRows } from './report-side-by-side';
import type { CostRecord, RawResults, RobustnessRecord, SerialRecord, TrialRecord } from './types';

export type { Bench, ReportRow, Unit };
export { fmtMs, sig3 };

const REPO = path.resolve(__dirname, '..', '..', '..');

export interface LatestJson {
  readonly date: string;
  readonly machine: RawResults['machine'];
  readonly versions: RawResults['versions'];
  readonly settings: RawResults['settings'];
  readonly rows: readonly ReportRow[];
}

// ---------------------------------------------------------------- trial groups

/** The trials of one impl × setting × mode. */
export interface TrialGroup extends RowKey {
  readonly nominalDetectMs: number;
  readonly trials: readonly TrialRecord[];
  readonly ok: readonly TrialRecord[];
  readonly failed: number;
}

const IMPL_ORDER = ['hbd', 'heartbeat', 'keepalived'];
const SETTING_ORDER = ['fastest', 'default'];
const MODE_ORDER = ['kill', 'linkcut'];

/** Known names first in their order, then the rest alphabetically. */
function rank(order: readonly string[], v: string): number {
  const i = order.indexOf(v);
  return i < 0 ? order.length : i;
}

function compareNamed(order: readonly string[], a: string, b: string): number {
  return rank(order, a) - rank(order, b) || a.localeCompare(b);
}

const benchOf = (settingId: string): Bench => (settingId.startsWith('sweep-') ? 'sweep' : 'failover');

/** Heartbeat time syntax: "5ms" or plain seconds ("2"). */
function heartbeatMs(value: string, unit: string | undefined): number {
  return unit === 'ms' ? Number(value) : Number(value) * 1000;
}

/** Keepalive/deadtime of a sweep setting: the id 'sweep-KA-DT' (ms), else the label. */
export function sweepTiming(setting: string, label: string, nominalDetectMs: number): { keepaliveMs: number; deadtimeMs: number } {
  const id = /^sweep-(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(setting);
  if (id?.[1] && id[2]) return { keepaliveMs: Number(id[1]), deadtimeMs: Number(id[2]) };
  const ka = /keepalive (\d+(?:\.\d+)?)(ms)?/.exec(label);
  return { keepaliveMs: ka?.[1] ? heartbeatMs(ka[1], ka[2]) : NaN, deadtimeMs: nominalDetectMs };
}

function compareGroups(a: TrialGroup, b: TrialGroup): number {
  if (a.bench !== b.bench) return a.bench === 'failover' ? -1 : 1;
  const byImpl = compareNamed(IMPL_ORDER, a.impl, b.impl);
  if (byImpl !== 0) return byImpl;
  if (a.bench === 'sweep') {
    const ta = sweepTiming(a.setting, a.settingLabel, a.nominalDetectMs);
    const tb = sweepTiming(b.setting, b.settingLabel, b.nominalDetectMs);
    const bySweep = ta.deadtimeMs - tb.deadtimeMs || ta.keepaliveMs - tb.keepaliveMs;
    if (bySweep) return bySweep;
  }
  return compareNamed(SETTING_ORDER, a.setting, b.setting) || compareNamed(MODE_ORDER, a.mode, b.mode);
}

export function trialGroups(trials: readonly TrialRecord[]): TrialGroup[] {
  const groups = groupBy(trials, (t) => `${t.impl}\0${t.setting}\0${t.mode}`);
  const out: TrialGroup[] = [];
  for (const ts of groups.values()) {
    const first = ts[0];
    if (first === undefined) continue;
    const ok = ts.filter((t) => t.ok);
    out.push({
      bench: benchOf(first.setting),
      impl: first.impl,
      setting: first.setting,
      settingLabel: first.settingLabel,
      mode: first.mode,
      nominalDetectMs: first.nominalDetectMs,
      trials: ts,
      ok,
      failed: ts.length - ok.length,
    });
  }
  return out.sort(compareGroups);
}

const rowKey = (g: RowKey): RowKey => ({ bench: g.bench, impl: g.impl, setting: g.setting, settingLabel: g.settingLabel, mode: g.mode });

/** T2 and T1 always (so an all-failed group still shows); the others where measured. */
const TRIAL_METRICS: readonly { metric: string; get: (t: TrialRecord) => number | undefined; always: boolean }[] = [
  { metric: 'T2', get: (t) => t.t2, always: true },
  { metric: 'T1', get: (t) => t.t1, always: true },
  { metric: 'lastBeat', get: (t) => t.lastBeat, always: false },
  { metric: 'ownDeath', get: (t) => t.ownDeath, always: false },
  { metric: 'ownVip', get: (t) => t.ownVip, always: false },
];

function trialRows(groups: readonly TrialGroup[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const g of groups)
    for (const m of TRIAL_METRICS) {
      const values = g.ok.map(m.get).filter(defined);
      if (m.always || values.length > 0) rows.push(makeRow(rowKey(g), m.metric, values, g.failed, 'ms'));
    }
  return rows;
}

/** 500 -> "500ms", 2000 -> "2s" (how ha.cf would say it). */
function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function serialSetting(r: SerialRecord): string {
  return `${r.baud} baud, keepalive ${duration(r.keepaliveMs)}, deadtime ${duration(r.deadtimeMs)}`;
}

function serialRows(records: readonly SerialRecord[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const rs of groupBy(records, serialSetting).values()) {
    const first = rs[0];
    if (first === undefined) continue;
    const setting = serialSetting(first);
    const key: RowKey = { bench: 'serial', impl: 'hbd', setting, settingLabel: setting, mode: 'kill' };
    const ok = rs.filter((r) => r.ok);
    const failed = rs.length - ok.length;
    rows.push(makeRow(key, 'detect', ok.map((r) => r.detectMs).filter(defined), failed, 'ms'));
    // Line time and message size are calibration facts, the same with every trial.
    rows.push(makeRow(key, 'lineTime', rs.map((r) => r.lineTimeMs), failed, 'ms'));
    rows.push(makeRow(key, 'messageBytes', rs.map((r) => r.messageBytes), failed, 'bytes'));
  }
  return rows;
}

/**
 * CostRecord carries no load; steady windows produce a cost and a robustness
 * record together, so the load is taken from the robustness record at the same
 * index when it is the same window (impl, setting and length agree).
 */
function costLoad(raw: RawResults, i: number): string {
  const c = raw.cost[i];
  const r = raw.robustness[i];
  if (c && r && r.impl === c.impl && r.setting === c.setting && r.seconds === c.seconds) return r.load;
  return 'not recorded';
}

type CostMetric = { [K in keyof CostRecord]: CostRecord[K] extends number ? K : never }[keyof CostRecord];

const COST_METRICS: readonly { metric: CostMetric; unit: Unit }[] = [
  { metric: 'cpuA', unit: '%' },
  { metric: 'cpuB', unit: '%' },
  { metric: 'packetsPerSecA', unit: 'packets/s' },
  { metric: 'packetsPerSecB', unit: 'packets/s' },
  { metric: 'rssMiBA', unit: 'MiB' },
  { metric: 'rssMiBB', unit: 'MiB' },
];

interface CostWindow {
  readonly record: CostRecord;
  readonly load: string;
}

function costWindows(raw: RawResults): CostWindow[] {
  return raw.cost.map((record, i) => ({ record, load: costLoad(raw, i) }));
}

const steadyKey = (impl: string, setting: string, load: string) => `${impl}\0${setting}\0${load}`;

function costRows(raw: RawResults): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const ws of groupBy(costWindows(raw), (w) => steadyKey(w.record.impl, w.record.setting, w.load)).values()) {
    const first = ws[0];
    if (first === undefined) continue;
    const key: RowKey = { bench: 'cost', impl: first.record.impl, setting: first.record.setting, settingLabel: first.record.settingLabel, mode: first.load };
    for (const m of COST_METRICS) rows.push(makeRow(key, m.metric, ws.map((w) => w.record[m.metric]), 0, m.unit));
    rows.push(makeRow(key, 'cpuPair', ws.map((w) => w.record.cpuA + w.record.cpuB), 0, '%'));
    const perFrame = ws.map((w) => cpuPerFrameUs(w.record)).filter((v): v is number => v !== undefined);
    if (perFrame.length > 0) rows.push(makeRow(key, 'cpuPerFrameUs', perFrame, 0, 'µs'));
  }
  return rows;
}

function robustnessRows(records: readonly RobustnessRecord[]): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const rs of groupBy(records, (r) => steadyKey(r.impl, r.setting, r.load)).values()) {
    const first = rs[0];
    if (first === undefined) continue;
    const key: RowKey = { bench: 'robustness', impl: first.impl, setting: first.setting, settingLabel: first.settingLabel, mode: first.load };
    const unclean = rs.filter((r) => !r.endedClean).length;
    rows.push(makeRow(key, 'spuriousTakeovers', rs.map((r) => r.spuriousTakeovers), unclean, 'count'));
    rows.push(makeRow(key, 'splitBrainMs', rs.map((r) => r.splitBrainMs), unclean, 'ms'));
  }
  return rows;
}

export function buildRows(raw: RawResults): ReportRow[] {
  return [...trialRows(trialGroups(raw.trials)), ...serialRows(raw.serial), ...costRows(raw), ...sideBySideRows(raw.sideBySide ?? []), ...robustnessRows(raw.robustness)];
}


const MODE_LABEL: Readonly<Record<string, string>> = { kill: 'kill -9', linkcut: 'link cut' };
const modeLabel = (m: string) => MODE_LABEL[m] ?? m;

function headlineTable(groups: readonly TrialGroup[], rows: readonly ReportRow[]): string {
  const fg = groups.filter((g) => g.bench === 'failover');
  if (fg.length === 0) return NOT_MEASURED;
  const body = fg.map((g) => {
    const r = findRow(rows, g, 'T2');
    return [g.impl, settingCell(g), fmtMs(g.nominalDetectMs), modeLabel(g.mode), String(r?.n ?? 0), String(g.failed), fmtMs(r?.median), fmtMs(r?.p90), fmtMs(r?.max)];
  });
  return table(['implementation', 'setting', 'nominal detection (ms)', 'failure', 'n', 'failed', 'T2 median (ms)', 'T2 p90 (ms)', 'T2 max (ms)'], body);
}

function t1Table(groups: readonly TrialGroup[], rows: readonly ReportRow[]): string {
  const fg = groups.filter((g) => g.bench === 'failover');
  if (fg.length === 0) return NOT_MEASURED;
  const med = (g: TrialGroup, m: string) => fmtMs(findRow(rows, g, m)?.median);
  const body = fg.map((g) => {
    const r = findRow(rows, g, 'T1');
    return [g.impl, g.setting, modeLabel(g.mode), String(r?.n ?? 0), fmtMs(r?.median), fmtMs(r?.p90), fmtMs(r?.max), med(g, 'lastBeat'), med(g, 'ownDeath'), med(g, 'ownVip')];
  });
  const note =
    "Last beat: the last heartbeat/advert from A the client saw before the failure took effect (negative: before T0). Own: hbd's own log of B declaring A dead and adding the VIP.";
  const header = ['implementation', 'setting', 'failure', 'n', 'T1 median (ms)', 'T1 p90 (ms)', 'T1 max (ms)', 'last beat from A, median (ms)', 'own: peer dead, median (ms)', 'own: VIP added, median (ms)'];
  return `${table(header, body)}\n\n${note}`;
}

/** Slack over the nominal detection time a failover may take (probe, ARP, scheduling). */
export const SLACK_MS = 10;

function sweepCheck(g: TrialGroup): string {
  const over = g.ok.filter((t) => !defined(t.t2) || t.t2 > g.nominalDetectMs + SLACK_MS).length;
  if (over === 0 && g.failed === 0) return 'yes';
  const parts = [over > 0 ? `${over} over` : '', g.failed > 0 ? `${g.failed} failed` : ''].filter(Boolean);
  return `no (${parts.join(', ')} of ${g.trials.length})`;
}

function sweepTable(groups: readonly TrialGroup[], rows: readonly ReportRow[]): string {
  const sg = groups.filter((g) => g.bench === 'sweep');
  if (sg.length === 0) return NOT_MEASURED;
  const body = sg.map((g) => {
    const r = findRow(rows, g, 'T2');
    const t = sweepTiming(g.setting, g.settingLabel, g.nominalDetectMs);
    const excess = g.ok.map((x) => x.t2).filter(defined).map((v) => v - g.nominalDetectMs);
    return [
      Number.isFinite(t.keepaliveMs) ? duration(t.keepaliveMs) : '?',
      duration(t.deadtimeMs),
      modeLabel(g.mode),
      String(r?.n ?? 0),
      String(g.failed),
      fmtMs(r?.median),
      fmtMs(r?.p90),
      fmtMs(r?.max),
      fmtMs(percentile(excess, 0.5)),
      sweepCheck(g),
    ];
  });
  return table(
    ['keepalive', 'deadtime', 'failure', 'n', 'failed', 'T2 median (ms)', 'T2 p90 (ms)', 'T2 max (ms)', 'T2 − deadtime, median (ms)', `every trial T2 ≤ deadtime + ${SLACK_MS} ms`],
    body,
  );
}

function serialTable(raw: RawResults, rows: readonly ReportRow[]): string {
  const sr = rows.filter((r) => r.bench === 'serial' && r.metric === 'detect');
  if (sr.length === 0) return NOT_MEASURED;
  const body = sr.map((r) => {
    const first = raw.serial.find((s) => serialSetting(s) === r.setting);
    return [
      String(first?.baud ?? '?'),
      fmtNum(findRow(rows, r, 'messageBytes')?.median),
      fmtMs(findRow(rows, r, 'lineTime')?.median),
      first ? duration(first.keepaliveMs) : '?',
      first ? duration(first.deadtimeMs) : '?',
      String(r.n),
      String(r.failed),
      fmtMs(r.median),
      fmtMs(r.p90),
      fmtMs(r.max),
    ];
  });
  const note =
    'hbd pair joined by a pty pair (a null-modem cable in software), no network medium; A is SIGKILLed and "detect" is B declaring A dead (its own engine time). ' +
    'A pty moves bytes at memory speed whatever the baud rate, so this shows hbd\'s timers; on a real line expect detection up to one line time later.';
  return `${note}\n\n${table(['baud', 'status message (bytes)', 'line time per message (ms)', 'keepalive', 'deadtime', 'n', 'failed', 'detect median (ms)', 'detect p90 (ms)', 'detect max (ms)'], body)}`;
}

function costTable(rows: readonly ReportRow[]): string {
  const cr = rows.filter((r) => r.bench === 'cost' && r.metric === 'cpuA' && !r.mode.startsWith(sideBySideMode('')));
  if (cr.length === 0) return NOT_MEASURED;
  const med = (r: ReportRow, m: string) => fmtNum(findRow(rows, r, m)?.median);
  const body = cr.map((r) => [r.impl, r.setting, r.mode, String(r.n), med(r, 'cpuA'), med(r, 'cpuB'), med(r, 'cpuPair'), med(r, 'packetsPerSecA'), med(r, 'packetsPerSecB'), med(r, 'cpuPerFrameUs'), med(r, 'rssMiBA'), med(r, 'rssMiBB')]);
  const note = [
    'Both directors left alone, nothing failing; medians over the windows. CPU: the scheduler\'s on-CPU time of every thread of every daemon process, % of one core.',
    "Per frame: both directors' CPU divided by the frames the pair sends, i.e. the cost of one heartbeat or advert, sent and received (a Heartbeat pair sends from both directors, a VRRP pair from the master only).",
  ].join(' ');
  return `${note}\n\n${table(['implementation', 'setting', 'load', 'windows', 'CPU A (%)', 'CPU B (%)', 'CPU pair (%)', 'packets/s A', 'packets/s B', 'CPU per frame (µs)', 'RSS A (MiB)', 'RSS B (MiB)'], body)}`;
}

function robustnessTable(records: readonly RobustnessRecord[]): string {
  if (records.length === 0) return NOT_MEASURED;
  const groups = [...groupBy(records, (r) => steadyKey(r.impl, r.setting, r.load)).values()];
  const body = groups.map((rs) => {
    const first = rs[0] as RobustnessRecord;
    const seconds = rs.reduce((s, r) => s + r.seconds, 0);
    const spurious = rs.reduce((s, r) => s + r.spuriousTakeovers, 0);
    const splitMax = Math.max(...rs.map((r) => r.splitBrainMs));
    const clean = rs.filter((r) => r.endedClean).length;
    return [first.impl, settingCell(first), first.load, String(rs.length), sig3(seconds), String(spurious), fmtMs(splitMax), `${clean} of ${rs.length}`];
  });
  const note = 'Nothing failed: any takeover by B is spurious. Split brain: time both directors held the VIP at once (sampled).';
  return `${note}\n\n${table(['implementation', 'setting', 'load', 'windows', 'seconds', 'spurious takeovers (total)', 'split brain, max (ms)', 'ended clean (A holds the VIP, B not)'], body)}`;
}

function failedList(raw: RawResults): string {
  const lines = [
    ...raw.trials.filter((t) => !t.ok).map((t) => `- ${t.impl} ${t.setting} ${modeLabel(t.mode)} trial ${t.trial} (${t.at}): ${t.error ?? 'no error recorded'}`),
    ...raw.serial.filter((s) => !s.ok).map((s) => `- serial ${serialSetting(s)} trial ${s.trial}: ${s.error ?? 'no error recorded'}`),
  ];
  return lines.length === 0 ? 'None.' : lines.join('\n');
}

const HOW_MEASURED =
  'Two directors A and B and a client in network namespaces on one LAN; A holds the VIP, UDP responders answer on it on both directors. ' +
  'T0 is the failure injected by the bench: **kill** = SIGKILL of every daemon process on A, **link cut** = A\'s eth0 set down. ' +
  'T1 is the first gratuitous ARP announcing the VIP from B, T2 the first answer from the VIP served by B; both are kernel timestamps ' +
  "of the client's capture, the client probing the VIP every 1 ms. All times are ms after T0. " +
  'Trials are interleaved between implementations, so a noisy minute hits them all alike. Statistics are nearest-rank percentiles over the trials that succeeded; ' +
  'failed trials are counted and listed below. Times from 10 s on are printed in seconds ("s").';

function machineLines(raw: RawResults): string {
  const m = raw.machine;
  return [
    `- CPUs: ${m.cpus} × ${m.model}`,
    `- kernel: ${m.kernel}`,
    `- load average before the run: ${m.loadavgBefore.map((v) => v.toFixed(2)).join(', ')}`,
  ].join('\n');
}

function versionLines(raw: RawResults): string {
  const entries = Object.entries(raw.versions);
  return entries.length === 0 ? 'Not recorded.' : entries.map(([k, v]) => `- ${k}: ${v}`).join('\n');
}

/** Which phases were measured when, if not all in this run (`--phases`). */
function phaseDatesText(raw: RawResults): string {
  const byDate = new Map<string, string[]>();
  for (const [phase, date] of Object.entries(raw.phaseDates ?? {})) byDate.set(date, [...(byDate.get(date) ?? []), phase]);
  if (byDate.size <= 1) return '';
  const parts = [...byDate].sort(([a], [b]) => a.localeCompare(b)).map(([date, phases]) => `${phases.join(', ')} at ${date}`);
  return ` Phases measured in separate runs: ${parts.join('; ')}.`;
}

export function resultsMarkdown(raw: RawResults, rows: readonly ReportRow[], svgName: string): string {
  const groups = trialGroups(raw.trials);
  return [
    '# Failover bench results',
    '',
    `Run of ${raw.date}. Written by \`bench/failover/report.ts\` from \`raw.json\`; rows in \`latest.json\`.${phaseDatesText(raw)}`,
    '',
    '## Machine',
    '',
    machineLines(raw),
    '',
    '## Versions',
    '',
    versionLines(raw),
    '',
    '## How measured',
    '',
    HOW_MEASURED,
    '',
    `![T2 of every trial, log time axis](${svgName})`,
    '',
    '## Failover time T2: the VIP answers from B',
    '',
    headlineTable(groups, rows),
    '',
    '## First gratuitous ARP from B (T1)',
    '',
    t1Table(groups, rows),
    '',
    '## hbd sweep: keepalive × deadtime',
    '',
    sweepTable(groups, rows),
    '',
    '## Serial link',
    '',
    serialTable(raw, rows),
    '',
    '## Cost',
    '',
    costTable(rows),
    '',
    '## Cost side by side',
    '',
    sideBySideMarkdown(raw.sideBySide ?? [], rows),
    '',
    '## Robustness',
    '',
    robustnessTable(raw.robustness),
    '',
    '## Failed trials',
    '',
    failedList(raw),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- SVG

const SVG_W = 900;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const COLOURS: Readonly<Record<string, string>> = { hbd: '#1f77b4', heartbeat: '#d62728', keepalived: '#2ca02c' };
const SPARE_COLOURS = ['#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function colourOf(impl: string, impls: readonly string[]): string {
  const known = COLOURS[impl];
  if (known) return known;
  const others = impls.filter((i) => COLOURS[i] === undefined);
  return SPARE_COLOURS[Math.max(0, others.indexOf(impl)) % SPARE_COLOURS.length] ?? '#000';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const r1 = (v: number) => Math.round(v * 10) / 10;

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}" ${FONT} ${attrs}>${esc(s)}</text>`;
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Deterministic jitter in [-1, 1], so the same raw.json gives the same picture. */
function jitter(i: number, salt: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

/** A log10 axis over whole decades [10^lo, 10^hi] ms mapped onto [p0, p1] px. */
interface LogAxis {
  readonly lo: number;
  readonly hi: number;
  readonly p0: number;
  readonly p1: number;
}

/** Decades covering the values, at least 1 ms .. 100 s (values span ~10 ms .. ~35 s). */
function logAxis(values: readonly number[], p0: number, p1: number, minLo = 0, minHi = 5): LogAxis {
  const pos = values.filter((v) => v > 0);
  const lo = pos.length ? Math.min(minLo, Math.max(-3, Math.floor(Math.log10(Math.min(...pos))))) : minLo;
  const hi = pos.length ? Math.max(minHi, Math.ceil(Math.log10(Math.max(...pos)))) : minHi;
  return { lo, hi: hi > lo ? hi : lo + 1, p0, p1 };
}

/** Pixel of a value; values at or below the axis floor sit on its edge. */
function place(a: LogAxis, v: number): number {
  const e = v > 0 ? Math.min(a.hi, Math.max(a.lo, Math.log10(v))) : a.lo;
  return a.p0 + ((e - a.lo) / (a.hi - a.lo)) * (a.p1 - a.p0);
}

function tickLabel(exp: number): string {
  const ms = 10 ** exp;
  return ms < 1000 ? `${Number(ms.toPrecision(1))} ms` : `${Number((ms / 1000).toPrecision(1))} s`;
}

/** Gridlines across [q0, q1] for every decade (labelled) and its 2..9 multiples (faint). */
function grid(a: LogAxis, q0: number, q1: number, vertical: boolean): string[] {
  const out: string[] = [];
  const line = (p: number, attrs: string) =>
    vertical ? `<line x1="${r1(p)}" y1="${q0}" x2="${r1(p)}" y2="${q1}" ${attrs}/>` : `<line x1="${q0}" y1="${r1(p)}" x2="${q1}" y2="${r1(p)}" ${attrs}/>`;
  for (let e = a.lo; e <= a.hi; e++) {
    const p = place(a, 10 ** e);
    out.push(line(p, 'stroke="#bbb" stroke-width="1"'));
    out.push(vertical ? text(p, q1 + 14, tickLabel(e), 'font-size="11" text-anchor="middle" fill="#444"') : text(q0 - 6, p + 4, tickLabel(e), 'font-size="11" text-anchor="end" fill="#444"'));
    if (e === a.hi) break;
    for (let k = 2; k <= 9; k++) out.push(line(place(a, k * 10 ** e), 'stroke="#eee" stroke-width="1"'));
  }
  return out;
}

const ROW_H = 34;
const LABEL_X = 10;
const PLOT_X0 = 300;
const PLOT_X1 = 880;

function legend(impls: readonly string[], versions: Readonly<Record<string, string>>, y: number): string {
  const parts: string[] = ['<g id="legend">'];
  let x = LABEL_X;
  for (const impl of impls) {
    const version = versions[impl] ?? '';
    // keepalived reports "Keepalived v2.2.8": no need to say the name twice.
    const name = version === '' ? impl : version.toLowerCase().startsWith(impl.toLowerCase()) ? version : `${impl} ${version}`;
    parts.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${colourOf(impl, impls)}"/>`);
    parts.push(text(x + 14, y, truncate(name, 40), 'font-size="12"'));
    x += 24 + Math.min(40, name.length) * 6.5;
  }
  if (impls.length > 0) parts.push(text(x + 10, y, '│ dot = one trial, black bar = median', 'font-size="11" fill="#444"'));
  parts.push('</g>');
  return parts.join('\n');
}

/** One horizontal row per impl × setting × mode: every ok trial's T2 on the log axis. */
function failoverPanel(groups: readonly TrialGroup[], impls: readonly string[], top: number): { svg: string; bottom: number } {
  const fg = groups.filter((g) => g.bench === 'failover');
  if (fg.length === 0) return { svg: `<g id="failover">${text(LABEL_X, top + 16, 'Failover bench not measured in this run.', 'font-size="12"')}</g>`, bottom: top + 30 };
  const axis = logAxis(fg.flatMap((g) => g.ok.map((t) => t.t2).filter(defined)), PLOT_X0, PLOT_X1);
  const bottom = top + fg.length * ROW_H;
  const parts: string[] = ['<g id="failover">'];
  fg.forEach((g, i) => {
    if (i % 2 === 0) parts.push(`<rect x="${LABEL_X - 4}" y="${top + i * ROW_H}" width="${PLOT_X1 - LABEL_X + 8}" height="${ROW_H}" fill="#f7f7f7"/>`);
  });
  parts.push(...grid(axis, top, bottom, true));
  fg.forEach((g, i) => parts.push(failoverRow(g, i, axis, top + i * ROW_H, colourOf(g.impl, impls))));
  parts.push(text(PLOT_X0 + (PLOT_X1 - PLOT_X0) / 2, bottom + 30, 'T2: first answer from the VIP served by B, after the failure (log scale)', 'font-size="12" text-anchor="middle"'));
  parts.push('</g>');
  return { svg: parts.join('\n'), bottom: bottom + 40 };
}

function failoverRow(g: TrialGroup, index: number, axis: LogAxis, y: number, colour: string): string {
  const cy = y + ROW_H / 2;
  const failed = g.failed > 0 ? `, ${g.failed} failed` : '';
  const parts = [
    text(LABEL_X, y + 14, `${g.impl} · ${g.setting} · ${modeLabel(g.mode)} (n=${g.ok.length}${failed})`, `font-size="12" fill="${colour}" font-weight="bold"`),
    text(LABEL_X, y + 28, truncate(g.settingLabel, 50), 'font-size="10" fill="#555"'),
  ];
  g.ok.forEach((t, k) => {
    if (!defined(t.t2)) return;
    const cx = place(axis, t.t2);
    const dy = jitter(k, index) * (ROW_H / 2 - 6);
    parts.push(`<circle class="trial" cx="${r1(cx)}" cy="${r1(cy + dy)}" r="3" fill="${colour}" fill-opacity="0.6"><title>${esc(`trial ${t.trial}: T2 ${fmtMs(t.t2)} ms`)}</title></circle>`);
  });
  const t2s = g.ok.map((t) => t.t2).filter(defined);
  if (t2s.length > 0) {
    const mx = place(axis, percentile(t2s, 0.5));
    parts.push(`<line x1="${r1(mx)}" y1="${cy - 13}" x2="${r1(mx)}" y2="${cy + 13}" stroke="#000" stroke-width="2"/>`);
  }
  return parts.join('\n');
}

const SWEEP_H = 280;
const SWEEP_X0 = 90;

/** hbd sweep: T2 against the nominal deadtime (log–log) with the line T2 = deadtime + 10 ms. */
function sweepPanel(groups: readonly TrialGroup[], impls: readonly string[], top: number): { svg: string; bottom: number } {
  const sg = groups.filter((g) => g.bench === 'sweep');
  const title = text(LABEL_X, top + 16, 'hbd sweep: T2 against deadtime (keepalive × deadtime grid, log–log)', 'font-size="14" font-weight="bold"');
  if (sg.length === 0) return { svg: `<g id="sweep">${title}\n${text(LABEL_X, top + 36, 'Sweep not measured in this run.', 'font-size="12"')}</g>`, bottom: top + 50 };
  const y0 = top + 50;
  const y1 = y0 + SWEEP_H;
  const values = sg.flatMap((g) => [g.nominalDetectMs, g.nominalDetectMs + SLACK_MS, ...g.ok.map((t) => t.t2).filter(defined)]);
  // Only the decades the sweep covers (no 1 ms .. 100 s minimum), the same on both axes.
  const xAxis = logAxis(values, SWEEP_X0, PLOT_X1, Infinity, -Infinity);
  const yAxis: LogAxis = { lo: xAxis.lo, hi: xAxis.hi, p0: y1, p1: y0 };
  const parts: string[] = ['<g id="sweep">', title];
  parts.push(text(LABEL_X, top + 34, `dot = one trial (filled: kill, hollow: link cut), bar = median; solid line: T2 = deadtime + ${SLACK_MS} ms; dashed: T2 = deadtime`, 'font-size="11" fill="#444"'));
  parts.push(...grid(xAxis, y0, y1, true), ...grid(yAxis, SWEEP_X0, PLOT_X1, false));
  parts.push(curve(xAxis, yAxis, SLACK_MS, 'stroke="#000" stroke-width="1.5"'), curve(xAxis, yAxis, 0, 'stroke="#888" stroke-dasharray="4 3"'));
  parts.push(...sweepDots(sg, xAxis, yAxis, colourOf('hbd', impls)));
  parts.push(text(SWEEP_X0 + (PLOT_X1 - SWEEP_X0) / 2, y1 + 30, 'nominal deadtime (log scale); columns at one deadtime: keepalive from short to long', 'font-size="12" text-anchor="middle"'));
  parts.push(text(16, y0 + SWEEP_H / 2, 'T2', 'font-size="12" text-anchor="middle"'));
  parts.push('</g>');
  return { svg: parts.join('\n'), bottom: y1 + 40 };
}

/** The polyline T2 = deadtime + offset, sampled along the x axis. */
function curve(x: LogAxis, y: LogAxis, offset: number, attrs: string): string {
  const pts: string[] = [];
  for (let i = 0; i <= 80; i++) {
    const d = 10 ** (x.lo + ((x.hi - x.lo) * i) / 80);
    if (d + offset > 10 ** y.hi) break;
    pts.push(`${r1(place(x, d))},${r1(place(y, d + offset))}`);
  }
  return `<polyline points="${pts.join(' ')}" fill="none" ${attrs}/>`;
}

function sweepDots(sg: readonly TrialGroup[], x: LogAxis, y: LogAxis, colour: string): string[] {
  const parts: string[] = [];
  const byDeadtime = groupBy(sg, (g) => String(g.nominalDetectMs));
  for (const gs of byDeadtime.values()) {
    // One column per setting at the same deadtime so keepalives do not overlap.
    const columns = [...new Set(gs.map((g) => g.setting))];
    for (const g of gs) {
      const col = columns.indexOf(g.setting) - (columns.length - 1) / 2;
      const cx = place(x, g.nominalDetectMs) + col * 9;
      const kill = g.mode === 'kill';
      g.ok.forEach((t, k) => {
        if (!defined(t.t2)) return;
        const fill = kill ? `fill="${colour}" fill-opacity="0.6"` : `fill="none" stroke="${colour}"`;
        const tip = `${g.settingLabel}, ${modeLabel(g.mode)}, trial ${t.trial}: T2 ${fmtMs(t.t2)} ms`;
        parts.push(`<circle class="sweep-trial" cx="${r1(cx + jitter(k, col) * 2.5)}" cy="${r1(place(y, t.t2))}" r="2.5" ${fill}><title>${esc(tip)}</title></circle>`);
      });
      const t2s = g.ok.map((t) => t.t2).filter(defined);
      if (t2s.length > 0) {
        const my = place(y, percentile(t2s, 0.5));
        parts.push(`<line x1="${r1(cx - 5)}" y1="${r1(my)}" x2="${r1(cx + 5)}" y2="${r1(my)}" stroke="#000" stroke-width="2"/>`);
      }
    }
  }
  return parts;
}

export function failoverSvg(raw: RawResults): string {
  const groups = trialGroups(raw.trials);
  const impls = [...new Set(groups.map((g) => g.impl))].sort((a, b) => compareNamed(IMPL_ORDER, a, b));
  const head = [
    text(LABEL_X, 24, `Failover time T2 per implementation, setting and failure — run of ${raw.date}`, 'font-size="16" font-weight="bold"'),
    legend(impls, raw.versions, 46),
  ];
  const fo = failoverPanel(groups, impls, 62);
  const sw = sweepPanel(groups, impls, fo.bottom + 10);
  const height = Math.ceil(sw.bottom + 10);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SVG_W}" height="${height}" viewBox="0 0 ${SVG_W} ${height}">`,
    `<rect x="0" y="0" width="${SVG_W}" height="${height}" fill="#fff"/>`,
    ...head,
    fo.svg,
    sw.svg,
    '</svg>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- files and CLI

export function latestJson(raw: RawResults): LatestJson {
  return { date: raw.date, machine: raw.machine, versions: raw.versions, settings: raw.settings, rows: buildRows(raw) };
}

/** A raw.json written part-way (a driver stopped early) may lack whole sections. */
function complete(raw: RawResults): RawResults {
  return {
    ...raw,
    versions: raw.versions ?? {},
    settings: raw.settings ?? [],
    trials: raw.trials ?? [],
    serial: raw.serial ?? [],
    cost: raw.cost ?? [],
    robustness: raw.robustness ?? [],
    sideBySide: raw.sideBySide ?? [],
  };
}

/** Writes latest.json, RESULTS.md and failover.svg into outDir; returns their paths. */
export function writeReport(given: RawResults, outDir: string): { latestJson: string; resultsMd: string; plotSvg: string } {
  const raw = complete(given);
  fs.mkdirSync(outDir, { recursive: true });
  const files = { latestJson: path.join(outDir, 'latest.json'), resultsMd: path.join(outDir, 'RESULTS.md'), plotSvg: path.join(outDir, 'failover.svg') };
  const latest = latestJson(raw);
  fs.writeFileSync(files.latestJson, `${JSON.stringify(latest, null, 2)}\n`);
  fs.writeFileSync(files.resultsMd, resultsMarkdown(raw, latest.rows, path.basename(files.plotSvg)));
  fs.writeFileSync(files.plotSvg, failoverSvg(raw));
  return files;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const rawFile = path.resolve(arg('--raw') ?? path.join(REPO, 'bench', 'results', 'raw.json'));
  const outDir = path.resolve(arg('--out') ?? path.join(REPO, 'bench', 'results'));
  const raw = JSON.parse(fs.readFileSync(rawFile, 'utf8')) as RawResults;
  const files = writeReport(raw, outDir);
  process.stdout.write(`wrote ${files.latestJson}\nwrote ${files.resultsMd}\nwrote ${files.plotSvg}\n`);
}

if (require.main === module) main();
