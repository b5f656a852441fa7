// The heartbeat media and ping-node directives, checked like Heartbeat's
// HBcomm plugins check them (lib/plugins/HBcomm/*.c), minus what needs the
// live host (does the interface exist?), which the daemon checks at start.

import type { SourceRef } from './diagnostics';
import { Code } from './codes';
import { pathKind } from './fsprobe';
import {
  IFNAME_HINT,
  ipv6Bytes,
  isHostName,
  isIPv4,
  isIPv4Multicast,
  isIPv6,
  isInterfaceName,
} from './net';
import { DEFAULT_BAUD, type HaCfState, takeNodeSlot, takeUdpPort } from './state';
import { parseInteger } from './time';

function checkInterface(state: HaCfState, directive: string, iface: string, at: SourceRef): boolean {
  if (isInterfaceName(iface)) return true;
  state.sink.error(at, Code.HACF_BAD_INTERFACE, `${directive}: \`${iface}\` is not a valid interface: expected ${IFNAME_HINT}`);
  return false;
}

/** IPv4 dotted quad, or a host name; something that looks numeric must be a valid IPv4 address. */
function isIPv4OrHostName(text: string): boolean {
  if (/^[\d.]+$/.test(text)) return isIPv4(text);
  return isHostName(text);
}

function warnExtraFields(state: HaCfState, directive: string, fields: readonly string[], used: number, at: SourceRef): void {
  if (fields.length <= used) return;
  state.sink.warning(
    at,
    Code.HACF_EXTRA_FIELDS,
    `${directive}: extra field(s) \`${fields.slice(used).join(' ')}\` are ignored (Heartbeat reads only the first ${used})`,
  );
}

function parsePort(state: HaCfState, directive: string, text: string, at: SourceRef): number | null {
  const port = parseInteger(text);
  if (port === null || port < 1 || port > 65535) {
    state.sink.error(at, Code.HACF_BAD_PORT, `${directive}: port \`${text}\` is not valid: expected a UDP port number 1..65535`);
    return null;
  }
  return port;
}

/** `bcast eth0 eth1`: one medium per interface (a list directive). */
export function addBcast(state: HaCfState, iface: string, at: SourceRef): void {
  if (!checkInterface(state, 'bcast', iface, at)) return;
  takeUdpPort(state, 'bcast', at);
  state.media.push({ kind: 'bcast', iface, at });
}

/** `serial /dev/ttyS0 ...`: one medium per port (a list directive). */
export function addSerial(state: HaCfState, device: string, at: SourceRef): void {
  if (!device.startsWith('/')) {
    state.sink.error(at, Code.HACF_SERIAL_PATH, `serial: \`${device}\` is not a full path: expected a device such as /dev/ttyS0`);
    return;
  }
  if (state.checkFilesystem) {
    const kind = pathKind(device);
    if (kind === null) {
      state.sink.error(at, Code.HACF_SERIAL_MISSING, `serial: port ${device} does not exist`);
      return;
    }
    if (kind !== 'char-device') {
      state.sink.error(at, Code.HACF_SERIAL_NOT_TTY, `serial: ${device} is not a character device (a tty is expected)`);
      return;
    }
  }
  // The serial plugin reads `baud` once, when the first serial line loads it.
  if (state.serialBaudTaken === null) {
    state.serialBaudTaken = { value: state.baud?.value ?? DEFAULT_BAUD, at };
  }
  state.media.push({ kind: 'serial', device, at });
}

/** `ucast dev peer`: whole line. A peer that is one of our own addresses is skipped at run time, not here. */
export function addUcast(state: HaCfState, fields: readonly string[], at: SourceRef): void {
  const [iface, peer] = fields;
  if (iface === undefined || peer === undefined) {
    state.sink.error(at, Code.HACF_MEDIUM_SYNTAX, 'ucast needs an interface and a peer address: `ucast eth0 10.0.0.2`');
    return;
  }
  warnExtraFields(state, 'ucast', fields, 2, at);
  if (!checkInterface(state, 'ucast', iface, at)) return;
  if (!isIPv4OrHostName(peer)) {
    state.sink.error(at, Code.HACF_BAD_ADDRESS, `ucast: \`${peer}\` is not an IPv4 address or host name`);
    return;
  }
  takeUdpPort(state, 'ucast', at);
  state.media.push({ kind: 'ucast', iface, peer, at });
}

