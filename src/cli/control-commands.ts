// `hbd status`, `hbd standby`, `hbd takeover`: thin clients of the control socket.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { follow, request } from '../control/client';
import { type ResourceSet, controlSocketPath } from '../control/protocol';
import { DEFAULT_STATE_DIR } from '../daemon/state-dir';
import { errorCode } from '../errors';
import { CL_NORMAL_FAIL, HBSTATUS_STOPPED, formatStatus } from './status-format';

export interface ControlOptions {
  readonly stateDir?: string;
}

function stateDirOf(opts: ControlOptions): string {
  return path.resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
}

export async function status(opts: ControlOptions & { json?: boolean; follow?: boolean }, query: readonly string[]): Promise<number> {
  const stateDir = stateDirOf(opts);
  if (opts.follow) {
    const stream = await follow(stateDir, (event) => {
      process.stdout.write(opts.json ? `${JSON.stringify(event)}\n` : `${formatEvent(event)}\n`);
    });
    process.on('SIGINT', () => stream.stop());
    await stream.done;
    return 0;
  }
  let reply;
  try {
    reply = await request(stateDir, { cmd: 'status' });
  } catch (e) {
    // cl_status hbstatus answers this case itself (exit 1), it is not an error.
    if (query[0] === 'hbstatus' && errorCode(e) === 'CONTROL_NOT_RUNNING') {
      process.stdout.write(`${HBSTATUS_STOPPED}\n`);
      return CL_NORMAL_FAIL;
    }
    throw e;
  }
  if (!reply.ok) {
    process.stderr.write(`hbd: ${reply.message}\n`);
    return 1;
  }
  if (opts.json && query.length === 0) {
    process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
    return 0;
  }
  const out = formatStatus(reply, query);
  if (out.error) {
    process.stderr.write(`${out.error}\n`);
    return out.exitCode;
  }
  process.stdout.write(out.text);
  return out.exitCode;
}

export async function resourceCommand(cmd: 'standby' | 'takeover', set: ResourceSet, opts: ControlOptions): Promise<number> {
  const reply = await request(stateDirOf(opts), { cmd, set }, 120_000);
  if (!reply.ok) {
    process.stderr.write(`hbd ${cmd} ${set}: ${reply.message}\n`);
    return 1;
  }
  const message = typeof reply.message === 'string' ? reply.message : `${cmd} ${set} requested`;
  process.stdout.write(`${message}\n`);
  return 0;
}

function formatEvent(event: Record<string, unknown>): string {
  const { seq, time, type, ...rest } = event;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(time)} #${String(seq)} ${String(type)}${fields ? ` ${fields}` : ''}`;
}

/** Asks the daemon to shut down and waits until its control socket is gone. */
export async function stopDaemon(opts: ControlOptions, timeoutMs = 60_000): Promise<number> {
  const stateDir = stateDirOf(opts);
  const reply = await request(stateDir, { cmd: 'shutdown' });
  if (!reply.ok) {
    process.stderr.write(`hbd stop: ${reply.message}\n`);
    return 1;
  }
  const socketPath = controlSocketPath(stateDir);
  const deadline = Date.now() + timeoutMs;
  while (fs.existsSync(socketPath) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (fs.existsSync(socketPath)) {
    process.stderr.write(`hbd stop: the daemon did not stop within ${timeoutMs / 1000} s\n`);
    return 1;
  }
  process.stdout.write('hbd stopped\n');
  return 0;
}
