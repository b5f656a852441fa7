// The value of `real=` / `real6=` and of `fallback=` (syntax only; names are
// resolved by the caller):
//   real     = HOST[->HOST][:PORT] gate|masq|ipip [WEIGHT] ["REQUEST", "RECEIVE"] [l:N] [u:N]
//   fallback = HOST[:PORT] [gate|masq|ipip]
// HOST is an IPv4 address, a host name or a bracketed IPv6 address. The
// patterns are ldirectord's (add_real_server, parse_fallback), anchored: an
// unanchored match let ldirectord read `10.0.0.2::5060 gate` as host "5060".

import type { ForwardName } from './model';
import { splitHostPort } from './addresses';

export interface RealLine {
  readonly first: string;
  /** End of an IPv4 range (`a->b`), or null. */
  readonly last: string | null;
  readonly bracketed: boolean;
  readonly port: string | null;
  readonly forward: ForwardName;
  readonly weight: number | null;
  readonly request: string | null;
  readonly receive: string | null;
  readonly lowerThreshold: number | null;
  readonly upperThreshold: number | null;
}

export interface FallbackLine {
  readonly host: string;
  readonly bracketed: boolean;
  readonly port: string | null;
  readonly forward: ForwardName;
}

export type LineResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const HOST = String.raw`\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._+-]+`;
const REAL = new RegExp(String.raw`^(${HOST})(?:->(${HOST}))?(?::([0-9A-Za-z_-]+))?\s+(.*)$`);
const FORWARDS: readonly ForwardName[] = ['gate', 'masq', 'ipip'];
export const MAX_WEIGHT = 2147483647;
export const MAX_THRESHOLD = 65535;

export function isForwardName(word: string): word is ForwardName {
  return (FORWARDS as readonly string[]).includes(word);
}

function unbracket(host: string): { host: string; bracketed: boolean } {
  return host.startsWith('[') ? { host: host.slice(1, -1), bracketed: true } : { host, bracketed: false };
}

export function parseRealLine(text: string): LineResult<RealLine> {
  const m = REAL.exec(text);
  if (m === null) {
    return {
      ok: false,
      message: `\`${text}\` is not a real server: expected HOST[->HOST][:PORT] gate|masq|ipip [WEIGHT] ["REQUEST", "RECEIVE"] [l:N] [u:N]`,
    };
  }
  const first = unbracket(m[1] ?? '');
  const last = m[2] === undefined ? null : unbracket(m[2]);
  let rest = m[4] ?? '';

  const fwd = /^(\S+)(.*)$/.exec(rest);
  const forward = fwd?.[1] ?? '';
  if (!isForwardName(forward)) {
    return { ok: false, message: `forward method \`${forward}\` is not valid: expected gate, masq or ipip` };
  }
  rest = fwd?.[2] ?? '';

  let weight: number | null = null;
  const w = /^\s+(\d+)(.*)$/.exec(rest);
  if (w !== null) {
    weight = Number(w[1]);
    if (weight > MAX_WEIGHT) return { ok: false, message: `weight ${w[1] ?? ''} is out of range: expected 0..${MAX_WEIGHT}` };
    rest = w[2] ?? '';
  }

  let request: string | null = null;
  let receive: string | null = null;
  // Greedy, as ldirectord's pattern: the receive regex may itself contain quotes.
  const rr = /^\s+"(.*)"[, ]\s*"(.*)"(.*)$/.exec(rest);
  if (rr !== null) {
    request = rr[1] ?? '';
    receive = rr[2] ?? '';
    rest = rr[3] ?? '';
  }

  const threshold = (prefix: 'l' | 'u'): number | null | string => {
    const t = new RegExp(String.raw`^\s+${prefix}:(\d+)(.*)$`).exec(rest);
    if (t === null) return null;
    const n = Number(t[1]);
    if (n > MAX_THRESHOLD) return `${prefix}:${t[1] ?? ''} is out of range: connection thresholds are 0..${MAX_THRESHOLD}`;
    rest = t[2] ?? '';
    return n;
  };
  const lower = threshold('l');
  if (typeof lower === 'string') return { ok: false, message: lower };
  const upper = threshold('u');
  if (typeof upper === 'string') return { ok: false, message: upper };
  if (/\S/.test(rest)) {
    return { ok: false, message: `unexpected \`${rest.trim()}\` in the real server line: after the forward method come [WEIGHT] ["REQUEST", "RECEIVE"] [l:N] [u:N], in that order` };
  }
  return {
    ok: true,
    value: {
      first: first.host,
      last: last?.host ?? null,
      bracketed: first.bracketed,
      port: m[3] ?? null,
      forward,
      weight,
      request,
      receive,
      lowerThreshold: lower,
      upperThreshold: upper,
    },
  };
}

export function parseFallbackLine(text: string): LineResult<FallbackLine> {
  const fields = text.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length < 1 || fields.length > 2) {
    return { ok: false, message: `\`${text}\` is not a fallback server: expected HOST[:PORT] [gate|masq|ipip]` };
  }
  const [where = '', fwd = 'gate'] = fields;
  if (!isForwardName(fwd)) return { ok: false, message: `forward method \`${fwd}\` is not valid: expected gate, masq or ipip` };
  const hp = splitHostPort(where);
  if (hp === null || hp.host === '') {
    return { ok: false, message: `\`${where}\` is not a fallback server: expected HOST[:PORT], with IPv6 addresses in brackets` };
  }
  return { ok: true, value: { host: hp.host, bracketed: hp.bracketed, port: hp.port, forward: fwd } };
}
