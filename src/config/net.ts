// Address and interface-name checks shared by the media directives and the
// built-in resources. Pure: nothing here looks at the host's interfaces.

import { isIPv6 } from 'node:net';

/** Strict dotted quad: four decimal octets 0..255, no leading `+`, no shortened forms. */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return (
    parts.length === 4 &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)
  );
}

export function ipv4ToNumber(text: string): number {
  return text.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** 224.0.0.0/4, what Heartbeat's mcast plugin accepts as a group. */
export function isIPv4Multicast(text: string): boolean {
  return isIPv4(text) && (ipv4ToNumber(text) >>> 28) === 0xe;
}

/** A contiguous dotted-quad netmask as a prefix length, or null. */
export function netmaskToBits(text: string): number | null {
  if (!isIPv4(text)) return null;
  const n = ipv4ToNumber(text);
  for (let bits = 0; bits <= 32; bits++) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (mask === n) return bits;
  }
  return null;
}

export { isIPv6 };

/** Expands an IPv6 address (no scope) to 16 bytes, or null if it is not one. */
export function ipv6Bytes(text: string): number[] | null {
  if (!isIPv6(text)) return null;
  let addr = text;
  // An embedded IPv4 tail becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4 !== null && v4[1] !== undefined) {
    const n = ipv4ToNumber(v4[1]);
    addr = addr.slice(0, v4.index) + `${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = addr.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...(tail === undefined ? [] : Array<string>(missing).fill('0')), ...tailGroups];
  if (groups.length !== 8) return null;
  const bytes: number[] = [];
  for (const g of groups) {
    const v = Number.parseInt(g, 16);
    bytes.push((v >> 8) & 0xff, v & 0xff);
  }
  return bytes;
}

/**
 * Linux interface name: 1..15 bytes (IFNAMSIZ - 1), no `/`, `:` or
 * whitespace. Alias labels (`eth0:1`) are handled by the callers that allow them.
 */
export function isInterfaceName(text: string): boolean {
  return text.length >= 1 && text.length <= 15 && !/[/:\s]/.test(text) && text !== '.' && text !== '..';
}

export const IFNAME_HINT = 'an interface name of 1 to 15 characters without `/`, `:` or spaces';

/** A plausible DNS host name (for ucast peers and ping nodes given by name). */
export function isHostName(text: string): boolean {
  return (
    text.length <= 253 &&
    text.split('.').every((label) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label))
  );
}
