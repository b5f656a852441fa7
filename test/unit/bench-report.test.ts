import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { type LatestJson, type ReportRow, writeReport } from '../../bench/failover/report';
import type { FailureMode, RawResults, TrialRecord } from '../../bench/failover/types';
import { tempDir } from '../helpers/tmp';

interface TrialSpec {
  readonly impl: string;
  readonly setting: string;
  readonly label: string;
  readonly mode: FailureMode;
  readonly detectMs: number;
  /** T2 of each ok trial; null = a failed trial. */
  readonly t2: readonly (number | null)[];
}

function trials(spec: TrialSpec): TrialRecord[] {
  return spec.t2.map((t2, i) => {
    const base = { impl: spec.impl, setting: spec.setting, settingLabel: spec.label, mode: spec.mode, trial: i, at: '2026-01-01T00:00:00.000Z', nominalDetectMs: spec.detectMs };
    if (t2 === null) return { ...base, ok: false, error: `timeout in trial ${i}` };
    return { ...base, ok: true, t2, t1: t2 - 1, lastBeat: -2, ...(spec.impl === 'hbd' ? { ownDeath: t2 - 3, ownVip: t2 - 2 } : {}) };
  });
}

const HBD_FASTEST: TrialSpec = { impl: 'hbd', setting: 'fastest', label: 'keepalive 5ms, deadtime 20ms', mode: 'kill', detectMs: 20, t2: [30, 10, null, 50, 20, 40] };
const HB_DEFAULT: TrialSpec = {
  impl: 'heartbeat',
  setting: 'default',
  label: 'keepalive 2, deadtime 30, warntime 10, initdead 60',
  mode: 'linkcut',
  detectMs: 30000,
  t2: [31000, 32500, 30500],
};
const SWEEP: TrialSpec = { impl: 'hbd', setting: 'sweep-10-50', label: 'keepalive 10ms, deadtime 50ms', mode: 'kill', detectMs: 50, t2: [55, 58, 70] };

function syntheticRaw(): RawResults {
  return {
    date: '2026-01-02T03:04:05.000Z',
    machine: { cpus: 2, model: 'Test CPU', kernel: '6.1.0-test', loadavgBefore: [0.1, 0.2, 0.3] },
    versions: { hbd: '0.1.0', heartbeat: '3.0.6' },
    settings: [
      { impl: 'hbd', id: 'fastest', label: HBD_FASTEST.label, detectMs: 20 },
      { impl: 'heartbeat', id: 'default', label: HB_DEFAULT.label, detectMs: 30000 },
      { impl: 'hbd', id: 'sweep-10-50', label: SWEEP.label, detectMs: 50 },
    ],
    trials: [...trials(HBD_FASTEST), ...trials(HB_DEFAULT), ...trials(SWEEP)],
    serial: [],
    cost: [],
    robustness: [
      { impl: 'hbd', setting: 'fastest', settingLabel: HBD_FASTEST.label, seconds: 60, load: 'stress-ng --cpu 2', spuriousTakeovers: 0, splitBrainMs: 0, endedClean: true },
    ],
  };
}

function row(rows: readonly ReportRow[], bench: string, impl: string, setting: string, metric: string): ReportRow {
  const r = rows.find((x) => x.bench === bench && x.impl === impl && x.setting === setting && x.metric === metric);
  assert.ok(r, `row ${bench}/${impl}/${setting}/${metric}`);
  return r;
}

test('latest.json: nearest-rank stats over ok trials, failed counts, bench per setting id', (t) => {
  const dir = tempDir(t);
  const files = writeReport(syntheticRaw(), dir);
  const latest = JSON.parse(fs.readFileSync(files.latestJson, 'utf8')) as LatestJson;
  assert.equal(latest.date, '2026-01-02T03:04:05.000Z');
  assert.equal(latest.machine.cpus, 2);

  const t2 = row(latest.rows, 'failover', 'hbd', 'fastest', 'T2');
  assert.deepEqual(
    { n: t2.n, failed: t2.failed, min: t2.min, median: t2.median, p90: t2.p90, p99: t2.p99, max: t2.max, unit: t2.unit, mode: t2.mode },
    { n: 5, failed: 1, min: 10, median: 30, p90: 50, p99: 50, max: 50, unit: 'ms', mode: 'kill' },
  );
  const t1 = row(latest.rows, 'failover', 'hbd', 'fastest', 'T1');
  assert.deepEqual([t1.min, t1.median, t1.max], [9, 29, 49]);
  assert.equal(row(latest.rows, 'failover', 'hbd', 'fastest', 'ownDeath').median, 27);

  const hb = row(latest.rows, 'failover', 'heartbeat', 'default', 'T2');
  assert.deepEqual([hb.n, hb.failed, hb.min, hb.median, hb.p90, hb.max], [3, 0, 30500, 31000, 32500, 32500]);
  // Heartbeat has no own view: no ownDeath row.
  assert.equal(latest.rows.some((r) => r.impl === 'heartbeat' && r.metric === 'ownDeath'), false);

  const sweep = row(latest.rows, 'sweep', 'hbd', 'sweep-10-50', 'T2');
  assert.deepEqual([sweep.n, sweep.median, sweep.max], [3, 58, 70]);

  const spurious = row(latest.rows, 'robustness', 'hbd', 'fastest', 'spuriousTakeovers');
  assert.deepEqual([spurious.n, spurious.max, spurious.unit, spurious.mode], [1, 0, 'count', 'stress-ng --cpu 2']);
  assert.equal(latest.rows.some((r) => r.bench === 'serial' || r.bench === 'cost'), false);
});

