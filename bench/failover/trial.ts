// One failover trial: start the pair, watch from the client, inject the
// failure at T0, wait until B serves the VIP, collect T1/T2 (client capture,
// kernel timestamps) and the implementation's own view, clean up.
import { type ChildProcess, spawn } from 'node:child_process';
import { ClientView, isAnswerFrom, isBeatFrom, isGarpFor, nowEpochMs } from './capture';
import type { BenchLan } from './topology';
import type { Adapter, FailureMode, Pair, Setting, TrialRecord } from './types';

/** A ready `ip -batch -` in A's namespace, so the link cut costs no process start at T0. */
function linkCutter(ns: string): ChildProcess {
  return spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TrialOptions {
  readonly trial: number;
  readonly workDir: string;
}

export async function runTrial(adapter: Adapter, topo: BenchLan, setting: Setting, mode: FailureMode, opts: TrialOptions): Promise<TrialRecord> {
  const base = { impl: adapter.impl, setting: setting.id, settingLabel: setting.label, mode, trial: opts.trial, at: new Date().toISOString(), nominalDetectMs: setting.detectMs };
  topo.reset();
  let pair: Pair | null = null;
  let view: ClientView | null = null;
  let cutter: ChildProcess | null = null;
  let t0: number | null = null;
  try {
    pair = await adapter.start(topo, setting, opts.workDir);
    view = new ClientView(topo);
    await view.start();
    if (mode === 'linkcut') cutter = linkCutter(topo.a.ns);
    await sleep(200);
    if (!topo.holds('a') || topo.holds('b')) throw new Error('before the failure: A must hold the VIP and B must not');
    const victims = mode === 'kill' ? pair.victimPids() : [];
    if (mode === 'kill' && victims.length === 0) throw new Error('no daemon process to kill on A');

    t0 = nowEpochMs();
    if (mode === 'kill') {
      for (const pid of victims) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    } else {
      cutter?.stdin?.write(`link set ${topo.iface} down\n`);
    }
    const injectedAt = nowEpochMs();

    const budget = setting.detectMs * 2 + 5000;
    const answer = await view.waitFor((p) => p.srcMac === topo.b.mac && isAnswerFrom(p, topo.vip, topo.port), t0, budget, 'the VIP answering from B');
    await sleep(100);
    const garp = view.first((p) => p.srcMac === topo.b.mac && isGarpFor(p, topo.vip), t0);
    const lastBeat = view.last((p) => p.srcMac === topo.a.mac && isBeatFrom(p, topo.a.address), answer.t);
    const own = pair.ownView ? await pair.ownView() : {};
    const start = t0;
    const rel = (t: number | undefined) => (t === undefined ? undefined : Math.round((t - start) * 1000) / 1000);
    return {
      ...base,
      ok: true,
      t1: rel(garp?.t),
      t2: rel(answer.t),
      lastBeat: rel(lastBeat?.t),
      injected: rel(injectedAt),
      ownDeath: rel(own.deathAt),
      ownVip: rel(own.vipAt),
      ...(own.stalls !== undefined ? { ownStalls: own.stalls } : {}),
    };
  } catch (e) {
    // Who held the VIP when it went wrong tells a detection failure from a client-side one.
    // A's heartbeats still on the wire after T0 tell a failure that did not happen from one not acted on.
    // B's daemon gone tells a standby that died (or was killed by mistake) from one that did not act.
    const where = `A holds the VIP: ${topo.holds('a')}, B holds it: ${topo.holds('b')}, B's daemon processes: ${pair?.daemonPids('b').length ?? '?'}`;
    const beat = t0 !== null ? view?.last((p) => p.srcMac === topo.a.mac && isBeatFrom(p, topo.a.address), Number.MAX_SAFE_INTEGER) : undefined;
    const beats = t0 !== null && beat ? `; A's last heartbeat ${(beat.t - t0).toFixed(1)} ms after T0` : '';
    const logs = pair && t0 !== null ? `\n${pair.logs()}` : '';
    return { ...base, ok: false, error: `${(e as Error).message} (${where}${beats})${logs}` };
  } finally {
    cutter?.stdin?.end();
    cutter?.kill('SIGKILL');
    await view?.stop();
    await pair?.stop();
    topo.reset();
  }
}
