// The director: keeps an IPVS table right from health checks, for one
// ldirectord configuration. Used by `hbd ldirectord CONFIG start` on its own
// and (by the resource layer) as the `ldirectord::CONFIG` resource.
//
// Moving parts: one check loop per real server (check-loop.ts) feeding a pure
// health state machine (health.ts); every state change asks for a
// reconcile, which computes the desired table (desired.ts) and applies only
// the difference (reconciler.ts). Around that: reload with validation and
// rollback, autoreload/callback (watch.ts), maintenancedir, fallbackcommand,
// monitorfile, email alerts, cleanstop.

import type { CheckRunner } from '../checks/types';
import type { Diagnostic } from '../config/diagnostics';
import { formatDiagnostic, sortDiagnostics } from '../config/diagnostics';
import { HbdError } from '../errors';
import type { IpvsBackend, ServiceKey } from '../ipvs/types';
import { serverText } from './addresses';
import { attemptsFor, checkSpecFor, checkTargetFor } from './check-spec';
import { type CheckJob, ServerCheckLoop, runJob } from './check-loop';
import { type Clock, systemClock } from './clock';
import { type CommandRunner, shellCommandRunner } from './commands';
import { desiredTable } from './desired';
import type { ActualService } from './diff';
import { EmailAlerts } from './email';
import { FallbackTracker } from './fallback-tracker';
import { type DirectorEvent, type DirectorLogger, silentLogger } from './events';
import { type CheckOutcome, type ServerHealth, applyMaintenance, applyOutcome, forceUp, initialHealth, nextCheckKind } from './health';
import { destKeyText, serviceKeyOf, serviceKeyText } from './ipvs-text';
import { type LdLoadOptions, loadLdirectordConfig } from './load';
import { type MaintenanceSource, inMaintenance, systemMaintenanceSource } from './maintenance';
import type { DaemonPhase, LdirectordConfig, RealServer, VirtualService } from './model';
import { appendMonitorLine, monitorLine } from './monitor-file';
import { Reconciler } from './reconciler';
import type { MailSender } from './smtp';
import type { DirectorPhase, DirectorStatus } from './status';
import { virtualStatus } from './status-view';
import { ConfigWatcher, type FileProbe, systemFileProbe } from './watch';

export interface DirectorOptions {
  /** The configuration as named on the command line or in haresources; looked up like ldirectord. */
  readonly config: string;
  readonly load?: LdLoadOptions;
  readonly backend: IpvsBackend;
  readonly checks: CheckRunner;
  readonly logger?: DirectorLogger;
  readonly onEvent?: (event: DirectorEvent) => void;
  readonly clock?: Clock;
  readonly runCommand?: CommandRunner;
  readonly maintenance?: MaintenanceSource;
  readonly fileProbe?: FileProbe;
  readonly mail?: MailSender;
  /** How often the configuration file and the maintenance directory are looked at (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** When IPVS changes failed, how soon to retry (default: the global checkinterval). */
  readonly retryIntervalMs?: number;
}

/** A configuration that does not validate; `diagnostics` says why, with file:line. */
export class DirectorConfigError extends HbdError {
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super('CONFIG_INVALID', message);
    this.name = 'DirectorConfigError';
  }
}

export interface ReloadResult {
  readonly ok: boolean;
  /** Every diagnostic of the new file, formatted `FILE:LINE: severity: message`. */
  readonly diagnostics: readonly string[];
}

interface ServerRecord {
  v: VirtualService;
  r: RealServer;
  health: ServerHealth;
  loop: ServerCheckLoop | null;
  hostNames: readonly string[];
}

const COMMAND_TIMEOUT_MS = 60_000;

export function serverKey(v: VirtualService, r: RealServer): string {
  return `${v.id}|${destKeyText(r)}`;
}

function checks(v: VirtualService): boolean {
  return v.check.type !== 'on' && v.check.type !== 'off';
}

