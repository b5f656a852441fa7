// IPVS apply bench (issue "IPVS over generic netlink ... and ldirectord built
// in", its "Also" section): how long it takes to bring the kernel's IPVS table
// to N services x M real servers, hbd side by side with the ipvsadm ways.
// Runs INSIDE the project's VM (bench/run-ipvs-bench.sh boots it with
// test/vm/run-in-vm.sh); it flushes the IPVS table of the network namespace
// it runs in, so it refuses to run anywhere else (IPVS_VM=1).
//
// Per size and repetition, implementations interleaved (order rotated per
// repetition), table flushed before each run:
//   apply  (from an empty table)
//     hbd reconcile       Reconciler.run (src/ldirectord/reconciler.ts) through
//                         the native backend: read, diff, apply, re-read; also
//                         reported without its two table reads ("diff+apply")
//     hbd Director.start  the built-in ldirectord end to end: parse the
//                         ldirectord.cf (checktype=on), health, desired table,
//                         reconcile
//     ipvsadm per op      one ipvsadm process per entry (-A per service, -a
//                         per real server, arguments as ldirectord writes
//                         them), driven by one /bin/sh script
//     ipvsadm -R          one `ipvsadm -R` reading a generated restore file
//     ldirectord start    (only up to --ldirectord-max entries) the real Perl
//                         ldirectord on the same ldirectord.cf, supervised,
//                         until the table is complete (polled every 100 ms)
//   reload (from the full table, 1 % of the weights changed, at least one)
//     hbd reconcile       as above: only the changed entries are edited
//     hbd Director.reload the ldirectord.cf rewritten, Director.reload()
//     ipvsadm per op      `ipvsadm -e` for exactly the changed entries (the
//                         diff known in advance: a lower bound)
//     ipvsadm -C + -R     clear and restore everything (drops connections and
//                         counters; what a restore-based reload does)
//   call   (once per repetition) 1000 GET_INFO requests through the native
//          backend, awaited one by one and issued at once: the fixed cost
//          of one call (JS -> addon -> libuv pool -> netlink -> back)
// After every run the table is read back through the native listing and
// compared entry by entry (services, scheduler, real servers, forwarding
// method, weight), and counted with `ipvsadm -Ln`; a run whose table is not
// exactly right is reported and does not count. Those two readings are
// timed too ("list" rows).
//
// Usage (in the VM): node dist/bench/ipvs-apply.js [--reps 3]
//   [--sizes 10x1,10x10,100x10,1000x10,100x100 | none] [--ldirectord-max 100]
//   [--per-op-max N (ipvsadm one process per entry only up to N entries)]
//   [--out bench/results/ipvs-apply.part.json]

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCheckRunner } from '../src/checks';
import { openNativeIpvs } from '../src/ipvs/native-backend';
import type { DestKey, IpvsBackend, IpvsDest, IpvsDestState, IpvsService, IpvsServiceState, ServiceKey } from '../src/ipvs/types';
import { systemClock } from '../src/ldirectord/clock';
import type { DesiredService } from '../src/ldirectord/desired';
import { Director } from '../src/ldirectord/director';
import { silentLogger } from '../src/ldirectord/events';
import { serviceKeyOf, serviceKeyText } from '../src/ldirectord/ipvs-text';
import { Reconciler } from '../src/ldirectord/reconciler';
import { type BenchRow, summarize } from './stats';

const REPO = path.resolve(__dirname, '..', '..');
const IPVSADM = '/usr/sbin/ipvsadm';
const LDIRECTORD = '/usr/sbin/ldirectord';

/** n: runs that produced exactly the expected table; failed: runs that did not. */
export type Row = BenchRow;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

// ------------------------------------------------------------ the table

interface Size {
  readonly services: number;
  readonly reals: number;
}

interface Entry {
  readonly service: IpvsService;
  readonly dests: IpvsDest[];
}

