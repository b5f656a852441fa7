// Runs one resource-script operation with a deadline.
//
// Output goes to unlinked temporary files, not pipes, and is read back when
// the script exits. Start scripts often leave a daemon behind that inherits
// stdout/stderr: with a pipe we would either wait for EOF forever (the daemon
// holds the write end) or close our end and kill the daemon with SIGPIPE on
// its next write. Heartbeat had the same constraint and sent the output of
// start/stop to its debug log file.
//
// The script gets its own process group (a session, in fact) so that a
// timeout kills everything it started for that operation: SIGTERM, then
// SIGKILL after a grace period.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunScriptOptions {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL of the process group on timeout or abort. */
  readonly killGraceMs: number;
  readonly signal?: AbortSignal;
  /** Bytes kept of each stream (the rest is dropped, and said so). */
  readonly maxOutputBytes?: number;
}

export interface ScriptRun {
  /** Exit code; null when the script was ended by a signal or could not be run. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** spawn() itself failed (ENOENT, EACCES ...). */
  readonly spawnError: Error | null;
  readonly durationMs: number;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024;

/** A temporary file already unlinked: nothing is left behind, whatever happens. */
function anonymousFile(): number {
  const file = path.join(os.tmpdir(), `hbd-rsc-${process.pid}-${randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(file, 'wx+', 0o600);
  fs.unlinkSync(file);
  return fd;
}

function readBack(fd: number, max: number): string {
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.alloc(Math.min(size, max));
  const n = buf.length > 0 ? fs.readSync(fd, buf, 0, buf.length, 0) : 0;
  const text = buf.subarray(0, n).toString('utf8');
  return size > max ? `${text}\n[... ${size - max} more bytes not kept]` : text;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function runScript(opts: RunScriptOptions): Promise<ScriptRun> {
  const started = performance.now();
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const out = anonymousFile();
  const err = anonymousFile();
  return new Promise<ScriptRun>((resolve) => {
    let timedOut = false;
    let aborted = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const child = spawn(opts.file, [...opts.args], {
      cwd: '/',
      env: opts.env,
      stdio: ['ignore', out, err],
      detached: true,
    });

    const terminate = (): void => {
      if (child.pid === undefined || graceTimer !== undefined) return;
      killGroup(child.pid, 'SIGTERM');
      graceTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), opts.killGraceMs);
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      terminate();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      terminate();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      // Whatever the timed-out operation left running goes with it.
      if ((timedOut || aborted) && child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      opts.signal?.removeEventListener('abort', onAbort);
      const stdout = readBack(out, max);
      const stderr = readBack(err, max);
      fs.closeSync(out);
      fs.closeSync(err);
      resolve({ code, signal, stdout, stderr, timedOut, aborted, spawnError, durationMs: Math.round(performance.now() - started) });
    };
    child.once('error', (e) => finish(null, null, e));
    // 'exit', not 'close': a daemon the script started may keep the output files open.
    child.once('exit', (code, signal) => finish(code, signal, null));
  });
}
