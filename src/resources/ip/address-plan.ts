// Where a VIP goes, fully resolved before anything is changed: interface,
// prefix length, broadcast. What resource-agents' findif does, over NetOps:
// the interface comes from the argument or from the connected route that
// covers the address (never a guessed eth0: resource-agents 4.x IPaddr
// defaults its nic to eth0, features.md trap 9), the prefix and broadcast
// from the argument, else from that route.

import type { IPv4AddressSpec, IPv6AddressSpec } from '../../config/resources';
import { ipv4ToNumber } from '../../config/net';
import type { InterfaceMatch, NetOps } from '../../net/types';
import { errorText } from '../failure';
import { ResourceError } from '../types';

export interface AddressPlan {
  readonly ifname: string;
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly prefixLen: number;
  readonly broadcast?: string;
}

function numberToIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** The directed broadcast of ip/prefix; none for /31 and /32, which have no broadcast address. */
export function ipv4Broadcast(ip: string, prefixLen: number): string | undefined {
  if (prefixLen > 30) return undefined;
  const host = 2 ** (32 - prefixLen) - 1;
  return numberToIPv4(ipv4ToNumber(ip) - (ipv4ToNumber(ip) % (host + 1)) + host);
}

async function checkInterfaceExists(net: NetOps, ifname: string, id: string): Promise<void> {
  try {
    await net.linkInfo(ifname);
  } catch (e) {
    throw new ResourceError('RSC_NO_INTERFACE', `interface ${ifname} named in ${id} does not exist: ${errorText(e)}`, id, { cause: e });
  }
}

async function routeMatch(net: NetOps, address: string, id: string): Promise<InterfaceMatch | null> {
  try {
    return await net.findInterface(address);
  } catch (e) {
    throw new ResourceError('RSC_NETLINK', `looking up the route for ${address} failed: ${errorText(e)}`, id, { cause: e });
  }
}

function noInterface(address: string, example: string, id: string): ResourceError {
  return new ResourceError(
    'RSC_NO_INTERFACE',
    `no interface for ${address}: no connected route covers it, so the interface cannot be chosen; name it, as in ${example}`,
    id,
  );
}

/**
 * IPaddr: an interface given that differs from the one the route says is an
 * error (its `nic [x] Calculated nic: [y]`). IPaddr2: a given interface is
 * trusted, but without a prefix length a route on that interface must
 * supply one (findif filters routes by `dev nic`).
 */
export async function planIPv4(spec: IPv4AddressSpec, flavour: 'IPaddr' | 'IPaddr2', net: NetOps, id: string): Promise<AddressPlan> {
  if (spec.iface !== null) await checkInterfaceExists(net, spec.iface, id);
  const match = await routeMatch(net, spec.ip, id);
  const ifname = spec.iface ?? match?.ifname;
  if (ifname === undefined) throw noInterface(spec.ip, `${flavour}::${spec.ip}/24/eth1`, id);
  const onRoute = match !== null && match.ifname === ifname ? match : null;
  if (flavour === 'IPaddr' && match !== null && onRoute === null) {
    throw new ResourceError(
      'RSC_BAD_ARGUMENT',
      `${spec.ip} belongs on ${match.ifname} by the routing table, not on ${ifname} as ${id} says (IPaddr: nic [${ifname}] Calculated nic: [${match.ifname}])`,
      id,
    );
  }
  const prefixLen = spec.bits ?? onRoute?.prefixLen;
  if (prefixLen === undefined) {
    throw new ResourceError(
      'RSC_BAD_ARGUMENT',
      `no prefix length for ${spec.ip}: no connected route on ${ifname} covers it; give one, as in ${flavour}::${spec.ip}/24/${ifname}`,
      id,
    );
  }
  const broadcast = spec.broadcast ?? (onRoute !== null && onRoute.prefixLen === prefixLen && onRoute.broadcast ? onRoute.broadcast : ipv4Broadcast(spec.ip, prefixLen));
  return { ifname, family: 'inet', address: spec.ip, prefixLen, ...(broadcast !== undefined ? { broadcast } : {}) };
}

/** IPv6addr: the prefix defaults to the covering route's, else 64. */
export async function planIPv6(spec: IPv6AddressSpec, net: NetOps, id: string): Promise<AddressPlan> {
  if (spec.iface !== null) await checkInterfaceExists(net, spec.iface, id);
  const match = await routeMatch(net, spec.ip, id);
  const ifname = spec.iface ?? match?.ifname;
  if (ifname === undefined) throw noInterface(spec.ip, `IPv6addr::${spec.ip}/64/eth1`, id);
  const onRoute = match !== null && match.ifname === ifname ? match : null;
  return { ifname, family: 'inet6', address: spec.ip, prefixLen: spec.bits ?? onRoute?.prefixLen ?? 64 };
}
