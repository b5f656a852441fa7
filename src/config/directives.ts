// Every ha.cf directive Heartbeat 3.0.6 knows (features.md §1.2), with what
// hbd does with it:
//   M/S  implemented: checked with Heartbeat's rules, stored in HaCfState
//        (`cluster` and `syslogmsgfmt`, P in features.md, are stored too:
//        the model has fields for them);
//   P    accepted for compatibility: value checked, then a warning and an
//        entry in config.ignored (stonith lines go to config.stonith, which
//        has a field for them, with the same warning);
//   X    rejected with the reason.
// A list directive's handler runs once per value, in file order, as in
// Heartbeat (so `keepalive 1 2` sets 2). Whole-line directives get the fields.

import type { SourceRef } from './diagnostics';
import type { DirectiveEntry } from './hacf';
import { isWholeLineDirective } from './hacf';
import { Code } from './codes';
import { isExecutableFile, userInPasswd } from './fsprobe';
import {
  addBcast,
  addMcast,
  addMcast6,
  addPing,
  addPing6,
  addPingGroup,
  addSerial,
  addUcast,
  addUcast6,
} from './media';
import { type HaCfState, type Setting, takeNodeSlot } from './state';
import {
  BOOLEAN_SYNTAX_HINT,
  TIME_SYNTAX_HINT,
  parseBoolean,
  parseHeartbeatTime,
  parseInteger,
} from './time';

/** M/S supported (Heartbeat's), H hbd's own extension, P parsed and ignored, X rejected. */
export type DirectiveClass = 'M' | 'S' | 'H' | 'P' | 'X';

type ListHandler = (state: HaCfState, value: string, at: SourceRef, directive: string) => void;
type LineHandler = (state: HaCfState, fields: readonly string[], at: SourceRef, directive: string) => void;

interface DirectiveSpec {
  readonly cls: DirectiveClass;
  /** Takes one value; several values or lines get a "last one wins" warning. */
  readonly single: boolean;
  readonly list?: ListHandler;
  readonly line?: LineHandler;
}

// ---------------------------------------------------------------- helpers

function badTime(state: HaCfState, directive: string, value: string, at: SourceRef): void {
  state.sink.error(at, Code.HACF_BAD_TIME, `\`${directive}\` value \`${value}\` is not a valid time: expected ${TIME_SYNTAX_HINT}`);
}

function readBoolean(state: HaCfState, directive: string, value: string, at: SourceRef): boolean | null {
  const b = parseBoolean(value);
  if (b === null) {
    state.sink.error(at, Code.HACF_BAD_BOOLEAN, `\`${directive}\` value \`${value}\` is not a boolean: expected ${BOOLEAN_SYNTAX_HINT}`);
  }
  return b;
}

function readInteger(
  state: HaCfState,
  directive: string,
  value: string,
  at: SourceRef,
  min: number,
  max: number,
  what = 'an integer',
): number | null {
  const n = parseInteger(value);
  if (n === null) {
    state.sink.error(at, Code.HACF_BAD_INTEGER, `\`${directive}\` value \`${value}\` is not a whole number: expected ${what} ${min}..${max}`);
    return null;
  }
  if (n < min || n > max) {
    state.sink.error(at, Code.HACF_OUT_OF_RANGE, `\`${directive}\` value ${n} is out of range: expected ${what} ${min}..${max}`);
    return null;
  }
  return n;
}

function readWord<T extends string>(
  state: HaCfState,
  directive: string,
  value: string,
  at: SourceRef,
  allowed: readonly T[],
): T | null {
  const found = allowed.find((w) => w === value);
  if (found === undefined) {
    state.sink.error(at, Code.HACF_BAD_VALUE, `\`${directive}\` value \`${value}\` is not valid: expected ${allowed.join(' or ')}`);
    return null;
  }
  return found;
}

