// `hbd ldirectord CONFIG start|stop|status|reload|check`: the built-in
// ldirectord used on its own, like ldirectord's own CLI. CONFIG is looked up
// as ldirectord does (/etc/ha.d/CONFIG, /etc/ha.d/conf/CONFIG, then the path).
//
// Exit codes follow ldirectord: 0 done / running, 3 stopped (status), 1 stale
// pid file (status) or failure, 2 configuration errors.

import * as fs from 'node:fs';
import { request } from '../control/client';
import { controlSocketPath, pidFilePath } from '../control/protocol';
import { isSocketAlive } from '../control/server';
import { formatDiagnostic, sortDiagnostics } from '../config/diagnostics';
import { HbdError } from '../errors';
import { openIpvsBackend } from '../ldirectord/backend-factory';
import { createDirectorCheckRunner } from '../ldirectord/command-pinger';
import { Director, DirectorConfigError } from '../ldirectord/director';
import { type LdLoadResult, loadLdirectordConfig } from '../ldirectord/load';
import { instanceDir, runStandalone } from '../ldirectord/standalone';
import { type DirectorStatus, formatDirectorStatus } from '../ldirectord/status';
import { detach, syslogSink } from './run';

export const LDIRECTORD_ACTIONS = ['start', 'stop', 'status', 'reload', 'check'] as const;
export type LdirectordAction = (typeof LDIRECTORD_ACTIONS)[number];

export interface LdirectordOptions {
  readonly stateDir?: string;
  readonly foreground?: boolean;
}

export const DEFAULT_LDIRECTORD_STATE_DIR = '/var/lib/hbd/ldirectord';
/** Set in the detached child so it knows stderr goes nowhere. */
const DETACHED_ENV = 'HBD_DETACHED';
/** Base directory of the configuration lookup, for tests (ldirectord: /etc/ha.d). */
const HA_DIR_ENV = 'HBD_LDIRECTORD_HA_DIR';

export function isLdirectordAction(s: string): s is LdirectordAction {
  return (LDIRECTORD_ACTIONS as readonly string[]).includes(s);
}

function haDir(): string | undefined {
  return process.env[HA_DIR_ENV] || undefined;
}

async function validate(config: string): Promise<LdLoadResult> {
  const result = await loadLdirectordConfig(config, { haDir: haDir() });
  for (const d of sortDiagnostics(result.diagnostics.all)) process.stderr.write(`${formatDiagnostic(d)}\n`);
  return result;
}

async function running(dir: string): Promise<boolean> {
  const socketPath = controlSocketPath(dir);
  return fs.existsSync(socketPath) && isSocketAlive(socketPath);
}

async function statusOf(dir: string): Promise<DirectorStatus | null> {
  const reply = await request(dir, { cmd: 'status' });
  return reply.ok ? (reply.ldirectord as DirectorStatus) : null;
}

export async function ldirectordCommand(config: string, action: string, opts: LdirectordOptions): Promise<number> {
  if (!isLdirectordAction(action)) {
    throw new HbdError('BAD_ARGUMENT', `unknown ldirectord action '${action}': expected ${LDIRECTORD_ACTIONS.join('|')}`);
  }
  const stateDir = opts.stateDir ?? DEFAULT_LDIRECTORD_STATE_DIR;
  const dir = instanceDir(stateDir, config);
  switch (action) {
    case 'start':
      return start(config, stateDir, dir, opts.foreground === true);
    case 'stop':
      return stop(config, dir);
    case 'status':
      return status(config, dir);
    case 'reload':
      return reload(config, dir);
    case 'check':
      return checkOnce(config);
  }
}

