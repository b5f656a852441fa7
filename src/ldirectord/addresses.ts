// Addresses and ports as ldirectord.cf writes them: `IP:port`,
// `host:service`, `[IPv6]:port`, ranges `a->b`. Pure: name lookups go
// through a Resolver (resolve.ts) supplied by the caller.

import type { AddressFamily } from '../ipvs/types';
import { ipv4ToNumber, ipv6Bytes, isIPv4, isIPv6 } from '../config/net';

/** Synchronous name lookups for the parser (the loader resolves names before parsing). */
export interface Resolver {
  /** An address of `name` in the family, or null. */
  host(name: string, af: AddressFamily): string | null;
  /** getservbyname(name, protocol), or null. */
  service(name: string, protocol: 'tcp' | 'udp'): number | null;
}

/** RFC 5952 text form: lowercase, leading zeros dropped, the longest run of zero groups as `::`. */
export function canonicalIPv6(text: string): string | null {
  const bytes = ipv6Bytes(text);
  if (bytes === null) return null;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** The canonical text of a literal address of either family, or null. */
export function canonicalAddress(text: string): string | null {
  if (isIPv4(text)) return text.split('.').map((p) => String(Number(p))).join('.');
  return canonicalIPv6(text);
}

export function familyOf(literal: string): AddressFamily | null {
  if (isIPv4(literal)) return 'inet';
  if (isIPv6(literal)) return 'inet6';
  return null;
}

export function numberToIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** Longest IPv4 range `a->b` accepted; a typo in the first octet should not create a /8 of servers. */
export const MAX_RANGE = 1024;

/** The addresses from first to last inclusive, or an error message. */
export function ipv4Range(first: string, last: string): string[] | string {
  const a = ipv4ToNumber(first);
  const b = ipv4ToNumber(last);
  if (a > b) return `the range ${first}->${last} is reversed: the first address must not be above the last`;
  if (b - a + 1 > MAX_RANGE) return `the range ${first}->${last} has ${b - a + 1} addresses: at most ${MAX_RANGE} are allowed`;
  const out: string[] = [];
  for (let n = a; n <= b; n++) out.push(numberToIPv4(n));
  return out;
}

export interface HostPort {
  /** The host as written, brackets removed. */
  readonly host: string;
  readonly bracketed: boolean;
  /** The port or service name as written, or null when absent. */
  readonly port: string | null;
}

const PORT_WORD = /^[0-9A-Za-z_-]+$/;

/**
 * Splits `host[:port]` or `[v6][:port]` (ldirectord's ld_gethostservbyname
 * takes the last `:word` as the port). Returns null when the text has no
 * usable shape, e.g. an unbracketed IPv6 address.
 */
export function splitHostPort(text: string): HostPort | null {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest === '') return { host, bracketed: true, port: null };
    if (!rest.startsWith(':') || !PORT_WORD.test(rest.slice(1))) return null;
    return { host, bracketed: true, port: rest.slice(1) };
  }
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { host: text, bracketed: false, port: null };
  const host = text.slice(0, colon);
  const port = text.slice(colon + 1);
  if (host.includes(':') || !PORT_WORD.test(port)) return null;
  return { host, bracketed: false, port };
}

/** Host names ldirectord's patterns allow: letters, digits, `.`, `-`, `_`, `+`. */
export function isHostNameLike(text: string): boolean {
  return /^[A-Za-z0-9._+-]+$/.test(text) && /[A-Za-z]/.test(text);
}

export type Resolved<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** A literal address of the family, or a host name looked up in it. */
export function resolveHost(host: string, af: AddressFamily, resolver: Resolver): Resolved<string> {
  const fam = familyOf(host);
  if (fam !== null) {
    if (fam !== af) {
      return { ok: false, message: `${host} is an ${fam === 'inet' ? 'IPv4' : 'IPv6'} address, but this is an ${af === 'inet' ? 'IPv4' : 'IPv6'} entry` };
    }
    return { ok: true, value: canonicalAddress(host) ?? host };
  }
  if (!isHostNameLike(host)) return { ok: false, message: `\`${host}\` is neither an address nor a host name` };
  const found = resolver.host(host, af);
  if (found === null) return { ok: false, message: `host \`${host}\` does not resolve to an ${af === 'inet' ? 'IPv4' : 'IPv6'} address` };
  return { ok: true, value: canonicalAddress(found) ?? found };
}

/** A port number 0..65535, or a service name looked up for the protocol (ld_getservbyname). */
export function resolvePort(port: string, protocol: 'tcp' | 'udp', resolver: Resolver): Resolved<number> {
  if (/^\d+$/.test(port)) {
    const n = Number(port);
    return n <= 65535 ? { ok: true, value: n } : { ok: false, message: `port ${port} is out of range: expected 0..65535` };
  }
  const found = resolver.service(port, protocol);
  if (found === null) return { ok: false, message: `service \`${port}\` is not known for ${protocol} (see /etc/services)` };
  return { ok: true, value: found };
}

/** How an address appears in ids and logs: IPv6 in brackets. */
export function hostForDisplay(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** `192.0.2.1:80`, `[2001:db8::1]:80`. */
export function serverText(s: { readonly address: string; readonly port: number }): string {
  return `${hostForDisplay(s.address)}:${s.port}`;
}
