// The failover bench (npm run bench:failover): hbd, real Heartbeat 3.0.6 and
// keepalived on the same namespace topology, same machine, same run, trials
// interleaved between implementations. Phases:
//   failover  each impl at its fastest and default setting, kill -9 and link cut
//   sweep     hbd over a keepalive x deadtime grid (kill -9)
//   serial    hbd's detection over a pty pair at 19200 and 115200 baud
//   steady    each impl at its fastest setting left alone: CPU, memory,
//             packets/s and false failovers, idle and with all cores saturated
//   side-by-side  the same cost, but hbd, keepalived and Heartbeat at the same
//             interval run at once, each in its own topology, measured over
//             the same windows
// Writes bench/results/raw.json (a phase not run keeps its data from the
// previous raw.json) and the report: latest.json, RESULTS.md, failover.svg.
//
// Usage: node dist/bench/failover/run.js [--phases failover,sweep,serial,steady,side-by-side]
//   [--impls hbd,heartbeat,keepalived] [--trials 10] [--default-trials 10]
//   [--sweep-trials 10] [--serial-trials 10] [--idle-seconds 30] [--cost-windows 5]
//   [--loaded-seconds 60] [--side-by-side-rounds 5] [--out bench/results] [--quick]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeNamespacesWithPrefix } from '../../src/netns/lan';
import { ADAPTERS } from './adapters';
import { type HbdMedium, hbdSetting } from './adapters/hbd';
import { fastestNoRealtime as keepalivedNoRealtime, fastestUnicast as keepalivedUnicast } from './adapters/keepalived';
import { writeReport } from './report';
import { runSerialBench } from './serial';
import { type Comparison, type Contender, runSideBySide } from './side-by-side';
import { runSteady } from './steady';
import { createTopology } from './topology';
import { runTrial } from './trial';
import type { Adapter, CostRecord, FailureMode, RawResults, RobustnessRecord, Setting, SideBySideRecord, TrialRecord } from './types';

const REPO = path.resolve(__dirname, '..', '..', '..');
const PREFIX = 'hbdbench-';
/** Settings that take this long to detect run in the slow lane. */
const SLOW_LANE_MS = 1000;

/** keepalive/deadtime grid of the sweep, ms. */
export const SWEEP: readonly (readonly [number, number])[] = [
  [5, 20],
  [10, 30],
  [20, 60],
  [50, 200],
  [100, 300],
  [1000, 3000],
];

const PHASES = ['failover', 'sweep', 'serial', 'steady', 'side-by-side'] as const;

/**
 * The side-by-side comparisons, at keepalived's fastest interval (10 ms), hbd
 * first, as a quiet standby (hbd peers only): over multicast like keepalived's
 * adverts, over unicast against keepalived's unicast_peer, and over broadcast
 * (Heartbeat's usual medium) beside Heartbeat; and with hbd's standby
 * heartbeating every 10 ms as Heartbeat's does. Only the contenders whose
 * implementation is installed; a comparison needs hbd and one other.
 */
