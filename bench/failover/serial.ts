// Serial-only failure detection: two hbd nodes joined by a socat pty pair (a
// null-modem cable, as test/harness/pty-pair.ts builds it), no network
// heartbeat medium. A is SIGKILLed; B's own 'node dead' event gives the time.
//
// Usage: node dist/bench/failover/serial.js [--trials N]   (JSON lines on stdout)
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { follow } from '../../src/control/client';
import { controlSocketPath } from '../../src/control/protocol';
import { isSocketAlive } from '../../src/control/server';
import { Lan } from '../../src/netns/lan';
import { HbdNode } from '../../test/harness/hbd-node';
import { untilReady } from './adapters/common';
import type { SerialRecord } from './types';

export interface SerialBenchOptions {
  readonly workDir: string;
  readonly trials: number;
  readonly bauds?: number[];
  readonly log?: (line: string) => void;
}

const DEFAULT_BAUDS = [19200, 115200];
const NODE_A = 'sera';
const NODE_B = 'serb';
/** hbd advertises deadtime + 2 s during its first 5 s (as Heartbeat does). */
const STARTUP_GRACE_MS = 5000;
/** "Round" keepalives, ms: 1, 1.5, 2, 2.5, 3, 4, 5, 7.5 x 10^k. */
const ROUND_STEPS = [1, 1.5, 2, 2.5, 3, 4, 5, 7.5];
/** Timing of the calibration run that captures status messages (any safe value). */
const CALIBRATION = { keepaliveMs: 1000, deadtimeMs: 4000 };

interface Timing {
  readonly keepaliveMs: number;
  readonly deadtimeMs: number;
}

