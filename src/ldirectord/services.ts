// ldirectord's service table: the protocols negotiate checks speak, which
// one a port implies (ld_port_to_service), and the port a service implies
// (ld_service_to_port).

import type { CheckService } from '../checks/types';

export const SERVICES: readonly CheckService[] = [
  'dns', 'ftp', 'http', 'https', 'http_proxy', 'imap', 'imaps', 'ldap', 'ldaps', 'mysql', 'nntp',
  'none', 'oracle', 'pgsql', 'pop', 'pops', 'radius', 'simpletcp', 'sip', 'smtp', 'submission',
];

const PORT_OF: Readonly<Partial<Record<CheckService, number>>> = {
  ftp: 21, smtp: 25, dns: 53, http: 80, pop: 110, nntp: 119, imap: 143, ldap: 389, https: 443, submission: 587,
  ldaps: 636, imaps: 993, pops: 995, oracle: 1521, radius: 1812, http_proxy: 3128, mysql: 3306, sip: 5060, pgsql: 5432,
};

export function isService(word: string): word is CheckService {
  return (SERVICES as readonly string[]).includes(word);
}

/** The service ldirectord guesses from a virtual port; `none` if the port means nothing to it. */
export function serviceForPort(port: number): CheckService {
  for (const [service, p] of Object.entries(PORT_OF)) if (p === port) return service as CheckService;
  return 'none';
}

/** The well-known port of a service, or null (none, simpletcp). */
export function portForService(service: CheckService): number | null {
  return PORT_OF[service] ?? null;
}
