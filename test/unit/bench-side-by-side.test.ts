// The bench's side-by-side cost phase without running a daemon: which pairs
// each comparison puts together, how rounds rotate topologies, and how the
// report turns windows into rows and the RESULTS.md section.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { ADAPTERS } from '../../bench/failover/adapters';
import { type LatestJson, type ReportRow, writeReport } from '../../bench/failover/report';
import { comparisons } from '../../bench/failover/run';
import { placement } from '../../bench/failover/side-by-side';
import type { CostRecord, RawResults, SideBySideRecord } from '../../bench/failover/types';
import { tempDir } from '../helpers/tmp';

function cost(impl: string, setting: string, cpuA: number, cpuB: number, ppsB = 10): CostRecord {
  return { impl, setting, settingLabel: `${setting} label`, seconds: 30, cpuA, cpuB, packetsPerSecA: 100, packetsPerSecB: ppsB, rssMiBA: 50, rssMiBB: 50 };
}

const COMPARISON = 'unicast, hbd as a quiet standby';

/** Three rounds; keepalived's pair did not end clean in the third. */
function records(): SideBySideRecord[] {
  const round = (r: number, hbdA: number, kaA: number, kaClean = true): SideBySideRecord => ({
    comparison: COMPARISON,
    round: r,
    at: 1_700_000_000_000 + r * 60_000,
    costs: [cost('hbd', 'ka10-ucast-quiet', hbdA, 0.3), cost('keepalived', 'fastest-unicast', kaA, 0.5, 0)],
    endedClean: [true, kaClean],
  });
  return [round(0, 1.2, 1.0), round(1, 1.0, 1.25), round(2, 5, 0.1, false)];
}

function raw(sideBySide: SideBySideRecord[]): RawResults {
  return {
    date: '2026-01-02T03:04:05.000Z',
    machine: { cpus: 2, model: 'Test CPU', kernel: '6.1.0-test', loadavgBefore: [0.1, 0.2, 0.3] },
    versions: { hbd: '0.1.0', keepalived: '2.2.7' },
    settings: [],
    trials: [],
    serial: [],
    // One window of the sequential steady phase: its table must not take in the side-by-side rows.
    cost: [cost('hbd', 'ka10', 1.5, 1.5, 100)],
    robustness: [{ impl: 'hbd', setting: 'ka10', settingLabel: 'ka10 label', seconds: 30, load: 'idle', spuriousTakeovers: 0, splitBrainMs: 0, endedClean: true }],
    sideBySide,
  };
}

function row(rows: readonly ReportRow[], impl: string, metric: string): ReportRow {
  const r = rows.find((x) => x.bench === 'cost' && x.mode === `side by side, ${COMPARISON}` && x.impl === impl && x.metric === metric);
  assert.ok(r, `${impl} ${metric}`);
  return r;
}

test('side-by-side rows: each implementation over its clean windows, hbd as a percentage of the other round by round', (t) => {
  const files = writeReport(raw(records()), tempDir(t));
  const latest = JSON.parse(fs.readFileSync(files.latestJson, 'utf8')) as LatestJson;
  const hbdA = row(latest.rows, 'hbd', 'cpuA');
  assert.deepEqual([hbdA.n, hbdA.failed, hbdA.min, hbdA.max], [3, 0, 1, 5]);
  const kaA = row(latest.rows, 'keepalived', 'cpuA');
  assert.deepEqual([kaA.n, kaA.failed, kaA.min, kaA.max], [2, 1, 1, 1.25], 'the window that did not end clean is left out and counted');
  // Rounds 1 and 2 only (round 3 is not clean): 1.2/1.0 = 120 %, 1.0/1.25 = 80 %.
  const pct = row(latest.rows, 'hbd', 'cpuAPctOf:keepalived');
  assert.deepEqual([pct.n, pct.failed, pct.min, pct.max, pct.unit], [2, 1, 80, 120, '%']);
  const pair = row(latest.rows, 'hbd', 'cpuPairPctOf:keepalived');
  assert.deepEqual([pair.min, pair.max], [Math.round((1.3 / 1.75) * 100_000) / 1000, Math.round((1.5 / 1.5) * 100_000) / 1000]);
  // CPU per frame: both directors' CPU over both directors' frames (keepalived's backup sends none).
  assert.equal(row(latest.rows, 'keepalived', 'cpuPerFrameUs').min, 150);
});