test('RESULTS.md: headline rows, sweep check, sections not measured, failed trials listed', (t) => {
  const dir = tempDir(t);
  const md = fs.readFileSync(writeReport(syntheticRaw(), dir).resultsMd, 'utf8');
  assert.match(md, /^# Failover bench results/);
  assert.ok(md.includes('| hbd | fastest (keepalive 5ms, deadtime 20ms) | 20.0 | kill -9 | 5 | 1 | 30.0 | 50.0 | 50.0 |'), md);
  // 30500..32500 ms are printed in seconds.
  assert.ok(md.includes('| heartbeat | default (keepalive 2, deadtime 30, warntime 10, initdead 60) | 30.0 s | link cut | 3 | 0 | 31.0 s | 32.5 s | 32.5 s |'), md);
  // Sweep: median T2 - deadtime = 8 ms; the 70 ms trial is over 50 + 10 ms.
  assert.ok(md.includes('| 10ms | 50ms | kill -9 | 3 | 0 | 58.0 | 70.0 | 70.0 | 8.00 | no (1 over of 3) |'), md);
  assert.match(md, /## Serial link\n\n_Not measured in this run._/);
  assert.match(md, /## Cost\n\n_Not measured in this run._/);
  assert.ok(md.includes('- hbd fastest kill -9 trial 2 (2026-01-01T00:00:00.000Z): timeout in trial 2'));
  assert.ok(md.includes('Test CPU') && md.includes('3.0.6') && md.includes('0.10, 0.20, 0.30'));
});

test('failover.svg: one dot per ok trial in the failover panel, log axis labels, sweep panel', (t) => {
  const dir = tempDir(t);
  const svg = fs.readFileSync(writeReport(syntheticRaw(), dir).plotSvg, 'utf8');
  assert.match(svg, /^<svg [^>]*width="900"/);
  assert.match(svg, /<\/svg>\n$/);
  const failover = svg.slice(svg.indexOf('<g id="failover">'), svg.indexOf('<g id="sweep">'));
  assert.ok(failover.length > 0);
  const ok = [...HBD_FASTEST.t2, ...HB_DEFAULT.t2].filter((v) => v !== null).length;
  assert.equal(failover.match(/<circle /g)?.length, ok);
  for (const label of ['1 ms', '10 ms', '100 ms', '1 s', '10 s', '100 s']) assert.ok(failover.includes(`>${label}</text>`), label);
  const sweep = svg.slice(svg.indexOf('<g id="sweep">'));
  assert.equal(sweep.match(/<circle class="sweep-trial"/g)?.length, SWEEP.t2.length);
  assert.ok(sweep.includes('<polyline'));
  // Balanced tags, nothing unescaped: every < opens a known element or closes one.
  const opened = (svg.match(/<(g|text|circle|title)[ >]/g) ?? []).length;
  const closed = (svg.match(/<\/(g|text|circle|title)>/g) ?? []).length;
  assert.equal(opened, closed);
});

test('a run with no trials at all still gives every file', (t) => {
  const dir = tempDir(t);
  const raw: RawResults = { ...syntheticRaw(), trials: [], robustness: [] };
  const files = writeReport(raw, dir);
  const md = fs.readFileSync(files.resultsMd, 'utf8');
  assert.match(md, /## Failover time T2: the VIP answers from B\n\n_Not measured in this run._/);
  assert.match(md, /## Failed trials\n\nNone\./);
  const svg = fs.readFileSync(files.plotSvg, 'utf8');
  assert.ok(svg.includes('not measured in this run'));
  assert.equal((JSON.parse(fs.readFileSync(files.latestJson, 'utf8')) as LatestJson).rows.length, 0);
});

test('RESULTS.md: phases measured in separate runs say when; one run says nothing extra', (t) => {
  const dir = tempDir(t);
  const split = { ...syntheticRaw(), phaseDates: { failover: '2026-11-22T15:00:00.000Z', sweep: '2026-11-22T15:00:00.000Z', steady: '2026-12-07T11:00:00.000Z' } };
  const md = fs.readFileSync(writeReport(split, dir).resultsMd, 'utf8');
  assert.match(md, /Phases measured in separate runs: failover, sweep at 2026-11-22T15:00:00.000Z; steady at 2026-12-07T11:00:00.000Z\./);
  const one = { ...syntheticRaw(), phaseDates: { failover: '2026-11-22T15:00:00.000Z', steady: '2026-11-22T15:00:00.000Z' } };
  assert.doesNotMatch(fs.readFileSync(writeReport(one, dir).resultsMd, 'utf8'), /separate runs/);
});