const sizeText = (s: Size): string => `${s.services}x${s.reals}`;

function serviceAddress(i: number): string {
  return `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

function realAddress(j: number): string {
  return `172.16.${j >> 8}.${(j & 255) + 1}`;
}

/** `changed`: global real-server indices whose weight is 2 instead of 1. */
function makeTable(size: Size, changed: ReadonlySet<number> = new Set()): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < size.services; i++) {
    const service: IpvsService = { af: 'inet', protocol: 'tcp', address: serviceAddress(i), port: 80, scheduler: 'wlc' };
    const dests: IpvsDest[] = [];
    for (let j = 0; j < size.reals; j++) {
      const weight = changed.has(i * size.reals + j) ? 2 : 1;
      dests.push({ af: 'inet', address: realAddress(j), port: 8080, forward: 'masq', weight, lowerThreshold: 0, upperThreshold: 0 });
    }
    out.push({ service, dests });
  }
  return out;
}

/** 1 % of the real servers, spread evenly, at least one. */
function changedSet(size: Size): Set<number> {
  const total = size.services * size.reals;
  const count = Math.max(1, Math.round(total / 100));
  const step = total / count;
  const s = new Set<number>();
  for (let k = 0; k < count; k++) s.add(Math.floor(k * step));
  return s;
}

function desiredOf(table: readonly Entry[]): DesiredService[] {
  return table.map((e) => ({
    virtualId: `tcp:${e.service.address}:${e.service.port}`,
    service: e.service,
    dests: e.dests.map((dest) => ({ dest, role: 'real' as const, addIfMissing: true })),
    upCount: e.dests.length,
    settled: true,
    fallbackActive: false,
  }));
}

/** ldirectord.cf for the table: checktype=on (no checks: every real server up at once). */
function ldirectordCf(table: readonly Entry[], logfile: string): string {
  const lines = ['checktimeout=1', 'checkinterval=1', 'autoreload=no', 'quiescent=no', 'supervised=yes', `logfile="${logfile}"`, ''];
  for (const e of table) {
    lines.push(`virtual=${e.service.address}:${e.service.port}`);
    for (const d of e.dests) lines.push(`\treal=${d.address}:${d.port} masq ${d.weight}`);
    lines.push('\tchecktype=on', '\tscheduler=wlc', '\tprotocol=tcp', '');
  }
  return lines.join('\n');
}

/** ipvsadm arguments as ldirectord's ld_start / _restore_service write them. */
function ipvsadmAddService(e: Entry): string {
  return `-A -t ${e.service.address}:${e.service.port} -s wlc`;
}
function ipvsadmDest(cmd: '-a' | '-e', e: Entry, d: IpvsDest): string {
  return `${cmd} -t ${e.service.address}:${e.service.port} -x 0 -y 0 -r ${d.address}:${d.port} -m -w ${d.weight}`;
}

// ------------------------------------------------------------ timing helpers

/** Sums the wall time spent in table reads (the reconciler reads sequentially). */
class ReadTimingBackend implements IpvsBackend {
  readMs = 0;
  constructor(private readonly b: IpvsBackend) {}
  private async timed<T>(p: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await p();
    } finally {
      this.readMs += performance.now() - t;
    }
  }
  info() {
    return this.b.info();
  }
  listServices() {
    return this.timed(() => this.b.listServices());
  }
  listDests(s: ServiceKey) {
    return this.timed(() => this.b.listDests(s));
  }
  addService(s: IpvsService) {
    return this.b.addService(s);
  }
  editService(s: IpvsService) {
    return this.b.editService(s);
  }
  deleteService(s: ServiceKey) {
    return this.b.deleteService(s);
  }
  addDest(s: ServiceKey, d: IpvsDest) {
    return this.b.addDest(s, d);
  }
  editDest(s: ServiceKey, d: IpvsDest) {
    return this.b.editDest(s, d);
  }
  deleteDest(s: ServiceKey, d: DestKey) {
    return this.b.deleteDest(s, d);
  }
  flush() {
    return this.b.flush();
  }
  zero(s?: ServiceKey) {
    return this.b.zero(s);
  }
  getTimeouts() {
    return this.b.getTimeouts();
  }
  setTimeouts(t: Parameters<IpvsBackend['setTimeouts']>[0]) {
    return this.b.setTimeouts(t);
  }
  listDaemons() {
    return this.b.listDaemons();
  }
  startDaemon(d: Parameters<IpvsBackend['startDaemon']>[0]) {
    return this.b.startDaemon(d);
  }
  stopDaemon(r: Parameters<IpvsBackend['stopDaemon']>[0]) {
    return this.b.stopDaemon(r);
  }
  close() {
    this.b.close();
  }
}

function run(cmd: string, args: readonly string[], stdinFile?: string): void {
  const fd = stdinFile === undefined ? 'ignore' : fs.openSync(stdinFile, 'r');
  try {
    const r = spawnSync(cmd, args, { stdio: [fd, 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().slice(0, 500)}`);
  } finally {
    if (typeof fd === 'number') fs.closeSync(fd);
  }
}

