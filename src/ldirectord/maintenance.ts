// maintenancedir: a server is drained while a file named after it exists
// there. The names ldirectord looks for (_check_real_for_maintenance), in
// order: IP:port, IP, FQDN:port, FQDN, shortname:port, shortname. hbd also
// accepts the host name as written in the configuration, and IPv6 addresses
// with or without brackets.

import * as dns from 'node:dns';
import * as fs from 'node:fs';
import type { RealServer } from './model';

/** File names that put `r` into maintenance; `hostNames` are its reverse-DNS names. */
export function maintenanceNames(r: RealServer, hostNames: readonly string[]): string[] {
  const hosts = new Set<string>([r.address]);
  if (r.address.includes(':')) hosts.add(`[${r.address}]`);
  for (const name of [...hostNames, r.name]) {
    if (name === '' || name === r.address) continue;
    hosts.add(name);
    const short = /^([A-Za-z][A-Za-z0-9-]*)\./.exec(name)?.[1];
    if (short !== undefined) hosts.add(short);
  }
  const ports = [...new Set([r.port, r.checkPort])];
  const names: string[] = [];
  for (const host of hosts) {
    for (const port of ports) names.push(`${host}:${port}`);
    names.push(host);
  }
  return names;
}

export function inMaintenance(r: RealServer, files: ReadonlySet<string>, hostNames: readonly string[]): boolean {
  if (files.size === 0) return false;
  return maintenanceNames(r, hostNames).some((n) => files.has(n));
}

/** Where the director reads maintenance facts; replaced in tests. */
export interface MaintenanceSource {
  /** The file names in `dir`, or null when it cannot be read (no server is in maintenance then). */
  list(dir: string): Promise<ReadonlySet<string> | null>;
  /** Reverse-DNS names of an address (may be empty). */
  names(address: string): Promise<readonly string[]>;
}

const REVERSE_TIMEOUT_MS = 2000;

export const systemMaintenanceSource: MaintenanceSource = {
  async list(dir) {
    try {
      return new Set(await fs.promises.readdir(dir));
    } catch {
      return null;
    }
  },
  async names(address) {
    // getnameinfo, like ldirectord: /etc/hosts first, then DNS; bounded so a dead resolver cannot stall.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), REVERSE_TIMEOUT_MS);
    });
    try {
      const found = await Promise.race([dns.promises.lookupService(address, 1).catch(() => null), timeout]);
      return found === null || found.hostname === address ? [] : [found.hostname];
    } finally {
      clearTimeout(timer);
    }
  },
};
