// Stable text for IPVS keys (map keys, logs, status) and the comparison
// rules that decide whether the kernel's entry already is what we want.

import type { DestKey, IpvsDest, IpvsDestState, IpvsService, IpvsServiceState, ServiceKey } from '../ipvs/types';
import { canonicalAddress, hostForDisplay } from './addresses';

function canon(address: string): string {
  return canonicalAddress(address) ?? address.toLowerCase();
}

/** `tcp 192.0.2.1:80`, `udp [2001:db8::1]:53`, `fwmark 7` / `fwmark6 7`. */
export function serviceKeyText(key: ServiceKey): string {
  if (key.fwmark !== undefined) return `${key.af === 'inet6' ? 'fwmark6' : 'fwmark'} ${key.fwmark}`;
  return `${key.protocol} ${hostForDisplay(canon(key.address))}:${key.port}`;
}

export function destKeyText(d: DestKey): string {
  return `${hostForDisplay(canon(d.address))}:${d.port}`;
}

/** Just the key part of a flat IpvsService. */
export function serviceKeyOf(s: IpvsService | ServiceKey): ServiceKey {
  return s.fwmark !== undefined ? { af: s.af, fwmark: s.fwmark } : { af: s.af, protocol: s.protocol, address: s.address, port: s.port };
}

/** Whether the kernel's service settings already match the wanted ones. */
export function serviceSettingsEqual(want: IpvsService, have: IpvsServiceState): boolean {
  if (want.scheduler !== have.scheduler) return false;
  const wantPersistent = want.persistentTimeout ?? 0;
  if (wantPersistent !== (have.persistentTimeout ?? 0)) return false;
  if (wantPersistent > 0) {
    // The kernel reports its default netmask when none was set.
    const full = want.af === 'inet6' ? 128 : '255.255.255.255';
    if (String(want.netmask ?? full) !== String(have.netmask ?? full)) return false;
  }
  const wf = want.flags ?? {};
  const hf = have.flags ?? {};
  return (
    (wf.onePacket ?? false) === (hf.onePacket ?? false) &&
    (wf.sched1 ?? false) === (hf.sched1 ?? false) &&
    (wf.sched2 ?? false) === (hf.sched2 ?? false) &&
    (wf.sched3 ?? false) === (hf.sched3 ?? false)
  );
}

/** Whether the kernel's destination already matches. IPVS itself turns local addresses into `local`, so that matches any method. */
export function destSettingsEqual(want: IpvsDest, have: IpvsDestState): boolean {
  return (
    (have.forward === 'local' || have.forward === want.forward) &&
    want.weight === have.weight &&
    (want.upperThreshold ?? 0) === (have.upperThreshold ?? 0) &&
    (want.lowerThreshold ?? 0) === (have.lowerThreshold ?? 0)
  );
}

/** `route`, `masq`, `tunnel`, `local` in ldirectord's words where it has them. */
export function forwardText(f: IpvsDest['forward']): string {
  return f === 'route' ? 'gate' : f === 'tunnel' ? 'ipip' : f;
}