test('RESULTS.md: a side-by-side section per comparison, kept out of the sequential cost table', (t) => {
  const md = fs.readFileSync(writeReport(raw(records()), tempDir(t)).resultsMd, 'utf8');
  const sequential = md.slice(md.indexOf('## Cost\n'), md.indexOf('## Cost side by side'));
  assert.ok(sequential.includes('| hbd | ka10 | idle |'), sequential);
  assert.doesNotMatch(sequential, /side by side, /);
  const section = md.slice(md.indexOf('## Cost side by side'), md.indexOf('## Robustness'));
  assert.ok(section.includes(`### ${COMPARISON}`), section);
  assert.ok(section.includes('| keepalived | fastest-unicast (fastest-unicast label) | 3 | 1 |'), section);
  assert.ok(section.includes('| round | hbd A (%) | keepalived A (%) | hbd A as % of keepalived A |'), section);
  assert.ok(section.includes('| 1 | 1.20 | 1.00 | 120 % |'), section);
  assert.ok(section.includes('| 3 | 5.00 | 0.100 (not clean) | – |'), section);
  // Nearest-rank median of 80 % and 120 %.
  assert.ok(section.includes('hbd against keepalived, median over the rounds: active director 80.0 %, standby'), section);
});

test('RESULTS.md: no side-by-side windows (an older raw.json) says not measured', (t) => {
  const { sideBySide: _, ...older } = raw([]);
  const md = fs.readFileSync(writeReport(older, tempDir(t)).resultsMd, 'utf8');
  assert.match(md, /## Cost side by side\n\n_Not measured in this run._/);
});

test('rounds rotate the topology of each contender and the start order; each topology serves one pair a round', () => {
  assert.deepEqual(placement(3, 0), [0, 1, 2]);
  assert.deepEqual(placement(3, 1), [1, 2, 0]);
  assert.deepEqual(placement(3, 2), [2, 0, 1]);
  assert.deepEqual(placement(2, 3), [1, 0]);
  for (let r = 0; r < 4; r++) assert.deepEqual([...placement(3, r)].sort(), [0, 1, 2]);
});

test('comparisons: hbd first at a 10 ms interval against whoever is installed; none without hbd or without a peer', () => {
  const all = comparisons(ADAPTERS);
  assert.deepEqual(
    all.map((k) => k.contenders.map((c) => `${c.adapter.impl}/${c.setting.id}`)),
    [
      ['hbd/ka10-mcast-quiet', 'keepalived/fastest'],
      ['hbd/ka10-ucast-quiet', 'keepalived/fastest-unicast'],
      ['hbd/ka10-quiet', 'keepalived/fastest', 'heartbeat/fastest'],
      ['hbd/ka10', 'keepalived/fastest'],
    ],
  );
  for (const k of all) for (const c of k.contenders) assert.equal(c.adapter.impl === 'hbd' ? c.setting.params.keepaliveMs : 10, 10);
  const byImpl = (...impls: string[]) => ADAPTERS.filter((a) => impls.includes(a.impl));
  assert.deepEqual(
    comparisons(byImpl('hbd', 'heartbeat')).map((k) => k.contenders.map((c) => c.adapter.impl)),
    [['hbd', 'heartbeat']],
  );
  assert.deepEqual(comparisons(byImpl('hbd')), []);
  assert.deepEqual(comparisons(byImpl('keepalived', 'heartbeat')), []);
});
