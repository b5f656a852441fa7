// What a running pair costs over a window: on-CPU time of every daemon
// process, frames sent and resident memory, per director. Opened on a pair
// that has settled, read once at the end of the window.
import { nowEpochMs } from './capture';
import type { BenchLan } from './topology';
import type { Adapter, CostRecord, Pair, Setting } from './types';
import { cpuSeconds, rssMiB, txPackets } from './watch';

export interface CostMeter {
  /** Epoch ms when the window opened. */
  readonly start: number;
  /** Closes the window: its cost and when it ended. */
  read(): { cost: CostRecord; end: number };
}

export function openCostMeter(adapter: Adapter, setting: Setting, topo: BenchLan, pair: Pair): CostMeter {
  const pidsA = pair.daemonPids('a');
  const pidsB = pair.daemonPids('b');
  const cpu0 = { a: cpuSeconds(pidsA), b: cpuSeconds(pidsB) };
  const tx0 = { a: txPackets(topo.a.ns, topo.iface), b: txPackets(topo.b.ns, topo.iface) };
  const start = nowEpochMs();
  return {
    start,
    read() {
      const end = nowEpochMs();
      const span = (end - start) / 1000;
      const cost: CostRecord = {
        impl: adapter.impl,
        setting: setting.id,
        settingLabel: setting.label,
        seconds: span,
        cpuA: ((cpuSeconds(pidsA) - cpu0.a) / span) * 100,
        cpuB: ((cpuSeconds(pidsB) - cpu0.b) / span) * 100,
        packetsPerSecA: (txPackets(topo.a.ns, topo.iface) - tx0.a) / span,
        packetsPerSecB: (txPackets(topo.b.ns, topo.iface) - tx0.b) / span,
        rssMiBA: rssMiB(pair.daemonPids('a')),
        rssMiBB: rssMiB(pair.daemonPids('b')),
      };
      return { cost, end };
    },
  };
}