/** `ucast6 dev peer[%scope]`: the checks of ucast6.c's is_valid_ucast6_addr. */
export function addUcast6(state: HaCfState, fields: readonly string[], at: SourceRef): void {
  const [iface, peer] = fields;
  if (iface === undefined || peer === undefined) {
    state.sink.error(at, Code.HACF_MEDIUM_SYNTAX, 'ucast6 needs an interface and a peer IPv6 address: `ucast6 eth0 fe80::2`');
    return;
  }
  warnExtraFields(state, 'ucast6', fields, 2, at);
  if (!checkInterface(state, 'ucast6', iface, at)) return;
  const percent = peer.indexOf('%');
  const address = percent < 0 ? peer : peer.slice(0, percent);
  const scope = percent < 0 ? null : peer.slice(percent + 1);
  const bytes = ipv6Bytes(address);
  const unusable =
    bytes === null ||
    bytes[0] === 0xff ||
    bytes.every((b) => b === 0) ||
    bytes.every((b, i) => b === (i === 15 ? 1 : 0));
  if (unusable) {
    state.sink.error(at, Code.HACF_BAD_ADDRESS, `ucast6: \`${peer}\` is not a unicast IPv6 address (multicast, :: and ::1 are refused)`);
    return;
  }
  if (scope !== null && !/^\d+$/.test(scope) && scope !== iface) {
    state.sink.error(at, Code.HACF_BAD_ADDRESS, `ucast6: the scope \`%${scope}\` of ${peer} must be the interface of the line (${iface})`);
    return;
  }
  takeUdpPort(state, 'ucast6', at);
  state.media.push({ kind: 'ucast6', iface, peer, at });
}

const MCAST_FIELDS = ['interface', 'group', 'port', 'ttl', 'loop'] as const;

/** `mcast dev group port ttl loop`: all five required; the port is its own, udpport does not apply. */
export function addMcast(state: HaCfState, fields: readonly string[], at: SourceRef): void {
  const missing = MCAST_FIELDS.find((_, i) => fields[i] === undefined);
  if (missing !== undefined) {
    state.sink.error(
      at,
      Code.HACF_MEDIUM_SYNTAX,
      `mcast is missing its ${missing}: expected \`mcast <interface> <group> <port> <ttl> <loop>\`, e.g. \`mcast eth0 239.0.0.1 694 1 0\``,
    );
    return;
  }
  const [iface = '', group = '', portText = '', ttlText = '', loopText = ''] = fields;
  warnExtraFields(state, 'mcast', fields, 5, at);
  if (!checkInterface(state, 'mcast', iface, at)) return;
  if (!isIPv4Multicast(group)) {
    state.sink.error(at, Code.HACF_MCAST_GROUP, `mcast: group \`${group}\` is not a class D (224.0.0.0-239.255.255.255) IPv4 address`);
    return;
  }
  const port = parsePort(state, 'mcast', portText, at);
  if (port === null) return;
  const ttl = parseInteger(ttlText);
  if (ttl === null || ttl < 0 || ttl > 4) {
    state.sink.error(
      at,
      Code.HACF_MCAST_TTL,
      `mcast: ttl \`${ttlText}\` is not valid: Heartbeat accepts 0..4 only (its man page says 0-255, its code refuses more than 4)`,
    );
    return;
  }
  const loop = parseInteger(loopText);
  if (loop !== 0 && loop !== 1) {
    state.sink.error(at, Code.HACF_MCAST_LOOP, `mcast: loop \`${loopText}\` is not valid: expected 0 or 1 (0 recommended)`);
    return;
  }
  state.media.push({ kind: 'mcast', iface, group, port, ttl, loop, at });
}

/** Scopes mcast6.c accepts: link (2), admin (4), site (5), organization (8). */
const MCAST6_SCOPES = new Set([0x2, 0x4, 0x5, 0x8]);

