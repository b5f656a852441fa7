// Value readers for ldirectord directives: each checks one value, reports a
// coded diagnostic at the entry's line when it is wrong, and returns null.
// Number, time and boolean syntaxes are the shared ones of src/config/time.ts,
// so `checkinterval = 0.5` and `checkinterval = 500ms` work as in ha.cf.

import type { DiagnosticSink } from '../config/diagnostics';
import { BOOLEAN_SYNTAX_HINT, TIME_SYNTAX_HINT, parseBoolean, parseHeartbeatTime, parseInteger } from '../config/time';
import { LdCode } from './codes';
import type { LdEntry } from './lexer';
import type { Millis } from './model';

/** `"text"` → text; unquoted text as it is; null when the quotes do not pair up. */
export function unquote(value: string): string | null {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    const inner = value.slice(1, -1);
    return inner.includes('"') ? null : inner;
  }
  return value.includes('"') ? null : value;
}

export class ValueReader {
  constructor(readonly sink: DiagnosticSink) {}

  /** The value, or an error if the directive was written without `=`. */
  raw(e: LdEntry): string | null {
    if (e.value === null) {
      this.sink.error(e.at, LdCode.LDCF_SYNTAX, `\`${e.name}\` needs a value: write \`${e.name} = VALUE\``);
      return null;
    }
    return e.value;
  }

  /** Text, optionally in double quotes; `allowEmpty` false reports an empty value. */
  text(e: LdEntry, allowEmpty = false): string | null {
    const raw = this.raw(e);
    if (raw === null) return null;
    const text = unquote(raw);
    if (text === null) {
      this.sink.error(e.at, LdCode.LDCF_BAD_QUOTES, `\`${e.name}\` value ${raw} has unbalanced double quotes: write \`${e.name} = "TEXT"\``);
      return null;
    }
    if (!allowEmpty && text === '') {
      this.sink.error(e.at, LdCode.LDCF_MISSING_VALUE, `\`${e.name}\` is empty`);
      return null;
    }
    return text;
  }

  /** A time (seconds, decimals, or ms/us suffix) above 0, or >= 0 with `allowZero`. */
  time(e: LdEntry, allowZero = false): Millis | null {
    const raw = this.raw(e);
    if (raw === null) return null;
    const ms = parseHeartbeatTime(raw);
    if (ms === null) {
      this.sink.error(e.at, LdCode.LDCF_BAD_TIME, `\`${e.name}\` value \`${raw}\` is not a time: expected ${TIME_SYNTAX_HINT}`);
      return null;
    }
    if (!allowZero && ms <= 0) {
      this.sink.error(e.at, LdCode.LDCF_OUT_OF_RANGE, `\`${e.name}\` must be more than 0 (\`${raw}\` is 0 ms)`);
      return null;
    }
    return ms;
  }

  integer(e: LdEntry, min: number, max: number, what = 'a whole number'): number | null {
    const raw = this.raw(e);
    if (raw === null) return null;
    const n = parseInteger(raw);
    if (n === null) {
      this.sink.error(e.at, LdCode.LDCF_BAD_INTEGER, `\`${e.name}\` value \`${raw}\` is not ${what}: expected ${min}..${max}`);
      return null;
    }
    if (n < min || n > max) {
      this.sink.error(e.at, LdCode.LDCF_OUT_OF_RANGE, `\`${e.name}\` value ${n} is out of range: expected ${min}..${max}`);
      return null;
    }
    return n;
  }

  boolean(e: LdEntry): boolean | null {
    const raw = this.raw(e);
    if (raw === null) return null;
    const b = parseBoolean(raw);
    if (b === null) this.sink.error(e.at, LdCode.LDCF_BAD_BOOLEAN, `\`${e.name}\` value \`${raw}\` is not yes or no (${BOOLEAN_SYNTAX_HINT})`);
    return b;
  }

  word<T extends string>(e: LdEntry, allowed: readonly T[], normalize: (s: string) => string = (s) => s): T | null {
    const raw = this.text(e);
    if (raw === null) return null;
    const value = normalize(raw);
    const found = allowed.find((w) => w === value);
    if (found === undefined) {
      this.sink.error(e.at, LdCode.LDCF_BAD_VALUE, `\`${e.name}\` value \`${raw}\` is not valid: expected ${allowed.join(', ')}`);
      return null;
    }
    return found;
  }
}