export function comparisons(adapters: readonly Adapter[]): Comparison[] {
  const by = (impl: string) => adapters.find((a) => a.impl === impl);
  const [hbd, keepalived, heartbeat] = [by('hbd'), by('keepalived'), by('heartbeat')];
  const list = (name: string, ...cs: (Contender | null)[]): Comparison => ({ name, contenders: cs.filter((c): c is Contender => c !== null) });
  const c = (a: Adapter | undefined, setting: Setting | undefined): Contender | null => (a && setting ? { adapter: a, setting } : null);
  const quiet = (id: string, medium: HbdMedium) => hbdSetting(id, 10, 50, true, medium, 200, 1000);
  return [
    list('multicast, hbd as a quiet standby', c(hbd, quiet('ka10-mcast-quiet', 'mcast')), c(keepalived, keepalived?.settings().fastest)),
    list('unicast, hbd as a quiet standby', c(hbd, quiet('ka10-ucast-quiet', 'ucast')), c(keepalived, keepalivedUnicast)),
    list('broadcast, hbd as a quiet standby', c(hbd, quiet('ka10-quiet', 'bcast')), c(keepalived, keepalived?.settings().fastest), c(heartbeat, heartbeat?.settings().fastest)),
    list('broadcast, hbd standby heartbeating every 10 ms', c(hbd, hbdSetting('ka10', 10, 50)), c(keepalived, keepalived?.settings().fastest)),
  ].filter((k) => k.contenders[0]?.adapter.impl === 'hbd' && k.contenders.length >= 2);
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
const flag = (name: string) => process.argv.includes(name);
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Plan {
  readonly phases: ReadonlySet<string>;
  readonly adapters: readonly Adapter[];
  readonly trials: number;
  readonly defaultTrials: number;
  readonly sweepTrials: number;
  readonly serialTrials: number;
  readonly idleSeconds: number;
  readonly costWindows: number;
  readonly loadedSeconds: number;
  readonly sideBySideRounds: number;
  readonly outDir: string;
}

function plan(): Plan {
  const quick = flag('--quick');
  const impls = arg('--impls', ADAPTERS.map((a) => a.impl).join(',')).split(',');
  const adapters = ADAPTERS.filter((a) => impls.includes(a.impl)).filter((a) => {
    const why = a.unavailable();
    if (why) say(`skipping ${a.impl}: ${why}`);
    return !why;
  });
  return {
    phases: new Set(arg('--phases', PHASES.join(',')).split(',')),
    adapters,
    trials: Number(arg('--trials', quick ? '3' : '10')),
    defaultTrials: Number(arg('--default-trials', quick ? '1' : '10')),
    sweepTrials: Number(arg('--sweep-trials', quick ? '3' : '10')),
    serialTrials: Number(arg('--serial-trials', quick ? '2' : '10')),
    idleSeconds: Number(arg('--idle-seconds', quick ? '10' : '30')),
    costWindows: Number(arg('--cost-windows', quick ? '1' : '5')),
    loadedSeconds: Number(arg('--loaded-seconds', quick ? '15' : '60')),
    sideBySideRounds: Number(arg('--side-by-side-rounds', quick ? '1' : '5')),
    outDir: path.resolve(arg('--out', path.join(REPO, 'bench', 'results'))),
  };
}

interface Cell {
  readonly adapter: Adapter;
  readonly setting: Setting;
  readonly mode: FailureMode;
  readonly trials: number;
}

/**
 * Round-robin over the cells so that machine noise hits every implementation
 * alike; each round rotates the starting cell.
 */
export function interleave(cells: readonly Cell[]): { cell: Cell; trial: number }[] {
  const order: { cell: Cell; trial: number }[] = [];
  const rounds = Math.max(0, ...cells.map((c) => c.trials));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[(i + r) % cells.length];
      if (cell && r < cell.trials) order.push({ cell, trial: r });
    }
  }
  return order;
}

function fmtTrial(t: TrialRecord): string {
  if (!t.ok) return `FAILED: ${t.error?.split('\n')[0] ?? ''}`;
  const f = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(1));
  return `T1 ${f(t.t1)} ms, T2 ${f(t.t2)} ms${t.ownDeath !== undefined ? ` (own view: dead ${f(t.ownDeath)}, VIP ${f(t.ownVip)}${t.ownStalls ? `, B's thread held up ${t.ownStalls}x` : ''})` : ''}`;
}

async function runCells(cells: readonly Cell[], topo: ReturnType<typeof createTopology>, work: string, lane = ''): Promise<TrialRecord[]> {
  const out: TrialRecord[] = [];
  const order = interleave(cells);
  for (const [i, { cell, trial }] of order.entries()) {
    const r = await runTrial(cell.adapter, topo, cell.setting, cell.mode, { trial, workDir: work });
    out.push(r);
    say(`${lane}[${i + 1}/${order.length}] ${cell.adapter.impl} ${cell.setting.id} (${cell.setting.label}) ${cell.mode} #${trial + 1}: ${fmtTrial(r)}`);
  }
  return out;
}

