// After the last directive: Heartbeat's init_config step. Fills in the
// defaults (some computed from other values), runs the cross-directive
// checks, and produces the ha.cf part of the model.

import type { SourceRef } from './diagnostics';
import type { ApiAuthSpec, AutoFailback, HbdConfig } from './model';
import { Code } from './codes';
import { DEFAULT_BAUD, DEFAULT_UDP_PORT, type HaCfState } from './state';

/** Everything in HbdConfig that comes from ha.cf (or its YAML equivalent). */
export type HaCfSettings = Omit<HbdConfig, 'origin' | 'auth' | 'resourceGroups'>;

/** Heartbeat's built-in API authorizations, added for clients ha.cf does not name. */
export const DEFAULT_APIAUTH: readonly { client: string; uids: readonly string[]; gids: readonly string[] }[] = [
  { client: 'ipfail', uids: ['hacluster'], gids: [] },
  { client: 'ccm', uids: ['hacluster'], gids: [] },
  { client: 'ping', uids: [], gids: ['haclient'] },
  { client: 'lha-snmpagent', uids: ['root'], gids: [] },
  { client: 'anon', uids: ['root'], gids: ['haclient'] },
];

export const DEFAULTS = {
  clusterName: 'linux-ha',
  keepaliveMs: 1000,
  deadtimeMs: 30000,
  udpPort: DEFAULT_UDP_PORT,
  baud: DEFAULT_BAUD,
  hopfudge: 1,
  autoFailback: 'legacy' as AutoFailback,
  realtime: true,
  debugLevel: 0,
  logBadPackets: true,
  syslogFormat: true,
  generationMethod: 'file' as const,
  uuidFrom: 'file' as const,
  msgfmt: 'classic' as const,
  compression: 'zlib',
  compressionThresholdKb: 2,
  maxRexmitDelayMs: 250,
} as const;

/** Heartbeat's computed initdead: deadtime if > 10 s, 12 s if < 6 s, else twice deadtime. */
export function defaultInitdead(deadtimeMs: number): number {
  if (deadtimeMs > 10000) return deadtimeMs;
  if (deadtimeMs < 6000) return 12000;
  return 2 * deadtimeMs;
}

export interface FinishOptions {
  /** The local node (uname -n); checked against the node list when given. */
  readonly nodeName?: string;
  /** How messages name the node list: "ha.cf's node list" or "the `nodes` list". */
  readonly nodeListName: string;
}

/**
 * hbd's `standby_keepalive`: how often a node that holds nothing sends. Each
 * of its heartbeats must reach the peer before the peer's warntime (or every
 * one is a "late heartbeat"), and two must fit into a deadtime, as keepalive's.
 * With `standby_deadtime` and only hbd peers, the node advertises that longer
 * dt instead (quiet standby); hbd peers stretch their warntime in proportion,
 * so the interval is checked against those instead. With a real Heartbeat
 * peer such a node falls back to keepalive (hb_engine_cadence.c).
 */
function standbyTiming(
  state: HaCfState,
  keepaliveMs: number,
  deadtimeMs: number,
  warntimeMs: number,
): { standbyKeepaliveMs: number | null; standbyDeadtimeMs: number | null } {
  const { sink } = state;
  let standbyKeepaliveMs: number | null = null;
  const set = state.standbyKeepalive;
  if (set !== null) {
    if (set.value <= keepaliveMs) {
      sink.warning(set.at, Code.HACF_STANDBY_KEEPALIVE_NO_EFFECT, `standby_keepalive (${set.value} ms) is not longer than keepalive (${keepaliveMs} ms), so it changes nothing`);
    } else {
      standbyKeepaliveMs = set.value;
    }
  }
  let standbyDeadtimeMs: number | null = null;
  const quiet = state.standbyDeadtime;
  if (quiet !== null) {
    if (quiet.value <= deadtimeMs) {
      sink.warning(quiet.at, Code.HACF_STANDBY_DEADTIME_NO_EFFECT, `standby_deadtime (${quiet.value} ms) is not longer than deadtime (${deadtimeMs} ms), so it changes nothing`);
    } else {
      standbyDeadtimeMs = quiet.value;
    }
  }
  if (standbyDeadtimeMs !== null && quiet !== null) {
    const stretchedWarnMs = Math.trunc((warntimeMs * standbyDeadtimeMs) / deadtimeMs);
    if (standbyKeepaliveMs === null) {
      sink.error(quiet.at, Code.HACF_STANDBY_DEADTIME_NEEDS_KEEPALIVE, 'standby_deadtime needs a standby_keepalive longer than keepalive: how often the quiet standby sends');
    } else if (standbyDeadtimeMs <= 2 * standbyKeepaliveMs) {
      sink.error(
        quiet.at,
        Code.HACF_STANDBY_DEADTIME_TOO_SHORT,
        `standby_deadtime (${standbyDeadtimeMs} ms) is too short for standby_keepalive (${standbyKeepaliveMs} ms): it must be more than twice it`,
      );
    } else if (set !== null && standbyKeepaliveMs >= stretchedWarnMs) {
      sink.error(
        set.at,
        Code.HACF_STANDBY_KEEPALIVE_TOO_LONG,
        `standby_keepalive (${standbyKeepaliveMs} ms) must be below ${stretchedWarnMs} ms, the warntime hbd peers allow a quiet standby (warntime x standby_deadtime / deadtime)`,
      );
    }
  } else if (standbyKeepaliveMs !== null && set !== null) {
    if (standbyKeepaliveMs >= warntimeMs) {
      sink.error(
        set.at,
        Code.HACF_STANDBY_KEEPALIVE_TOO_LONG,
        `standby_keepalive (${standbyKeepaliveMs} ms) must be below warntime (${warntimeMs} ms): the peer would report each of the standby's heartbeats as late`,
      );
    } else if (deadtimeMs <= 2 * standbyKeepaliveMs) {
      sink.error(
        set.at,
        Code.HACF_STANDBY_KEEPALIVE_TOO_LONG,
        `standby_keepalive (${standbyKeepaliveMs} ms) is too long for deadtime (${deadtimeMs} ms): deadtime must be more than twice it`,
      );
    }
  }
  return { standbyKeepaliveMs, standbyDeadtimeMs };
}

