// keepalived (VRRP only) behind the bench's adapter: one vrrp_instance on
// eth0 holding the VIP, A at priority 150, B at 100, multicast adverts on the
// bridge, no scripts, as an operator writes a two-director keepalived.conf.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Adapter, Director, Pair, Setting, Side, Topology } from '../types';
import { cmdlineHas, goneOrZombie } from '../../../test/harness/pids';
import { LOG_TAIL, processTree, untilReady } from './common';

const PRIORITY: Readonly<Record<Side, number>> = { a: 150, b: 100 };
const VRID = 51;
const INSTANCE = 'VI_1';
/** SCHED_RR priority of the VRRP child at the realtime settings. */
const RT_PRIORITY = 50;

function findBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    const p = path.join(dir || '.', 'keepalived');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** RFC 3768/5798 master-down interval of the backup: 3 adverts plus its skew time. */
function masterDownMs(advertSec: number, backupPriority: number): number {
  const advertMs = advertSec * 1000;
  return 3 * advertMs + ((256 - backupPriority) * advertMs) / 256;
}

/** A keepalived timing: VRRP version, advert_int in seconds, realtime VRRP child or not; multicast adverts or unicast to the peer. */
export function keepalivedSetting(id: string, vrrpVersion: 2 | 3, advertSec: number, realtime: boolean, unicast = false): Setting {
  const rt = realtime ? `, vrrp_rt_priority ${RT_PRIORITY}` : '';
  return {
    id,
    label: `VRRPv${vrrpVersion}, advert_int ${advertSec}${rt}${unicast ? ', unicast_peer' : ''}`,
    detectMs: masterDownMs(advertSec, PRIORITY.b),
    params: { vrrpVersion, advertSec, realtime, unicast },
  };
}

/** VRRPv3 at its finest advert interval (centiseconds), realtime child. */
export const fastest = keepalivedSetting('fastest', 3, 0.01, true);
/** The same without realtime scheduling, for the driver to compare. */
export const fastestNoRealtime = keepalivedSetting('fastest-nort', 3, 0.01, false);
/** The fastest setting with adverts sent to the peer only (`unicast_peer`), for the cost comparison. */
export const fastestUnicast = keepalivedSetting('fastest-unicast', 3, 0.01, true, true);
/** What keepalived does out of the box: VRRPv2, one advert a second. */
export const defaultSetting = keepalivedSetting('default', 2, 1, false);

/**
 * The whole keepalived.conf of one director. Garp defaults are kept: the new
 * master sends 5 gratuitous ARPs at once on entering MASTER (a second set 5 s
 * later), which is what the client sees as T1.
 */
export function configText(topo: Topology, d: Director, setting: Setting): string {
  const realtime = setting.params.realtime === true;
  const global = [`    vrrp_version ${Number(setting.params.vrrpVersion)}`, ...(realtime ? [`    vrrp_rt_priority ${RT_PRIORITY}`, '    vrrp_no_swap'] : [])];
  return [
    'global_defs {',
    ...global,
    '}',
    '',
    `vrrp_instance ${INSTANCE} {`,
    `    state ${d.side === 'a' ? 'MASTER' : 'BACKUP'}`,
    `    interface ${topo.iface}`,
    `    virtual_router_id ${VRID}`,
    `    priority ${PRIORITY[d.side]}`,
    `    advert_int ${Number(setting.params.advertSec)}`,
    ...(setting.params.unicast === true ? unicastLines(topo, d) : []),
    '    virtual_ipaddress {',
    `        ${topo.vip}/${topo.prefixLen} dev ${topo.iface}`,
    '    }',
    '}',
    '',
  ].join('\n');
}

/** Adverts to the other director only, from this one's own address. */
function unicastLines(topo: Topology, d: Director): string[] {
  const peer = d.side === 'a' ? topo.b : topo.a;
  return [`    unicast_src_ip ${d.address}`, '    unicast_peer {', `        ${peer.address}`, '    }'];
}

/** One keepalived daemon in a director's namespace, its files under `dir`. */
class Daemon {
  readonly logFile: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  /** Every keepalived process this daemon has had, so an orphaned VRRP child is still found. */
  private readonly seen = new Set<number>();
  /** This instance's own pid file: every process of it has it on its command line. */
  private readonly pidFile: string;

