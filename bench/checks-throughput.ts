// Health-check throughput (issue "IPVS over generic netlink ... and ldirectord
// built in", its "Also" section): hbd's concurrent checks vs the real Perl
// ldirectord (/usr/sbin/ldirectord, fork=no and fork=yes) on the SAME
// ldirectord.cf: 200 real servers (20 virtual services x 10), HTTP negotiate
// checks, checkinterval 1, checktimeout/negotiatetimeout 1 s.
//
// The real servers are HTTP responders in this process, one listening socket
// per real server on 127.77.V.R (the whole of 127/8 is local on lo). The
// common measure is what the responders see: requests received per second,
// and per real server the time between two of its checks ("round": the
// slowest server's median interval, i.e. how long until every server has
// been checked again). Variants: every server answers; 10 % of the servers
// (one per virtual service) accept the connection and read the request but
// never answer.
//
// Where: on the host, not in the VM. Checks need no IPVS, and under the VM's
// TCG emulation Perl and node run 10-20x slower, which would measure qemu.
// hbd runs `hbd ldirectord CFG start --foreground` with the in-memory IPVS
// backend (HBD_IPVS_BACKEND=memory); ldirectord runs supervised in the
// foreground with its ipvsadm calls going to the real /usr/sbin/ipvsadm,
// which fails at once on this kernel (no IPVS): a harmless stub. Neither
// touches IPVS once the servers' states are settled (ldirectord only calls
// ipvsadm on a state change), and the measurement window starts after a
// warm-up, so the start-up table work is not in the numbers.
//
// CPU: utime+stime of the implementation's process group (ldirectord's
// fork=yes children included) over the window, in % of one core.
//
// Warm-up: until every real server has been checked twice (at most
// --warmup seconds), then a window of --seconds.
//
// Usage: node dist/bench/checks-throughput.js [--reps 3] [--warmup 120]
//   [--seconds 60] [--out FILE] [--impls hbd,ldirectord-nofork,ldirectord-fork]

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchRow, summarize } from './stats';

const REPO = path.resolve(__dirname, '..', '..');
const LDIRECTORD = '/usr/sbin/ldirectord';
const VIRTUALS = 20;
const REALS = 10;
const PORT = Number(process.env.CHECKS_BENCH_PORT ?? 18080);

type Row = BenchRow;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------ responders

interface Real {
  readonly v: number;
  readonly r: number;
  readonly address: string;
  readonly hangs: boolean;
  hits: number[];
}

class Responders {
  readonly reals: Real[] = [];
  private readonly servers: http.Server[] = [];
  private readonly sockets = new Set<Socket>();
  private recording = false;
  hang = false;

  constructor() {
    for (let v = 1; v <= VIRTUALS; v++)
      for (let r = 1; r <= REALS; r++) this.reals.push({ v, r, address: `127.77.${v}.${r}`, hangs: r === ((v * 3) % REALS) + 1, hits: [] });
  }

  async listen(): Promise<void> {
    await Promise.all(
      this.reals.map(
        (real) =>
          new Promise<void>((resolve, reject) => {
            const server = http.createServer((req, res) => {
              if (this.recording) real.hits.push(performance.now());
              req.resume();
              if (this.hang && real.hangs) return; // read the request, never answer
              res.setHeader('content-type', 'text/plain');
              res.end('OK\n');
            });
            server.keepAliveTimeout = 1000;
            server.on('connection', (s: Socket) => {
              this.sockets.add(s);
              s.on('close', () => this.sockets.delete(s));
            });
            server.once('error', reject);
            server.listen(PORT, real.address, 1024, () => resolve());
            this.servers.push(server);
          }),
      ),
    );
  }

  start(hang: boolean): void {
    this.hang = hang;
    for (const r of this.reals) r.hits = [];
    this.recording = true;
  }

  stop(): void {
    this.recording = false;
  }