export class Director {
  private readonly clock: Clock;
  private readonly log: DirectorLogger;
  private readonly reconciler: Reconciler;
  private readonly alerts: EmailAlerts;
  private config: LdirectordConfig | null = null;
  private configHash: string | null = null;
  private readonly servers = new Map<string, ServerRecord>();
  private phase: DirectorPhase = 'stopped';
  private startedAt: number | null = null;
  private starting: Promise<void> | null = null;
  private readonly fallbacks: FallbackTracker;
  private commandChain: Promise<void> = Promise.resolve();
  private maintenanceFiles: ReadonlySet<string> = new Set();
  private reconciling: Promise<void> | null = null;
  private reconcileQueued = false;
  /** While set, state changes queue a reconcile instead of starting one (check-once rounds). */
  private holdReconcile = false;
  private addMissingNext = true;
  private retryTimer: unknown = null;
  private pollTimer: unknown = null;
  private watcher: ConfigWatcher | null = null;
  private reloadChain: Promise<unknown> = Promise.resolve();
  private readonly reloads = { ok: 0, failed: 0, lastErrors: [] as string[] };

  constructor(private readonly opts: DirectorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.reconciler = new Reconciler(opts.backend, this.log, (e) => this.emit(e), this.clock);
    this.alerts = new EmailAlerts(this.clock, this.log, opts.mail);
    this.fallbacks = new FallbackTracker(this.log, {
      emit: (e) => this.emit(e),
      runFallbackCommand: (command, args) => this.runCommand('fallbackcommand', command, args),
    });
  }

  get currentConfig(): LdirectordConfig | null {
    return this.config;
  }

  // ------------------------------------------------------------ lifecycle

  /** Loads and validates the configuration (throws DirectorConfigError), sets up IPVS, starts checking. */
  async start(): Promise<void> {
    if (this.phase !== 'stopped') throw new HbdError('ALREADY_RUNNING', `the director for ${this.opts.config} is already ${this.phase}`);
    this.phase = 'starting';
    this.starting = this.doStart();
    try {
      await this.starting;
    } finally {
      this.starting = null;
    }
  }

  private async doStart(): Promise<void> {
    try {
      const { config, hash } = await this.loadValid();
      await this.install(config, hash, true);
      this.startedAt = this.clock.now();
      await this.reconcileNow();
      for (const rec of this.servers.values()) rec.loop?.start();
      await this.startWatchers();
      this.phase = 'running';
      this.log.info({ config: config.file, virtuals: config.virtuals.length }, `ldirectord ${config.file} started`);
      this.emit({ type: 'ldirectord-started', config: config.file, virtuals: config.virtuals.length });
    } catch (e) {
      this.stopTimers();
      this.phase = 'stopped';
      throw e;
    }
  }

  /**
   * Stops checking; with cleanstop (the default, per service) removes the
   * services this director manages from IPVS. Returns the services removed.
   */
  async stop(): Promise<readonly string[]> {
    // A start or reload in progress finishes first, so nothing it sets going outlives the stop.
    await this.starting?.catch(() => undefined);
    if (this.phase === 'stopped' || this.phase === 'stopping') return [];
    this.phase = 'stopping';
    await this.reloadChain;
    this.stopTimers();
    await this.reconciling;
    const config = this.config;
    const keep = new Set(config?.virtuals.filter((v) => !v.cleanStop).map((v) => serviceKeyText(serviceKeyOf(v.ipvs))) ?? []);
    const doomed = [...this.reconciler.managed].filter(([k]) => !keep.has(k)).map(([, key]) => key);
    const cleaned = await this.reconciler.remove(doomed);
    await this.commandChain;
    this.phase = 'stopped';
    const file = config?.file ?? this.opts.config;
    this.log.info({ cleaned }, `ldirectord ${file} stopped${keep.size > 0 ? ` (left in IPVS: ${[...keep].join(', ')})` : ''}`);
    this.emit({ type: 'ldirectord-stopped', config: file, cleaned });
    return cleaned;
  }

