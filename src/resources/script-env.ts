// The environment Heartbeat gives resource scripts. The fixed part comes from
// the configuration (heartbeat setenv()s it at start-up: the names were
// checked against the 3.0.6 binary's strings); the per-operation part
// (HA_DONTASK, and every field of the message that triggered the operation
// as HA_<field>) is supplied by the caller in ResourceContext.env.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HbdConfig } from '../config/model';

/** Where Heartbeat's own shell functions live when the configuration directory has none. */
const SYSTEM_SHELLFUNCS = '/etc/ha.d/shellfuncs';

export function shellfuncsPath(haDir: string): string {
  const own = path.join(haDir, 'shellfuncs');
  return fs.existsSync(own) || !fs.existsSync(SYSTEM_SHELLFUNCS) ? own : SYSTEM_SHELLFUNCS;
}

/** HA_DIR, HA_FUNCS, HA_CURHOST, HA_LOG*, HA_DEBUGLOG, HA_NICEFAILBACK, HA_debug, HA_LOGD. */
export function heartbeatEnv(config: HbdConfig, nodeName: string): Record<string, string> {
  const haDir = config.origin.haDir;
  const log = config.logging;
  const env: Record<string, string> = {
    HA_DIR: haDir,
    HA_FUNCS: shellfuncsPath(haDir),
    HA_CURHOST: nodeName,
    HA_NICEFAILBACK: config.autoFailback === 'legacy' ? 'no' : 'yes',
    HA_debug: String(log.debugLevel),
    // hbd has no ha_logd. ocf-shellfuncs defaults HA_LOGD to yes when unset
    // and would then try ha_logger; say no so scripts log directly.
    HA_LOGD: 'no',
  };
  if (log.facility !== null) env.HA_LOGFACILITY = log.facility;
  if (log.logfile !== null) env.HA_LOGFILE = log.logfile;
  if (log.debugfile !== null) env.HA_DEBUGLOG = log.debugfile;
  return env;
}

/** Every field of a cluster message as HA_<field> (HA_src, HA_st, HA_rsc_hold ...), as harc exports them. */
export function messageEnv(fields: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    // A field name that is not a shell identifier could not be read by a script anyway.
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) env[`HA_${name}`] = value;
  }
  return env;
}

/**
 * What a script process gets: our own environment (PATH ...), then the
 * configuration's HA_* values, then the operation's. ResourceManager unsets
 * LC_ALL and LANGUAGE so that tools print in the C locale's words, which the
 * status text match depends on; so do we.
 */
export function scriptEnvironment(base: Readonly<Record<string, string>>, operation: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...base, ...operation };
  delete env.LC_ALL;
  delete env.LANGUAGE;
  return env;
}
