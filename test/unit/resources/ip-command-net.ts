// NetOps over the `ip` command in a network namespace (not a test file): the
// real kernel's addresses, routes and errors for the namespace tests of the
// resource layer, while src/net/native-net.ts (the rtnetlink NetOps of the C
// core) is not there yet. Announcements are only recorded: there is no ARP
// sender here, and checking frames is the native NetOps' own business.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressSpec, AnnounceSpec, Family, InterfaceAddress, InterfaceMatch, LinkInfo, NetOps } from '../../../src/net/types';
import { ipv4ToNumber, ipv6Bytes } from '../../../src/config/net';

const run = promisify(execFile);

interface JsonAddr {
  family: string;
  local: string;
  prefixlen: number;
  broadcast?: string;
  label?: string;
  secondary?: boolean;
  tentative?: boolean;
  dadfailed?: boolean;
}
interface JsonLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  address?: string;
  addr_info?: JsonAddr[];
}
interface JsonRoute {
  dst: string;
  dev: string;
  scope?: string;
}

/** `ip`'s error text -> the errno name NetOps promises. */
function errnoOf(stderr: string): string {
  if (/File exists|already assigned/.test(stderr)) return 'EEXIST';
  if (/Cannot assign requested address|Address not found/.test(stderr)) return 'EADDRNOTAVAIL';
  if (/Cannot find device|does not exist/.test(stderr)) return 'ENODEV';
  if (/Operation not permitted/.test(stderr)) return 'EPERM';
  return 'EIO';
}

function bitsOf(family: Family, address: string): number[] {
  if (family === 'inet') {
    const n = ipv4ToNumber(address);
    return Array.from({ length: 32 }, (_, i) => (n >>> (31 - i)) & 1);
  }
  return (ipv6Bytes(address) ?? []).flatMap((b) => Array.from({ length: 8 }, (_, i) => (b >> (7 - i)) & 1));
}

export class IpCommandNet implements NetOps {
  readonly announced: AnnounceSpec[] = [];

  constructor(private readonly netns: string) {}

  private async ip(...args: string[]): Promise<string> {
    try {
      return (await run('ip', ['-n', this.netns, ...args], { encoding: 'utf8' })).stdout;
    } catch (e) {
      const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim();
      throw Object.assign(new Error(`ip ${args.join(' ')}: ${stderr}`), { code: errnoOf(stderr) });
    }
  }

  async listAddresses(ifname?: string): Promise<InterfaceAddress[]> {
    const links = JSON.parse(await this.ip('-j', 'addr', 'show', ...(ifname ? ['dev', ifname] : []))) as JsonLink[];
    return links.flatMap((l) =>
      (l.addr_info ?? [])
        .filter((a) => a.family === 'inet' || a.family === 'inet6')
        .map((a) => ({
          ifname: l.ifname,
          family: a.family as Family,
          address: a.local,
          prefixLen: a.prefixlen,
          ...(a.broadcast ? { broadcast: a.broadcast } : {}),
          ...(a.family === 'inet' ? { label: a.label ?? l.ifname } : {}),
          ...(a.secondary ? { secondary: true } : {}),
          ...(a.tentative ? { tentative: true } : {}),
          ...(a.dadfailed ? { dadFailed: true } : {}),
        })),
    );
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    await this.ip(
      spec.family === 'inet6' ? '-6' : '-4',
      'addr',
      'add',
      `${spec.address}/${spec.prefixLen}`,
      ...(spec.broadcast ? ['brd', spec.broadcast] : []),
      'dev',
      spec.ifname,
      ...(spec.label ? ['label', spec.label] : []),
      ...(spec.noDad ? ['nodad'] : []),
    );
  }

  async deleteAddress(spec: AddressSpec): Promise<void> {
    await this.ip(spec.family === 'inet6' ? '-6' : '-4', 'addr', 'del', `${spec.address}/${spec.prefixLen}`, 'dev', spec.ifname);
  }

  async findInterface(address: string): Promise<InterfaceMatch | null> {
    const family: Family = address.includes(':') ? 'inet6' : 'inet';
    const routes = JSON.parse(await this.ip(family === 'inet6' ? '-6' : '-4', '-j', 'route', 'show', 'table', 'main')) as JsonRoute[];
    const want = bitsOf(family, address);
    let best: { ifname: string; prefixLen: number } | null = null;
    for (const r of routes) {
      if (!r.dst.includes('/') || (family === 'inet' && r.scope !== 'link')) continue;
      const [net = '', len = '0'] = r.dst.split('/');
      const prefixLen = Number(len);
      const have = bitsOf(family, net);
      if (want.slice(0, prefixLen).every((b, i) => b === have[i]) && (best === null || prefixLen > best.prefixLen)) best = { ifname: r.dev, prefixLen };
    }
    if (best === null) return null;
    const primary = (await this.listAddresses(best.ifname)).find((a) => a.family === family && a.prefixLen === best.prefixLen && a.broadcast);
    return { ...best, ...(primary?.broadcast ? { broadcast: primary.broadcast } : {}) };
  }

  async linkInfo(ifname: string): Promise<LinkInfo> {
    const [l] = JSON.parse(await this.ip('-j', 'link', 'show', 'dev', ifname)) as JsonLink[];
    if (l === undefined) throw Object.assign(new Error(`no interface ${ifname}`), { code: 'ENODEV' });
    return { ifname: l.ifname, ifindex: l.ifindex, mac: l.address ?? '', up: l.flags.includes('UP'), mtu: l.mtu };
  }

  async announce(spec: AnnounceSpec): Promise<void> {
    await this.linkInfo(spec.ifname);
    this.announced.push(spec);
  }
}