  /**
   * One round for `hbd ldirectord CONFIG check`: every server checked once,
   * concurrently, then the table applied by difference. Nothing keeps running.
   */
  async checkOnce(): Promise<DirectorStatus> {
    if (this.phase !== 'stopped') throw new HbdError('ALREADY_RUNNING', 'checkOnce needs a director that is not running');
    this.phase = 'starting';
    try {
      const { config, hash } = await this.loadValid();
      await this.install(config, hash, false);
      this.holdReconcile = true;
      await Promise.all(
        [...this.servers.values()].map(async (rec) => {
          const job = this.plan(rec);
          if (job !== null) this.handleOutcome(rec, await runJob(this.opts.checks, job, this.clock));
        }),
      );
      this.holdReconcile = false;
      await this.reconcileNow();
      return this.status();
    } finally {
      this.holdReconcile = false;
      this.stopTimers();
      this.phase = 'stopped';
    }
  }

  /**
   * Re-reads the configuration. A file with errors changes nothing: the
   * running configuration stays. Never rejects (SIGHUP and autoreload fire and forget).
   */
  reload(): Promise<ReloadResult> {
    const next = this.reloadChain.then(() =>
      this.doReload().catch((e: unknown): ReloadResult => {
        const message = `reload failed: ${e instanceof Error ? e.message : String(e)}`;
        this.log.error({}, message);
        return { ok: false, diagnostics: [message] };
      }),
    );
    this.reloadChain = next;
    return next;
  }

  // ------------------------------------------------------------ configuration

  private async loadValid(): Promise<{ config: LdirectordConfig; hash: string | null }> {
    const result = await loadLdirectordConfig(this.opts.config, this.opts.load);
    const diags = sortDiagnostics(result.diagnostics.all);
    if (result.config === null) {
      throw new DirectorConfigError(`ldirectord configuration ${result.file ?? this.opts.config} has errors`, diags);
    }
    for (const d of diags) this.log.warn({ code: d.code }, formatDiagnostic(d));
    return { config: result.config, hash: result.hash };
  }

  private async doReload(): Promise<ReloadResult> {
    if (this.phase !== 'running') return { ok: false, diagnostics: [`not reloaded: the director is ${this.phase}`] };
    this.phase = 'reloading';
    try {
      const result = await loadLdirectordConfig(this.opts.config, this.opts.load);
      const diagnostics = sortDiagnostics(result.diagnostics.all).map(formatDiagnostic);
      const file = result.file ?? this.opts.config;
      if (result.config === null) {
        this.reloads.failed++;
        this.reloads.lastErrors = diagnostics;
        for (const d of diagnostics) this.log.error({}, d);
        this.log.error({ config: file }, `reload of ${file} failed: keeping the running configuration`);
        this.emit({ type: 'reload-failed', config: file, diagnostics });
        return { ok: false, diagnostics };
      }
      for (const d of diagnostics) this.log.warn({}, d);
      await this.install(result.config, result.hash, true);
      this.watcher?.setBaseline(result.hash);
      await this.startWatchers();
      await this.reconcileNow();
      this.reloads.ok++;
      this.reloads.lastErrors = [];
      this.log.info({ config: file }, `reloaded ${file}`);
      this.emit({ type: 'reload-ok', config: file });
      return { ok: true, diagnostics };
    } finally {
      if (this.phase === 'reloading') this.phase = 'running';
    }
  }

  /** Makes `config` the running one: server records kept where the service and server are unchanged. */
  private async install(config: LdirectordConfig, hash: string | null, startLoops: boolean): Promise<void> {
    // No reconcile may see a half-built server table (it would drop servers not yet recorded).
    const held = this.holdReconcile;
    this.holdReconcile = true;
    try {
      await this.installHeld(config, hash, startLoops);
    } finally {
      this.holdReconcile = held;
    }
  }