const MCAST6_FIELDS = ['interface', 'group', 'port', 'hops', 'loop'] as const;

/** `mcast6 dev group port hops loop`: the checks of mcast6.c. */
export function addMcast6(state: HaCfState, fields: readonly string[], at: SourceRef): void {
  const missing = MCAST6_FIELDS.find((_, i) => fields[i] === undefined);
  if (missing !== undefined) {
    state.sink.error(
      at,
      Code.HACF_MEDIUM_SYNTAX,
      `mcast6 is missing its ${missing}: expected \`mcast6 <interface> <group> <port> <hops> <loop>\`, e.g. \`mcast6 eth0 ff12::694 694 1 0\``,
    );
    return;
  }
  const [iface = '', group = '', portText = '', hopsText = '', loopText = ''] = fields;
  warnExtraFields(state, 'mcast6', fields, 5, at);
  if (!checkInterface(state, 'mcast6', iface, at)) return;
  const bytes = ipv6Bytes(group);
  const flags = bytes?.[1] ?? 0;
  const usable =
    bytes !== null &&
    bytes[0] === 0xff &&
    (flags & 0xe0) === 0 &&
    MCAST6_SCOPES.has(flags & 0x0f) &&
    bytes.slice(2).some((b) => b !== 0);
  if (!usable) {
    state.sink.error(
      at,
      Code.HACF_MCAST_GROUP,
      `mcast6: group \`${group}\` is not usable: expected an IPv6 multicast address of link, admin, site or organization scope (e.g. ff12::694)`,
    );
    return;
  }
  const port = parsePort(state, 'mcast6', portText, at);
  if (port === null) return;
  const hops = parseInteger(hopsText);
  if (hops === null || hops < 0 || hops > 4) {
    state.sink.error(at, Code.HACF_MCAST_TTL, `mcast6: hops \`${hopsText}\` is not valid: Heartbeat accepts 0..4`);
    return;
  }
  const loop = parseInteger(loopText);
  if (loop !== 0 && loop !== 1) {
    state.sink.error(at, Code.HACF_MCAST_LOOP, `mcast6: loop \`${loopText}\` is not valid: expected 0 or 1 (0 recommended)`);
    return;
  }
  state.media.push({ kind: 'mcast6', iface, group, port, hops, loop, at });
}

/** `ping a b`: one ping node per address, named by the address (lowercased, as all node names). */
export function addPing(state: HaCfState, address: string, at: SourceRef): void {
  if (!isIPv4OrHostName(address)) {
    state.sink.error(at, Code.HACF_BAD_ADDRESS, `ping: \`${address}\` is not an IPv4 address or host name`);
    return;
  }
  if (!takeNodeSlot(state, at)) return;
  state.pingNodes.push({ name: address.toLowerCase(), kind: 'ping', addresses: [address], at });
}

export function addPing6(state: HaCfState, address: string, at: SourceRef): void {
  if (!isIPv6(address)) {
    state.sink.error(at, Code.HACF_BAD_ADDRESS, `ping6: \`${address}\` is not an IPv6 address`);
    return;
  }
  if (!takeNodeSlot(state, at)) return;
  state.pingNodes.push({ name: address.toLowerCase(), kind: 'ping6', addresses: [address], at });
}

/** `ping_group NAME a b ...`: one pseudo-node, up while any address answers. */
export function addPingGroup(state: HaCfState, fields: readonly string[], at: SourceRef): void {
  const [name, ...addresses] = fields;
  if (name === undefined || addresses.length === 0) {
    state.sink.error(at, Code.HACF_PING_GROUP_SYNTAX, 'ping_group needs a name and at least one address: `ping_group group1 10.0.0.1 10.0.0.2`');
    return;
  }
  const bad = addresses.find((a) => !isIPv4OrHostName(a));
  if (bad !== undefined) {
    state.sink.error(at, Code.HACF_BAD_ADDRESS, `ping_group ${name}: \`${bad}\` is not an IPv4 address or host name`);
    return;
  }
  if (!takeNodeSlot(state, at)) return;
  state.pingNodes.push({ name: name.toLowerCase(), kind: 'ping_group', addresses, at });
}
