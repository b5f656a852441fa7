// Micro-bench of the heartbeat hot path (issue: heartbeat engine):
//  1. codec throughput: encode+sign and verify+decode per second (C, native/bench)
//  2. send-interval jitter at keepalive 10 ms, idle and with both cores busy
//     (stress-ng), measured from kernel capture timestamps (tcpdump -tt) on a
//     second namespace; hbd with and without realtime, and real Heartbeat
//     3.0.6 for reference.
// Usage: node dist/bench/micro.js [--seconds N] [--out bench/results/micro.json]

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Lan } from '../src/netns/lan';
import { HbdNode } from '../test/harness/hbd-node';
import { HeartbeatNode, heartbeatAvailable } from '../test/harness/heartbeat-node';
import { percentile, summarize } from './stats';

const REPO = path.resolve(__dirname, '..', '..');

interface JitterRow {
  impl: string;
  load: 'idle' | 'both cores busy';
  keepaliveMs: number;
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Intervals more than 2x keepalive: what a peer would see as a late beat. */
  over2x: number;
  unit: 'ms';
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

function codecBench(): unknown[] {
  const out = execFileSync('make', ['-s', '-C', path.join(REPO, 'native'), 'bench', 'BENCH_SECONDS=1'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as unknown);
}

/** Arrival times (ms, kernel timestamps) of datagrams from `src` seen in `netns`. */
function capture(netns: string, src: string): { proc: ChildProcess; times: number[] } {
  const times: number[] = [];
  const proc = spawn('ip', ['netns', 'exec', netns, 'tcpdump', '-i', 'eth0', '-tt', '-n', '-l', '-q', 'udp', 'port', '694', 'and', 'src', 'host', src], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const t = Number(line.split(' ')[0]);
      if (Number.isFinite(t)) times.push(t * 1000);
    }
  });
  return { proc, times };
}

function intervals(times: number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push((times[i] ?? 0) - (times[i - 1] ?? 0));
  return out;
}

async function measure(impl: string, load: JitterRow['load'], seconds: number, work: string): Promise<JitterRow> {
  const lan = Lan.create([{ name: 'n1', addresses: ['10.97.0.1/24'] }, { name: 'n2', addresses: ['10.97.0.2/24'] }], { prefix: `hbdb-${process.pid % 1000}-` });
  let stress: ChildProcess | null = null;
  const haCf = ['keepalive 10ms', 'deadtime 50ms', 'warntime 30ms', 'initdead 1', 'bcast eth0', 'node node1 node2', 'auto_failback on', impl.includes('realtime off') ? 'realtime off' : 'realtime on', ''].join('\n');
  const authkeys = 'auth 1\n1 sha1 bench-key\n';
  const dir = path.join(work, `${impl}-${load}`.replace(/[^a-z0-9]+/gi, '-'));
  const node = impl.startsWith('heartbeat')
    ? new HeartbeatNode({ netns: lan.ns('n1'), name: 'node1', workDir: dir, haCf, authkeys })
    : new HbdNode({ netns: lan.ns('n1'), name: 'node1', workDir: dir, haCf, authkeys, logLevel: 'warn' });
  try {
    node.start();
    await new Promise((r) => setTimeout(r, 2000));
    if (load === 'both cores busy') {
      stress = spawn('stress-ng', ['--cpu', String(os.cpus().length), '--timeout', `${seconds + 3}s`, '--quiet'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cap = capture(lan.ns('n2'), '10.97.0.1');
    await new Promise((r) => setTimeout(r, seconds * 1000));
    cap.proc.kill('SIGINT');
    const iv = intervals(cap.times);
    const s = summarize(iv);
    return {
      impl,
      load,
      keepaliveMs: 10,
      samples: iv.length,
      p50: s.median,
      p90: percentile(iv, 0.9),
      p99: percentile(iv, 0.99),
      p999: percentile(iv, 0.999),
      max: s.max,
      over2x: iv.filter((v) => v > 20).length,
      unit: 'ms',
    };
  } finally {
    stress?.kill('SIGKILL');
    node.kill();
    lan.destroy();
  }
}

async function main(): Promise<void> {
  const seconds = Number(arg('--seconds', '10'));
  const outFile = arg('--out', path.join(REPO, 'bench', 'results', 'micro.json'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-bench-micro-'));
  try {
    const codec = codecBench();
    const impls = ['hbd', 'hbd (realtime off)', ...(heartbeatAvailable() ? ['heartbeat 3.0.6'] : [])];
    const jitter: JitterRow[] = [];
    for (const load of ['idle', 'both cores busy'] as const) {
      for (const impl of impls) {
        const row = await measure(impl, load, seconds, work);
        jitter.push(row);
        process.stdout.write(
          `${impl.padEnd(20)} ${load.padEnd(16)} n=${row.samples} p50=${row.p50.toFixed(2)} p90=${row.p90.toFixed(2)} p99=${row.p99.toFixed(2)} p99.9=${row.p999.toFixed(2)} max=${row.max.toFixed(2)} ms, >2x keepalive: ${row.over2x}\n`,
        );
      }
    }
    const result = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, kernel: os.release() }, codec, jitter };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`codec: ${JSON.stringify(codec)}\nwrote ${outFile}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
