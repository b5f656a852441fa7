// Development aid: trials or one steady window of one adapter/setting, printed.
// Usage: node dist/bench/failover/try.js IMPL SETTING MODE [N]
//   SETTING: a setting id of the adapter, or KA/DT in ms for hbd (e.g. 10/50; 10/50u: ucast; 10/50m: mcast;
//            10/50s20: standby_keepalive 20 ms; 10/50us20: both; 10/50s200q1000: quiet
//            standby, standby_deadtime 1000 ms)
//   MODE: kill | link | steady (then N is the window in seconds; per-thread CPU is printed)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adapterByName } from './adapters';
import { hbdSetting } from './adapters/hbd';
import { fastestNoRealtime, fastestUnicast } from './adapters/keepalived';
import { SETTLE_MS } from './steady';
import { createTopology } from './topology';
import { runTrial } from './trial';
import type { FailureMode, Setting } from './types';

function pickSetting(impl: string, id: string): Setting {
  const m = /^(\d+)\/(\d+)([um]?)(?:s(\d+))?(?:q(\d+))?$/.exec(id);
  const medium = m?.[3] === 'u' ? 'ucast' : m?.[3] === 'm' ? 'mcast' : 'bcast';
  if (impl === 'hbd' && m) return hbdSetting(`ka${m[1]}`, Number(m[1]), Number(m[2]), true, medium, Number(m[4] ?? 0), Number(m[5] ?? 0));
  const extra: Record<string, Setting> = impl === 'keepalived' ? { [fastestUnicast.id]: fastestUnicast, [fastestNoRealtime.id]: fastestNoRealtime } : {};
  const settings = { ...extra, ...(adapterByName(impl).settings() as unknown as Record<string, Setting>) };
  const setting = settings[id];
  if (!setting) throw new Error(`no setting ${id}`);
  return setting;
}

interface ThreadSample {
  readonly name: string;
  readonly user: number;
  readonly sys: number;
  readonly wakeups: number;
  /** Time on a CPU measured by the scheduler, ns: exact where utime/stime are sampled at ticks. */
  readonly runNs: number;
}

/** Per thread: utime, stime (ticks) and voluntary context switches (wake-ups). */
function sampleThreads(pid: number): Map<string, ThreadSample> {
  const out = new Map<string, ThreadSample>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      const vol = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const runNs = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      out.set(`${pid}/${tid}`, { name, user: Number(f[11]), sys: Number(f[12]), wakeups: vol, runNs });
    } catch {
      /* exited */
    }
  }
  return out;
}

async function steadyThreads(adapter: ReturnType<typeof adapterByName>, topo: ReturnType<typeof createTopology>, setting: Setting, seconds: number, work: string): Promise<void> {
  topo.reset();
  const pair = await adapter.start(topo, setting, work);
  try {
    // As the bench's steady phase: start-up work is over before a window opens.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const sides = ['a', 'b'] as const;
    const pidsOf = sides.map((side) => pair.daemonPids(side));
    const before = pidsOf.map((pids) => pids.map(sampleThreads));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const afterAll = pidsOf.map((pids) => pids.map(sampleThreads));
    for (const [s, side] of sides.entries()) {
      const pids = pidsOf[s] ?? [];
      const after = afterAll[s] ?? [];
      let total = 0;
      let totalRun = 0;
      for (let i = 0; i < pids.length; i++) {
        for (const [key, a] of after[i] ?? []) {
          const b = before[s]?.[i]?.get(key) ?? { user: 0, sys: 0, wakeups: 0, runNs: 0 };
          const run = ((a.runNs - b.runNs) / 1e9 / seconds) * 100;
          totalRun += run;
          const user = (a.user - b.user) / seconds; // ticks/s = % of a core at 100 Hz
          const sys = (a.sys - b.sys) / seconds;
          total += user + sys;
          if (user + sys > 0 || a.wakeups - b.wakeups > seconds) {
            process.stdout.write(`${side} ${key} ${a.name.padEnd(16)} user ${user.toFixed(2)}% sys ${sys.toFixed(2)}% run ${run.toFixed(2)}% wakeups/s ${((a.wakeups - b.wakeups) / seconds).toFixed(0)}\n`);
          }
        }
      }
      process.stdout.write(`${side} total utime+stime ${total.toFixed(2)}%, on-CPU ${totalRun.toFixed(2)}% of a core\n`);
    }
  } finally {
    await pair.stop();
    topo.reset();
  }
}

async function main(): Promise<void> {
  const [impl = 'hbd', settingId = 'fastest', mode = 'kill', n = '1'] = process.argv.slice(2);
  const adapter = adapterByName(impl);
  const setting = pickSetting(impl, settingId);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-try-'));
  const topo = createTopology(`hbdt-${process.pid % 1000}-`);
  try {
    if (mode === 'steady') {
      await steadyThreads(adapter, topo, setting, Number(n), work);
      return;
    }
    for (let i = 0; i < Number(n); i++) {
      const r = await runTrial(adapter, topo, setting, mode as FailureMode, { trial: i, workDir: work });
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }
  } finally {
    topo.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
