// authkeys, read as Heartbeat's parse_authfile reads it:
//   auth N              the entry used to sign what this node sends
//   N method [key]      0 <= N <= 15; crc (no key), md5 or sha1 (key)
// Only lines whose first non-blank character is `#` are comments. The key is
// the first whitespace-free token after the method; Heartbeat silently drops
// the rest of the line (sscanf "%d%s%s"), hbd drops it too but says so.
// Heartbeat selects the signing entry while reading, so `auth N` must come
// before entry N; a file with it after is refused by Heartbeat and by hbd.
//
// The pure part (lexAuthkeys + buildAuth) takes text; the file-mode check
// (group/other readable) is the loader's, from fs.stat.

import type { DiagnosticSink, SourceRef } from './diagnostics';
import type { AuthConfig, AuthKey, AuthMethod } from './model';
import { Code } from './codes';

/** Heartbeat's MAXAUTH. */
export const MAX_AUTH_INDEX = 15;

export type AuthkeysEntry =
  /** index null: an unreadable `auth` line, already reported. */
  | { readonly kind: 'auth'; readonly index: number | null; readonly at: SourceRef }
  | {
      readonly kind: 'key';
      readonly index: number;
      readonly method: string;
      /** '' when the line has no key. */
      readonly key: string;
      readonly at: SourceRef;
    };

const AUTH_LINE = /^auth\s*([+-]?\d+)/;
/** sscanf("%d%s%s"): an integer, then up to two whitespace-free tokens, the rest ignored. */
const KEY_LINE = /^([+-]?\d+)(?!\d)\s*(\S+)(?:\s+(\S+))?\s*(.*)$/;

/** Splits authkeys text into entries; malformed lines become diagnostics. */
export function lexAuthkeys(text: string, file: string, sink: DiagnosticSink): AuthkeysEntry[] {
  const entries: AuthkeysEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const at = { file, line: i + 1 };
    const body = raw.replace(/^[ \t\n\r\f]+/, '').replace(/\r$/, '');
    if (body === '' || body.startsWith('#')) return;
    if (body.startsWith('a')) {
      const m = AUTH_LINE.exec(body);
      if (m === null) {
        sink.error(at, Code.AUTHKEYS_BAD_AUTH_LINE, `invalid auth line \`${body}\`: expected \`auth N\` with N the entry used to sign (e.g. \`auth 1\`)`);
        entries.push({ kind: 'auth', index: null, at });
        return;
      }
      entries.push({ kind: 'auth', index: Number(m[1]), at });
      return;
    }
    const m = KEY_LINE.exec(body);
    if (m === null) {
      sink.error(at, Code.AUTHKEYS_BAD_LINE, `invalid authkeys line \`${body}\`: expected \`N method [key]\`, e.g. \`1 sha1 SecretKey\``);
      return;
    }
    const [, index = '', method = '', key = '', rest = ''] = m;
    if (rest !== '') {
      sink.warning(
        at,
        Code.AUTHKEYS_TRAILING_IGNORED,
        `the text after the key (\`${rest}\`) is ignored: the key is only the first word after the method, as Heartbeat reads it`,
      );
    }
    entries.push({ kind: 'key', index: Number(index), method, key, at });
  });
  return entries;
}

const METHODS: readonly AuthMethod[] = ['crc', 'md5', 'sha1'];

function isAuthMethod(text: string): text is AuthMethod {
  return (METHODS as readonly string[]).includes(text);
}

/**
 * Validates the entries in order and builds the AuthConfig, or null if
 * nothing usable signs. `file` is the authkeys path (or the YAML file).
 */
