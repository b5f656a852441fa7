// A LAN of network namespaces on this machine: one namespace holding a Linux
// bridge, one namespace per host with an `eth0` veth plugged into the bridge.
// Used by the demo, the namespace tests and the bench. Addresses exist only
// inside these namespaces; nothing touches the host's own interfaces.
// Everything created is recorded and removed by destroy(), which also kills
// every process still running inside the namespaces.

import { type ChildProcess, type SpawnOptions, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface HostSpec {
  readonly name: string;
  /** CIDR addresses for eth0, e.g. '10.99.0.1/24'. */
  readonly addresses: readonly string[];
}

export interface LanOptions {
  /** Namespace name prefix; default `hbd-<random>-`. Interface names stay ≤ 15 chars. */
  readonly prefix?: string;
  /** Bridge floods every frame to every port (MAC ageing 0), so any host can capture all traffic. */
  readonly flood?: boolean;
}

/** IPv4 gets its broadcast address; IPv6 skips duplicate address detection. */
function addressArgs(cidr: string): string[] {
  return cidr.includes(':') ? [cidr, 'nodad'] : [cidr, 'brd', '+'];
}

function ip(args: readonly string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const liveLans = new Set<Lan>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const lan of liveLans) lan.destroy();
  });
}

export class Lan {
  readonly prefix: string;
  readonly bridgeNs: string;
  private readonly hosts = new Map<string, HostSpec>();
  private readonly namespaces: string[] = [];
  private directLinks = 0;
  private destroyed = false;

  private constructor(prefix: string) {
    this.prefix = prefix;
    this.bridgeNs = `${prefix}br`;
  }

  static create(hosts: readonly HostSpec[], opts: LanOptions = {}): Lan {
    const lan = new Lan(opts.prefix ?? `hbd-${randomBytes(2).toString('hex')}-`);
    liveLans.add(lan);
    installExitHook();
    try {
      lan.addNamespace(lan.bridgeNs);
      const ageing = opts.flood ? ['ageing_time', '0'] : [];
      ip(['-n', lan.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge', ...ageing, 'stp_state', '0', 'mcast_snooping', '0']);
      ip(['-n', lan.bridgeNs, 'link', 'set', 'br0', 'up']);
      hosts.forEach((h) => lan.addHost(h));
    } catch (e) {
      lan.destroy();
      throw e;
    }
    return lan;
  }

  private addNamespace(name: string): void {
    ip(['netns', 'add', name]);
    this.namespaces.push(name);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
  }

  /** Adds a host with eth0 on the bridge. */
  addHost(host: HostSpec): void {
    if (this.hosts.has(host.name)) throw new Error(`host ${host.name} already exists`);
    const index = this.hosts.size;
    const ns = this.ns(host.name);
    this.addNamespace(ns);
    this.hosts.set(host.name, host);
    // Temporary root-namespace names must be short and unique: veth peers are
    // created in the root namespace and moved at once.
    const tag = this.prefix.replace(/[^a-z0-9]/gi, '').slice(-7);
    const inner = `${tag}i${index}`;
    const outer = `${tag}o${index}`;
    ip(['link', 'add', inner, 'type', 'veth', 'peer', 'name', outer]);
    ip(['link', 'set', inner, 'netns', ns]);
    ip(['link', 'set', outer, 'netns', this.bridgeNs]);
    ip(['-n', ns, 'link', 'set', inner, 'name', 'eth0']);
    ip(['-n', this.bridgeNs, 'link', 'set', outer, 'name', `p-${index}`]);
    ip(['-n', this.bridgeNs, 'link', 'set', `p-${index}`, 'master', 'br0']);
    ip(['-n', this.bridgeNs, 'link', 'set', `p-${index}`, 'up']);
    for (const a of host.addresses) ip(['-n', ns, 'addr', 'add', ...addressArgs(a), 'dev', 'eth0']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    // So multicast sockets pick eth0 without an explicit interface.
    spawnSync('ip', ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0'], { stdio: 'ignore' });
  }

  /**
   * A second network between two hosts: a veth pair named `ifname` on both
   * sides (e.g. a dedicated heartbeat cable), with the given CIDR addresses.
   */
  addDirectLink(hostA: string, hostB: string, ifname: string, addrA: string, addrB: string): void {
    const tag = this.prefix.replace(/[^a-z0-9]/gi, '').slice(-7);
    const a = `${tag}x${this.directLinks}`;
    const b = `${tag}y${this.directLinks}`;
    this.directLinks++;
    ip(['link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    ip(['link', 'set', a, 'netns', this.ns(hostA)]);
    ip(['link', 'set', b, 'netns', this.ns(hostB)]);
    for (const [host, dev, addr] of [[hostA, a, addrA], [hostB, b, addrB]] as const) {
      ip(['-n', this.ns(host), 'link', 'set', dev, 'name', ifname]);
      ip(['-n', this.ns(host), 'addr', 'add', ...addressArgs(addr), 'dev', ifname]);
      ip(['-n', this.ns(host), 'link', 'set', ifname, 'up']);
    }
  }

  /** Brings an interface inside a host down or up (cuts a direct link). */
  setInterface(host: string, ifname: string, up: boolean): void {
    ip(['-n', this.ns(host), 'link', 'set', ifname, up ? 'up' : 'down']);
  }

  ns(host: string): string {
    return `${this.prefix}${host}`;
  }

  /** The bridge port name of a host (for cutting its link). */
  bridgePort(host: string): string {
    const index = [...this.hosts.keys()].indexOf(host);
    if (index < 0) throw new Error(`unknown host ${host}`);
    return `p-${index}`;
  }

  /** Runs a command inside a host's namespace and returns its stdout (throws on failure). */
  exec(host: string, cmd: string, args: readonly string[] = [], input?: string): string {
    return execFileSync('ip', ['netns', 'exec', this.ns(host), cmd, ...args], {
      encoding: 'utf8',
      input,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  }

  /** Starts a long-running process inside a host's namespace. */
  spawn(host: string, cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.ns(host), cmd, ...args], opts);
  }

  /** Link cut / restore at the bridge side (the host keeps its own interface up). */
  setLink(host: string, up: boolean): void {
    ip(['-n', this.bridgeNs, 'link', 'set', this.bridgePort(host), up ? 'up' : 'down']);
  }

  /** Leaves the namespaces in place at process exit (hbd demo --keep). */
  release(): void {
    liveLans.delete(this);
  }

  /** Kills everything running in our namespaces, then deletes them. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    liveLans.delete(this);
    for (const ns of this.namespaces) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    for (const ns of [...this.namespaces].reverse()) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    this.namespaces.length = 0;
  }
}

/** Removes namespaces left behind by a crashed run that used this prefix. */
export function removeNamespacesWithPrefix(prefix: string): string[] {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const removed: string[] = [];
  for (const line of list.split('\n')) {
    const name = line.split(/\s+/)[0];
    if (!name || !name.startsWith(prefix)) continue;
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    removed.push(name);
  }
  return removed;
}