/** A time directive with a lower bound: `positive` means > 0 (keepalive, warntime), else >= 0. */
function timeSetting(
  pick: (s: HaCfState, v: Setting<number>) => void,
  positive: boolean,
): ListHandler {
  return (state, value, at, directive) => {
    const ms = parseHeartbeatTime(value);
    if (ms === null) return badTime(state, directive, value, at);
    if (positive && ms <= 0) {
      state.sink.error(at, Code.HACF_OUT_OF_RANGE, `\`${directive}\` must be more than 0 ms (\`${value}\` rounds to 0 ms)`);
      return;
    }
    pick(state, { value: ms, at });
  };
}

function booleanSetting(pick: (s: HaCfState, v: Setting<boolean>) => void): ListHandler {
  return (state, value, at, directive) => {
    const b = readBoolean(state, directive, value, at);
    if (b !== null) pick(state, { value: b, at });
  };
}

function integerSetting(
  pick: (s: HaCfState, v: Setting<number>) => void,
  min: number,
  max: number,
  what?: string,
): ListHandler {
  return (state, value, at, directive) => {
    const n = readInteger(state, directive, value, at, min, max, what);
    if (n !== null) pick(state, { value: n, at });
  };
}

function wordSetting<T extends string>(
  allowed: readonly T[],
  pick: (s: HaCfState, v: Setting<T>) => void,
): ListHandler {
  return (state, value, at, directive) => {
    const w = readWord(state, directive, value, at, allowed);
    if (w !== null) pick(state, { value: w, at });
  };
}

/** Class P: check the value as Heartbeat would, then record it as ignored. */
function ignoredAfter(check?: (state: HaCfState, value: string, at: SourceRef, directive: string) => boolean): ListHandler {
  return (state, value, at, directive) => {
    if (check !== undefined && !check(state, value, at, directive)) return;
    recordIgnored(state, directive, value, at);
  };
}

function recordIgnored(state: HaCfState, directive: string, value: string, at: SourceRef): void {
  state.ignored.push({ directive, value, at });
  warnIgnored(state, directive, at);
}

function warnIgnored(state: HaCfState, directive: string, at: SourceRef): void {
  state.sink.warning(at, Code.HACF_IGNORED, `\`${directive}\` is accepted for compatibility and ignored by hbd`);
}

function unsupported(reason: string): ListHandler & LineHandler {
  return (state: HaCfState, _value: unknown, at: SourceRef, directive: string) => {
    state.sink.error(at, Code.HACF_UNSUPPORTED, `\`${directive}\` is not supported by hbd: ${reason}`);
  };
}

const PACEMAKER_ONLY = 'it only applies to Pacemaker (crm on), and hbd implements Heartbeat\'s haresources (crm off) mode';

// ---------------------------------------------------------------- handlers

function addNode(state: HaCfState, value: string, at: SourceRef): void {
  // Heartbeat lowercases node names (add_node); uname -n is compared the same way.
  const name = value.toLowerCase();
  if (name.length >= 100) {
    state.sink.error(at, Code.HACF_BAD_NODE_NAME, `node name \`${value}\` is too long: at most 99 characters`);
    return;
  }
  if (/[\s,#=]/.test(name)) {
    state.sink.error(at, Code.HACF_BAD_NODE_NAME, `node name \`${value}\` cannot contain spaces, commas, \`#\` or \`=\``);
    return;
  }
  const previous = state.nodes.find((n) => n.name === name);
  if (previous !== undefined) {
    state.sink.warning(at, Code.HACF_DUPLICATE_NODE, `node \`${name}\` is already listed at line ${previous.at.line}; the repeat is ignored`);
    return;
  }
  if (!takeNodeSlot(state, at)) return;
  state.nodes.push({ name, at });
}

function setUdpPort(state: HaCfState, value: string, at: SourceRef, directive: string): void {
  const port = readInteger(state, directive, value, at, 1, 65535, 'a UDP port');
  if (port === null) return;
  state.udpport = { value: port, at };
  for (const [user, taken] of state.udpPortTaken) {
    if (taken.value !== port) {
      state.sink.warning(
        at,
        Code.HACF_UDPPORT_AFTER_MEDIA,
        `udpport ${port} comes after the \`${user}\` line ${taken.at.line}, which already uses port ${taken.value}; ` +
          `as in Heartbeat, \`${user}\` keeps port ${taken.value}: move udpport above the media lines`,
      );
    }
  }
}

const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 460800];

