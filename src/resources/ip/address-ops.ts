// Adding and removing one VIP copy over NetOps, idempotently: an address that
// is already there (EEXIST) counts as added, one already gone (EADDRNOTAVAIL)
// as removed; anything else is a ResourceError saying what failed.

import type { AddressSpec, InterfaceAddress, NetOps } from '../../net/types';
import { errnoCode, errorText } from '../failure';
import { ResourceError } from '../types';

export function describe(spec: AddressSpec): string {
  const brd = spec.broadcast ? ` with broadcast address ${spec.broadcast}` : '';
  const label = spec.label ? ` (with label ${spec.label})` : '';
  return `${spec.family} address ${spec.address}/${spec.prefixLen}${brd} to device ${spec.ifname}${label}`;
}

export async function addAddress(net: NetOps, spec: AddressSpec, id: string): Promise<void> {
  try {
    await net.addAddress(spec);
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') return;
    throw new ResourceError('RSC_NETLINK', `Adding ${describe(spec)} failed: ${errorText(e)}`, id, { cause: e });
  }
}

export function specOf(a: InterfaceAddress): AddressSpec {
  return {
    ifname: a.ifname,
    family: a.family,
    address: a.address,
    prefixLen: a.prefixLen,
    ...(a.broadcast !== undefined ? { broadcast: a.broadcast } : {}),
    ...(a.label !== undefined && a.label !== a.ifname ? { label: a.label } : {}),
  };
}

export async function removeAddress(net: NetOps, copy: InterfaceAddress, id: string): Promise<void> {
  try {
    await net.deleteAddress(specOf(copy));
  } catch (e) {
    if (errnoCode(e) === 'EADDRNOTAVAIL') return;
    throw new ResourceError('RSC_NETLINK', `Removing ${copy.address}/${copy.prefixLen} from ${copy.ifname} failed: ${errorText(e)}`, id, { cause: e });
  }
}
