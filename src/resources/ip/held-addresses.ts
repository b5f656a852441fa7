// Which interfaces hold an address now. Loopback copies are told apart: an
// LVS-DR director that is also a real server keeps its VIPs on lo, and such
// a copy never means "this node holds the VIP".

import { ipv6Bytes } from '../../config/net';
import type { Family, InterfaceAddress, NetOps } from '../../net/types';

export function isLoopback(ifname: string): boolean {
  return ifname === 'lo' || ifname.startsWith('lo:');
}

/** Same address, whatever way of writing IPv6 each side used. */
export function sameAddress(family: Family, a: string, b: string): boolean {
  if (family === 'inet') return a === b;
  const x = ipv6Bytes(a);
  const y = ipv6Bytes(b);
  return x !== null && y !== null && x.every((v, i) => v === y[i]);
}

export async function findAddress(net: NetOps, family: Family, address: string): Promise<InterfaceAddress[]> {
  return (await net.listAddresses()).filter((a) => a.family === family && sameAddress(family, a.address, address));
}

/** Held = on a non-loopback interface (on `ifname` when the resource names one), and not failed DAD. */
export function heldCopies(all: readonly InterfaceAddress[], ifname: string | null): InterfaceAddress[] {
  return all.filter((a) => !isLoopback(a.ifname) && (ifname === null || a.ifname === ifname) && a.dadFailed !== true);
}
