// Logging with pino. Destinations follow ha.cf: `logfile` gets info and above,
// `debugfile` everything the current level lets through, `logfacility` sends
// info and above to syslog. Output is JSON; on a terminal stderr is made
// readable with pino-pretty. `debug N` (or SIGUSR1/SIGUSR2 at run time) moves
// the level: 0 = info, 1 = debug, 2+ = trace.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import pino = require('pino');
import pretty = require('pino-pretty');

export type Logger = pino.Logger;
export type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const LEVEL_NAMES: readonly LevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export interface SyslogSink {
  open(ident: string, facility: string): void;
  write(priority: number, message: string): void;
}

export interface LogOptions {
  readonly level: LevelName;
  /** Also log to stderr (foreground runs, CLI). */
  readonly stderr: boolean;
  /** 'auto' = pretty when stderr is a TTY. */
  readonly pretty?: boolean | 'auto';
  readonly logfile?: string | null;
  readonly debugfile?: string | null;
  readonly syslogFacility?: string | null;
  readonly syslog?: SyslogSink | null;
  readonly name?: string;
  /** Extra fields on every line (e.g. node name). */
  readonly base?: Record<string, unknown>;
}

export function levelForDebug(debugLevel: number): LevelName {
  if (debugLevel <= 0) return 'info';
  return debugLevel === 1 ? 'debug' : 'trace';
}

export function isLevelName(s: string): s is LevelName {
  return (LEVEL_NAMES as readonly string[]).includes(s);
}

// pino level number -> syslog priority (LOG_CRIT .. LOG_DEBUG)
function syslogPriority(pinoLevel: number): number {
  if (pinoLevel >= 60) return 2;
  if (pinoLevel >= 50) return 3;
  if (pinoLevel >= 40) return 4;
  if (pinoLevel >= 30) return 6;
  return 7;
}

/** Turns each JSON log line into "msg key=value ..." for syslog. */
function syslogStream(sink: SyslogSink): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          const { level, msg, time: _t, pid: _p, hostname: _h, name: _n, ...rest } = rec;
          const extras = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          sink.write(syslogPriority(Number(level)), extras ? `${String(msg ?? '')} ${extras}` : String(msg ?? ''));
        } catch {
          sink.write(6, line);
        }
      }
      done();
    },
  });
}

function fileDestination(file: string): pino.DestinationStream {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return pino.destination({ dest: file, sync: false, mkdir: true, append: true });
}

export interface LogHandle {
  readonly logger: Logger;
  setLevel(level: LevelName): void;
  /** One step more (+1) or less (-1) verbose, as SIGUSR1/SIGUSR2 do. */
  step(direction: 1 | -1): LevelName;
  flush(): void;
}

export function createLogger(opts: LogOptions): LogHandle {
  const streams: pino.StreamEntry[] = [];
  if (opts.stderr) {
    const usePretty = opts.pretty === 'auto' || opts.pretty === undefined ? process.stderr.isTTY === true : opts.pretty;
    const stream = usePretty
      ? pretty({ destination: 2, colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ dest: 2, sync: true });
    streams.push({ level: 'trace', stream });
  }
  if (opts.logfile && opts.logfile !== '/dev/null') {
    streams.push({ level: 'info', stream: fileDestination(opts.logfile) });
  }
  if (opts.debugfile && opts.debugfile !== '/dev/null') {
    streams.push({ level: 'trace', stream: fileDestination(opts.debugfile) });
  }
  if (opts.syslogFacility && opts.syslogFacility !== 'none' && opts.syslog) {
    opts.syslog.open(opts.name ?? 'hbd', opts.syslogFacility);
    streams.push({ level: 'info', stream: syslogStream(opts.syslog) });
  }
  const logger = pino(
    {
      name: opts.name ?? 'hbd',
      level: opts.level,
      base: { pid: process.pid, ...(opts.base ?? {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    streams.length > 0 ? pino.multistream(streams) : pino.destination('/dev/null'),
  );
  return {
    logger,
    setLevel(level) {
      logger.level = level;
    },
    step(direction) {
      const i = LEVEL_NAMES.indexOf(logger.level as LevelName);
      const next = LEVEL_NAMES[Math.min(LEVEL_NAMES.length - 1, Math.max(0, (i < 0 ? 3 : i) + direction))] ?? 'info';
      logger.level = next;
      return next;
    },
    flush() {
      logger.flush();
    },
  };
}