function setBaud(state: HaCfState, value: string, at: SourceRef): void {
  if (state.baudGiven) {
    state.sink.error(at, Code.HACF_BAUD_REPEATED, `baud is given more than once (first at line ${state.firstSeen.get('baud')?.line ?? '?'}): it may be set once only`);
    return;
  }
  state.baudGiven = true;
  const baud = parseInteger(value);
  if (baud === null || !BAUD_RATES.includes(baud)) {
    state.sink.error(at, Code.HACF_BAD_BAUD, `baud \`${value}\` is not valid: expected one of ${BAUD_RATES.join(', ')}`);
    return;
  }
  state.baud = { value: baud, at };
  const taken = state.serialBaudTaken;
  if (taken !== null && taken.value !== baud) {
    state.sink.warning(
      at,
      Code.HACF_BAUD_AFTER_SERIAL,
      `baud ${baud} comes after the serial line ${taken.at.line}, so, as in Heartbeat, the serial link keeps ${taken.value} baud: move baud above the serial lines`,
    );
  }
}

/** set_auto_failback: a boolean means nice_failback on with failback on/off; `legacy` means nice_failback off. */
function applyAutoFailback(state: HaCfState, value: string): boolean {
  const b = parseBoolean(value);
  if (b !== null) {
    state.niceFailback = true;
    state.autoFailbackOn = b;
    return true;
  }
  if (value.toLowerCase() === 'legacy') {
    state.niceFailback = false;
    state.autoFailbackOn = false;
    return true;
  }
  return false;
}

function setAutoFailback(state: HaCfState, value: string, at: SourceRef): void {
  if (!applyAutoFailback(state, value)) {
    state.sink.error(at, Code.HACF_BAD_VALUE, `\`auto_failback\` value \`${value}\` is not valid: expected on, off or legacy`);
    return;
  }
  state.autoFailbackGiven = at;
}

/**
 * set_nice_failback, bug for bug: it tests Heartbeat's current nice_failback
 * global, not the value given, so `nice_failback on` means `off` only after an
 * earlier `auto_failback on|off`, and `legacy` otherwise. The warning, written
 * once the whole file is read, says what it became.
 */
function setNiceFailback(state: HaCfState, value: string, at: SourceRef, directive: string): void {
  if (readBoolean(state, directive, value, at) === null) return;
  applyAutoFailback(state, state.niceFailback ? 'off' : 'legacy');
  state.niceFailbackLines.push({ value, at });
}

function setLogFacility(state: HaCfState, value: string, at: SourceRef): void {
  if (value === 'none') {
    state.logfacility = { value: null, at };
    return;
  }
  if (!SYSLOG_FACILITIES.includes(value)) {
    state.sink.error(at, Code.HACF_BAD_VALUE, `\`logfacility\` value \`${value}\` is not a syslog facility: expected none or one of ${SYSLOG_FACILITIES.join(', ')}`);
    return;
  }
  state.logfacility = { value, at };
}

/** glibc's facilitynames, as cl_syslogfac_str2int looks them up (case-sensitive). */
export const SYSLOG_FACILITIES = [
  'auth', 'authpriv', 'cron', 'daemon', 'ftp', 'kern', 'lpr', 'mail', 'news', 'security', 'syslog', 'user', 'uucp',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];

function setWatchdog(state: HaCfState, value: string, at: SourceRef): void {
  if (state.watchdog !== null) {
    state.sink.error(at, Code.HACF_WATCHDOG_REPEATED, `watchdog is given more than once (first at line ${state.watchdog.at.line}): it may be set once only`);
    return;
  }
  state.watchdog = { value, at };
}