/** The socat process joining two ptys, with raw dumps of each direction. */
interface Line {
  readonly ttyA: string;
  readonly ttyB: string;
  /** What A wrote (socat -r, left to right) and what B wrote (-R). */
  readonly dumpA: string;
  readonly dumpB: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Epoch ms with sub-ms resolution, comparable with hbd's engineTime. */
const nowEpochMs = () => performance.timeOrigin + performance.now();

/**
 * A pty pair: `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`, as the
 * harness builds it, plus -r/-R raw dumps so the bytes on the line can be
 * measured. A pty does not enforce the baud rate (bytes move at memory speed).
 */
async function startLine(dir: string): Promise<Line> {
  const linkA = path.join(dir, 'ttyA');
  const linkB = path.join(dir, 'ttyB');
  const dumpA = path.join(dir, 'line-a-to-b.raw');
  const dumpB = path.join(dir, 'line-b-to-a.raw');
  const socat: ChildProcess = spawn('socat', ['-r', dumpA, '-R', dumpB, `pty,raw,echo=0,link=${linkA}`, `pty,raw,echo=0,link=${linkB}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const stop = async () => {
    if (socat.exitCode === null && socat.signalCode === null) {
      socat.kill('SIGTERM'); // lets socat remove its links itself
      await Promise.race([exited, sleep(2000)]);
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill('SIGKILL');
        await exited;
      }
    }
    for (const l of [linkA, linkB]) fs.rmSync(l, { force: true });
  };
  try {
    await untilReady('socat ptys', () => fs.existsSync(linkA) && fs.existsSync(linkB), 10_000);
    // Heartbeat derives its lock file name from the device path: use the real ones.
    return { ttyA: fs.realpathSync(linkA), ttyB: fs.realpathSync(linkB), dumpA, dumpB, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Sizes of every classic `>>>\n ... <<<\n` frame carrying `t=status`, framing included. */
export function statusFrameSizes(raw: Buffer): number[] {
  const text = raw.toString('latin1'); // byte-for-byte, so lengths are bytes
  const sizes: number[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('>>>\n', from);
    if (start < 0) break;
    const end = text.indexOf('<<<\n', start);
    if (end < 0) break;
    const frame = text.slice(start, end + 4);
    if (frame.includes('\nt=status\n')) sizes.push(frame.length);
    from = end + 4;
  }
  return sizes;
}

/** The largest status message either side wrote on the line, bytes. */
function measuredMessageBytes(line: Line): number {
  const sizes = [line.dumpA, line.dumpB].flatMap((f) => (fs.existsSync(f) ? statusFrameSizes(fs.readFileSync(f)) : []));
  if (sizes.length === 0) throw new Error('no status message captured on the serial line');
  return Math.max(...sizes);
}

/** One message at 8N1 (start + 8 data + stop = 10 bits a byte), ms. */
export function lineTimeMs(bytes: number, baud: number): number {
  return Math.round(((bytes * 10) / baud) * 1000 * 100) / 100;
}

/** The smallest round value >= ms. */
export function roundUp(ms: number): number {
  for (let scale = 1; ; scale *= 10) {
    for (const s of ROUND_STEPS) if (s * scale >= ms) return s * scale;
  }
}

/**
 * keepalive >= 2 x the line time of one status message, so each direction
 * of the line is at most half busy with heartbeats; deadtime = 4 x keepalive
 * (hbd requires deadtime > 2 x keepalive).
 */
export function timingFor(messageBytes: number, baud: number): Timing {
  const keepaliveMs = roundUp(2 * lineTimeMs(messageBytes, baud));
  return { keepaliveMs, deadtimeMs: 4 * keepaliveMs };
}

function haCf(timing: Timing, baud: number, device: string): string {
  return [
    `keepalive ${timing.keepaliveMs}ms`,
    `deadtime ${timing.deadtimeMs}ms`,
    `warntime ${Math.max(timing.keepaliveMs + 1, Math.trunc(timing.deadtimeMs / 2))}ms`,
    `initdead ${Math.max(2 * timing.deadtimeMs, 2000)}ms`,
    // baud before serial: the serial plugin takes the speed when it loads.
    `baud ${baud}`,
    `serial ${device}`,
    'auto_failback on',
    `node ${NODE_A} ${NODE_B}`,
    'realtime on',
    'crm off',
    '',
  ].join('\n');
}

/** Two started hbd nodes over `line`, each in its own netns, and their stop. */
interface SerialPair {
  readonly a: HbdNode;
  readonly b: HbdNode;
  /** When both control sockets answered (the engines run from about then). */
  readonly aliveAt: number;
  stop(): Promise<void>;
}

async function startPair(lan: Lan, line: Line, timing: Timing, baud: number, dir: string): Promise<SerialPair> {
  const make = (host: 'a' | 'b', name: string, tty: string) => {
    const workDir = path.join(dir, `hbd-${host}`);
    const lockDir = path.join(workDir, 'locks'); // UUCP lock files, not /var/lock
    fs.mkdirSync(lockDir, { recursive: true });
    return new HbdNode({
      netns: lan.ns(host),
      name,
      workDir,
      haCf: haCf(timing, baud, tty),
      authkeys: 'auth 1\n1 sha1 bench-serial-secret\n',
      logLevel: 'warn',
      env: { HBD_SERIAL_LOCK_DIR: lockDir },
      extraArgs: ['--on-stop-failure', 'none'],
    });
  };
  const a = make('a', NODE_A, line.ttyA);
  const b = make('b', NODE_B, line.ttyB);
  const stop = async () => {
    for (const n of [a, b]) n.kill();
    await untilReady('both hbd daemons gone', () => !a.running && !b.running, 5000).catch(() => undefined);
  };
  try {
    a.start();
    b.start();
    await untilReady('both hbd control sockets', async () => (await isSocketAlive(controlSocketPath(a.stateDir))) && (await isSocketAlive(controlSocketPath(b.stateDir))), 20_000);
    const aliveAt = Date.now();
    await untilReady('each node seeing the other active over serial', async () => (await a.nodeStatus(NODE_B)) === 'active' && (await b.nodeStatus(NODE_A)) === 'active', 20_000);
    return { a, b, aliveAt, stop };
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- A's log:\n${a.log().slice(-2000)}\n--- B's log:\n${b.log().slice(-2000)}`);
  }
}

/**
 * Past the start-up grace: B applies the deadtime A advertises, which is
 * deadtime + 2 s during A's first 5 s; wait it out, then check B's view.
 */
async function pastStartupGrace(pair: SerialPair, timing: Timing): Promise<void> {
  const wait = pair.aliveAt + STARTUP_GRACE_MS + 2 * timing.keepaliveMs + 500 - Date.now();
  if (wait > 0) await sleep(wait);
  await untilReady(`B applying A's deadtime ${timing.deadtimeMs} ms`, async () => {
    const s = await pair.b.status();
    return (s?.nodes.find((n) => n.name === NODE_A) as { deadtimeMs?: number } | undefined)?.deadtimeMs === timing.deadtimeMs;
  }, 5000);
}

/** Follows B's events; resolves with the engine time B declared A dead. */
async function watchDeath(b: HbdNode): Promise<{ deathAt: (timeoutMs: number) => Promise<number>; stop: () => void }> {
  let deathAt: number | undefined;
  const f = await follow(b.stateDir, (e) => {
    if (e.type === 'node dead' && e.node === NODE_A && typeof e.engineTime === 'number') deathAt ??= e.engineTime;
  });
  return {
    deathAt: async (timeoutMs) => {
      await untilReady("B's 'node dead' event for A", () => deathAt !== undefined, timeoutMs);
      return deathAt as number;
    },
    stop: f.stop,
  };
}

/** Starts a pair at a safe timing just to capture status messages as written on the line. */
async function calibrate(lan: Lan, baud: number, dir: string): Promise<number> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const line = await startLine(dir);
  try {
    const pair = await startPair(lan, line, CALIBRATION, baud, dir);
    try {
      await sleep(2 * CALIBRATION.keepaliveMs + 200); // a few steady status messages
    } finally {
      await pair.stop();
    }
    return measuredMessageBytes(line);
  } finally {
    await line.stop();
  }
}