  private async installHeld(config: LdirectordConfig, hash: string | null, startLoops: boolean): Promise<void> {
    const keys = new Set(config.virtuals.map((v) => serviceKeyText(serviceKeyOf(v.ipvs))));
    const actual = (await this.reconciler.read(keys)) ?? [];
    const byService = new Map(actual.map((a) => [serviceKeyText(a.service.key), a]));
    this.config = config;
    this.configHash = hash;
    this.reconciler.manage(config.virtuals.map((v) => v.ipvs));
    this.addMissingNext = true;

    const wanted = new Map<string, { v: VirtualService; r: RealServer }>();
    for (const v of config.virtuals) for (const r of v.reals) wanted.set(serverKey(v, r), { v, r });
    for (const [key, rec] of this.servers) {
      if (!wanted.has(key)) {
        rec.loop?.stop();
        this.servers.delete(key);
      }
    }
    const fresh: ServerRecord[] = [];
    for (const [key, { v, r }] of wanted) {
      const existing = this.servers.get(key);
      if (existing !== undefined) {
        const intervalChanged = existing.v.check.intervalMs !== v.check.intervalMs;
        existing.v = v;
        existing.r = r;
        if (intervalChanged) existing.loop?.reschedule();
        this.fitLoop(existing, startLoops && this.phase !== 'starting');
        continue;
      }
      const rec: ServerRecord = { v, r, health: initialHealth(this.adoptable(byService.get(serviceKeyText(serviceKeyOf(v.ipvs))), r)), loop: null, hostNames: [] };
      if (v.check.type === 'on') rec.health = forceUp(rec.health, this.clock.now()).health;
      this.servers.set(key, rec);
      this.fitLoop(rec, startLoops && this.phase !== 'starting');
      fresh.push(rec);
    }
    if (config.globals.maintenanceDir !== null) await Promise.all(fresh.map((rec) => this.lookupNames(rec)));
    const ids = new Set(config.virtuals.map((v) => v.id));
    this.fallbacks.retain(ids);
    this.alerts.retain(ids);
    await this.pollMaintenance();
  }

  /** ldirectord's ld_start: a server IPVS already has with weight > 0 is kept up until checked. */
  private adoptable(service: ActualService | undefined, r: RealServer): boolean {
    const dest = service?.dests.find((d) => destKeyText(d) === destKeyText(r));
    return dest !== undefined && dest.weight > 0;
  }

  /** A record has a check loop exactly when its checktype checks. */
  private fitLoop(rec: ServerRecord, start: boolean): void {
    if (!checks(rec.v)) {
      rec.loop?.stop();
      rec.loop = null;
      if (rec.v.check.type === 'on') this.step(rec, forceUp(rec.health, this.clock.now()));
      return;
    }
    if (rec.loop === null) {
      rec.loop = new ServerCheckLoop(this.clock, this.opts.checks, {
        plan: () => this.plan(rec),
        intervalMs: () => rec.v.check.intervalMs,
        onOutcome: (o) => this.handleOutcome(rec, o),
      });
      if (start) rec.loop.start();
    }
  }

  // ------------------------------------------------------------ checks and health

  private plan(rec: ServerRecord): CheckJob | null {
    if (rec.health.maintenance) return null;
    const kind = nextCheckKind(rec.v.check, rec.health);
    if (kind === null) return null;
    return { kind, spec: checkSpecFor(rec.v, rec.r, kind), target: checkTargetFor(rec.v, rec.r), attempts: attemptsFor(rec.v, kind) };
  }

