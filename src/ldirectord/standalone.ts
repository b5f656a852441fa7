// A director as its own process (`hbd ldirectord CONFIG start`): logging as
// the configuration says (logfile = path or syslog facility), the control
// socket and pid file of `hbd run` (src/control) in a per-configuration state
// directory, SIGHUP = reload, SIGTERM/SIGINT = stop (with cleanstop).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckRunner } from '../checks/types';
import { formatDiagnostic } from '../config/diagnostics';
import { controlSocketPath, pidFilePath } from '../control/protocol';
import { ControlServer, isSocketAlive } from '../control/server';
import { EventStream } from '../daemon/events';
import { ensureStateDir } from '../daemon/state-dir';
import type { IpvsBackend } from '../ipvs/types';
import { type LevelName, type LogHandle, type SyslogSink, createLogger } from '../log';
import { openIpvsBackend } from './backend-factory';
import { createDirectorCheckRunner } from './command-pinger';
import { Director, DirectorConfigError } from './director';
import type { LdirectordConfig } from './model';

/** One state directory per configuration (ldirectord keeps one pid file per configuration name). */
export function instanceDir(stateDir: string, config: string): string {
  const name = path.basename(config).replace(/[^A-Za-z0-9._-]/g, '_') || 'ldirectord.cf';
  return path.join(path.resolve(stateDir), name);
}

export interface StandaloneOptions {
  readonly config: string;
  readonly instanceDir: string;
  /** Started by `start` without --foreground: nobody reads stderr. */
  readonly detached: boolean;
  readonly logLevel?: LevelName;
  readonly syslog?: SyslogSink | null;
  readonly backend?: IpvsBackend;
  readonly checks?: CheckRunner;
  readonly haDir?: string;
}

function loggerFor(config: LdirectordConfig | null, opts: StandaloneOptions): LogHandle {
  const target = config?.globals.logfile;
  return createLogger({
    level: opts.logLevel ?? 'info',
    stderr: !opts.detached,
    logfile: target?.kind === 'file' ? target.path : null,
    syslogFacility: target?.kind === 'syslog' ? target.facility : null,
    syslog: opts.syslog ?? null,
    name: 'hbd-ldirectord',
    base: { config: opts.config },
  });
}

/** Runs until SIGTERM/SIGINT or a `shutdown` request; returns the exit code. */
export async function runStandalone(opts: StandaloneOptions, config: LdirectordConfig): Promise<number> {
  const dir = opts.instanceDir;
  ensureStateDir(dir);
  const socketPath = controlSocketPath(dir);
  if (fs.existsSync(socketPath) && (await isSocketAlive(socketPath))) {
    process.stderr.write(`ldirectord for ${config.file} is already running (state dir ${dir})\n`);
    return 0;
  }
  const log = loggerFor(config, opts);
  const events = new EventStream();
  let backend: IpvsBackend;
  try {
    backend = opts.backend ?? (await openIpvsBackend());
  } catch (e) {
    log.logger.fatal({}, `cannot program IPVS: ${(e as Error).message}`);
    log.flush();
    return 1;
  }
  const director = new Director({
    config: opts.config,
    load: { haDir: opts.haDir },
    backend,
    checks: opts.checks ?? createDirectorCheckRunner(),
    logger: log.logger,
    onEvent: (e) => {
      const { type, ...fields } = e;
      events.emit(type, fields);
    },
  });
  try {
    await director.start();
  } catch (e) {
    if (e instanceof DirectorConfigError) {
      for (const d of e.diagnostics) log.logger.error({ code: d.code }, formatDiagnostic(d));
      log.flush();
      return 2;
    }
    log.logger.fatal({}, `ldirectord ${config.file} could not start: ${(e as Error).message}`);
    log.flush();
    return 1;
  }

  let stopping: Promise<number> | null = null;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const control = new ControlServer(socketPath, {
    handle: (req) => {
      switch (req.cmd) {
        case 'status':
          return { ok: true, ldirectord: director.status() };
        case 'shutdown':
          setImmediate(() => void stop('control request'));
          return { ok: true };
        default:
          return { ok: false, code: 'NOT_SUPPORTED', message: `${req.cmd}: a standalone ldirectord has no resources to move` };
      }
    },
    follow: (send) => events.subscribe((e) => send({ ...e }), 50),
  });
  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      log.logger.info({ reason }, `stopping ldirectord ${config.file}`);
      let code = 0;
      try {
        await director.stop();
      } catch (e) {
        log.logger.error({}, `stopping the director failed: ${(e as Error).message}`);
        code = 1;
      }
      await control.close();
      fs.rmSync(pidFilePath(dir), { force: true });
      backend.close();
      log.flush();
      finish(code);
      return code;
    })();
    return stopping;
  };
  try {
    await control.listen();
  } catch (e) {
    log.logger.fatal({}, `control socket ${socketPath}: ${(e as Error).message}`);
    await director.stop();
    log.flush();
    return 1;
  }
  fs.writeFileSync(pidFilePath(dir), `${process.pid}\n`);
  process.on('SIGHUP', () => {
    log.logger.info({}, 'SIGHUP: reloading the configuration');
    void director.reload();
  });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return done;
}