function setEnv(state: HaCfState, value: string, at: SourceRef): void {
  const eq = value.indexOf('=');
  const name = eq < 0 ? '' : value.slice(0, eq);
  if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    state.sink.error(at, Code.HACF_ENV_SYNTAX, `env \`${value}\` is not valid: expected NAME=value (passed to respawned programs as HA_NAME=value)`);
    return;
  }
  state.env.set(name, value.slice(eq + 1));
}

function setAutojoin(state: HaCfState, value: string, at: SourceRef, directive: string): void {
  const mode = value.toLowerCase();
  if (mode === 'none') return;
  if (mode === 'other' || mode === 'any') {
    state.sink.error(at, Code.HACF_AUTOJOIN, `\`autojoin ${value}\` conflicts with haresources mode (Heartbeat refuses it too): remove it or write \`autojoin none\``);
    return;
  }
  state.sink.error(at, Code.HACF_BAD_VALUE, `\`${directive}\` value \`${value}\` is not valid: expected none (other and any conflict with haresources mode)`);
}

const PACEMAKER_MODES = ['minimal', 'manual', 'respawn', 'ccm-only', 'valgrind'];

function setPacemaker(state: HaCfState, value: string, at: SourceRef, directive: string): void {
  const b = parseBoolean(value);
  if (b === false) return;
  if (b === true || PACEMAKER_MODES.includes(value.toLowerCase())) {
    state.sink.error(
      at,
      Code.HACF_PACEMAKER,
      `hbd implements Heartbeat's haresources (crm off) mode; Pacemaker (${directive} on|respawn|minimal|...) is not supported: remove the line or write \`${directive} off\``,
    );
    return;
  }
  state.sink.error(at, Code.HACF_BAD_VALUE, `\`${directive}\` value \`${value}\` is not valid: hbd accepts only off (false, no, ...)`);
}

function addChild(failfast: boolean): LineHandler {
  return (state, fields, at, directive) => {
    const [user, path, ...args] = fields;
    if (user === undefined || path === undefined) {
      state.sink.error(at, Code.HACF_RESPAWN_SYNTAX, `${directive} needs a user and a command: \`${directive} hacluster /usr/lib/heartbeat/ipfail\``);
      return;
    }
    if (!path.startsWith('/')) {
      state.sink.error(at, Code.HACF_RESPAWN_NOT_ABSOLUTE, `${directive}: command \`${path}\` is not a full path: write it from the root, e.g. /usr/lib/heartbeat/ipfail`);
      return;
    }
    // ipfail is built into hbd (it needs Heartbeat's client API, which hbd
    // does not offer): the line turns the built-in on and runs nothing.
    if (/(^|\/)ipfail$/.test(path)) {
      state.sink.warning(at, Code.HACF_RESPAWN_IPFAIL_BUILTIN, `${directive}: ipfail is built into hbd; this line enables it (with ping nodes) and ${path} is not run`);
      state.respawn.push({ user, path, args, rebootIfItDies: failfast, at });
      return;
    }
    if (state.checkFilesystem) {
      if (!isExecutableFile(path)) {
        state.sink.error(at, Code.HACF_RESPAWN_NOT_EXECUTABLE, `${directive}: command ${path} does not exist or is not executable`);
        return;
      }
      if (userInPasswd(user) === false) {
        state.sink.warning(at, Code.HACF_RESPAWN_UNKNOWN_USER, `${directive}: user \`${user}\` is not in /etc/passwd; the program cannot start unless the system knows this user`);
      }
    }
    state.respawn.push({ user, path, args, rebootIfItDies: failfast, at });
  };
}