function readPrevious(file: string): RawResults | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as RawResults;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the bench needs root (network namespaces)');
  const p = plan();
  removeNamespacesWithPrefix(PREFIX);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-bench-failover-'));
  const rawFile = path.join(p.outDir, 'raw.json');
  const previous = readPrevious(rawFile);
  const loadavgBefore = os.loadavg().map((v) => Math.round(v * 100) / 100);
  const settings: { impl: string; id: string; label: string; detectMs: number }[] = [];
  const note = (impl: string, s: Setting) => {
    if (!settings.some((x) => x.impl === impl && x.id === s.id)) settings.push({ impl, id: s.id, label: s.label, detectMs: s.detectMs });
  };
  let trials: TrialRecord[] = [];
  let serial = previous?.serial ?? [];
  let cost: CostRecord[] = [...(previous?.cost ?? [])];
  let robustness: RobustnessRecord[] = [...(previous?.robustness ?? [])];
  let sideBySide: SideBySideRecord[] = [...(previous?.sideBySide ?? [])];
  const extraTopos: ReturnType<typeof createTopology>[] = [];
  const keepTrials = (keep: (t: TrialRecord) => boolean) => (previous?.trials ?? []).filter(keep);
  const isSweep = (t: TrialRecord) => t.setting.startsWith('sweep-');
  const topo = createTopology(PREFIX);
  let slowTopo: ReturnType<typeof createTopology> | null = null;
  let slowLane: Promise<TrialRecord[]> | null = null;
  try {
    if (p.phases.has('failover')) {
      say(`== failover: ${p.adapters.map((a) => a.impl).join(', ')}; fastest ${p.trials} trials, default ${p.defaultTrials} trials, kill -9 and link cut`);
      const cells: Cell[] = [];
      for (const a of p.adapters) {
        const s = a.settings();
        for (const mode of ['kill', 'linkcut'] as const) {
          cells.push({ adapter: a, setting: s.fastest, mode, trials: p.trials });
          cells.push({ adapter: a, setting: s.default, mode, trials: p.defaultTrials });
        }
        note(a.impl, s.fastest);
        note(a.impl, s.default);
        // keepalived's fastest without realtime priority, as most installs run it.
        if (a.impl === 'keepalived') {
          for (const mode of ['kill', 'linkcut'] as const) cells.push({ adapter: a, setting: keepalivedNoRealtime, mode, trials: p.trials });
          note(a.impl, keepalivedNoRealtime);
        }
      }
      // Settings that detect in seconds mostly wait: they run in a second
      // topology of their own alongside everything else (interleaved among
      // themselves), so a full run takes half an hour, not an hour.
      const slow = cells.filter((c) => c.setting.detectMs >= SLOW_LANE_MS);
      if (slow.length > 0) {
        slowTopo = createTopology(`${PREFIX}s-`);
        const slowWork = path.join(work, 'slow-lane');
        fs.mkdirSync(slowWork);
        slowLane = runCells(slow, slowTopo, slowWork, '(slow lane) ');
      }
      trials.push(...(await runCells(cells.filter((c) => c.setting.detectMs < SLOW_LANE_MS), topo, work)));
    } else {
      trials.push(...keepTrials((t) => !isSweep(t)));
    }
    const hbd = p.adapters.find((a) => a.impl === 'hbd');
    if (p.phases.has('sweep') && hbd) {
      say(`== sweep: hbd, keepalive x deadtime, ${p.sweepTrials} trials each, kill -9`);
      const cells = SWEEP.map(([ka, dt]) => ({ adapter: hbd, setting: hbdSetting(`sweep-${ka}-${dt}`, ka, dt), mode: 'kill' as const, trials: p.sweepTrials }));
      for (const c of cells) note('hbd', c.setting);
      trials.push(...(await runCells(cells, topo, work)));
    } else {
      trials.push(...keepTrials(isSweep));
    }
    if (p.phases.has('serial') && hbd) {
      say(`== serial: hbd over a pty pair, ${p.serialTrials} trials per baud`);
      serial = await runSerialBench({ workDir: work, trials: p.serialTrials, log: say });
    }
    if (p.phases.has('steady') && slowLane) {
      // CPU is measured on a quiet machine: the slow lane's daemons, resource
      // scripts and client would be charged to nobody but blur every window.
      say('== waiting for the slow lane (default settings) before the steady phase');
      trials.push(...(await slowLane));
      slowLane = null;
    }
    if (p.phases.has('steady')) {
      say(`== steady: fastest settings left alone, ${p.costWindows} × ${p.idleSeconds} s idle (cost) and ${p.loadedSeconds} s with all cores saturated`);
      cost = [];
      robustness = [];
      for (const load of ['idle', 'all cores saturated'] as const) {
        // Cost at the same rate: hbd also at keepalived's interval (10 ms); both also with
        // frames sent to the peer only (ucast, unicast_peer), which spares the other
        // machines on the LAN (and hbd its own looped-back broadcast) a copy of each frame;
        // hbd also with its standby heartbeating every 20 ms (standby_keepalive), and as a
        // quiet standby (standby_deadtime 1 s: every 200 ms, as only an hbd peer allows),
        // over broadcast, unicast and multicast (ttl 1, no local copy, as VRRP adverts).
        const sameRate = (a: Adapter): Setting[] => {
          if (load !== 'idle') return [];
          if (a.impl === 'hbd') {
            return [
              hbdSetting('ka10', 10, 50),
              hbdSetting('ka10-ucast', 10, 50, true, 'ucast'),
              hbdSetting('ka10-standby20', 10, 50, true, 'bcast', 20),
              hbdSetting('ka10-ucast-standby20', 10, 50, true, 'ucast', 20),
              hbdSetting('ka10-quiet', 10, 50, true, 'bcast', 200, 1000),
              hbdSetting('ka10-mcast-quiet', 10, 50, true, 'mcast', 200, 1000),
              hbdSetting('ka10-ucast-quiet', 10, 50, true, 'ucast', 200, 1000),
            ];
          }
          if (a.impl === 'keepalived') return [keepalivedUnicast];
          return [];
        };
        const round = p.adapters.flatMap((a) => [a.settings().fastest, ...sameRate(a)].map((s) => ({ a, s })));
        // Idle windows are cheap and CPU figures noisy: several rounds, interleaved like the trials.
        const runs = load === 'idle' ? Array.from({ length: p.costWindows }, () => round).flat() : round;
        for (const { a, s } of runs) {
          note(a.impl, s);
          const r = await runSteady(a, topo, s, load, load === 'idle' ? p.idleSeconds : p.loadedSeconds, work);
          if (load === 'idle') cost.push(r.cost);
          robustness.push(r.robustness);
          say(
            `${a.impl} ${s.label}, ${r.robustness.load}: CPU A ${r.cost.cpuA.toFixed(2)} % B ${r.cost.cpuB.toFixed(2)} %, ${r.cost.packetsPerSecA.toFixed(0)} packets/s, ` +
              `RSS ${r.cost.rssMiBA.toFixed(1)} MiB; spurious takeovers ${r.robustness.spuriousTakeovers}, split brain ${r.robustness.splitBrainMs.toFixed(0)} ms`,
          );
        }
      }
    }
    const comps = comparisons(p.adapters);
    if (p.phases.has('side-by-side') && comps.length > 0) {
      if (slowLane) {
        say('== waiting for the slow lane (default settings) before the side-by-side phase');
        trials.push(...(await slowLane));
        slowLane = null;
      }
      const width = Math.max(...comps.map((k) => k.contenders.length));
      while (extraTopos.length < width - 1) extraTopos.push(createTopology(`${PREFIX}x${extraTopos.length + 1}-`));
      const topos = [topo, ...extraTopos];
      say(`== side by side: ${comps.length} comparisons at a 10 ms interval, ${p.sideBySideRounds} rounds of ${p.idleSeconds} s, every pair of a comparison running at once`);
      sideBySide = [];
      for (let round = 0; round < p.sideBySideRounds; round++) {
        for (const k of comps) {
          for (const c of k.contenders) note(c.adapter.impl, c.setting);
          const r = await runSideBySide(k, topos, round, p.idleSeconds, work);
          sideBySide.push(r);
          const parts = r.costs.map((c, i) => `${c.impl} A ${c.cpuA.toFixed(2)} % B ${c.cpuB.toFixed(2)} %${r.endedClean[i] ? '' : ' (NOT CLEAN)'}`);
          say(`[round ${round + 1}] ${k.name}: ${parts.join('; ')}`);
        }
      }
    } else if (p.phases.has('side-by-side')) {
      say('skipping side-by-side: it needs hbd and keepalived or Heartbeat');
    }
    if (slowLane) {
      say('== waiting for the slow lane (default settings)');
      trials.push(...(await slowLane));
    }
  } finally {
    // A failed fast lane must not leave the slow one running into a destroyed topology.
    await slowLane?.catch(() => undefined);
    slowTopo?.destroy();
    for (const t of extraTopos) t.destroy();
    topo.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  }
  for (const t of trials) if (!settings.some((s) => s.impl === t.impl && s.id === t.setting)) settings.push({ impl: t.impl, id: t.setting, label: t.settingLabel, detectMs: t.nominalDetectMs });
  const date = new Date().toISOString();
  const phaseDates: Record<string, string> = {};
  for (const phase of PHASES) {
    const before = previous?.phaseDates?.[phase] ?? previous?.date;
    if (p.phases.has(phase)) phaseDates[phase] = date;
    else if (before !== undefined) phaseDates[phase] = before;
  }
  const raw: RawResults = {
    date,
    phaseDates,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', kernel: os.release(), loadavgBefore },
    versions: Object.fromEntries(ADAPTERS.filter((a) => !a.unavailable()).map((a) => [a.impl, a.version()])),
    settings,
    trials,
    serial,
    cost,
    robustness,
    sideBySide,
  };
  fs.mkdirSync(p.outDir, { recursive: true });
  fs.writeFileSync(rawFile, `${JSON.stringify(raw, null, 1)}\n`);
  const out = writeReport(raw, p.outDir);
  say(`wrote ${rawFile}, ${out.latestJson}, ${out.resultsMd}, ${out.plotSvg}`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
