// Name lookups for the parser. ldirectord resolves host and service names
// while it reads the file (getaddrinfo, getservbyname). hbd's parser is
// synchronous and pure, so the loader first records which names a file
// needs, looks them up (dns.lookup, which reads /etc/hosts and DNS like
// getaddrinfo), then parses with the answers.

import * as dns from 'node:dns';
import * as fs from 'node:fs';
import type { AddressFamily } from '../ipvs/types';
import type { Resolver } from './addresses';

export type ServiceTable = ReadonlyMap<string, number>;

/** /etc/services: `name port/proto [aliases...]` → `name/proto` → port, aliases included. */
export function parseServicesFile(text: string): ServiceTable {
  const table = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/(\w+)$/.exec(portProto ?? '');
    if (name === undefined || m === null) continue;
    for (const n of [name, ...aliases]) {
      const key = `${n}/${m[2] ?? ''}`;
      if (!table.has(key)) table.set(key, Number(m[1]));
    }
  }
  return table;
}

let systemServices: ServiceTable | null = null;

/** This machine's /etc/services (read once); empty if it cannot be read. */
export function readSystemServices(file = '/etc/services'): ServiceTable {
  if (file !== '/etc/services') return readServices(file);
  systemServices ??= readServices(file);
  return systemServices;
}

function readServices(file: string): ServiceTable {
  try {
    return parseServicesFile(fs.readFileSync(file, 'utf8'));
  } catch {
    return new Map();
  }
}

const hostKey = (name: string, af: AddressFamily) => `${af}:${name}`;

/** Answers from tables: tests, and the second pass of the loader. */
export class TableResolver implements Resolver {
  constructor(
    private readonly hosts: ReadonlyMap<string, string>,
    private readonly services: ServiceTable,
  ) {}

  host(name: string, af: AddressFamily): string | null {
    return this.hosts.get(hostKey(name, af)) ?? null;
  }

  service(name: string, protocol: 'tcp' | 'udp'): number | null {
    return this.services.get(`${name}/${protocol}`) ?? null;
  }
}

/**
 * First pass: remembers every host name asked for. It answers with a
 * placeholder address so that parsing goes on past the name (a virtual
 * service's real servers are only looked at once its own address resolved).
 */
export class RecordingResolver implements Resolver {
  readonly wanted = new Map<string, { name: string; af: AddressFamily }>();

  constructor(private readonly services: ServiceTable) {}

  host(name: string, af: AddressFamily): string | null {
    this.wanted.set(hostKey(name, af), { name, af });
    return af === 'inet' ? '192.0.2.0' : '2001:db8::';
  }

  service(name: string, protocol: 'tcp' | 'udp'): number | null {
    return this.services.get(`${name}/${protocol}`) ?? null;
  }
}

export type HostLookup = (name: string, af: AddressFamily) => Promise<string | null>;

/** getaddrinfo through libuv; null when the name does not resolve in that family. */
export const systemHostLookup: HostLookup = async (name, af) => {
  try {
    const r = await dns.promises.lookup(name, { family: af === 'inet' ? 4 : 6 });
    return r.address;
  } catch {
    return null;
  }
};

/** Looks up every recorded name concurrently; the result feeds a TableResolver. */
export async function lookupAll(
  wanted: ReadonlyMap<string, { name: string; af: AddressFamily }>,
  lookup: HostLookup = systemHostLookup,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    [...wanted].map(async ([key, { name, af }]) => {
      const address = await lookup(name, af);
      if (address !== null) out.set(key, address);
    }),
  );
  return out;
}