function addApiAuth(state: HaCfState, fields: readonly string[], at: SourceRef): void {
  const [client, ...rest] = fields;
  const syntax = 'expected `apiauth <client> [uid=u1,u2] [gid=g1,g2]` with at least one list';
  if (client === undefined) {
    state.sink.error(at, Code.HACF_APIAUTH_SYNTAX, `apiauth needs a client name: ${syntax}`);
    return;
  }
  let uids: string[] | null = null;
  let gids: string[] | null = null;
  for (const field of rest) {
    const kind = field.slice(0, 4);
    if (kind !== 'uid=' && kind !== 'gid=') {
      state.sink.error(at, Code.HACF_APIAUTH_SYNTAX, `apiauth ${client}: \`${field}\` is neither uid=... nor gid=...: ${syntax}`);
      return;
    }
    if ((kind === 'uid=' ? uids : gids) !== null) {
      state.sink.error(at, Code.HACF_APIAUTH_SYNTAX, `apiauth ${client}: ${kind.slice(0, 3)} list given twice`);
      return;
    }
    const list = field.slice(4).split(',').filter((s) => s !== '');
    if (list.length === 0) {
      state.sink.error(at, Code.HACF_APIAUTH_SYNTAX, `apiauth ${client}: empty ${kind.slice(0, 3)} list`);
      return;
    }
    if (kind === 'uid=') uids = list;
    else gids = list;
  }
  if (uids === null && gids === null) {
    state.sink.error(at, Code.HACF_APIAUTH_SYNTAX, `apiauth ${client}: no uid or gid list: ${syntax}`);
    return;
  }
  const previous = state.apiauth.find((a) => a.client === client);
  if (previous !== undefined) {
    state.sink.error(at, Code.HACF_APIAUTH_DUPLICATE, `apiauth for client \`${client}\` is given twice (first at line ${previous.at.line})`);
    return;
  }
  state.apiauth.push({ client, uids: uids ?? [], gids: gids ?? [], at });
}

/**
 * `stonith <type> <config-file>`: kept in config.stonith (not config.ignored,
 * which is for directives without a field) and reported as ignored: hbd does not fence.
 */
function addStonith(state: HaCfState, fields: readonly string[], at: SourceRef, directive: string): void {
  const [type, ...params] = fields;
  if (type === undefined || params.length === 0) {
    state.sink.error(at, Code.HACF_STONITH_SYNTAX, 'stonith needs a device type and its configuration file: `stonith baytech /etc/ha.d/conf/stonith.baytech`');
    return;
  }
  state.stonith.push({ host: null, type, params: [params.join(' ')], at });
  warnIgnored(state, directive, at);
}

/** `stonith_host <host|*> <type> <params...>`: host lowercased as Heartbeat does. */
function addStonithHost(state: HaCfState, fields: readonly string[], at: SourceRef, directive: string): void {
  const [host, type, ...params] = fields;
  if (host === undefined || type === undefined) {
    state.sink.error(at, Code.HACF_STONITH_SYNTAX, 'stonith_host needs a host (or *) and a device type: `stonith_host * baytech 10.0.0.3 login password`');
    return;
  }
  state.stonith.push({ host: host.toLowerCase(), type, params, at });
  warnIgnored(state, directive, at);
}

// ---------------------------------------------------------------- the table

const list = (cls: DirectiveClass, single: boolean, handler: ListHandler): DirectiveSpec => ({ cls, single, list: handler });
const line = (cls: DirectiveClass, handler: LineHandler): DirectiveSpec => ({ cls, single: false, line: handler });

const positiveIntegerCheck =
  (max: number) =>
  (state: HaCfState, value: string, at: SourceRef, directive: string): boolean =>
    readInteger(state, directive, value, at, 1, max) !== null;

const booleanCheck = (state: HaCfState, value: string, at: SourceRef, directive: string): boolean =>
  readBoolean(state, directive, value, at) !== null;

