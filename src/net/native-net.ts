// NetOps over the C core (native/src/rtnl_*.c, garp_*.c through the addon):
// one rtnetlink socket per network namespace for addresses, routes and
// links; each announcement on an AF_PACKET socket of its own, its rounds
// paced on a libuv pool thread (the first at once). Errors are the addon's:
// `code` = errno name, message = what failed, `kernelMessage` when the
// kernel said more.

import { loadNative, type NativeBinding, type NativeNetAddress, type NativeNetAddressSpec, type NativeNetHandle } from '../native/binding';
import type { AddressSpec, AnnounceSpec, Family, InterfaceAddress, InterfaceMatch, LinkInfo, NetOps } from './types';

export interface NativeNetOptions {
  /**
   * Network namespace to act in: a name from `ip netns` (/run/netns/NAME)
   * or a path such as /proc/1234/ns/net. Default: this process's.
   */
  readonly netns?: string;
  /** The addon (tests may pass a stub). Default: loadNative(). */
  readonly binding?: NativeBinding;
}

/** Opens NetOps for one network namespace. */
export async function openNativeNet(options: NativeNetOptions = {}): Promise<NativeNet> {
  const binding = options.binding ?? loadNative();
  const netns = options.netns === undefined || options.netns.includes('/') ? options.netns : `/run/netns/${options.netns}`;
  return new NativeNet(await binding.netOpen(netns), netns);
}

function familyOf(address: string): Family {
  return address.includes(':') ? 'inet6' : 'inet';
}

const ERRNO: Readonly<Record<string, readonly [number, string]>> = {
  EPERM: [1, 'Operation not permitted'],
  ENXIO: [6, 'No such device or address'],
  EBUSY: [16, 'Device or resource busy'],
  EEXIST: [17, 'File exists'],
  ENODEV: [19, 'No such device'],
  EINVAL: [22, 'Invalid argument'],
  EOPNOTSUPP: [95, 'Operation not supported'],
  EADDRNOTAVAIL: [99, 'Cannot assign requested address'],
  ENETDOWN: [100, 'Network is down'],
  ENETUNREACH: [101, 'Network is unreachable'],
};

/** An Error shaped like the addon's: `code`, `errno`, `op`, message "op: strerror", `kernelMessage`. */
export function errnoError(code: string, op: string, kernelMessage?: string): Error {
  const [errno, text] = ERRNO[code] ?? [0, code];
  const e = Object.assign(new Error(`${op}: ${text}`), { code, errno, op });
  if (kernelMessage !== undefined) Object.assign(e, { kernelMessage });
  return e;
}

/**
 * What is refused before the kernel sees it (EINVAL), the same for the
 * addon and the fake: family and address text disagree, a prefix length
 * outside the family's, an IPv4-only field on IPv6, a label over 15 bytes.
 * (A label must also begin with the interface name: the C core says so.)
 */
export function checkAddressSpec(spec: AddressSpec, op: string): void {
  if (familyOf(spec.address) !== spec.family) throw errnoError('EINVAL', `${op} (${spec.address} is not an ${spec.family} address)`);
  const max = spec.family === 'inet' ? 32 : 128;
  if (!Number.isInteger(spec.prefixLen) || spec.prefixLen < 0 || spec.prefixLen > max) {
    throw errnoError('EINVAL', `${op} (prefix length ${spec.prefixLen})`);
  }
  if (spec.family === 'inet6' && (spec.label !== undefined || spec.broadcast !== undefined)) {
    throw errnoError('EINVAL', `${op} (labels and broadcast addresses are IPv4 only)`);
  }
  if (spec.label !== undefined && Buffer.byteLength(spec.label) > 15) throw errnoError('EINVAL', `${op} (the label ${spec.label} is over 15 bytes)`);
}

function nativeSpec(spec: AddressSpec, what: string): NativeNetAddressSpec {
  checkAddressSpec(spec, what);
  return {
    ifname: spec.ifname,
    address: spec.address,
    prefixLen: spec.prefixLen,
    ...(spec.broadcast !== undefined ? { broadcast: spec.broadcast } : {}),
    ...(spec.label !== undefined ? { label: spec.label } : {}),
    ...(spec.noDad ? { noDad: true } : {}),
  };
}

function interfaceAddress(a: NativeNetAddress): InterfaceAddress {
  return {
    ifname: a.ifname,
    family: a.family,
    address: a.address,
    prefixLen: a.prefixLen,
    ...(a.broadcast !== undefined ? { broadcast: a.broadcast } : {}),
    ...(a.label !== undefined ? { label: a.label } : {}),
    secondary: a.secondary,
    tentative: a.tentative,
    dadFailed: a.dadFailed,
  };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

export class NativeNet implements NetOps {
  constructor(
    private readonly handle: NativeNetHandle,
    /** The namespace path this acts in (undefined: the process's). */
    readonly netns: string | undefined,
  ) {}

  async listAddresses(ifname?: string): Promise<InterfaceAddress[]> {
    const list = await this.handle.addressList(ifname === undefined ? undefined : { ifname });
    return list.map(interfaceAddress);
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    await this.handle.addressAdd(nativeSpec(spec, `adding ${spec.address}/${spec.prefixLen} to ${spec.ifname}`));
  }

  async deleteAddress(spec: AddressSpec): Promise<void> {
    await this.handle.addressDelete(nativeSpec(spec, `removing ${spec.address}/${spec.prefixLen} from ${spec.ifname}`));
  }

  async findInterface(address: string, ifname?: string): Promise<InterfaceMatch | null> {
    const m = await this.handle.findInterface(address, ifname);
    if (m === null) return null;
    return {
      ifname: m.ifname,
      prefixLen: m.prefixLen,
      ...(m.broadcast !== undefined ? { broadcast: m.broadcast } : {}),
      ...(m.differs ? { differs: true } : {}),
    };
  }

  async linkInfo(ifname: string): Promise<LinkInfo> {
    const l = await this.handle.linkInfo(ifname);
    return { ifname: l.ifname, ifindex: l.ifindex, mac: l.mac, up: l.up, mtu: l.mtu };
  }

  async announce(spec: AnnounceSpec): Promise<void> {
    const { signal } = spec;
    if (signal?.aborted) throw abortReason(signal);
    const run = this.handle.announce({
      ifname: spec.ifname,
      address: spec.address,
      count: spec.count,
      intervalMs: spec.intervalMs,
      ...(spec.mode !== undefined ? { mode: spec.mode } : {}),
      ...(spec.router ? { router: true } : {}),
    });
    const onAbort = (): void => run.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { cancelled } = await run.done;
      if (cancelled && signal) throw abortReason(signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes the rtnetlink socket (announcements under way finish). Idempotent. */
  close(): void {
    this.handle.close();
  }
}