  /** Drops connections left open (the hung ones) between runs. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  }
}

// ------------------------------------------------------------ configuration

function ldirectordCf(fork: boolean, logfile: string): string {
  const lines = [
    '# checks-throughput bench: 20 virtual services x 10 HTTP real servers',
    'checktimeout=1',
    'negotiatetimeout=1',
    'checkinterval=1',
    'failurecount=1',
    'autoreload=no',
    'quiescent=no',
    'supervised=yes',
    `fork=${fork ? 'yes' : 'no'}`,
    `logfile="${logfile}"`,
    '',
  ];
  for (let v = 1; v <= VIRTUALS; v++) {
    lines.push(`virtual=10.255.0.${v}:${PORT}`);
    for (let r = 1; r <= REALS; r++) lines.push(`\treal=127.77.${v}.${r}:${PORT} masq 1`);
    lines.push('\tservice=http', '\tchecktype=negotiate', '\trequest="/check"', '\treceive="OK"', '\tscheduler=wlc', '\tprotocol=tcp', '');
  }
  return lines.join('\n');
}

// ------------------------------------------------------------ processes and CPU

const TICK = 100; // CLK_TCK on Linux

function groupCpuTicks(pgid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    if (Number(f[2]) !== pgid) continue;
    out.set(Number(name), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
  }
  return out;
}

function cpuSecondsBetween(a: Map<number, number>, b: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of b) ticks += t - (a.get(pid) ?? 0);
  return ticks / TICK;
}

interface Impl {
  readonly name: string;
  readonly id: string;
  start(cfg: string, work: string): ChildProcess;
  readonly cfgFork: boolean;
}

const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/_proxy$/i.test(k)) delete env[k];
  return env;
};

const IMPLS: Impl[] = [
  {
    name: 'hbd',
    id: 'hbd',
    cfgFork: false,
    start: (cfg, work) =>
      spawn(process.execPath, [path.join(REPO, 'bin', 'hbd'), 'ldirectord', cfg, 'start', '--foreground', '--state-dir', path.join(work, 'state')], {
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
        env: { ...cleanEnv(), HBD_IPVS_BACKEND: 'memory' },
      }),
  },
  {
    name: 'ldirectord fork=no',
    id: 'ldirectord-nofork',
    cfgFork: false,
    start: (cfg) => spawn(LDIRECTORD, [cfg, 'start'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: cleanEnv() }),
  },
  {
    name: 'ldirectord fork=yes',
    id: 'ldirectord-fork',
    cfgFork: true,
    start: (cfg) => spawn(LDIRECTORD, [cfg, 'start'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: cleanEnv() }),
  },
];

async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const alive = () => groupCpuTicks(pid).size > 0;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* gone */
  }
  for (let i = 0; i < 100 && alive(); i++) await sleep(100);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  for (let i = 0; i < 50 && alive(); i++) await sleep(100);
}

// ------------------------------------------------------------ one run

interface RunResult {
  checksPerS: number;
  answeringPerS: number;
  roundS: number;
  medianIntervalS: number;
  cpuPct: number;
  unchecked: number;
  /** Seconds from the start until every server had been checked twice. */
  warmedS: number;
}

function median(xs: number[]): number {
  return summarize(xs).median;
}

async function oneRun(impl: Impl, hang: boolean, resp: Responders, work: string, warmupS: number, seconds: number): Promise<RunResult> {
  const cfg = path.join(work, `ldirectord-${impl.cfgFork ? 'fork' : 'nofork'}.cf`);
  fs.writeFileSync(cfg, ldirectordCf(impl.cfgFork, path.join(work, `${impl.id}.log`)));
  resp.dropConnections();
  resp.hang = hang;
  const child = impl.start(cfg, work);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited: number | null = null;
  let warmedS = 0;
  child.on('exit', (c) => (exited = c ?? -1));
  try {
    // Warm-up: until every real server has been checked twice (steady state:
    // ldirectord's start-up round and its fork=yes children are behind us),
    // at most `warmupS`.
    resp.start(hang);
    const w0 = Date.now();
    while (Date.now() - w0 < warmupS * 1000 && resp.reals.some((r) => r.hits.length < 2)) {
      if (exited !== null) throw new Error(`${impl.name} exited ${exited} during warm-up: ${stderr.trim()}`);
      await sleep(250);
    }
    if (exited !== null) throw new Error(`${impl.name} exited ${exited} during warm-up: ${stderr.trim()}`);
    warmedS = (Date.now() - w0) / 1000;
    const pgid = child.pid as number;
    resp.start(hang);
    const cpu0 = groupCpuTicks(pgid);
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu1 = groupCpuTicks(pgid);
    const elapsed = (performance.now() - t0) / 1000;
    resp.stop();
    if (exited !== null) throw new Error(`${impl.name} exited ${exited}: ${stderr.trim()}`);
    let total = 0;
    let answering = 0;
    let unchecked = 0;
    const perServer: number[] = [];
    for (const r of resp.reals) {
      total += r.hits.length;
      if (!(hang && r.hangs)) answering += r.hits.length;
      if (r.hits.length < 2) {
        unchecked++;
        // seen at most once in the window: its round is at least the window
        perServer.push(elapsed);
        continue;
      }
      // mean interval over the window: (last - first) / (checks - 1)
      perServer.push(((r.hits[r.hits.length - 1] ?? 0) - (r.hits[0] ?? 0)) / 1000 / (r.hits.length - 1));
      if (process.env.CHECKS_BENCH_DUMP && r.r === 1)
        log(`    ${r.address}${r.hangs ? ' (hangs)' : ''}: ${r.hits.slice(1).map((h, i) => ((h - (r.hits[i] ?? 0)) / 1000).toFixed(2)).join(' ')}`);
    }
    return {
      checksPerS: total / elapsed,
      answeringPerS: answering / elapsed,
      roundS: Math.max(...perServer),
      medianIntervalS: median(perServer),
      cpuPct: (100 * cpuSecondsBetween(cpu0, cpu1)) / elapsed,
      unchecked,
      warmedS,
    };
  } finally {
    resp.stop();
    await stopGroup(child);
  }
}

