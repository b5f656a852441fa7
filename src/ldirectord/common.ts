// What the global section and a virtual service share: the dispatch rules
// (unknown, misplaced, deprecated and repeated directives) and the
// directives that are global defaults a virtual service may override.

import type { SourceRef } from '../config/diagnostics';
import type { AddressFamily } from '../ipvs/types';
import { LdCode } from './codes';
import { DIRECTIVES } from './directives';
import type { LdEntry } from './lexer';
import type { DaemonPhase, Millis } from './model';
import { type FallbackLine, parseFallbackLine } from './real-line';
import type { ValueReader } from './values';

export interface FallbackDraft {
  readonly line: FallbackLine;
  readonly at: SourceRef;
  readonly family: AddressFamily;
}

/** Values of the `both`-scope directives as written in one scope (undefined = not written). */
export interface CommonDraft {
  checkTimeoutMs?: Millis;
  negotiateTimeoutMs?: Millis;
  checkIntervalMs?: Millis;
  checkCount?: number;
  failureCount?: number;
  rise?: number;
  fallback?: FallbackDraft;
  fallback6?: FallbackDraft;
  fallbackCommand?: string;
  quiescent?: boolean;
  emailAlert?: string;
  emailAlertFreqMs?: Millis;
  emailAlertStatus?: readonly DaemonPhase[];
  cleanStop?: boolean;
  smtp?: string;
}

const PHASES: readonly DaemonPhase[] = ['starting', 'running', 'stopping', 'reloading'];
export const ALL_PHASES = PHASES;

/** emailalertstatus: `all`, `none`, or a comma list of starting, running, stopping, reloading. */
function readAlertStatus(r: ValueReader, e: LdEntry): DaemonPhase[] | null {
  const text = r.text(e);
  if (text === null) return null;
  const words = text.split(/\s*,\s*/).filter((w) => w !== '');
  if (words.includes('none')) {
    if (words.length > 1) {
      r.sink.error(e.at, LdCode.LDCF_BAD_VALUE, '`emailalertstatus` `none` cannot be combined with other states');
      return null;
    }
    return [];
  }
  const out = new Set<DaemonPhase>();
  for (const w of words) {
    if (w === 'all') PHASES.forEach((p) => out.add(p));
    else if ((PHASES as readonly string[]).includes(w)) out.add(w as DaemonPhase);
    else {
      r.sink.error(e.at, LdCode.LDCF_BAD_VALUE, `\`emailalertstatus\` value \`${w}\` is not valid: expected all, none, or a list of ${PHASES.join(', ')}`);
      return null;
    }
  }
  return PHASES.filter((p) => out.has(p));
}

function readFallback(r: ValueReader, e: LdEntry): FallbackDraft | null {
  const text = r.text(e);
  if (text === null) return null;
  const parsed = parseFallbackLine(text);
  if (!parsed.ok) {
    r.sink.error(e.at, LdCode.LDCF_BAD_FALLBACK, parsed.message);
    return null;
  }
  return { line: parsed.value, at: e.at, family: e.name === 'fallback6' ? 'inet6' : 'inet' };
}

const set = <K extends keyof CommonDraft>(draft: CommonDraft, key: K, value: CommonDraft[K] | null): void => {
  if (value !== null) draft[key] = value;
};

/** Reads a `both`-scope directive into the draft; false if `e` is not one. */
export function readCommon(r: ValueReader, e: LdEntry, draft: CommonDraft): boolean {
  switch (e.name) {
    case 'checktimeout':
      set(draft, 'checkTimeoutMs', r.time(e));
      return true;
    case 'negotiatetimeout':
      set(draft, 'negotiateTimeoutMs', r.time(e));
      return true;
    case 'checkinterval':
      set(draft, 'checkIntervalMs', r.time(e));
      return true;
    case 'checkcount':
      r.sink.warning(e.at, LdCode.LDCF_DEPRECATED_WARN, '`checkcount` is deprecated (ldirectord too): it sets the ping attempts per check; use `failurecount` for flap protection');
      set(draft, 'checkCount', r.integer(e, 1, 100));
      return true;
    case 'failurecount':
      set(draft, 'failureCount', r.integer(e, 1, 1000000));
      return true;
    case 'rise':
      set(draft, 'rise', r.integer(e, 1, 1000000));
      return true;
    case 'fallback':
      set(draft, 'fallback', readFallback(r, e));
      return true;
    case 'fallback6':
      set(draft, 'fallback6', readFallback(r, e));
      return true;
    case 'fallbackcommand':
      set(draft, 'fallbackCommand', r.text(e));
      return true;
    case 'quiescent':
      set(draft, 'quiescent', r.boolean(e));
      return true;
    case 'emailalert':
      set(draft, 'emailAlert', r.text(e));
      return true;
    case 'emailalertfreq':
      set(draft, 'emailAlertFreqMs', r.time(e, true));
      return true;
    case 'emailalertstatus':
      set(draft, 'emailAlertStatus', readAlertStatus(r, e));
      return true;
    case 'cleanstop':
      set(draft, 'cleanStop', r.boolean(e));
      return true;
    case 'smtp': {
      const host = r.text(e);
      if (host !== null && !/^[0-9A-Za-z._+-]+$/.test(host)) {
        r.sink.error(e.at, LdCode.LDCF_BAD_VALUE, `\`smtp\` value \`${host}\` is not a host name or address`);
        return true;
      }
      set(draft, 'smtp', host);
      return true;
    }
    default:
      return false;
  }
}

/**
 * The checks every entry passes before its handler runs, in either scope.
 * Returns false when the entry must not be handled (already reported).
 */
export function admitEntry(r: ValueReader, e: LdEntry, scope: 'global' | 'virtual', seen: Map<string, SourceRef>): boolean {
  const info = DIRECTIVES.get(e.name);
  if (info === undefined) {
    const hint = e.name === 'virtual' || e.name === 'virtual6' ? ': `virtual=` starts at the beginning of a line' : '';
    r.sink.error(e.at, LdCode.LDCF_UNKNOWN_DIRECTIVE, `unknown directive \`${e.name}\`${hint}`);
    return false;
  }
  if (info.status === 'rejected') {
    const instead = e.name === 'connecttimeout' ? '`negotiatetimeout`' : '`checktimeout` and `negotiatetimeout`';
    r.sink.error(e.at, LdCode.LDCF_DEPRECATED, `\`${e.name}\` is deprecated in favour of ${instead} (ldirectord refuses it too)`);
    return false;
  }
  if (scope === 'global' && info.scope === 'virtual') {
    r.sink.error(e.at, LdCode.LDCF_VIRTUAL_ONLY, `\`${e.name}\` belongs to a virtual service: indent it under a \`virtual=\` line`);
    return false;
  }
  if (scope === 'virtual' && info.scope === 'global') {
    r.sink.error(e.at, LdCode.LDCF_GLOBAL_ONLY, `\`${e.name}\` is a global directive: write it at the beginning of a line, outside any virtual service`);
    return false;
  }
  if (!info.repeatable) {
    const first = seen.get(e.name);
    if (first !== undefined) {
      r.sink.warning(e.at, LdCode.LDCF_REPEATED, `\`${e.name}\` was already set at line ${first.line}; this later value wins`);
    } else {
      seen.set(e.name, e.at);
    }
  }
  return true;
}
