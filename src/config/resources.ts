// The haresources resources hbd implements itself, their argument syntax
// (as the Heartbeat v1 wrappers in /etc/ha.d/resource.d split it), and how
// every other resource name finds its script. The parse functions are pure
// and exported so the resource layer reads arguments exactly as they were
// validated; the resolve functions touch the filesystem.

import * as path from 'node:path';
import { isExecutableFile, pathKind } from './fsprobe';
import { IFNAME_HINT, isIPv4, isIPv6, isInterfaceName, netmaskToBits } from './net';
import { parseInteger } from './time';

export const BUILTIN_RESOURCES = ['IPaddr', 'IPaddr2', 'IPv6addr', 'SendArp', 'ldirectord', 'LVSSyncDaemonSwap'] as const;
export type BuiltinResource = (typeof BUILTIN_RESOURCES)[number];

export function isBuiltinResource(name: string): name is BuiltinResource {
  return (BUILTIN_RESOURCES as readonly string[]).includes(name);
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

const ok = <T>(value: T, warnings: string[] = []): Parsed<T> => ({ ok: true, value, warnings });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

/** `IPaddr`/`IPaddr2` argument: ip[/bits[/iface[:label]]][/broadcast]. */
export interface IPv4AddressSpec {
  readonly ip: string;
  /** Prefix length; null = let the routing table decide (findif). */
  readonly bits: number | null;
  readonly iface: string | null;
  readonly label: string | null;
  readonly broadcast: string | null;
}

function parseBits(text: string, max: number): number | null {
  const n = parseInteger(text);
  if (n !== null && /^\d+$/.test(text)) return n >= 1 && n <= max ? n : null;
  // IPaddr also takes a dotted netmask (its cidr_netmask accepts both forms).
  if (max === 32) {
    const bits = netmaskToBits(text);
    return bits !== null && bits >= 1 ? bits : null;
  }
  return null;
}

/**
 * The v1 wrapper's split: after the bits, a field starting with a digit is
 * the broadcast address (then there is no interface), otherwise it is the
 * interface and the next field is the broadcast address.
 */
export function parseIPv4AddressSpec(arg: string, flavour: 'IPaddr' | 'IPaddr2'): Parsed<IPv4AddressSpec> {
  const form = `${flavour}::ip[/bits[/interface${flavour === 'IPaddr2' ? '[:label]' : ''}]][/broadcast]`;
  const parts = arg.split('/');
  // The wrapper strips slashes after each field, so a trailing `/` is harmless.
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const [ip = '', bitsText, third, fourth] = parts;
  if (parts.length > 4) return fail(`\`${arg}\` has too many fields: expected ${form}`);
  if (!isIPv4(ip)) return fail(`\`${ip}\` is not an IPv4 address (expected ${form}; for IPv6 use IPv6addr)`);
  let bits: number | null = null;
  if (bitsText !== undefined) {
    bits = parseBits(bitsText, 32);
    if (bits === null) return fail(`\`${bitsText}\` in \`${arg}\` is not a netmask: expected a prefix length 1..32 (or a dotted netmask)`);
  }
  let iface: string | null = null;
  let label: string | null = null;
  let broadcast: string | null = null;
  const warnings: string[] = [];
  if (third !== undefined) {
    if (/^\d/.test(third)) {
      broadcast = third;
      if (fourth !== undefined) return fail(`\`${arg}\`: nothing may follow the broadcast address: expected ${form}`);
    } else {
      const colon = third.indexOf(':');
      iface = colon < 0 ? third : third.slice(0, colon);
      label = colon < 0 ? null : third.slice(colon + 1);
      if (!isInterfaceName(iface)) return fail(`\`${third}\` in \`${arg}\` is not an interface: expected ${IFNAME_HINT}`);
      if (label !== null) {
        if (label === '' || /[/\s]/.test(label) || third.length > 15) {
          return fail(`\`${third}\` in \`${arg}\` is not a valid interface label: \`iface:label\` must be at most 15 characters`);
        }
        if (flavour === 'IPaddr') {
          warnings.push(`IPaddr chooses its own alias label, so \`:${label}\` in \`${arg}\` is ignored (IPaddr2 honours labels)`);
          label = null;
        }
      }
      broadcast = fourth ?? null;
    }
    if (broadcast !== null && !isIPv4(broadcast)) {
      return fail(`\`${broadcast}\` in \`${arg}\` is not an IPv4 broadcast address`);
    }
  }
  return ok({ ip, bits, iface, label, broadcast }, warnings);
}

/** `IPv6addr` argument: ipv6[/bits[/iface]]. */
export interface IPv6AddressSpec {
  readonly ip: string;
  readonly bits: number | null;
  readonly iface: string | null;
}

export function parseIPv6AddressSpec(arg: string): Parsed<IPv6AddressSpec> {
  const form = 'IPv6addr::ipv6[/bits[/interface]]';
  const parts = arg.split('/');
  if (parts.length > 3) return fail(`\`${arg}\` has too many fields: expected ${form}`);
  const [ip = '', bitsText, iface] = parts;
  if (!isIPv6(ip)) return fail(`\`${ip}\` is not an IPv6 address: expected ${form}`);
  let bits: number | null = null;
  if (bitsText !== undefined) {
    bits = parseBits(bitsText, 128);
    if (bits === null) return fail(`\`${bitsText}\` in \`${arg}\` is not a prefix length 1..128`);
  }
  if (iface !== undefined && !isInterfaceName(iface)) return fail(`\`${iface}\` in \`${arg}\` is not an interface: expected ${IFNAME_HINT}`);
  return ok({ ip, bits, iface: iface ?? null });
}

/** `SendArp` argument: ip/iface (gratuitous ARP only, the address is not added). */
export interface SendArpSpec {
  readonly ip: string;
  readonly iface: string;
}

export function parseSendArpSpec(arg: string): Parsed<SendArpSpec> {
  const parts = arg.split('/');
  const [ip = '', iface = ''] = parts;
  if (parts.length !== 2) return fail(`\`${arg}\` is not ip/interface: expected SendArp::10.0.0.1/eth0`);
  if (!isIPv4(ip)) return fail(`\`${ip}\` is not an IPv4 address: expected SendArp::ip/interface`);
  if (!isInterfaceName(iface)) return fail(`\`${iface}\` in \`${arg}\` is not an interface: expected ${IFNAME_HINT}`);
  return ok({ ip, iface });
}

/** `LVSSyncDaemonSwap::master|backup[::iface]` (the 2.1.3 script; iface defaults to eth0). */
export interface LvsSyncSpec {
  readonly role: 'master' | 'backup';
  readonly iface: string;
}

export function parseLvsSyncArgs(args: readonly string[]): Parsed<LvsSyncSpec> {
  const [role, iface = 'eth0'] = args;
  if (args.length < 1 || args.length > 2) {
    return fail(`LVSSyncDaemonSwap takes a role and an optional interface, not ${args.length} argument(s): expected LVSSyncDaemonSwap::master[::eth0]`);
  }
  if (role !== 'master' && role !== 'backup') return fail(`LVSSyncDaemonSwap role \`${role ?? ''}\` is not valid: expected master or backup`);
  if (!isInterfaceName(iface)) return fail(`\`${iface}\` is not an interface: expected ${IFNAME_HINT}`);
  return ok({ role, iface });
}

export const DEFAULT_LDIRECTORD_CONFIG = 'ldirectord.cf';

/** `ldirectord[::name]`: at most one argument, the configuration name. */
export function parseLdirectordArgs(args: readonly string[]): Parsed<string> {
  if (args.length > 1) return fail(`ldirectord takes at most one argument (its configuration file), not ${args.length}`);
  const name = args[0] ?? DEFAULT_LDIRECTORD_CONFIG;
  return ok(name);
}

/** Where ldirectord would look, in order: DIR/name, DIR/conf/name, then name itself if absolute. */
export function ldirectordConfigCandidates(name: string, haDir: string): string[] {
  const candidates = [path.join(haDir, name), path.join(haDir, 'conf', name)];
  if (path.isAbsolute(name)) candidates.push(name);
  return candidates;
}

/** The first candidate that is a regular file, as ldirectord's `-f` tests; null if none. */
export function resolveLdirectordConfig(name: string, haDir: string): string | null {
  return ldirectordConfigCandidates(name, haDir).find((p) => pathKind(p) === 'file') ?? null;
}

export const DEFAULT_INIT_DIR = '/etc/init.d';

/** ResourceManager's scriptpath(): DIR/resource.d/name, then INITDIR/name; first executable regular file wins. */
export function resolveResourceScript(name: string, haDir: string, initDir: string = DEFAULT_INIT_DIR): string | null {
  return [path.join(haDir, 'resource.d', name), path.join(initDir, name)].find(isExecutableFile) ?? null;
}