export function finishHaCf(state: HaCfState, opts: FinishOptions): HaCfSettings {
  const { sink } = state;
  const whole: SourceRef = { file: state.file, line: 0 };

  // -- timing
  const keepaliveMs = state.keepalive?.value ?? DEFAULTS.keepaliveMs;
  const deadtimeMs = state.deadtime?.value ?? DEFAULTS.deadtimeMs;
  const timingAt = state.deadtime?.at ?? state.keepalive?.at ?? whole;
  if (deadtimeMs <= 2 * keepaliveMs) {
    sink.error(
      timingAt,
      Code.HACF_DEADTIME_TOO_SMALL,
      `deadtime (${deadtimeMs} ms) is too small compared to keepalive (${keepaliveMs} ms): it must be more than twice keepalive`,
    );
  }
  const warntimeMs = state.warntime?.value ?? Math.trunc(deadtimeMs / 2);
  if (state.warntime !== null && warntimeMs >= deadtimeMs) {
    sink.warning(
      state.warntime.at,
      Code.HACF_WARNTIME_NOT_BELOW_DEADTIME,
      `warntime (${warntimeMs} ms) is not below deadtime (${deadtimeMs} ms), so no "late heartbeat" warning can come before a node is declared dead`,
    );
  }
  const { standbyKeepaliveMs, standbyDeadtimeMs } = standbyTiming(state, keepaliveMs, deadtimeMs, warntimeMs);
  const initdeadMs = state.initdead?.value ?? defaultInitdead(deadtimeMs);
  const initdeadAt = state.initdead?.at ?? timingAt;
  if (initdeadMs < deadtimeMs) {
    sink.error(
      initdeadAt,
      Code.HACF_INITDEAD_TOO_SMALL,
      `initdead (${initdeadMs} ms) is smaller than deadtime (${deadtimeMs} ms): it must be at least deadtime`,
    );
  } else if (initdeadMs < 10000) {
    sink.warning(
      initdeadAt,
      Code.HACF_INITDEAD_SHORT,
      `initdead (${initdeadMs} ms) may be too small: it covers slow network start-up and should be at least 10 s`,
    );
  }
  const deadpingMs = state.deadping?.value ?? deadtimeMs;
  if (state.deadping !== null && deadpingMs <= 2 * keepaliveMs) {
    sink.error(
      state.deadping.at,
      Code.HACF_DEADPING_TOO_SMALL,
      `deadping (${deadpingMs} ms) is too small compared to keepalive (${keepaliveMs} ms): it must be more than twice keepalive`,
    );
  }

  // -- membership
  const nodes = state.nodes.map((n) => n.name);
  if (nodes.length === 0) {
    sink.error(whole, Code.HACF_NO_NODES, `no nodes defined: list the cluster members (their uname -n) in ${opts.nodeListName}`);
  }
  for (const ping of state.pingNodes) {
    const clash = state.nodes.find((n) => n.name === ping.name);
    if (clash !== undefined) {
      sink.error(ping.at, Code.HACF_NAME_CONFLICT, `ping node \`${ping.name}\` has the name of the node listed at line ${clash.at.line}`);
    }
  }
  if (opts.nodeName !== undefined && nodes.length > 0 && !nodes.includes(opts.nodeName.toLowerCase())) {
    sink.error(whole, Code.HACF_LOCAL_NODE_UNKNOWN, `current node \`${opts.nodeName}\` is not in ${opts.nodeListName} (${nodes.join(', ')})`);
  }

  // -- media
  if (state.media.length === 0) {
    sink.error(whole, Code.HACF_NO_MEDIA, 'no heartbeat media defined: add at least one bcast, mcast, ucast or serial link');
  }
  const udpPorts = new Set([...state.udpPortTaken.values()].map((t) => t.value));
  if (udpPorts.size > 1) {
    const uses = [...state.udpPortTaken].map(([user, t]) => `\`${user}\` (line ${t.at.line}) uses ${t.value}`).join(', ');
    sink.error(
      state.udpport?.at ?? whole,
      Code.HACF_UDPPORT_CONFLICT,
      `the UDP media would use different ports (${uses}) because udpport comes between them: move udpport above all media lines`,
    );
  }
  const [takenPort] = udpPorts;
  const udpPort = takenPort ?? state.udpport?.value ?? DEFAULT_UDP_PORT;
  const baud = state.serialBaudTaken?.value ?? state.baud?.value ?? DEFAULT_BAUD;

  // -- failback
  const autoFailback: AutoFailback =
    state.autoFailbackGiven === null ? 'legacy' : !state.niceFailback ? 'legacy' : state.autoFailbackOn ? 'on' : 'off';
  for (const nice of state.niceFailbackLines) {
    sink.warning(
      nice.at,
      Code.HACF_NICE_FAILBACK_OBSOLETE,
      `\`nice_failback\` is obsolete: write \`auto_failback on|off|legacy\` instead. Read as Heartbeat 3.0.6 reads it, ` +
        `this file gives auto_failback ${autoFailback} (\`nice_failback\` means off only after an earlier \`auto_failback on|off\`, otherwise legacy)`,
    );
  }
  if (autoFailback === 'legacy') {
    sink.warning(
      state.autoFailbackGiven ?? whole,
      Code.HACF_AUTO_FAILBACK_LEGACY,
      `auto_failback is legacy${state.autoFailbackGiven === null ? ' (the default when it is not set)' : ''}: this deprecated mode has no hb_standby and no ipfail; ` +
        'write `auto_failback on` or `auto_failback off`',
    );
    for (const child of state.respawn) {
      if (/(^|\/)ipfail$/.test(child.path)) {
        sink.warning(child.at, Code.HACF_IPFAIL_WITH_LEGACY, 'ipfail refuses to run with auto_failback legacy: set auto_failback on or off');
      }
    }
  }

  // -- the rest
  for (const s of state.stonith) {
    if (s.host !== null && s.host !== '*' && !nodes.includes(s.host)) {
      sink.warning(s.at, Code.HACF_STONITH_HOST_UNKNOWN, `stonith_host \`${s.host}\` is neither \`*\` nor a node; the line never applies`);
    }
  }
  const apiauth: ApiAuthSpec[] = [...state.apiauth];
  for (const d of DEFAULT_APIAUTH) {
    if (!apiauth.some((a) => a.client === d.client)) apiauth.push({ ...d, at: whole });
  }

  return {
    clusterName: state.cluster?.value ?? DEFAULTS.clusterName,
    nodes,
    keepaliveMs,
    standbyKeepaliveMs,
    standbyDeadtimeMs,
    deadtimeMs,
    warntimeMs,
    initdeadMs,
    deadpingMs,
    udpPort,
    baud,
    hopfudge: state.hopfudge?.value ?? DEFAULTS.hopfudge,
    media: state.media,
    pingNodes: state.pingNodes,
    autoFailback,
    respawn: state.respawn,
    apiauth,
    env: Object.fromEntries(state.env),
    watchdogDevice: state.watchdog?.value ?? null,
    stonith: state.stonith,
    realtime: state.realtime?.value ?? DEFAULTS.realtime,
    rtprio: state.rtprio?.value ?? null,
    logging: {
      debugLevel: state.debug?.value ?? DEFAULTS.debugLevel,
      facility: state.logfacility?.value ?? null,
      logfile: state.logfile?.value ?? null,
      debugfile: state.debugfile?.value ?? null,
      logBadPackets: state.logBadPack?.value ?? DEFAULTS.logBadPackets,
      syslogFormat: state.syslogFormat?.value ?? DEFAULTS.syslogFormat,
    },
    generationMethod: state.hbgenmethod?.value ?? DEFAULTS.generationMethod,
    uuidFrom: state.uuidfrom?.value ?? DEFAULTS.uuidFrom,
    msgfmt: state.msgfmt?.value ?? DEFAULTS.msgfmt,
    compression: state.compression?.value ?? DEFAULTS.compression,
    compressionThresholdKb: state.compressionThreshold?.value ?? DEFAULTS.compressionThresholdKb,
    maxRexmitDelayMs: state.maxRexmitDelay?.value ?? DEFAULTS.maxRexmitDelayMs,
    ignored: state.ignored,
  };
}
