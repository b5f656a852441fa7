// hbd behind the bench's adapter: plain Heartbeat ha.d files (bcast, sha1,
// IPaddr2 VIP), as an operator migrating from Heartbeat writes them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { follow } from '../../../src/control/client';
import { controlSocketPath } from '../../../src/control/protocol';
import { isSocketAlive } from '../../../src/control/server';
import { VERSION } from '../../../src/version';
import { HbdNode } from '../../../test/harness/hbd-node';
import type { Adapter, Pair, Setting, Side, Topology } from '../types';
import { LOG_TAIL, processTree, untilReady } from './common';

/**
 * How the heartbeats travel: `bcast` on the LAN (Heartbeat's usual), `mcast`
 * to a group (ttl 1, no local copy: as keepalived's VRRP adverts go), or
 * `ucast` to the peer only.
 */
export type HbdMedium = 'bcast' | 'mcast' | 'ucast';

/** The group of the `mcast` medium (administratively scoped). */
export const BENCH_MCAST_GROUP = '239.0.0.94';

/**
 * Heartbeat-style timing for hbd: keepalive/deadtime in ms; optionally hbd's
 * standby_keepalive (the director holding nothing heartbeats at that interval)
 * and standby_deadtime (quiet standby: the dt it advertises to its hbd peer).
 */
export function hbdSetting(
  id: string,
  keepaliveMs: number,
  deadtimeMs: number,
  realtime = true,
  medium: HbdMedium = 'bcast',
  standbyKeepaliveMs = 0,
  standbyDeadtimeMs = 0,
): Setting {
  const t = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}` : `${ms}ms`);
  return {
    id,
    label:
      `keepalive ${t(keepaliveMs)}, deadtime ${t(deadtimeMs)}${realtime ? '' : ', realtime off'}${medium === 'bcast' ? '' : `, ${medium}`}` +
      (standbyKeepaliveMs > 0 ? `, standby_keepalive ${t(standbyKeepaliveMs)}` : '') +
      (standbyDeadtimeMs > 0 ? `, standby_deadtime ${t(standbyDeadtimeMs)}` : ''),
    detectMs: deadtimeMs,
    params: { keepaliveMs, deadtimeMs, realtime, medium, standbyKeepaliveMs, standbyDeadtimeMs },
  };
}

/** The ha.cf media lines: one file serves both directors (a ucast line naming a node's own address is ignored there). */
function mediaLines(topo: Topology, medium: unknown): string[] {
  if (medium === 'ucast') return [topo.a, topo.b].map((d) => `ucast ${topo.iface} ${d.address}`);
  if (medium === 'mcast') return [`mcast ${topo.iface} ${BENCH_MCAST_GROUP} 694 1 0`];
  return [`bcast ${topo.iface}`];
}

/** Times B's heartbeat thread woke late enough to give its peers the time back, or to say so. */
async function stallCount(n: HbdNode): Promise<number> {
  const c = (await n.status())?.counters ?? {};
  return (c.stalls_forgiven ?? 0) + (c.tardy_wakeups ?? 0);
}

/** hbd advertises deadtime + 2 s during its first 5 s (as Heartbeat does). */
const STARTUP_GRACE_MS = 5000;

export const hbdAdapter: Adapter = {
  impl: 'hbd',
  version: () => VERSION,
  unavailable: () => (fs.existsSync(path.resolve(__dirname, '..', '..', '..', '..', 'build', 'Release', 'hbd_native.node')) ? null : 'native addon not built'),
  settings: () => ({ fastest: hbdSetting('fastest', 4, 15), default: hbdSetting('default', 2000, 30000) }),

  async start(topo: Topology, setting: Setting, workDir: string): Promise<Pair> {
    const ka = Number(setting.params.keepaliveMs);
    const dt = Number(setting.params.deadtimeMs);
    const standbyKa = Number(setting.params.standbyKeepaliveMs ?? 0);
    const standbyDt = Number(setting.params.standbyDeadtimeMs ?? 0);
    const haCf = [
      `keepalive ${ka}ms`,
      ...(standbyKa > 0 ? [`standby_keepalive ${standbyKa}ms`] : []),
      ...(standbyDt > 0 ? [`standby_deadtime ${standbyDt}ms`] : []),
      `deadtime ${dt}ms`,
      `warntime ${Math.max(ka + 1, Math.trunc(dt / 2))}ms`,
      `initdead ${Math.max(dt, 1000)}ms`,
      'udpport 694',
      ...mediaLines(topo, setting.params.medium),
      'auto_failback on',
      `node ${topo.a.name} ${topo.b.name}`,
      `realtime ${setting.params.realtime === false ? 'off' : 'on'}`,
      'crm off',
      '',
    ].join('\n');
    const authkeys = 'auth 1\n1 sha1 bench-shared-secret\n';
    const haresources = `${topo.a.name} IPaddr2::${topo.vip}/${topo.prefixLen}/${topo.iface}\n`;
    const nodes = new Map<Side, HbdNode>();
    for (const d of [topo.a, topo.b]) {
      const dir = path.join(workDir, `hbd-${d.side}`);
      fs.rmSync(dir, { recursive: true, force: true });
      nodes.set(d.side, new HbdNode({ netns: d.ns, name: d.name, workDir: dir, haCf, authkeys, haresources, logLevel: 'warn', extraArgs: ['--on-stop-failure', 'none'] }));
    }
    const a = nodes.get('a')!;
    const b = nodes.get('b')!;
    const events: { type: string; node?: unknown; engineTime?: number }[] = [];
    let stallsBefore = 0;
    let stopFollow: (() => void) | null = null;
    const stop = async () => {
      stopFollow?.();
      for (const n of nodes.values()) n.kill();
      await new Promise((r) => setTimeout(r, 50));
    };
    const logs = () => `--- A's log:\n${a.log().slice(-LOG_TAIL)}\n--- B's log:\n${b.log().slice(-LOG_TAIL)}`;
    try {
      a.start();
      b.start();
      await untilReady('both hbd control sockets', async () => (await isSocketAlive(controlSocketPath(a.stateDir))) && (await isSocketAlive(controlSocketPath(b.stateDir))), 20_000);
      const startedAt = Date.now();
      const f = await follow(b.stateDir, (e) => events.push(e as (typeof events)[number]));
      stopFollow = f.stop;
      await untilReady('hbd: A holding the VIP', async () => topo.lan.exec('a', 'ip', ['-o', 'addr', 'show', 'dev', topo.iface]).includes(` ${topo.vip}/`) && (await b.nodeStatus(topo.a.name)) === 'active', 20_000);
      const wait = startedAt + STARTUP_GRACE_MS + 2 * ka + 500 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      stallsBefore = await stallCount(b);
    } catch (e) {
      await stop();
      throw new Error(`${(e as Error).message}\n${logs()}`);
    }
    return {
      victimPids: () => {
        const pid = a.daemonPid();
        return pid ? [pid] : [];
      },
      daemonPids: (side) => {
        const pid = nodes.get(side)?.daemonPid();
        return pid ? processTree(pid) : [];
      },
      logs,
      ownView: async () => {
        await new Promise((r) => setTimeout(r, 50));
        return {
          deathAt: events.find((e) => e.type === 'node dead' && e.node === topo.a.name)?.engineTime,
          vipAt: events.find((e) => e.type === 'native takeover')?.engineTime,
          stalls: (await stallCount(b)) - stallsBefore,
        };
      },
      stop,
    };
  },
};
