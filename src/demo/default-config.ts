// The embedded default configuration of `hbd demo`: plain Heartbeat ha.d
// files, as an operator migrating from Heartbeat would have them. Director 1
// owns the VIP; sha1 authentication; sub-second timers.

export interface DemoHost {
  readonly name: string;
  readonly address: string;
}

export const DEMO_DIRECTORS: readonly DemoHost[] = [
  { name: 'director1', address: '10.99.0.1/24' },
  { name: 'director2', address: '10.99.0.2/24' },
];
export const DEMO_CLIENT: DemoHost = { name: 'client', address: '10.99.0.9/24' };
export const DEMO_VIP = '10.99.0.100';

export function demoConfigFiles(): Record<string, string> {
  return {
    'ha.cf': [
      '# hbd demo: two LVS directors on one segment',
      'keepalive 50ms',
      'deadtime 200ms',
      'warntime 100ms',
      'initdead 1',
      'udpport 694',
      'bcast eth0',
      'auto_failback on',
      `node ${DEMO_DIRECTORS.map((d) => d.name).join(' ')}`,
      'crm off',
      '',
    ].join('\n'),
    authkeys: ['auth 1', '1 sha1 hbd-demo-shared-secret', ''].join('\n'),
    haresources: [`${DEMO_DIRECTORS[0]?.name ?? 'director1'} IPaddr2::${DEMO_VIP}/24/eth0`, ''].join('\n'),
  };
}
