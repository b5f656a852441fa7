// Watching a running pair without disturbing it: VIP ownership changes from
// the kernel (`ip monitor address`, no polling), and CPU/memory/packet
// counters from /proc and the interface statistics.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { nowEpochMs } from './capture';
import type { Side, Topology } from './types';

export interface OwnershipChange {
  readonly t: number;
  readonly side: Side;
  readonly holds: boolean;
}

/** Records every add/delete of the VIP on either director, with the time it was reported. */
export class OwnershipMonitor {
  readonly changes: OwnershipChange[] = [];
  private readonly procs: ChildProcess[] = [];

  constructor(private readonly topo: Topology) {
    for (const d of [topo.a, topo.b]) {
      const p = spawn('ip', ['-n', d.ns, 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
      this.procs.push(p);
      readline.createInterface({ input: p.stdout! }).on('line', (line) => {
        if (!line.includes(` ${topo.vip}/`)) return;
        this.changes.push({ t: nowEpochMs(), side: d.side, holds: !line.startsWith('Deleted') });
      });
    }
  }

  /** How often `side` gained the VIP. */
  gains(side: Side): number {
    return this.changes.filter((c) => c.side === side && c.holds).length;
  }

  /** Total time both held the VIP at once, ms, given who held it at `start`. */
  overlapMs(start: number, end: number, initial: Record<Side, boolean>): number {
    const held = { ...initial };
    let since = start;
    let total = 0;
    for (const c of [...this.changes].sort((x, y) => x.t - y.t)) {
      if (c.t < start || c.t > end) continue;
      if (held.a && held.b) total += c.t - since;
      held[c.side] = c.holds;
      since = c.t;
    }
    if (held.a && held.b) total += end - since;
    return total;
  }

  stop(): void {
    for (const p of this.procs) p.kill('SIGKILL');
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * CPU time of the processes, seconds: the scheduler's exact on-CPU time of
 * every thread (/proc/PID/task/TID/schedstat, ns). utime + stime are sampled
 * at the 100 Hz tick, which rounds a daemon that is idle for seconds to 0;
 * they are the fallback where schedstat is missing.
 */
export function cpuSeconds(pids: readonly number[]): number {
  let ns = 0;
  let exact = true;
  for (const pid of pids) {
    try {
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        try {
          ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        } catch {
          /* thread exited */
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') exact = false;
    }
  }
  if (exact && ns > 0) return ns / 1e9;
  return tickSeconds(pids);
}

function tickSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the ")" of the command name: state is field 3; utime, stime are 14 and 15.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* exited */
    }
  }
  return ticks / CLK_TCK;
}

/** Resident memory of the processes, MiB. */
export function rssMiB(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return kb / 1024;
}

/** Frames sent by eth0 in a namespace so far. */
export function txPackets(ns: string, iface: string): number {
  const out = spawnSync('ip', ['-n', ns, '-s', '-j', 'link', 'show', iface], { encoding: 'utf8' }).stdout ?? '[]';
  const parsed = JSON.parse(out) as { stats64?: { tx?: { packets?: number } } }[];
  return parsed[0]?.stats64?.tx?.packets ?? 0;
}