  private handleOutcome(rec: ServerRecord, o: CheckOutcome): void {
    if (this.servers.get(serverKey(rec.v, rec.r)) !== rec) return; // removed by a reload meanwhile
    const before = rec.health;
    this.step(rec, applyOutcome(rec.health, o, rec.v.check));
    const server = serverText(rec.r);
    this.log.debug({ virtual: rec.v.id, real: server, ok: o.ok, kind: o.kind, ms: o.durationMs }, `check ${o.kind} ${server}: ${o.message}`);
    if (!o.ok && before.state === 'up' && rec.health.state === 'up') {
      this.log.info({ virtual: rec.v.id, real: server }, `soft failure of real server ${server} (${rec.v.id}): failure ${rec.health.failStreak}/${rec.v.check.failureCount}: ${o.message}`);
    }
    if (o.ok && rec.health.state === 'down' && rec.v.check.rise > 1) {
      this.log.info({ virtual: rec.v.id, real: server }, `real server ${server} (${rec.v.id}) passed ${rec.health.okStreak}/${rec.v.check.rise} checks`);
    }
    if (rec.v.monitorFile !== null) {
      const file = rec.v.monitorFile;
      appendMonitorLine(file, monitorLine(o.at, process.pid, rec.r.address, rec.r.port, o.ok, o.message)).catch((e: unknown) =>
        this.log.warn({ file }, `monitorfile ${file}: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  }

  /** Applies a health step: logs, events, alerts and a reconcile when the state changed. */
  private step(rec: ServerRecord, s: { health: ServerHealth; transition: 'up' | 'down' | null }): void {
    rec.health = s.health;
    if (s.transition === null) return;
    const server = serverText(rec.r);
    const message = rec.health.lastMessage ?? '';
    const phase = this.alertPhase();
    if (s.transition === 'up') {
      this.log.info({ virtual: rec.v.id, real: server }, `real server ${server} (${rec.v.id}) is up: ${message}`);
      this.emit({ type: 'real-up', virtual: rec.v.id, real: server, message });
      if (phase !== null) this.alerts.serverUp(rec.v, server, rec.r.weight, phase);
    } else {
      const how = rec.v.quiescent ? 'quiesced (weight 0)' : 'removed';
      this.log.warn({ virtual: rec.v.id, real: server }, `real server ${server} (${rec.v.id}) is down, ${how}: ${message}`);
      this.emit({ type: 'real-down', virtual: rec.v.id, real: server, message, maintenance: rec.health.maintenance });
      if (phase !== null) this.alerts.serverDown(rec.v, server, rec.v.quiescent, phase);
    }
    this.requestReconcile();
  }

  private alertPhase(): DaemonPhase | null {
    return this.phase === 'stopped' ? null : this.phase;
  }

  // ------------------------------------------------------------ maintenance, watchers, timers

  private async lookupNames(rec: ServerRecord): Promise<void> {
    const source = this.opts.maintenance ?? systemMaintenanceSource;
    rec.hostNames = await source.names(rec.r.address).catch(() => []);
    this.evaluateMaintenance(rec);
  }

  private evaluateMaintenance(rec: ServerRecord): void {
    const dir = this.config?.globals.maintenanceDir ?? null;
    const drained = dir !== null && inMaintenance(rec.r, this.maintenanceFiles, rec.hostNames);
    this.step(rec, applyMaintenance(rec.health, drained, this.clock.now()));
    if (!drained && rec.v.check.type === 'on') this.step(rec, forceUp(rec.health, this.clock.now()));
  }

  private async pollMaintenance(): Promise<void> {
    const dir = this.config?.globals.maintenanceDir ?? null;
    const source = this.opts.maintenance ?? systemMaintenanceSource;
    const files = dir === null ? new Set<string>() : ((await source.list(dir).catch(() => null)) ?? new Set<string>());
    const same = files.size === this.maintenanceFiles.size && [...files].every((f) => this.maintenanceFiles.has(f));
    this.maintenanceFiles = files;
    if (same) return;
    for (const rec of this.servers.values()) this.evaluateMaintenance(rec);
  }

  private async startWatchers(): Promise<void> {
    const config = this.config;
    if (config === null) return;
    const pollMs = this.opts.pollIntervalMs ?? 1000;
    const wantWatcher = config.globals.autoreload || config.globals.callback !== null;
    if (!wantWatcher && this.watcher !== null) {
      this.watcher.stop();
      this.watcher = null;
    }
    if (wantWatcher && this.watcher === null) {
      this.watcher = new ConfigWatcher(config.file, this.configHash, pollMs, this.clock, this.opts.fileProbe ?? systemFileProbe, () => this.onConfigChanged());
      await this.watcher.start();
    }
    if (this.pollTimer === null) this.armPoll(pollMs);
  }

  private armPoll(ms: number): void {
    this.pollTimer = this.clock.setTimeout(() => {
      void this.pollMaintenance().finally(() => {
        const phase = this.alertPhase();
        if (phase !== null) this.alerts.resend(phase);
        if (this.pollTimer !== null) this.armPoll(ms);
      });
    }, ms);
  }

  private onConfigChanged(): void {
    const config = this.config;
    if (config === null) return;
    this.log.info({ config: config.file }, `configuration file ${config.file} has changed on disk${config.globals.autoreload ? ': reloading' : ' (autoreload is off: not reloaded)'}`);
    if (config.globals.autoreload) void this.reload();
    if (config.globals.callback !== null) this.runCommand('callback', config.globals.callback, [config.file]);
  }

  private stopTimers(): void {
    for (const rec of this.servers.values()) rec.loop?.stop();
    this.watcher?.stop();
    this.watcher = null;
    if (this.pollTimer !== null) this.clock.clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private runCommand(what: string, command: string, args: readonly string[]): void {
    const runner = this.opts.runCommand ?? shellCommandRunner;
    const line = `${what}: ${command} ${args.join(' ')}`;
    this.commandChain = this.commandChain
      .then(async () => {
        const r = await runner(command, args, COMMAND_TIMEOUT_MS);
        if (r.code === 0) this.log.info({ output: r.output }, `${line}: ok`);
        else this.log.warn({ code: r.code, output: r.output }, `${line}: failed (exit ${r.code ?? 'none'})`);
      })
      .catch((e: unknown) => this.log.error({}, `${line}: ${e instanceof Error ? e.message : String(e)}`));
  }

  // ------------------------------------------------------------ reconcile

  private requestReconcile(): void {
    if (this.holdReconcile || this.phase === 'stopping' || this.phase === 'stopped') {
      this.reconcileQueued = true;
      return;
    }
    if (this.reconciling !== null) {
      this.reconcileQueued = true;
      return;
    }
    this.reconciling = (async () => {
      do {
        this.reconcileQueued = false;
        try {
          await this.reconcileOnce();
        } catch (e) {
          // Not expected (the reconciler reports backend errors itself); never let it stop the director.
          this.log.error({}, `reconcile failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        }
      } while (this.reconcileQueued && this.phase !== 'stopping' && this.phase !== 'stopped');
    })().finally(() => {
      this.reconciling = null;
      // A request that arrived between the last round and here must not be lost.
      if (this.reconcileQueued) this.requestReconcile();
    });
  }

  /** Runs a full round that starts after this call, and waits for it. */
  private async reconcileNow(): Promise<void> {
    const held = this.holdReconcile;
    this.holdReconcile = false;
    try {
      this.requestReconcile();
      while (this.reconciling !== null) await this.reconciling;
    } finally {
      this.holdReconcile = held;
    }
  }

  private async reconcileOnce(): Promise<void> {
    const config = this.config;
    if (config === null) return;
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const desired = desiredTable({
      virtuals: config.virtuals,
      server: (v, r) => this.servers.get(serverKey(v, r))?.health ?? { state: 'unknown', maintenance: false },
      addMissingQuiescent: this.addMissingNext || config.globals.readdQuiescent,
    });
    const report = await this.reconciler.run(desired);
    if (report !== null && report.failed.length === 0) this.addMissingNext = false;
    if (report === null || report.failed.length > 0) this.armRetry(config);
    this.fallbacks.update(config.virtuals, desired);
  }

  private armRetry(config: LdirectordConfig): void {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    const ms = this.opts.retryIntervalMs ?? config.globals.checkIntervalMs;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.requestReconcile();
    }, ms);
  }

  private emit(e: DirectorEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch (err) {
      this.log.error({ type: e.type }, `event handler failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // ------------------------------------------------------------ status

  status(): DirectorStatus {
    const config = this.config;
    return {
      config: config?.file ?? this.opts.config,
      phase: this.phase,
      pid: process.pid,
      startedAt: this.startedAt === null ? null : new Date(this.startedAt).toISOString(),
      autoreload: config?.globals.autoreload ?? false,
      maintenanceDir: config?.globals.maintenanceDir ?? null,
      reloads: { ok: this.reloads.ok, failed: this.reloads.failed, lastErrors: [...this.reloads.lastErrors] },
      pending: this.reconciler.pendingChanges,
      virtuals: (config?.virtuals ?? []).map((v) =>
        virtualStatus(v, {
          health: (r) => this.servers.get(serverKey(v, r))?.health,
          actual: this.reconciler.lastActual.get(serviceKeyText(serviceKeyOf(v.ipvs))),
          desired: this.fallbacks.desiredFor(v.id),
          fallbackCommand: this.fallbacks.commandStateOf(v.id),
        }),
      ),
    };
  }

  /** Keys of the services this director manages (for tests and the resource layer). */
  managedServices(): readonly ServiceKey[] {
    return [...this.reconciler.managed.values()];
  }
}
