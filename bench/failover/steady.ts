// A pair left alone for a while, nothing failing: what it costs (CPU, memory,
// packets per second) and whether it fails over anyway (spurious takeovers,
// split brain), idle or with every core saturated by stress-ng.
import { type ChildProcess, spawn } from 'node:child_process';
import * as os from 'node:os';
import { openCostMeter } from './cost';
import type { BenchLan } from './topology';
import type { Adapter, CostRecord, RobustnessRecord, Setting } from './types';
import { OwnershipMonitor } from './watch';

export type Load = 'idle' | 'all cores saturated';

export interface SteadyResult {
  readonly cost: CostRecord;
  readonly robustness: RobustnessRecord;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Left alone this long before a cost window opens (see runSteady). */
export const SETTLE_MS = 5000;

export async function runSteady(adapter: Adapter, topo: BenchLan, setting: Setting, load: Load, seconds: number, workDir: string): Promise<SteadyResult> {
  topo.reset();
  const pair = await adapter.start(topo, setting, workDir);
  const monitor = new OwnershipMonitor(topo);
  let stress: ChildProcess | null = null;
  try {
    const initial = { a: topo.holds('a'), b: topo.holds('b') };
    const loadLabel = load === 'idle' ? 'idle' : `stress-ng --cpu ${os.cpus().length}`;
    if (load !== 'idle') {
      stress = spawn('stress-ng', ['--cpu', String(os.cpus().length), '--timeout', `${seconds + 5}s`, '--quiet'], { stdio: 'ignore' });
      await sleep(1000);
    }
    // Cost is the steady state: start-up work (hbd's JIT and first garbage collections,
    // Heartbeat's forked helpers) goes on for a few seconds after a pair is ready.
    await sleep(SETTLE_MS);
    const meter = openCostMeter(adapter, setting, topo, pair);
    const start = meter.start;
    await sleep(seconds * 1000);
    const { cost, end } = meter.read();
    const span = cost.seconds;
    const robustness: RobustnessRecord = {
      impl: adapter.impl,
      setting: setting.id,
      settingLabel: setting.label,
      seconds: span,
      load: loadLabel,
      // From the moment the pair was ready, load ramp-up included.
      spuriousTakeovers: monitor.gains('b'),
      splitBrainMs: monitor.overlapMs(start, end, initial),
      endedClean: topo.holds('a') && !topo.holds('b'),
    };
    return { cost, robustness };
  } finally {
    stress?.kill('SIGKILL');
    monitor.stop();
    await pair.stop();
    topo.reset();
  }
}
