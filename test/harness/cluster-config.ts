// ha.cf / authkeys text for a two-node test cluster on one LAN, for any
// medium and auth method, identical on both nodes (as operators keep them).
export type TestMedium = 'bcast' | 'ucast' | 'mcast' | 'serial';
export type TestAuth = 'crc' | 'md5' | 'sha1';

export interface ClusterConfigOptions {
  readonly medium: TestMedium;
  readonly auth: TestAuth;
  /** Node names, node i has address `${subnet}.${i + 1}`. */
  readonly nodes: readonly string[];
  readonly subnet: string;
  readonly keepalive?: string;
  readonly deadtime?: string;
  readonly warntime?: string;
  readonly initdead?: string;
  readonly autoFailback?: 'on' | 'off' | 'legacy';
  /** serial: this node's device. */
  readonly serialDevice?: string;
  readonly extra?: readonly string[];
}

export function haCf(o: ClusterConfigOptions): string {
  const media: string[] = [];
  switch (o.medium) {
    case 'bcast':
      media.push('bcast eth0');
      break;
    case 'ucast':
      // Every node's address, own one included: that line is ignored locally.
      o.nodes.forEach((_, i) => media.push(`ucast eth0 ${o.subnet}.${i + 1}`));
      break;
    case 'mcast':
      media.push('mcast eth0 239.0.0.43 694 1 0');
      break;
    case 'serial':
      media.push('baud 19200', `serial ${o.serialDevice ?? '/dev/null'}`);
      break;
  }
  return [
    `keepalive ${o.keepalive ?? '100ms'}`,
    `deadtime ${o.deadtime ?? '1'}`,
    `warntime ${o.warntime ?? '500ms'}`,
    `initdead ${o.initdead ?? '2'}`,
    'udpport 694',
    ...media,
    `auto_failback ${o.autoFailback ?? 'on'}`,
    `node ${o.nodes.join(' ')}`,
    'crm no',
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

export const TEST_KEYS: Record<TestAuth, string> = {
  crc: 'auth 1\n1 crc\n',
  md5: 'auth 1\n1 md5 interop-md5-key\n',
  sha1: 'auth 1\n1 sha1 interop-sha1-key\n',
};

export function authkeys(auth: TestAuth): string {
  return TEST_KEYS[auth];
}

/** The key table an injector needs to sign as a cluster member. */
export function keyTable(auth: TestAuth): { sign: number; entries: { index: number; method: string; secret: string }[] } {
  const secret = auth === 'crc' ? '' : auth === 'md5' ? 'interop-md5-key' : 'interop-sha1-key';
  return { sign: 1, entries: [{ index: 1, method: auth, secret }] };
}
