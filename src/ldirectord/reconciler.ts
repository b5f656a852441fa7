// Brings the kernel's IPVS table to the desired one: read what is there (only
// the services this director wants or manages), diff, apply, and keep the
// books: which services it manages, what the table looked like afterwards
// (for status), and which changes did not apply (logged once, shown in
// status, retried by the next round).

import type { IpvsBackend, ServiceKey } from '../ipvs/types';
import { errorCode } from '../errors';
import { type ApplyReport, type OpFailure, applyOps, readActual } from './apply';
import type { Clock } from './clock';
import type { DesiredService } from './desired';
import { type ActualService, describeOp, diffTable } from './diff';
import type { DirectorEvent, DirectorLogger } from './events';
import { serviceKeyOf, serviceKeyText } from './ipvs-text';
import type { PendingChange } from './status';

const LIST_OPERATION = 'read the IPVS table';

export class Reconciler {
  /** Services this director programs, by key text. */
  readonly managed = new Map<string, ServiceKey>();
  /** The table as last read or written (managed and wanted services only). */
  lastActual = new Map<string, ActualService>();
  private readonly pending = new Map<string, PendingChange>();

  constructor(
    private readonly backend: IpvsBackend,
    private readonly log: DirectorLogger,
    private readonly emit: (e: DirectorEvent) => void,
    private readonly clock: Clock,
  ) {}

  manage(keys: Iterable<ServiceKey>): void {
    for (const k of keys) this.managed.set(serviceKeyText(k), serviceKeyOf(k));
  }

  get pendingChanges(): readonly PendingChange[] {
    return [...this.pending.values()];
  }

  /** Reads the services in `keys` (text); records a failure and returns null if the table cannot be read. */
  async read(keys: ReadonlySet<string>): Promise<ActualService[] | null> {
    try {
      const actual = await readActual(this.backend, keys);
      this.resolve(LIST_OPERATION, false);
      return actual;
    } catch (e) {
      this.fail(LIST_OPERATION, errorCode(e) ?? 'ERROR', e instanceof Error ? e.message : String(e));
      return null;
    }
  }

  /** One round. Returns the report, or null when the table could not be read (nothing was changed). */
  async run(desired: readonly DesiredService[]): Promise<ApplyReport | null> {
    const keys = new Set([...desired.map((d) => serviceKeyText(serviceKeyOf(d.service))), ...this.managed.keys()]);
    const actual = await this.read(keys);
    if (actual === null) return null;
    const ops = diffTable(desired, actual, new Set(this.managed.keys()));
    const report = await applyOps(this.backend, ops);

    for (const op of report.applied) this.log.info({ op: op.op }, `IPVS: ${describeOp(op)}`);
    const failedNow = new Map<string, OpFailure>(report.failed.map((f) => [f.description, f]));
    for (const f of report.failed) this.fail(f.description, f.code, f.message);
    for (const op of report.skipped) this.log.warn({ op: op.op }, `IPVS: not tried, its service is missing: ${describeOp(op)}`);
    for (const op of report.applied) this.resolve(describeOp(op), true);
    // Changes no longer wanted (the server went down again, a reload, ...) are not pending any more.
    for (const key of [...this.pending.keys()]) if (key !== LIST_OPERATION && !failedNow.has(key)) this.pending.delete(key);

    for (const op of report.applied) if (op.op === 'delete-service') this.managed.delete(serviceKeyText(op.key));
    const present = new Set(actual.map((a) => serviceKeyText(a.service.key)));
    for (const [k] of this.managed) if (!present.has(k) && !desired.some((d) => serviceKeyText(serviceKeyOf(d.service)) === k)) this.managed.delete(k);

    const after = ops.length > 0 ? await this.read(keys) : actual;
    if (after !== null) this.lastActual = new Map(after.map((a) => [serviceKeyText(a.service.key), a]));
    return report;
  }

  /** Deletes services (cleanstop). Returns the ones removed. */
  async remove(keys: readonly ServiceKey[]): Promise<string[]> {
    const removed: string[] = [];
    for (const key of keys) {
      const text = serviceKeyText(key);
      try {
        await this.backend.deleteService(key);
        removed.push(text);
        this.log.info({}, `IPVS: delete service ${text} (cleanstop)`);
      } catch (e) {
        const code = errorCode(e);
        if (code === 'ENOENT' || code === 'ESRCH') continue;
        this.log.error({ code }, `IPVS: could not delete service ${text} on stop: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.managed.delete(text);
    }
    return removed;
  }

  private fail(operation: string, code: string, message: string): void {
    if (this.pending.has(operation)) return; // reported when it first failed; status keeps showing it
    this.pending.set(operation, { operation, code, message, since: new Date(this.clock.now()).toISOString() });
    this.log.error({ code }, `IPVS: could not ${operation}: ${message}; retrying`);
    this.emit({ type: 'ipvs-failed', operation, code, message });
  }

  private resolve(operation: string, announce: boolean): void {
    if (!this.pending.delete(operation)) return;
    this.log.info({}, `IPVS: ${operation}: done after earlier failures`);
    if (announce || operation === LIST_OPERATION) this.emit({ type: 'ipvs-recovered', operation });
  }
}
