// The bench topology, the same for every implementation: directors A and B
// and a client on one L2 segment (namespaces and a bridge, src/netns/lan.ts),
// a VIP that A owns, and the tiny UDP responder on both directors.
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Lan } from '../../src/netns/lan';
import type { Director, Side, Topology } from './types';

const SUBNET = '10.98.0';
const RESPONDER = path.join(__dirname, 'udp-responder.js');

export interface BenchLan extends Topology {
  /** Removes every VIP copy, brings A's link up, forgets the client's ARP entry. */
  reset(): void;
  /** Does this director have the VIP on its interface? */
  holds(side: Side): boolean;
  destroy(): void;
}

function macOf(ns: string): string {
  const out = execFileSync('ip', ['-n', ns, '-o', 'link', 'show', 'eth0'], { encoding: 'utf8' });
  const mac = /link\/ether ([0-9a-f:]{17})/.exec(out)?.[1];
  if (!mac) throw new Error(`no MAC on eth0 in ${ns}`);
  return mac;
}

export function createTopology(prefix: string): BenchLan {
  const lan = Lan.create(
    [
      { name: 'a', addresses: [`${SUBNET}.1/24`] },
      { name: 'b', addresses: [`${SUBNET}.2/24`] },
      { name: 'c', addresses: [`${SUBNET}.9/24`] },
    ],
    { prefix },
  );
  const responders: ChildProcess[] = [];
  try {
    const director = (side: Side, n: number): Director => ({
      side,
      name: `director-${side}`,
      ns: lan.ns(side),
      address: `${SUBNET}.${n}`,
      mac: macOf(lan.ns(side)),
    });
    const topo = {
      lan,
      a: director('a', 1),
      b: director('b', 2),
      clientNs: lan.ns('c'),
      clientAddress: `${SUBNET}.9`,
      vip: `${SUBNET}.100`,
      prefixLen: 24,
      iface: 'eth0',
      port: 7777,
    };
    for (const d of [topo.a, topo.b]) {
      execFileSync('ip', ['netns', 'exec', d.ns, 'sysctl', '-q', '-w', 'net.ipv4.ip_nonlocal_bind=1']);
      responders.push(lan.spawn(d.side, process.execPath, [RESPONDER, topo.vip, String(topo.port), d.name], { stdio: 'ignore' }));
    }
    const holds = (side: Side): boolean => {
      const out = spawnSync('ip', ['-n', lan.ns(side), '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout ?? '';
      return out.includes(` ${topo.vip}/`);
    };
    const reset = (): void => {
      for (const side of ['a', 'b'] as const) {
        spawnSync('ip', ['-n', lan.ns(side), 'link', 'set', 'eth0', 'up'], { stdio: 'ignore' });
        while (holds(side)) {
          const r = spawnSync('ip', ['-n', lan.ns(side), 'addr', 'del', `${topo.vip}/${topo.prefixLen}`, 'dev', 'eth0'], { stdio: 'ignore' });
          if (r.status !== 0) break;
        }
      }
      spawnSync('ip', ['-n', topo.clientNs, 'neigh', 'flush', 'dev', 'eth0'], { stdio: 'ignore' });
    };
    return {
      ...topo,
      holds,
      reset,
      destroy: () => {
        for (const r of responders) r.kill('SIGKILL');
        lan.destroy();
      },
    };
  } catch (e) {
    for (const r of responders) r.kill('SIGKILL');
    lan.destroy();
    throw e;
  }
}
