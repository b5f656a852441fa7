// Value syntaxes shared by ha.cf and the YAML form, as cluster-glue reads
// them (cl_get_msec, cl_str_to_boolean) so that a value means the same thing
// to hbd as to a Heartbeat 3.0.6 peer reading the same file.

import type { Millis } from './model';

const NUMBER_WITH_UNIT = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*$/;

/**
 * Heartbeat time syntax: a decimal number with an optional unit. No unit
 * means seconds, `ms`/`msec` milliseconds, `us`/`usec` microseconds (units
 * are case-insensitive). The result is rounded to the nearest millisecond the
 * way cl_get_msec does it (value + 0.5, truncated), so `499us` is 0 ms.
 * Returns null for anything else, e.g. `2s`, `-1`, `1m`.
 */
export function parseHeartbeatTime(text: string): Millis | null {
  const m = NUMBER_WITH_UNIT.exec(text);
  if (m === null) return null;
  const [, digits = '', unit = ''] = m;
  let multiplier: number;
  let divisor: number;
  switch (unit.toLowerCase()) {
    case '':
      multiplier = 1000;
      divisor = 1;
      break;
    case 'ms':
    case 'msec':
      multiplier = 1;
      divisor = 1;
      break;
    case 'us':
    case 'usec':
      multiplier = 1;
      divisor = 1000;
      break;
    default:
      return null;
  }
  // Same double arithmetic as the C code, so rounding edge cases agree.
  const value = Math.floor((Number.parseFloat(digits) * multiplier) / divisor + 0.5);
  return Number.isSafeInteger(value) ? value : null;
}

/** The accepted spellings, for messages. */
export const TIME_SYNTAX_HINT = 'a number of seconds, or a number followed by ms or us (e.g. 2, 1.5, 500ms)';

/** Prints a time so that parseHeartbeatTime gives the same value back: whole seconds bare, else `Nms`. */
export function formatHeartbeatTime(ms: Millis): string {
  return ms % 1000 === 0 ? String(ms / 1000) : `${ms}ms`;
}

const TRUE_WORDS = new Set(['true', 'on', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'off', 'no', 'n', '0']);

/** cl_str_to_boolean: true|on|yes|y|1 and false|off|no|n|0, case-insensitive; null otherwise. */
export function parseBoolean(text: string): boolean | null {
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

export const BOOLEAN_SYNTAX_HINT = 'true|on|yes|y|1 or false|off|no|n|0';

/**
 * A whole decimal integer, optionally signed. Heartbeat uses atoi() and so
 * takes `12abc` as 12; hbd refuses such values rather than guess.
 */
export function parseInteger(text: string): number | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = Number.parseInt(text, 10);
  return Number.isSafeInteger(n) ? n : null;
}