async function runTrial(lan: Lan, baud: number, timing: Timing, calibratedBytes: number, trial: number, dir: string): Promise<SerialRecord> {
  const base = { baud, keepaliveMs: timing.keepaliveMs, deadtimeMs: timing.deadtimeMs, trial };
  const record = (bytes: number, rest: { ok: boolean; error?: string; detectMs?: number }): SerialRecord => ({
    ...base,
    messageBytes: bytes,
    lineTimeMs: lineTimeMs(bytes, baud),
    ...rest,
  });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  let line: Line | null = null;
  let pair: SerialPair | null = null;
  let watch: Awaited<ReturnType<typeof watchDeath>> | null = null;
  try {
    line = await startLine(dir);
    pair = await startPair(lan, line, timing, baud, dir);
    watch = await watchDeath(pair.b);
    await pastStartupGrace(pair, timing);
    // A random phase against A's heartbeat schedule, so detectMs spreads over
    // (deadtime - keepalive, deadtime] instead of locking to one point.
    await sleep(Math.random() * timing.keepaliveMs);
    const pid = pair.a.daemonPid();
    if (!pid) throw new Error("A's daemon pid is unknown");
    const t0 = nowEpochMs();
    process.kill(pid, 'SIGKILL');
    const deathAt = await watch.deathAt(timing.deadtimeMs + 5000);
    // This trial's own capture: the bytes on the line when A died.
    return record(measuredMessageBytes(line), { ok: true, detectMs: Math.round((deathAt - t0) * 100) / 100 });
  } catch (e) {
    const logs = pair ? `\n--- A's log:\n${pair.a.log().slice(-1500)}\n--- B's log:\n${pair.b.log().slice(-1500)}` : '';
    return record(calibratedBytes, { ok: false, error: `${(e as Error).message}${logs}` });
  } finally {
    watch?.stop();
    await pair?.stop();
    await line?.stop();
  }
}

/**
 * hbd's failure detection over a serial link only, per baud: keepalive and
 * deadtime are chosen from the line time of one status message (measured on
 * the line in a calibration run), then `trials` times A is SIGKILLed and B's
 * engine time of 'node dead' gives detectMs.
 *
 * A pty pair does not enforce the baud rate: data moves at memory speed, so
 * detectMs shows hbd's timers, not the wire. lineTimeMs in each record is the
 * floor a real cable at that baud adds to every heartbeat (8N1, 10 bits a byte);
 * on real hardware expect detection up to about one lineTimeMs later.
 */
export async function runSerialBench(opts: SerialBenchOptions): Promise<SerialRecord[]> {
  const log = opts.log ?? (() => undefined);
  const records: SerialRecord[] = [];
  fs.mkdirSync(opts.workDir, { recursive: true });
  // Own namespaces keep the daemons off the host's network (serial needs none).
  const lan = Lan.create([{ name: 'a', addresses: ['10.96.77.1/24'] }, { name: 'b', addresses: ['10.96.77.2/24'] }], { prefix: `hbds-${process.pid % 10000}-` });
  try {
    for (const baud of opts.bauds ?? DEFAULT_BAUDS) {
      const bytes = await calibrate(lan, baud, path.join(opts.workDir, `serial-${baud}-calibration`));
      const timing = timingFor(bytes, baud);
      log(`serial ${baud} baud: status message ${bytes} B = ${lineTimeMs(bytes, baud)} ms on the line -> keepalive ${timing.keepaliveMs} ms, deadtime ${timing.deadtimeMs} ms`);
      for (let i = 0; i < opts.trials; i++) {
        const r = await runTrial(lan, baud, timing, bytes, i, path.join(opts.workDir, `serial-${baud}-${i}`));
        log(r.ok ? `serial ${baud} #${i}: detected in ${r.detectMs} ms (deadtime ${timing.deadtimeMs} ms)` : `serial ${baud} #${i}: FAILED ${r.error}`);
        records.push(r);
      }
    }
  } finally {
    lan.destroy();
  }
  return records;
}

function trialsArg(argv: readonly string[]): number {
  const i = argv.indexOf('--trials');
  if (i < 0) return 10;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error('--trials takes a positive integer');
  return n;
}

async function main(): Promise<void> {
  const trials = trialsArg(process.argv.slice(2));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-serial-'));
  try {
    const records = await runSerialBench({ workDir, trials, log: (l) => process.stderr.write(`${l}\n`) });
    for (const r of records) process.stdout.write(`${JSON.stringify(r)}\n`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