const DIRECTIVES: ReadonlyMap<string, DirectiveSpec> = new Map<string, DirectiveSpec>([
  // membership and timing
  ['cluster', list('S', true, (s, v, at) => { s.cluster = { value: v, at }; })],
  ['node', list('M', false, addNode)],
  ['keepalive', list('M', true, timeSetting((s, v) => { s.keepalive = v; }, true))],
  ['standby_keepalive', list('H', true, timeSetting((s, v) => { s.standbyKeepalive = v; }, true))],
  ['standby_deadtime', list('H', true, timeSetting((s, v) => { s.standbyDeadtime = v; }, false))],
  ['deadtime', list('M', true, timeSetting((s, v) => { s.deadtime = v; }, false))],
  ['warntime', list('M', true, timeSetting((s, v) => { s.warntime = v; }, true))],
  ['initdead', list('M', true, timeSetting((s, v) => { s.initdead = v; }, false))],
  ['deadping', list('M', true, timeSetting((s, v) => { s.deadping = v; }, false))],
  // media
  ['udpport', list('M', true, setUdpPort)],
  ['bcast', list('M', false, addBcast)],
  ['mcast', line('M', addMcast)],
  ['mcast6', line('S', addMcast6)],
  ['ucast', line('M', addUcast)],
  ['ucast6', line('S', addUcast6)],
  ['serial', list('M', false, addSerial)],
  ['baud', list('M', false, setBaud)],
  ['hopfudge', list('S', true, integerSetting((s, v) => { s.hopfudge = v; }, 0, 255))],
  ['ping', list('M', false, addPing)],
  ['ping6', list('S', false, addPing6)],
  ['ping_group', line('M', addPingGroup)],
  ['hbaping', list('X', false, unsupported('Fibre Channel HBA ping was never fully supported and is not built by Debian'))],
  ['tipc', line('X', unsupported('the TIPC transport is not implemented; use bcast, mcast, ucast or serial'))],
  ['rds', line('X', unsupported('the RDS transport is not implemented; use bcast, mcast, ucast or serial'))],
  // resources and processes
  ['auto_failback', list('M', true, setAutoFailback)],
  ['nice_failback', list('P', true, setNiceFailback)],
  ['respawn', line('M', addChild(false))],
  ['failfast', line('S', addChild(true))],
  ['apiauth', line('S', addApiAuth)],
  ['env', list('S', false, setEnv)],
  ['watchdog', list('S', false, setWatchdog)],
  ['stonith', line('P', addStonith)],
  ['stonith_host', line('P', addStonithHost)],
  // scheduling and logging
  ['realtime', list('M', true, booleanSetting((s, v) => { s.realtime = v; }))],
  ['rtprio', list('M', true, integerSetting((s, v) => { s.rtprio = v; }, 1, 99, 'a SCHED_FIFO priority'))],
  ['debug', list('M', true, integerSetting((s, v) => { s.debug = v; }, 0, 255, 'a debug level'))],
  ['logfacility', list('M', true, setLogFacility)],
  ['logfile', list('M', true, (s, v, at) => { s.logfile = { value: v, at }; })],
  ['debugfile', list('M', true, (s, v, at) => { s.debugfile = { value: v, at }; })],
  ['log_badpack', list('S', true, booleanSetting((s, v) => { s.logBadPack = v; }))],
  ['syslogmsgfmt', list('S', true, booleanSetting((s, v) => { s.syslogFormat = v; }))],
  ['use_logd', list('P', true, ignoredAfter(booleanCheck))],
  ['conn_logd_time', list('P', true, ignoredAfter((s, v, at, d) => {
    const ms = parseHeartbeatTime(v);
    if (ms === null) { badTime(s, d, v, at); return false; }
    if (ms <= 0) { s.sink.error(at, Code.HACF_OUT_OF_RANGE, `\`${d}\` must be more than 0 ms`); return false; }
    return true;
  }))],
  ['coredumps', list('P', true, ignoredAfter(booleanCheck))],
  ['coreroot', list('P', true, ignoredAfter())],
  // protocol
  ['hbgenmethod', list('M', true, wordSetting(['file', 'time'] as const, (s, v) => { s.hbgenmethod = v; }))],
  ['uuidfrom', list('S', true, wordSetting(['file', 'nodename'] as const, (s, v) => { s.uuidfrom = v; }))],
  ['msgfmt', list('M', true, wordSetting(['classic', 'netstring'] as const, (s, v) => { s.msgfmt = v; }))],
  ['compression', list('S', true, wordSetting(['zlib', 'bz2'] as const, (s, v) => { s.compression = v; }))],
  ['compression_threshold', list('S', true, integerSetting((s, v) => { s.compressionThreshold = v; }, 1, 2097151, 'a size in KB'))],
  ['traditional_compression', list('P', true, ignoredAfter(booleanCheck))],
  ['max_rexmit_delay', list('S', true, integerSetting((s, v) => { s.maxRexmitDelay = v; }, 1, 2147483647, 'a delay in ms'))],
  ['memreserve', list('P', true, ignoredAfter(positiveIntegerCheck(2147483647)))],
  // rejected
  ['autojoin', list('X', true, setAutojoin)],
  ['crm', list('X', true, setPacemaker)],
  ['pacemaker', list('X', true, setPacemaker)],
  ['crm_daemon_dir', list('X', true, unsupported(PACEMAKER_ONLY))],
  ['crmd_spawns_pengine', list('X', true, unsupported(PACEMAKER_ONLY))],
  ['record_config_changes', list('X', true, unsupported(PACEMAKER_ONLY))],
  ['record_pengine_inputs', list('X', true, unsupported(PACEMAKER_ONLY))],
  ['enable_config_writes', list('X', true, unsupported(PACEMAKER_ONLY))],
  ['quorum_server', list('X', true, unsupported('the quorumd plugin is a Heartbeat 2.x leftover'))],
  ['use_apphbd', list('X', true, unsupported('apphbd is not part of hbd'))],
  ['normalpoll', list('X', true, unsupported('it is not compiled into Heartbeat 3.0.6 on Debian either (Heartbeat rejects it as an illegal directive)'))],
]);