/** Cost of one process start here: /bin/sh running /bin/true 100 times, ms per process. */
export function processStartMs(work: string): number {
  const file = path.join(work, 'true.sh');
  fs.writeFileSync(file, `${'/bin/true\n'.repeat(100)}`);
  const t = performance.now();
  run('/bin/sh', [file]);
  return (performance.now() - t) / 100;
}

// ------------------------------------------------------------ verification

interface Check {
  ok: boolean;
  why: string;
  nativeMs: number;
  ipvsadmMs: number;
}

async function verify(backend: IpvsBackend, table: readonly Entry[]): Promise<Check> {
  let t = performance.now();
  const services: IpvsServiceState[] = await backend.listServices();
  const dests = new Map<string, IpvsDestState[]>();
  for (const s of services) dests.set(serviceKeyText(s.key), await backend.listDests(s.key));
  const nativeMs = performance.now() - t;

  t = performance.now();
  const r = spawnSync(IPVSADM, ['-Ln'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const ipvsadmMs = performance.now() - t;
  const problems: string[] = [];
  if (r.status !== 0) problems.push(`ipvsadm -Ln: exit ${r.status}`);
  const lines = (r.stdout ?? '').split('\n');
  const svcLines = lines.filter((l) => /^(TCP|UDP|SCTP|FWM)\s/.test(l)).length;
  const destLines = lines.filter((l) => /^\s+->\s+\d/.test(l)).length;
  const wantDests = table.reduce((a, e) => a + e.dests.length, 0);
  if (svcLines !== table.length || destLines !== wantDests)
    problems.push(`ipvsadm -Ln counts ${svcLines} services / ${destLines} real servers, want ${table.length} / ${wantDests}`);

  if (services.length !== table.length) problems.push(`native listing: ${services.length} services, want ${table.length}`);
  for (const e of table) {
    const key = serviceKeyText(serviceKeyOf(e.service));
    const have = services.find((s) => serviceKeyText(s.key) === key);
    if (have === undefined) {
      problems.push(`service ${key} missing`);
      continue;
    }
    if (have.scheduler !== e.service.scheduler) problems.push(`service ${key}: scheduler ${have.scheduler}`);
    const hd = dests.get(key) ?? [];
    if (hd.length !== e.dests.length) problems.push(`service ${key}: ${hd.length} real servers, want ${e.dests.length}`);
    const byKey = new Map(hd.map((d) => [`${d.address}:${d.port}`, d]));
    for (const d of e.dests) {
      const x = byKey.get(`${d.address}:${d.port}`);
      if (x === undefined) problems.push(`service ${key}: real ${d.address}:${d.port} missing`);
      else if (x.weight !== d.weight || x.forward !== d.forward) problems.push(`service ${key}: real ${d.address}:${d.port} is ${x.forward} w${x.weight}, want ${d.forward} w${d.weight}`);
    }
    if (problems.length > 5) break;
  }
  return { ok: problems.length === 0, why: problems.slice(0, 5).join('; '), nativeMs, ipvsadmMs };
}

async function flush(backend: IpvsBackend): Promise<void> {
  await backend.flush();
  const left = await backend.listServices();
  if (left.length !== 0) throw new Error(`flush left ${left.length} services`);
}

// ------------------------------------------------------------ implementations

interface Ctx {
  backend: IpvsBackend;
  work: string;
  size: Size;
  base: Entry[];
  changed: Set<number>;
  next: Entry[];
}

type Timing = { ms: number; extra?: Record<string, number> };

async function hbdReconcile(ctx: Ctx, table: readonly Entry[], expectOps: number): Promise<Timing> {
  const timed = new ReadTimingBackend(ctx.backend);
  const rec = new Reconciler(timed, silentLogger, () => undefined, systemClock);
  rec.manage(table.map((e) => serviceKeyOf(e.service)));
  const desired = desiredOf(table);
  const t = performance.now();
  const report = await rec.run(desired);
  const ms = performance.now() - t;
  if (report === null) throw new Error('reconcile could not read the table');
  if (report.failed.length > 0) throw new Error(`reconcile: ${report.failed.length} failed, first: ${report.failed[0]?.message}`);
  if (report.applied.length !== expectOps) throw new Error(`reconcile applied ${report.applied.length} operations, want ${expectOps}`);
  return { ms, extra: { diffApplyMs: ms - timed.readMs } };
}

async function hbdDirector(ctx: Ctx, cfg: string, action: 'start' | 'reload', director?: Director): Promise<{ ms: number; director: Director }> {
  const d = director ?? new Director({ config: cfg, backend: ctx.backend, checks: createCheckRunner(), logger: silentLogger, pollIntervalMs: 3_600_000 });
  const t = performance.now();
  if (action === 'start') await d.start();
  else {
    const r = await d.reload();
    if (!r.ok) throw new Error(`reload failed: ${r.diagnostics.join('; ')}`);
  }
  return { ms: performance.now() - t, director: d };
}

function perOpScript(ctx: Ctx, lines: readonly string[]): string {
  const file = path.join(ctx.work, 'per-op.sh');
  fs.writeFileSync(file, `set -e\n${lines.map((l) => `${IPVSADM} ${l}`).join('\n')}\n`);
  return file;
}

function timeSh(file: string): number {
  const t = performance.now();
  run('/bin/sh', [file]);
  return performance.now() - t;
}

function restoreFile(ctx: Ctx, lines: readonly string[]): string {
  const file = path.join(ctx.work, 'restore.txt');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function timeRestore(file: string): number {
  const t = performance.now();
  run(IPVSADM, ['-R'], file);
  return performance.now() - t;
}

function allLines(table: readonly Entry[]): string[] {
  const out: string[] = [];
  for (const e of table) out.push(ipvsadmAddService(e));
  for (const e of table) for (const d of e.dests) out.push(ipvsadmDest('-a', e, d));
  return out;
}

/** The real ldirectord from `cfg` until the table matches (polled); then stopped. */
async function ldirectordStart(ctx: Ctx, cfg: string, table: readonly Entry[], timeoutMs: number): Promise<number> {
  const t = performance.now();
  const child = spawn(LDIRECTORD, [cfg, 'start'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const want = table.reduce((a, e) => a + e.dests.length, 0);
  try {
    for (;;) {
      if (exited !== null) throw new Error(`ldirectord exited ${exited}: ${stderr.trim().slice(0, 300)}`);
      if (performance.now() - t > timeoutMs) throw new Error(`ldirectord did not complete the table within ${timeoutMs} ms`);
      const services = await ctx.backend.listServices();
      if (services.length === table.length) {
        let n = 0;
        let weightsOk = true;
        for (const s of services) {
          const ds = await ctx.backend.listDests(s.key);
          n += ds.length;
          if (ds.some((d) => d.weight !== 1 && d.weight !== 2)) weightsOk = false;
        }
        if (n === want && weightsOk) return performance.now() - t;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    if (child.pid !== undefined && exited === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await new Promise<void>((r) => (exited !== null ? r() : child.once('exit', () => r())));
    }
  }
}

// ------------------------------------------------------------ main

interface Sample {
  bench: 'ipvs-apply' | 'ipvs-reload' | 'ipvs-list' | 'ipvs-call';
  impl: string;
  setting: string;
  ms: number | null;
  why?: string;
  /** Default ms. */
  unit?: string;
}

async function main(): Promise<void> {
  if (process.env.IPVS_VM !== '1' && !process.argv.includes('--outside-vm-i-know')) {
    process.stderr.write('ipvs-apply: flushes the IPVS table of this network namespace; run it in the VM: bench/run-ipvs-bench.sh\n');
    process.exit(2);
  }
  const reps = Number(arg('--reps', '3'));
  const sizesArg = arg('--sizes', '10x1,10x10,100x10,1000x10,100x100');
  const sizes: Size[] = (sizesArg === 'none' ? [] : sizesArg.split(','))
    .map((s) => {
      const [a, b] = s.split('x').map(Number);
      return { services: a ?? 1, reals: b ?? 1 };
    });
  const ldMax = Number(arg('--ldirectord-max', '100'));
  // One process per entry costs ~0.2 s each under TCG: 10,000 entries would take half an hour.
  const perOpMax = Number(arg('--per-op-max', '100000'));
  const outFile = arg('--out', path.join(REPO, 'bench', 'results', 'ipvs-apply.part.json'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-bench-ipvs-'));
  const backend = await openNativeIpvs();
  const samples: Sample[] = [];
  const started = Date.now();
  const recordSample = (s: Sample): void => {
    samples.push(s);
    log(
      `  ${s.bench.padEnd(11)} ${s.setting.padEnd(8)} ${s.impl.padEnd(34)} ${s.ms === null ? `FAILED: ${s.why ?? ''}` : `${s.ms.toFixed(1)} ms`}`,
    );
  };
  const haveLdirectord = fs.existsSync(LDIRECTORD);
  const calibration: Record<string, number> = {};
  /** Writes the part file (after every pass, so an interrupted run keeps what it measured). */
  const writeSummary = (final: boolean): void => {
    const rows: Row[] = [];
    const keyOf = (s: Sample) => `${s.bench}\u0000${s.setting}\u0000${s.impl}`;
    const groups = new Map<string, Sample[]>();
    for (const s of samples) groups.set(keyOf(s), [...(groups.get(keyOf(s)) ?? []), s]);
    for (const g of groups.values()) {
      const first = g[0];
      if (first === undefined) continue;
      const ok = g.filter((s) => s.ms !== null).map((s) => s.ms as number);
      const sum = summarize(ok);
      const row: Row = { bench: first.bench, impl: first.impl, setting: first.setting, n: ok.length, min: round(sum.min), median: round(sum.median), max: round(sum.max), unit: first.unit ?? 'ms' };
      if (ok.length < g.length) row.failed = g.length - ok.length;
      rows.push(row);
    }
    const failures = samples.filter((s) => s.ms === null).map((s) => `${s.bench} ${s.setting} ${s.impl}: ${s.why ?? ''}`);
    const result = {
      date: new Date().toISOString(),
      machine: { where: 'qemu VM (test/vm/run-in-vm.sh)', cpus: os.cpus().length, model: os.cpus()[0]?.model, kernel: os.release(), memMiB: Math.round(os.totalmem() / 2 ** 20) },
      reps,
      complete: final,
      calibration,
      rows,
      failures,
    };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    if (final) log(`wrote ${outFile} (${rows.length} rows, ${failures.length} failed runs) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };


  try {
    calibration.processStartMsBefore = processStartMs(work);
    log(`process start (sh running /bin/true 100 times): ${calibration.processStartMsBefore.toFixed(1)} ms per process`);
    log(`ipvs-apply: ${os.cpus().length} CPU ${os.cpus()[0]?.model ?? '?'}, kernel ${os.release()}, IPVS ${(await backend.info()).version}`);
    // One unrecorded pass at the smallest size first: node's JIT, the page
    // cache and qemu's translation cache warm for every implementation.
    const passes: { rep: number; size: Size | null; warm: boolean }[] = sizes.length > 0 ? [{ rep: 0, size: { services: 10, reals: 1 }, warm: true }] : [];
    for (let rep = 0; rep < reps; rep++) for (const size of [null, ...sizes]) passes.push({ rep, size, warm: false });
    for (const { rep, size, warm } of passes) {
      if (size === null) {
        // per-call cost of the native backend: GET_INFO, the cheapest request
        const n = 1000;
        let t = performance.now();
        for (let i = 0; i < n; i++) await backend.info();
        recordSample({ bench: 'ipvs-call', impl: 'hbd native call, awaited one by one', setting: `${n} x info()`, ms: (performance.now() - t) / n, unit: 'ms per call' });
        t = performance.now();
        await Promise.all(Array.from({ length: n }, () => backend.info()));
        recordSample({ bench: 'ipvs-call', impl: 'hbd native calls issued at once (queued on the handle)', setting: `${n} x info()`, ms: (performance.now() - t) / n, unit: 'ms per call' });
        continue;
      }
      {
        const record = warm ? (s: Sample) => log(`  (warm-up) ${s.bench} ${s.impl}: ${s.ms === null ? `FAILED: ${s.why ?? ''}` : `${s.ms.toFixed(1)} ms`}`) : recordSample;
        const setting = sizeText(size);
        const base = makeTable(size);
        const changed = changedSet(size);
        const next = makeTable(size, changed);
        const ctx: Ctx = { backend, work, size, base, changed, next };
        const entries = size.services * size.reals;
        const cfgBase = path.join(work, `ld-${setting}.cf`);
        const logfile = path.join(work, 'ld.log');
        fs.writeFileSync(cfgBase, ldirectordCf(base, logfile));
        log(`${warm ? 'warm-up' : `rep ${rep + 1}/${reps}`} ${setting} (${entries} real servers, ${changed.size} weights changed on reload) [${((Date.now() - started) / 1000).toFixed(0)} s]`);

        // ---- apply from empty
        type Impl = { name: string; go: () => Promise<Timing> };
        const apply: Impl[] = [
          { name: 'hbd reconcile', go: () => hbdReconcile(ctx, base, size.services + entries) },
          {
            name: 'hbd Director.start (parse .cf)',
            go: async () => {
              const { ms, director } = await hbdDirector(ctx, cfgBase, 'start');
              const check = await verify(backend, base);
              // stop() deletes the services (cleanstop); verification happened first
              await director.stop();
              if (!check.ok) throw new Error(check.why);
              return { ms };
            },
          },
          ...(entries <= perOpMax ? [{ name: 'ipvsadm per op', go: async () => ({ ms: timeSh(perOpScript(ctx, allLines(base))) }) }] : []),
          { name: 'ipvsadm -R', go: async () => ({ ms: timeRestore(restoreFile(ctx, allLines(base))) }) },
        ];
        if (haveLdirectord && entries <= ldMax)
          apply.push({ name: 'ldirectord start (Perl)', go: async () => ({ ms: await ldirectordStart(ctx, cfgBase, base, 1_800_000) }) });
        const rot = rep % apply.length;
        for (const impl of [...apply.slice(rot), ...apply.slice(0, rot)]) {
          await flush(backend);
          try {
            const tm = await impl.go();
            const check = impl.name.startsWith('hbd Director') ? { ok: true, why: '', nativeMs: NaN, ipvsadmMs: NaN } : await verify(backend, base);
            if (!check.ok) throw new Error(check.why);
            record({ bench: 'ipvs-apply', impl: impl.name, setting, ms: tm.ms });
            if (tm.extra?.diffApplyMs !== undefined) record({ bench: 'ipvs-apply', impl: 'hbd diff+apply (no table reads)', setting, ms: tm.extra.diffApplyMs });
            if (Number.isFinite(check.nativeMs)) {
              record({ bench: 'ipvs-list', impl: 'hbd native listing (all services + dests)', setting, ms: check.nativeMs });
              record({ bench: 'ipvs-list', impl: 'ipvsadm -Ln', setting, ms: check.ipvsadmMs });
            }
          } catch (e) {
            record({ bench: 'ipvs-apply', impl: impl.name, setting, ms: null, why: (e as Error).message });
          }
        }

        // ---- reload: 1 % of the weights change
        const reload: Impl[] = [
          { name: 'hbd reconcile', go: () => hbdReconcile(ctx, next, changed.size) },
          {
            name: 'hbd Director.reload (parse .cf)',
            go: async () => {
              // start on the base table (not timed), then rewrite the file and reload
              const cfg = path.join(work, `ld-${setting}-live.cf`);
              fs.writeFileSync(cfg, ldirectordCf(base, logfile));
              const { director } = await hbdDirector(ctx, cfg, 'start');
              try {
                const pre = await verify(backend, base);
                if (!pre.ok) throw new Error(`before reload: ${pre.why}`);
                fs.writeFileSync(cfg, ldirectordCf(next, logfile));
                const { ms } = await hbdDirector(ctx, cfg, 'reload', director);
                const check = await verify(backend, next);
                if (!check.ok) throw new Error(check.why);
                return { ms };
              } finally {
                await director.stop();
              }
            },
          },
          {
            name: 'ipvsadm per op (-e changed only)',
            go: async () => {
              const lines: string[] = [];
              next.forEach((e, i) => e.dests.forEach((d, j) => changed.has(i * size.reals + j) && lines.push(ipvsadmDest('-e', e, d))));
              return { ms: timeSh(perOpScript(ctx, lines)) };
            },
          },
          { name: 'ipvsadm -C + -R (full restore)', go: async () => ({ ms: timeRestore(restoreFile(ctx, ['-C', ...allLines(next)])) }) },
        ];
        const rot2 = rep % reload.length;
        for (const impl of [...reload.slice(rot2), ...reload.slice(0, rot2)]) {
          await flush(backend);
          try {
            if (!impl.name.startsWith('hbd Director')) {
              run(IPVSADM, ['-R'], restoreFile(ctx, allLines(base)));
              const pre = await verify(backend, base);
              if (!pre.ok) throw new Error(`base table not loaded: ${pre.why}`);
            }
            const tm = await impl.go();
            const check = impl.name.startsWith('hbd Director') ? { ok: true, why: '' } : await verify(backend, next);
            if (!check.ok) throw new Error(check.why);
            record({ bench: 'ipvs-reload', impl: impl.name, setting, ms: tm.ms });
            if (tm.extra?.diffApplyMs !== undefined) record({ bench: 'ipvs-reload', impl: 'hbd diff+apply (no table reads)', setting, ms: tm.extra.diffApplyMs });
          } catch (e) {
            record({ bench: 'ipvs-reload', impl: impl.name, setting, ms: null, why: (e as Error).message });
          }
        }
        await flush(backend);
      }
      if (!warm) writeSummary(false);
    }
    calibration.processStartMsAfter = processStartMs(work);
  } finally {
    await backend.flush().catch(() => undefined);
    backend.close();
    fs.rmSync(work, { recursive: true, force: true });
  }

  writeSummary(true);
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : v;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
