// Shared shapes of the failover bench: the topology every implementation
// runs on, the adapter each implementation provides, and one trial's record.
import type { Lan } from '../../src/netns/lan';

export type Side = 'a' | 'b';
/** kill: SIGKILL of every process of the active daemon; linkcut: A's eth0 goes down. */
export type FailureMode = 'kill' | 'linkcut';

export interface Director {
  /** Lan host key ('a' / 'b') and the node name the daemons use. */
  readonly side: Side;
  readonly name: string;
  readonly ns: string;
  /** Own address without prefix, e.g. 10.98.0.1. */
  readonly address: string;
  readonly mac: string;
}

export interface Topology {
  readonly lan: Lan;
  readonly a: Director;
  readonly b: Director;
  readonly clientNs: string;
  readonly clientAddress: string;
  /** The VIP without prefix, its prefix length and interface. */
  readonly vip: string;
  readonly prefixLen: number;
  readonly iface: string;
  /** UDP port of the responders (bound to the VIP on both directors). */
  readonly port: number;
}

export interface Setting {
  /** Stable id used in result rows, e.g. 'fastest', 'default', 'ka5-dt20'. */
  readonly id: string;
  /** What an operator would write, printed with the results. */
  readonly label: string;
  /** Nominal time to declare the peer dead (deadtime, VRRP master-down interval), ms. */
  readonly detectMs: number;
  /** Adapter-specific knobs. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

/** A started pair of directors running one implementation. */
export interface Pair {
  /** The processes a SIGKILL failure kills at once: the whole daemon on A. */
  victimPids(): number[];
  /** Every process of the daemon on one director (CPU accounting). */
  daemonPids(side: Side): number[];
  /** The implementation's own view of the failover on B, epoch ms (hbd only). */
  ownView?(): Promise<{ deathAt?: number; vipAt?: number; stalls?: number }>;
  /** The end of both directors' daemon logs, kept with a failed trial. */
  logs(): string;
  /** Kills both sides; no process of this pair is left. */
  stop(): Promise<void>;
}

export interface Adapter {
  /** 'hbd', 'heartbeat', 'keepalived'. */
  readonly impl: string;
  /** Version string printed with the results. */
  version(): string;
  /** null when usable, else why not (e.g. package missing). */
  unavailable(): string | null;
  /** Its fastest setting with no false failover on an idle machine, and its typical default. */
  settings(): { readonly fastest: Setting; readonly default: Setting };
  /**
   * Starts both directors; resolves once A holds the VIP, B does not, and a
   * failure from now on would be detected at the setting's nominal speed
   * (past any start-up grace such as Heartbeat's longer first deadtime).
   */
  start(topo: Topology, setting: Setting, workDir: string): Promise<Pair>;
}

/** One failover, times in ms after T0 (the failure injected). */
export interface TrialRecord {
  readonly impl: string;
  readonly setting: string;
  readonly settingLabel: string;
  readonly mode: FailureMode;
  readonly trial: number;
  readonly at: string;
  readonly ok: boolean;
  readonly error?: string;
  /** First gratuitous ARP for the VIP from B (client capture, kernel timestamp). */
  readonly t1?: number;
  /** First answer from the VIP served by B (client capture, kernel timestamp). */
  readonly t2?: number;
  /** Last heartbeat/advert from A seen by the client before the failure took effect. */
  readonly lastBeat?: number;
  /**
   * When the failure's injection returned (SIGKILL sent, or the link-down command
   * written): a bench process descheduled between stamping T0 and injecting shows here.
   */
  readonly injected?: number;
  /** B's own view (hbd): peer declared dead, VIP added. */
  readonly ownDeath?: number;
  readonly ownVip?: number;
  /**
   * B's heartbeat thread woke late during the trial (hbd: stalls forgiven + tardy
   * wake-ups): a detection later than deadtime with this > 0 was B's thread held up.
   */
  readonly ownStalls?: number;
  /** The setting's nominal detection time (for "T2 <= deadtime + 10 ms"). */
  readonly nominalDetectMs: number;
}

/** Serial detection: hbd pair over a pty pair, A killed, B's own death time. */
export interface SerialRecord {
  readonly baud: number;
  readonly keepaliveMs: number;
  readonly deadtimeMs: number;
  /** Size of one status message on the line, bytes (classic framing). */
  readonly messageBytes: number;
  /** message size x 10 bits / baud: the line's floor for one heartbeat, ms. */
  readonly lineTimeMs: number;
  readonly trial: number;
  readonly ok: boolean;
  readonly error?: string;
  /** B declares A dead, ms after the SIGKILL (hbd's own engine time). */
  readonly detectMs?: number;
}

/** CPU and packet cost of one implementation over a window, both directors. */
export interface CostRecord {
  readonly impl: string;
  readonly setting: string;
  readonly settingLabel: string;
  readonly seconds: number;
  /** utime+stime of every daemon process, % of one core, per director. */
  readonly cpuA: number;
  readonly cpuB: number;
  /** Frames sent by each director's eth0 per second (heartbeats/adverts; the VIP is idle). */
  readonly packetsPerSecA: number;
  readonly packetsPerSecB: number;
  /** Resident memory of the daemon processes, MiB, per director. */
  readonly rssMiBA: number;
  readonly rssMiBB: number;
}

/**
 * One side-by-side window: pairs of several implementations at the same
 * interval, each in its own topology, running and measured over the same
 * seconds, so machine noise hits them alike.
 */
export interface SideBySideRecord {
  /** Which comparison, e.g. 'unicast, hbd as a quiet standby'. */
  readonly comparison: string;
  readonly round: number;
  /** Epoch ms when the window opened. */
  readonly at: number;
  /** One per implementation, in the comparison's order (hbd first). */
  readonly costs: readonly CostRecord[];
  /** Per implementation: A still held the VIP and B did not at the end (else the window is not steady). */
  readonly endedClean: readonly boolean[];
}

/** False failovers while both cores are saturated at the fastest setting. */
export interface RobustnessRecord {
  readonly impl: string;
  readonly setting: string;
  readonly settingLabel: string;
  readonly seconds: number;
  readonly load: string;
  /** Times B announced the VIP (gratuitous ARP bursts) although nothing failed. */
  readonly spuriousTakeovers: number;
  /** Time both directors held the VIP at once, ms (sampled). */
  readonly splitBrainMs: number;
  /** Did A still hold the VIP at the end, and B not? */
  readonly endedClean: boolean;
}

/** Everything one bench run measured: bench/results/raw.json. */
export interface RawResults {
  readonly date: string;
  /** When each phase's data was measured (a run of some phases keeps the others' data and dates). */
  readonly phaseDates?: Readonly<Record<string, string>>;
  readonly machine: { readonly cpus: number; readonly model: string; readonly kernel: string; readonly loadavgBefore: readonly number[] };
  readonly versions: Readonly<Record<string, string>>;
  /** Every setting used, with what it means, per implementation. */
  readonly settings: readonly { readonly impl: string; readonly id: string; readonly label: string; readonly detectMs: number }[];
  /** Matrix (fastest/default x kill/linkcut) and the hbd sweep (setting ids 'sweep-KA-DT'). */
  readonly trials: readonly TrialRecord[];
  readonly serial: readonly SerialRecord[];
  readonly cost: readonly CostRecord[];
  readonly robustness: readonly RobustnessRecord[];
  /** Cost measured side by side (absent in runs made before that phase existed). */
  readonly sideBySide?: readonly SideBySideRecord[];
}
