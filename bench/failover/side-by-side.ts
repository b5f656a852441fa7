// Cost side by side: pairs of several implementations at the same interval,
// each in a topology of its own, started together, left to settle and
// measured over the same window. Windows run one after another are minutes
// apart, and on a shared machine a window's figure depends on what else ran
// in it; measured together, each implementation sees the same machine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CostMeter, openCostMeter } from './cost';
import { SETTLE_MS } from './steady';
import type { BenchLan } from './topology';
import type { Adapter, Pair, SideBySideRecord, Setting } from './types';

export interface Contender {
  readonly adapter: Adapter;
  readonly setting: Setting;
}

export interface Comparison {
  readonly name: string;
  /** hbd first: the report compares every other contender with it. */
  readonly contenders: readonly Contender[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round r puts contender i in topology (i + r) mod n and starts them in that rotated order. */
export function placement(contenders: number, round: number): number[] {
  return Array.from({ length: contenders }, (_, i) => (i + round) % contenders);
}

/**
 * One window of a comparison. `topos` holds one topology per contender;
 * rounds rotate which contender runs in which, and which starts first, so
 * neither a topology nor the start order favours one implementation.
 */
export async function runSideBySide(comparison: Comparison, topos: readonly BenchLan[], round: number, seconds: number, workDir: string): Promise<SideBySideRecord> {
  const { contenders } = comparison;
  if (topos.length < contenders.length) throw new Error(`${comparison.name}: ${contenders.length} contenders need as many topologies, got ${topos.length}`);
  const where = placement(contenders.length, round);
  const topoOf = (i: number) => topos[where[i] as number] as BenchLan;
  const pairs: (Pair | undefined)[] = contenders.map(() => undefined);
  try {
    const startOrder = [...contenders.keys()].sort((x, y) => (where[x] as number) - (where[y] as number));
    for (const i of startOrder) {
      const c = contenders[i] as Contender;
      const topo = topoOf(i);
      topo.reset();
      const dir = path.join(workDir, `side-by-side-${i}`);
      fs.mkdirSync(dir, { recursive: true });
      pairs[i] = await c.adapter.start(topo, c.setting, dir);
    }
    // As runSteady: the last pair started is past its start-up work before the window opens.
    await sleep(SETTLE_MS);
    const meters: CostMeter[] = contenders.map((c, i) => openCostMeter(c.adapter, c.setting, topoOf(i), pairs[i] as Pair));
    const at = Math.min(...meters.map((m) => m.start));
    await sleep(seconds * 1000);
    const costs = meters.map((m) => m.read().cost);
    const endedClean = contenders.map((_, i) => topoOf(i).holds('a') && !topoOf(i).holds('b'));
    return { comparison: comparison.name, round, at, costs, endedClean };
  } finally {
    for (const [i, pair] of pairs.entries()) {
      await pair?.stop();
      topoOf(i).reset();
    }
  }
}