// ------------------------------------------------------------ main

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '3'));
  const warmupS = Number(arg('--warmup', '120'));
  const seconds = Number(arg('--seconds', '60'));
  const only = arg('--impls', IMPLS.map((i) => i.id).join(',')).split(',');
  const impls = IMPLS.filter((i) => only.includes(i.id));
  const outFile = arg('--out', path.join(REPO, 'bench', 'results', 'checks-throughput.part.json'));
  if (impls.some((i) => i.id.startsWith('ldirectord')) && !fs.existsSync(LDIRECTORD)) throw new Error(`${LDIRECTORD} not found`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-bench-checks-'));
  const resp = new Responders();
  const samples: { impl: string; variant: string; r: RunResult }[] = [];
  const started = Date.now();
  const load0 = os.loadavg();
  try {
    await resp.listen();
    log(`checks-throughput: ${resp.reals.length} real servers on 127.77.1-${VIRTUALS}.1-${REALS}:${PORT}, ${reps} reps, warm-up ${warmupS} s, window ${seconds} s`);
    const variants: { name: string; hang: boolean }[] = [
      { name: '200 reals, all answer', hang: false },
      { name: '200 reals, 10 % hang', hang: true },
    ];
    for (let rep = 0; rep < reps; rep++) {
      for (const variant of variants) {
        const rot = (rep + (variant.hang ? 1 : 0)) % impls.length;
        for (const impl of [...impls.slice(rot), ...impls.slice(0, rot)]) {
          const t = Date.now();
          try {
            const r = await oneRun(impl, variant.hang, resp, work, warmupS, seconds);
            samples.push({ impl: impl.name, variant: variant.name, r });
            log(
              `rep ${rep + 1} ${variant.name.padEnd(22)} ${impl.name.padEnd(20)} checks/s ${r.checksPerS.toFixed(1).padStart(6)} (answering ${r.answeringPerS.toFixed(1)}), round ${r.roundS.toFixed(2)} s (median server ${r.medianIntervalS.toFixed(2)} s), cpu ${r.cpuPct.toFixed(1)} %, seen <2x: ${r.unchecked}, warm after ${r.warmedS.toFixed(1)} s [${((Date.now() - t) / 1000).toFixed(0)} s]`,
            );
          } catch (e) {
            log(`rep ${rep + 1} ${variant.name} ${impl.name}: FAILED: ${(e as Error).message}`);
          }
        }
      }
    }
  } finally {
    await resp.close();
    fs.rmSync(work, { recursive: true, force: true });
  }

  const rows: Row[] = [];
  const metrics: { bench: string; unit: string; get: (r: RunResult) => number }[] = [
    { bench: 'checks-rate', unit: 'checks/s', get: (r) => r.checksPerS },
    { bench: 'checks-rate-answering', unit: 'checks/s', get: (r) => r.answeringPerS },
    { bench: 'checks-round', unit: 's', get: (r) => r.roundS },
    { bench: 'checks-cpu', unit: '% of one core', get: (r) => r.cpuPct },
  ];
  const groups = new Map<string, typeof samples>();
  for (const s of samples) groups.set(`${s.variant}\u0000${s.impl}`, [...(groups.get(`${s.variant}\u0000${s.impl}`) ?? []), s]);
  for (const m of metrics)
    for (const g of groups.values()) {
      const first = g[0];
      if (first === undefined) continue;
      const sum = summarize(g.map((s) => m.get(s.r)));
      const rd = (v: number) => Math.round(v * 100) / 100;
      rows.push({ bench: m.bench, impl: first.impl, setting: first.variant, n: g.length, min: rd(sum.min), median: rd(sum.median), max: rd(sum.max), unit: m.unit });
    }
  const result = {
    date: new Date().toISOString(),
    machine: { where: 'host (no VM)', cpus: os.cpus().length, model: os.cpus()[0]?.model, kernel: os.release(), loadavgBefore: load0, loadavgAfter: os.loadavg() },
    setup: { virtuals: VIRTUALS, realsPerVirtual: REALS, checkintervalS: 1, checktimeoutS: 1, warmupS, windowS: seconds, reps },
    rows,
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${outFile} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