/** Every directive name hbd recognizes, with its class (for docs, YAML and tests). */
export function directiveClasses(): ReadonlyMap<string, DirectiveClass> {
  return new Map([...DIRECTIVES].map(([name, spec]) => [name, spec.cls]));
}

export function isKnownDirective(name: string): boolean {
  return DIRECTIVES.has(name);
}

/** Applies one entry to the state, in file order. */
export function applyDirective(state: HaCfState, entry: DirectiveEntry): void {
  let name = entry.directive;
  const { at, tokens } = entry;
  if (name === 'udp') {
    state.sink.warning(at, Code.HACF_UDP_ALIAS, '`udp` is the old name of `bcast`; write `bcast` instead');
    name = 'bcast';
  }
  const spec = DIRECTIVES.get(name);
  if (spec === undefined) {
    state.sink.error(at, Code.HACF_UNKNOWN_DIRECTIVE, `unknown directive \`${name}\``);
    return;
  }
  if (spec.line !== undefined && isWholeLineDirective(name)) {
    spec.line(state, tokens, at, name);
    return;
  }
  if (tokens.length === 0) {
    state.sink.warning(at, Code.HACF_MISSING_VALUE, `\`${name}\` has no value; the line is ignored, as Heartbeat does`);
    return;
  }
  if (spec.single) {
    const first = state.firstSeen.get(name);
    if (first !== undefined) {
      state.sink.warning(at, Code.HACF_REPEATED_DIRECTIVE, `\`${name}\` was already set at line ${first.line}; this later value wins`);
    }
    if (tokens.length > 1) {
      state.sink.warning(
        at,
        Code.HACF_EXTRA_VALUES,
        `\`${name}\` takes one value but has ${tokens.length} (${tokens.join(', ')}); as in Heartbeat, the last one wins`,
      );
    }
  }
  if (!state.firstSeen.has(name)) state.firstSeen.set(name, at);
  for (const value of tokens) spec.list?.(state, value, at, name);
}

export function applyDirectives(state: HaCfState, entries: readonly DirectiveEntry[]): void {
  for (const entry of entries) applyDirective(state, entry);
}
