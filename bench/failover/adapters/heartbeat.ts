// Real Heartbeat 3.0.6 (Debian package) behind the bench's adapter: the same
// ha.d files an operator writes for a two-director LVS pair (haresources
// mode, IPaddr2 VIP owned by A, bcast, sha1, auto_failback on, crm off). Each
// node runs in its director's namespace via the interop tests' HeartbeatNode.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HEARTBEAT_BIN, HeartbeatNode, heartbeatAvailable } from '../../../test/harness/heartbeat-node';
import type { Adapter, Director, Pair, Setting, Side, Topology } from '../types';
import { LOG_TAIL, untilReady } from './common';

/** ha.cf timing as the operator writes it (Heartbeat's own syntax: bare seconds or `Nms`). */
interface Timing {
  readonly keepalive: string;
  readonly deadtime: string;
  readonly warntime: string;
  readonly initdead: string;
  /** Written only when set: Heartbeat's default is already `realtime on`. */
  readonly realtime?: boolean;
}

/** Heartbeat's time syntax in ms (`2` = 2 s, `50ms`). */
function toMs(value: string): number {
  const m = /^(\d+)(ms)?$/.exec(value);
  if (!m?.[1]) throw new Error(`bad Heartbeat time ${value}`);
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

export function heartbeatSetting(id: string, t: Timing): Setting {
  const rt = t.realtime === undefined ? '' : `, realtime ${t.realtime ? 'on' : 'off'}`;
  return {
    id,
    label: `keepalive ${t.keepalive}, deadtime ${t.deadtime}, warntime ${t.warntime}, initdead ${t.initdead}${rt}`,
    detectMs: toMs(t.deadtime),
    params: { ...t },
  };
}

/**
 * Fastest: 10 ms beats (Heartbeat's clocks tick in 10 ms) and 50 ms deadtime.
 * initdead 10 s: Heartbeat warns "Initial dead time may be too small" below
 * 10 s, and it only matters while a peer has never been heard.
 */
export const fastest = heartbeatSetting('fastest', { keepalive: '10ms', deadtime: '50ms', warntime: '30ms', initdead: '10', realtime: true });
/** The sample ha.cf's values. */
export const defaultSetting = heartbeatSetting('default', { keepalive: '2', deadtime: '30', warntime: '10', initdead: '60' });

/**
 * Once its children run, a Heartbeat node advertises deadtime + 2 s for 5 s
 * (heartbeat.c, start-up; the peer uses the advertised value): 2 s margin on top.
 */
const STARTUP_GRACE_MS = 7000;

export function haCfText(topo: Topology, setting: Setting): string {
  const p = setting.params;
  return [
    `keepalive ${String(p.keepalive)}`,
    `deadtime ${String(p.deadtime)}`,
    `warntime ${String(p.warntime)}`,
    `initdead ${String(p.initdead)}`,
    'udpport 694',
    `bcast ${topo.iface}`,
    'auto_failback on',
    `node ${topo.a.name} ${topo.b.name}`,
    ...(p.realtime === undefined ? [] : [`realtime ${p.realtime ? 'on' : 'off'}`]),
    'crm off',
    '',
  ].join('\n');
}

/** One Heartbeat node; its mount namespace is pinned while the master lives, so orphans are still found. */
class Daemon {
  readonly hb: HeartbeatNode;

  constructor(
    readonly director: Director,
    dir: string,
    haCf: string,
    authkeys: string,
    haresources: string,
  ) {
    fs.rmSync(dir, { recursive: true, force: true });
    this.hb = new HeartbeatNode({ netns: director.ns, name: director.name, workDir: dir, haCf, authkeys, haresources });
  }

  /** Pins the node's mount namespace (true once the master runs). */
  noteNamespace(): boolean {
    return this.hb.pinNamespace();
  }

  /** Master, its read/write/fifo children and any resource scripts. */
  pids(): number[] {
    return this.hb.nodePids();
  }

  nodeStatus(peer: string): string {
    return this.hb.clStatus('nodestatus', peer);
  }

  /** 'local' once the node holds exactly its own groups and no transition is under way. */
  rscStatus(): string {
    return this.hb.clStatus('rscstatus');
  }

  /** Resource scripts still at work (IPaddr2, its send_arp burst, ResourceManager, harc): anything not heartbeat itself. */
  scriptsRunning(): boolean {
    return this.pids().some((pid) => comm(pid) !== 'heartbeat');
  }

  /** SIGKILL until nothing of the node is left (a script may be mid-fork). */
  async kill(): Promise<void> {
    this.hb.kill();
    await untilReady(
      `heartbeat on ${this.director.name} gone`,
      () => {
        const left = this.pids();
        for (const pid of left) signalKill(pid);
        return left.length === 0;
      },
      10_000,
    );
  }
}

/** A process that is gone meanwhile counts as heartbeat (not a running script). */
function comm(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'heartbeat';
  }
}

function signalKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function holdsVip(topo: Topology, d: Director): boolean {
  const out = spawnSync('ip', ['-n', d.ns, '-o', 'addr', 'show', 'dev', topo.iface], { encoding: 'utf8' }).stdout ?? '';
  return out.includes(` ${topo.vip}/`);
}

export const heartbeatAdapter: Adapter = {
  impl: 'heartbeat',
  version: () => {
    const v = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'heartbeat'], { encoding: 'utf8' }).stdout?.trim();
    return v ? `heartbeat ${v}` : 'heartbeat (unknown version)';
  },
  unavailable: () => (heartbeatAvailable() ? null : `${HEARTBEAT_BIN} missing (apt-get install -y heartbeat)`),
  settings: () => ({ fastest, default: defaultSetting }),

  async start(topo: Topology, setting: Setting, workDir: string): Promise<Pair> {
    const haCf = haCfText(topo, setting);
    const authkeys = 'auth 1\n1 sha1 bench-shared-secret\n';
    const haresources = `${topo.a.name} IPaddr2::${topo.vip}/${topo.prefixLen}/${topo.iface}\n`;
    const nodes = new Map<Side, Daemon>();
    const logs = () => [...nodes.values()].map((n) => `--- ${n.director.name}'s log:\n${n.hb.log().slice(-LOG_TAIL)}`).join('\n');
    for (const d of [topo.a, topo.b]) nodes.set(d.side, new Daemon(d, path.join(workDir, `heartbeat-${d.side}`), haCf, authkeys, haresources));
    const a = nodes.get('a')!;
    const b = nodes.get('b')!;
    const stop = async () => {
      await Promise.all([...nodes.values()].map((n) => n.kill()));
    };
    try {
      a.hb.start();
      b.hb.start();
      const startedAt = Date.now();
      await untilReady('both heartbeat masters', () => a.noteNamespace() && b.noteNamespace(), 10_000);
      // A cold pair waits ~10 s (resource request delay) before A takes its
      // group; then IPaddr2's ARP burst runs ~1 s. A failure is only measured
      // from a settled pair, not one still in a resource transition.
      const settled = () =>
        holdsVip(topo, topo.a) &&
        !holdsVip(topo, topo.b) &&
        !a.scriptsRunning() &&
        !b.scriptsRunning() &&
        a.nodeStatus(topo.b.name) === 'active' &&
        b.nodeStatus(topo.a.name) === 'active' &&
        a.rscStatus() === 'local' &&
        b.rscStatus() === 'local';
      await untilReady('heartbeat: A holding the VIP, both nodes active and settled', settled, toMs(String(setting.params.initdead)) + 30_000);
      const wait = startedAt + STARTUP_GRACE_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    } catch (e) {
      const text = logs();
      await stop();
      throw new Error(`${(e as Error).message}\n${text}`);
    }
    return {
      logs,
      victimPids: () => a.pids(),
      daemonPids: (side) => nodes.get(side)?.pids() ?? [],
      stop,
    };
  },
};