async function start(config: string, stateDir: string, dir: string, foreground: boolean): Promise<number> {
  const loaded = await validate(config);
  if (loaded.config === null) {
    process.stderr.write(`hbd ldirectord: not starting: ${config} has errors\n`);
    return 2;
  }
  if (await running(dir)) {
    process.stdout.write(`ldirectord for ${loaded.config.file} is already running\n`);
    return 0;
  }
  if (!foreground && !loaded.config.globals.supervised) {
    return detach(dir, ['ldirectord', config, 'start', '--state-dir', stateDir]);
  }
  return runStandalone(
    { config, instanceDir: dir, detached: process.env[DETACHED_ENV] === '1', syslog: syslogSink(), haDir: haDir() },
    loaded.config,
  );
}

async function stop(config: string, dir: string): Promise<number> {
  if (!(await running(dir))) {
    process.stdout.write(`ldirectord is stopped for ${config}\n`);
    return 0;
  }
  const reply = await request(dir, { cmd: 'shutdown' });
  if (!reply.ok) {
    process.stderr.write(`hbd ldirectord stop: ${reply.message}\n`);
    return 1;
  }
  const socketPath = controlSocketPath(dir);
  const deadline = Date.now() + 60_000;
  while (fs.existsSync(socketPath) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (fs.existsSync(socketPath)) {
    process.stderr.write('hbd ldirectord stop: the director did not stop within 60 s\n');
    return 1;
  }
  process.stdout.write(`ldirectord for ${config} stopped\n`);
  return 0;
}

async function status(config: string, dir: string): Promise<number> {
  if (!(await running(dir))) {
    if (fs.existsSync(pidFilePath(dir))) {
      process.stderr.write(`ldirectord stale pid file ${pidFilePath(dir)} for ${config}\n`);
      process.stdout.write(`ldirectord is stopped for ${config}\n`);
      return 1;
    }
    process.stdout.write(`ldirectord is stopped for ${config}\n`);
    return 3;
  }
  const s = await statusOf(dir);
  if (s === null) {
    process.stderr.write('hbd ldirectord status: the director did not answer\n');
    return 1;
  }
  process.stdout.write(formatDirectorStatus(s));
  return 0;
}

/** Validates the file here (so the operator sees every diagnostic), then sends SIGHUP as ldirectord does and waits for the outcome. */
async function reload(config: string, dir: string): Promise<number> {
  if (!(await running(dir))) {
    process.stderr.write(`ldirectord is stopped for ${config}: nothing to reload\n`);
    return 1;
  }
  const loaded = await validate(config);
  if (loaded.config === null) {
    process.stderr.write(`hbd ldirectord: not reloaded: ${config} has errors; the running configuration stays\n`);
    return 2;
  }
  const before = await statusOf(dir);
  const pid = Number(fs.readFileSync(pidFilePath(dir), 'utf8').trim());
  process.kill(pid, 'SIGHUP');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await statusOf(dir);
    if (now === null || before === null) break;
    if (now.reloads.ok > before.reloads.ok) {
      process.stdout.write(`ldirectord for ${loaded.config.file} reloaded\n`);
      return 0;
    }
    if (now.reloads.failed > before.reloads.failed) {
      for (const line of now.reloads.lastErrors) process.stderr.write(`${line}\n`);
      process.stderr.write('hbd ldirectord: the reload failed; the running configuration stays\n');
      return 1;
    }
  }
  process.stderr.write('hbd ldirectord: no reload result within 30 s\n');
  return 1;
}

async function checkOnce(config: string): Promise<number> {
  const loaded = await validate(config);
  if (loaded.config === null) return 2;
  const backend = await openIpvsBackend();
  try {
    const director = new Director({ config, load: { haDir: haDir() }, backend, checks: createDirectorCheckRunner() });
    const s = await director.checkOnce();
    const plural = s.virtuals.length === 1 ? 'service' : 'services';
    process.stdout.write(formatDirectorStatus(s, `ldirectord ${s.config}: one round of checks, IPVS updated by difference (${s.virtuals.length} virtual ${plural})`));
    return 0;
  } catch (e) {
    if (e instanceof DirectorConfigError) {
      for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      return 2;
    }
    throw e;
  } finally {
    backend.close();
  }
}