  constructor(
    readonly director: Director,
    binary: string,
    dir: string,
    config: string,
  ) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const conf = path.join(dir, 'keepalived.conf');
    fs.writeFileSync(conf, config);
    this.logFile = path.join(dir, 'keepalived.log');
    const log = fs.openSync(this.logFile, 'a');
    // Own pid files per director: two instances on one host would otherwise
    // find each other's /run/keepalived.pid and refuse to start.
    const pidFile = (name: string) => path.join(dir, `${name}.pid`);
    this.pidFile = pidFile('keepalived');
    const args = [
      ...['--dont-fork', '--log-console', '--log-detail', '--no-syslog', '--vrrp', '--use-file', conf],
      ...['--pid', pidFile('keepalived'), '--vrrp_pid', pidFile('vrrp'), '--checkers_pid', pidFile('checkers'), '--bfd_pid', pidFile('bfd')],
    ];
    // `ip netns exec` execs keepalived, so child.pid is keepalived's parent process.
    this.child = spawn('ip', ['netns', 'exec', director.ns, binary, ...args], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', () => resolve());
    });
  }

  /** Parent and VRRP child, deepest first (see victimPids). */
  pids(): number[] {
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) for (const p of processTree(pid)) this.seen.add(p);
    // A recycled pid may be anything by now, even the other lane's keepalived: ours name our pid files.
    return [...this.seen].filter((p) => !gone(p) && cmdlineHas(p, this.pidFile, true)).reverse();
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** The state the VRRP instance last entered, from the log. */
  state(): string | null {
    const all = [...this.log().matchAll(/Entering (\w+) STATE/g)];
    return all.at(-1)?.[1] ?? null;
  }

  /** How often the instance has entered MASTER so far. */
  masterEntries(): number {
    return this.log().match(/Entering MASTER STATE/g)?.length ?? 0;
  }

  async kill(): Promise<void> {
    const pids = this.pids();
    for (const pid of pids) signal(pid, 'SIGKILL');
    await this.exited;
    await untilReady(`keepalived on ${this.director.name} gone`, () => pids.every(gone), 5000);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** No such process, or only a zombie: a killed VRRP child is an orphan that PID 1 reaps when it gets to it. */
const gone = goneOrZombie;

function holdsVip(topo: Topology, d: Director): boolean {
  const out = spawnSync('ip', ['-n', d.ns, '-o', 'addr', 'show', 'dev', topo.iface], { encoding: 'utf8' }).stdout ?? '';
  return out.includes(` ${topo.vip}/`);
}

/**
 * Waits until `ok` has held without a break for `windowMs`, polling every
 * 20 ms; B entering MASTER meanwhile also restarts the window.
 */
async function stableFor(what: string, ok: () => boolean, masterEntries: () => number, windowMs: number, timeoutMs: number): Promise<void> {
  let since: number | null = null;
  let entries = masterEntries();
  await untilReady(
    what,
    () => {
      const now = Date.now();
      const n = masterEntries();
      if (!ok() || n !== entries) {
        since = null;
        entries = n;
        return false;
      }
      since ??= now;
      return now - since >= windowMs;
    },
    timeoutMs,
  );
}

export const keepalivedAdapter: Adapter = {
  impl: 'keepalived',
  version: () => {
    const bin = findBinary();
    if (!bin) return 'keepalived (missing)';
    // keepalived prints its version banner on stderr.
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    const v = /Keepalived v(\S+)/.exec(`${r.stderr ?? ''}${r.stdout ?? ''}`)?.[1];
    return v ? `keepalived ${v}` : 'keepalived (unknown version)';
  },
  unavailable: () => (findBinary() ? null : 'keepalived not installed (apt-get install -y keepalived)'),
  settings: () => ({ fastest, default: defaultSetting }),

  async start(topo: Topology, setting: Setting, workDir: string): Promise<Pair> {
    const binary = findBinary();
    if (!binary) throw new Error('keepalived not installed');
    const downMs = setting.detectMs;
    const daemons = new Map<Side, Daemon>();
    const logs = () => [...daemons.values()].map((d) => `--- ${d.director.name}'s log:\n${d.log().slice(-LOG_TAIL)}`).join('\n');
    const launch = (d: Director): Daemon => {
      const daemon = new Daemon(d, binary, path.join(workDir, `keepalived-${d.side}`), configText(topo, d, setting));
      daemons.set(d.side, daemon);
      return daemon;
    };
    const stop = async () => {
      await Promise.all([...daemons.values()].map((d) => d.kill()));
    };
    try {
      // A first, so it is master before B ever runs its master-down timer.
      const a = launch(topo.a);
      await untilReady('keepalived: A master holding the VIP', () => a.state() === 'MASTER' && holdsVip(topo, topo.a), downMs + 10_000);
      const b = launch(topo.b);
      await untilReady('keepalived: B in BACKUP', () => b.state() === 'BACKUP', 10_000);
      // B must have sat out several of its own master-down intervals with A's
      // adverts arriving, so a failure from now on is detected at full speed.
      const windowMs = 3 * downMs + 300;
      const steady = () => a.state() === 'MASTER' && b.state() === 'BACKUP' && holdsVip(topo, topo.a) && !holdsVip(topo, topo.b);
      await stableFor('keepalived: A master and B backup, steady', steady, () => b.masterEntries(), windowMs, windowMs + 20_000);
      // Note both process trees now, while every parent is alive.
      for (const d of daemons.values()) d.pids();
    } catch (e) {
      const text = logs();
      await stop();
      throw new Error(`${(e as Error).message}\n${text}`);
    }
    return {
      logs,
      // The VRRP child first: it runs with a parent-death signal (SIGTERM),
      // and a graceful shutdown would send a priority-0 advert and hand the
      // VIP over faster than a real crash does.
      victimPids: () => daemons.get('a')?.pids() ?? [],
      daemonPids: (side) => daemons.get(side)?.pids() ?? [],
      stop,
    };
  },
};
