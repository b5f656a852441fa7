// `hbd run`: validate the configuration, then run the daemon in the
// foreground, or detach (the default, as heartbeat does) and return once the
// daemon's control socket answers.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlSocketPath } from '../control/protocol';
import { isSocketAlive } from '../control/server';
import { Daemon } from '../daemon/daemon';
import { DEFAULT_STATE_DIR, ensureStateDir } from '../daemon/state-dir';
import { errorCode } from '../errors';
import { type LevelName, createLogger, levelForDebug } from '../log';
import { loadNative } from '../native/binding';
import { openNativeNet } from '../net/native-net';
import type { NetOps } from '../net/types';
import { type ConfigSourceOptions, defaultNodeName, loadConfigFrom, printDiagnostics } from './config-source';

export interface RunOptions extends ConfigSourceOptions {
  readonly stateDir?: string;
  readonly foreground?: boolean;
  readonly logLevel?: LevelName;
  readonly onStopFailure?: 'reboot' | 'exit' | 'none';
}

/** Set in the detached child so it knows stderr goes nowhere. */
const DETACHED_ENV = 'HBD_DETACHED';

export async function run(opts: RunOptions, argv: readonly string[]): Promise<number> {
  const nodeName = (opts.nodeName ?? defaultNodeName()).toLowerCase();
  const result = loadConfigFrom({ ...opts, nodeName });
  printDiagnostics(result.diagnostics.all);
  const config = result.config;
  if (!config) {
    process.stderr.write('hbd: not starting: the configuration has errors (see `hbd check-config`)\n');
    return 1;
  }
  const stateDir = path.resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  ensureStateDir(stateDir);

  if (!opts.foreground) return detach(stateDir, argv);

  const detached = process.env[DETACHED_ENV] === '1';
  const logging = config.logging;
  const noTargets = !logging.logfile && !logging.debugfile && !logging.facility;
  const log = createLogger({
    level: opts.logLevel ?? levelForDebug(logging.debugLevel),
    stderr: !detached,
    logfile: logging.logfile,
    debugfile: logging.debugfile,
    // Heartbeat logs through logd (i.e. syslog) when nothing else is configured.
    syslogFacility: logging.facility ?? (detached && noTargets ? 'daemon' : null),
    syslog: syslogSink(),
    base: { node: nodeName },
  });

  let native;
  try {
    native = loadNative();
  } catch (e) {
    log.logger.fatal(`hbd could not start: ${(e as Error).message}`);
    log.flush();
    return 1;
  }
  const daemon = new Daemon({
    config,
    nodeName,
    stateDir,
    log,
    native,
    serialLockDir: process.env.HBD_SERIAL_LOCK_DIR,
    escalation: opts.onStopFailure ?? 'reboot',
    net: await openNet(log),
  });
  try {
    await daemon.start();
  } catch (e) {
    log.logger.fatal({ err: e }, `hbd could not start: ${(e as Error).message}`);
    log.flush();
    return errorCode(e) === 'ALREADY_RUNNING' ? 3 : 1;
  }
  return new Promise<number>((resolve) => {
    const stop = (reason: string) => void daemon.stop(reason).then(() => resolve(0));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGUSR1', () => log.logger.info(`log level raised to ${log.step(1)}`));
    process.on('SIGUSR2', () => log.logger.info(`log level lowered to ${log.step(-1)}`));
  });
}

/** The native NetOps (VIPs, announcements), or null with a warning if unavailable. */
async function openNet(log: ReturnType<typeof createLogger>): Promise<NetOps | null> {
  try {
    return await openNativeNet();
  } catch (e) {
    log.logger.warn(`VIP resources unavailable: ${(e as Error).message}`);
    return null;
  }
}

/** The native syslog writer, or null when the addon is not built (shared with `hbd ldirectord`). */
export function syslogSink() {
  try {
    const native = loadNative();
    return { open: native.syslogOpen, write: native.syslogWrite };
  } catch {
    return null;
  }
}

/** Re-run ourselves with --foreground, detached, and wait until it answers (shared with `hbd ldirectord start`). */
export async function detach(stateDir: string, argv: readonly string[]): Promise<number> {
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [script, ...argv, '--foreground'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [DETACHED_ENV]: '1' },
  });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const socketPath = controlSocketPath(stateDir);
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (exited !== null) {
      process.stderr.write(`hbd: the daemon exited during start-up (status ${exited}); see its log\n`);
      return 1;
    }
    if (fs.existsSync(socketPath) && (await isSocketAlive(socketPath))) {
      process.stdout.write(`hbd started (pid ${child.pid}, state dir ${stateDir})\n`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stderr.write('hbd: the daemon did not answer within 15 s\n');
  return 1;
}