export function buildAuth(entries: readonly AuthkeysEntry[], file: string, sink: DiagnosticSink): AuthConfig | null {
  const keys = new Map<number, AuthKey>();
  let auth: { index: number; at: SourceRef } | null = null;
  let authLine: SourceRef | null = null;
  let signing: AuthKey | null = null;
  let failed = false;
  /** Indexes of entries already reported as invalid: no second "no entry N" error for them. */
  const reported = new Set<number>();

  for (const e of entries) {
    if (e.kind === 'auth') {
      if (authLine !== null) {
        sink.error(e.at, Code.AUTHKEYS_DUPLICATE_AUTH, `\`auth\` is given twice (first at line ${authLine.line}): keep one \`auth N\` line at the top`);
        failed = true;
        continue;
      }
      authLine = e.at;
      if (e.index === null) {
        failed = true;
        continue;
      }
      if (e.index < 0 || e.index > MAX_AUTH_INDEX) {
        sink.error(e.at, Code.AUTHKEYS_BAD_INDEX, `auth ${e.index}: the index must be 0..${MAX_AUTH_INDEX}`);
        failed = true;
        continue;
      }
      auth = { index: e.index, at: e.at };
      const earlier = keys.get(e.index);
      if (earlier !== undefined) {
        sink.error(
          e.at,
          Code.AUTHKEYS_AUTH_AFTER_KEY,
          `\`auth ${e.index}\` comes after entry ${e.index} (line ${earlier.at.line}); Heartbeat only signs with an entry listed after the auth line and refuses this file: move \`auth ${e.index}\` to the top`,
        );
        failed = true;
      }
      continue;
    }
    if (e.index < 0 || e.index > MAX_AUTH_INDEX) {
      sink.error(e.at, Code.AUTHKEYS_BAD_INDEX, `entry ${e.index}: the index must be 0..${MAX_AUTH_INDEX}`);
      failed = true;
      continue;
    }
    if (!isAuthMethod(e.method)) {
      sink.error(e.at, Code.AUTHKEYS_UNKNOWN_METHOD, `entry ${e.index}: unknown method \`${e.method}\`: expected crc, md5 or sha1`);
      failed = true;
      reported.add(e.index);
      continue;
    }
    if (e.method === 'crc' && e.key !== '') {
      const hint = e.key.startsWith('#') ? ' (authkeys has no end-of-line comments: `#` starts a comment only at the start of a line)' : '';
      sink.error(e.at, Code.AUTHKEYS_KEY_NOT_ALLOWED, `entry ${e.index}: crc takes no key, but \`${e.key}\` follows it${hint}`);
      failed = true;
      reported.add(e.index);
      continue;
    }
    if (e.method !== 'crc' && e.key === '') {
      sink.error(e.at, Code.AUTHKEYS_KEY_MISSING, `entry ${e.index}: ${e.method} needs a key: \`${e.index} ${e.method} <secret>\``);
      failed = true;
      reported.add(e.index);
      continue;
    }
    const previous = keys.get(e.index);
    if (previous !== undefined) {
      sink.error(e.at, Code.AUTHKEYS_DUPLICATE_INDEX, `entry ${e.index} is given twice (first at line ${previous.at.line})`);
      failed = true;
      continue;
    }
    const key: AuthKey = { index: e.index, method: e.method, secret: e.key, at: e.at };
    keys.set(e.index, key);
    if (auth !== null && auth.index === e.index) signing = key;
  }

  if (authLine === null) {
    sink.error({ file, line: 0 }, Code.AUTHKEYS_NO_AUTH, 'missing `auth N` line: add e.g. `auth 1` at the top, naming the entry used to sign');
    return null;
  }
  if (auth === null) return null;
  if (signing === null) {
    if (!keys.has(auth.index) && !reported.has(auth.index)) {
      sink.error(auth.at, Code.AUTHKEYS_AUTH_KEY_NOT_FOUND, `auth ${auth.index}: there is no entry ${auth.index} in the file`);
    }
    return null;
  }
  if (signing.method === 'crc') {
    sink.warning(signing.at, Code.AUTHKEYS_CRC_NO_SECURITY, 'signing with crc gives no security, only protection from corruption: use sha1 on untrusted networks');
  }
  if (failed) return null;
  return {
    file,
    signIndex: auth.index,
    keys: [...keys.values()].sort((a, b) => a.index - b.index),
  };
}

/** Mode check Heartbeat makes with fstat: only the group and other READ bits matter. */
export function authkeysModeProblem(mode: number): string | null {
  if ((mode & 0o044) === 0) return null;
  const octal = (mode & 0o7777).toString(8).padStart(4, '0');
  return `bad permissions on authkeys (mode ${octal}): must not be readable by group or others, 600 recommended`;
}
