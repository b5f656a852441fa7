// Two directors and a client on one LAN (namespaces), and questions tests ask
// about it: who holds a VIP, what the client can reach.
import { execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import { Lan } from '../../src/netns/lan';

export class DirectorLan {
  readonly lan: Lan;
  constructor(
    t: TestContext,
    readonly subnet: string,
    opts: { flood?: boolean } = {},
  ) {
    this.lan = Lan.create(
      [
        { name: 'n1', addresses: [`${subnet}.1/24`] },
        { name: 'n2', addresses: [`${subnet}.2/24`] },
        { name: 'c', addresses: [`${subnet}.9/24`] },
      ],
      { flood: opts.flood ?? true },
    );
    t.after(() => this.lan.destroy());
  }

  ns(host: 'n1' | 'n2' | 'c'): string {
    return this.lan.ns(host);
  }

  /** Does `host` have `vip` on eth0 (not counting a copy on lo)? */
  holds(host: 'n1' | 'n2', vip: string): boolean {
    const out = execFileSync('ip', ['-n', this.lan.ns(host), '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
    return out.split('\n').some((l) => l.includes(` ${vip}/`));
  }

  holders(vip: string): string[] {
    return (['n1', 'n2'] as const).filter((h) => this.holds(h, vip));
  }

  mac(host: 'n1' | 'n2'): string {
    const out = execFileSync('ip', ['-n', this.lan.ns(host), '-o', 'link', 'show', 'eth0'], { encoding: 'utf8' });
    return /link\/ether ([0-9a-f:]{17})/.exec(out)?.[1] ?? '';
  }

  /** The MAC the client's ARP cache has for `ip` ('' when none). */
  clientArp(ip: string): string {
    const out = spawnSync('ip', ['-n', this.lan.ns('c'), 'neigh', 'show', ip], { encoding: 'utf8' }).stdout ?? '';
    return /lladdr ([0-9a-f:]{17})/.exec(out)?.[1] ?? '';
  }

  /** One ping from the client; true if it was answered. */
  clientPing(ip: string): boolean {
    return spawnSync('ip', ['netns', 'exec', this.lan.ns('c'), 'ping', '-c', '1', '-W', '1', ip], { stdio: 'ignore' }).status === 0;
  }
}
