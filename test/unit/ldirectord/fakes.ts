// Test doubles for the director: an IPVS table in memory with the kernel's
// errors and injectable failures, a scriptable CheckRunner, a manual clock.
// (Not a test file itself.)

import type { CheckResult, CheckRunner, CheckSpec, CheckTarget } from '../../../src/checks/types';
import type {
  DestKey,
  IpvsBackend,
  IpvsDest,
  IpvsDestState,
  IpvsInfo,
  IpvsService,
  IpvsServiceState,
  IpvsTimeouts,
  ServiceKey,
  SyncDaemon,
  SyncDaemonRole,
} from '../../../src/ipvs/types';
import type { Clock } from '../../../src/ldirectord/clock';
import { MemoryIpvsBackend } from '../../../src/ipvs/memory-backend';
import { destKeyText, serviceKeyText } from '../../../src/ldirectord/ipvs-text';

function errno(code: string, what: string): Error {
  return Object.assign(new Error(`${what}: injected ${code}`), { code });
}

export type BackendMethod = 'listServices' | 'listDests' | 'addService' | 'editService' | 'deleteService' | 'addDest' | 'editDest' | 'deleteDest';

/**
 * The in-memory IPVS (src/ipvs/memory-backend.ts: the kernel's rules and
 * errors) with what the director's tests need on top: a log of every
 * change, injected failures, and addresses IPVS reports as LOCALNODE.
 */
export class FakeIpvs implements IpvsBackend {
  readonly inner = new MemoryIpvsBackend();
  /** Every successful change, as `method SERVICE [DEST wWEIGHT]`. */
  readonly calls: string[] = [];
  /** Destinations at these addresses are listed with forward `local`, as the kernel does for its own addresses. */
  readonly localAddresses = new Set<string>();
  private readonly failures: { method: BackendMethod; code: string; times: number; match?: string }[] = [];

  /** The next `times` calls of `method` (whose description contains `match`) fail with `code`. */
  failNext(method: BackendMethod, code: string, times = 1, match?: string): void {
    this.failures.push({ method, code, times, match });
  }

  private check(method: BackendMethod, what: string): void {
    const f = this.failures.find((x) => x.method === method && x.times > 0 && (x.match === undefined || what.includes(x.match)));
    if (f === undefined) return;
    f.times--;
    throw errno(f.code, `${method} ${what}`);
  }

  info(): Promise<IpvsInfo> {
    return this.inner.info();
  }

  async listServices(): Promise<IpvsServiceState[]> {
    this.check('listServices', '');
    return this.inner.listServices();
  }

  async listDests(service: ServiceKey): Promise<IpvsDestState[]> {
    this.check('listDests', serviceKeyText(service));
    const dests = await this.inner.listDests(service);
    return dests.map((d) => (this.localAddresses.has(d.address) ? { ...d, forward: 'local' } : d));
  }

  async addService(s: IpvsService): Promise<void> {
    this.check('addService', serviceKeyText(s));
    await this.inner.addService(s);
    this.calls.push(`addService ${serviceKeyText(s)}`);
  }

  async editService(s: IpvsService): Promise<void> {
    this.check('editService', serviceKeyText(s));
    await this.inner.editService(s);
    this.calls.push(`editService ${serviceKeyText(s)}`);
  }

  async deleteService(key: ServiceKey): Promise<void> {
    this.check('deleteService', serviceKeyText(key));
    await this.inner.deleteService(key);
    this.calls.push(`deleteService ${serviceKeyText(key)}`);
  }

  async addDest(key: ServiceKey, dest: IpvsDest): Promise<void> {
    const what = `${serviceKeyText(key)} ${destKeyText(dest)}`;
    this.check('addDest', what);
    await this.inner.addDest(key, dest);
    this.calls.push(`addDest ${what} w${dest.weight}`);
  }

  async editDest(key: ServiceKey, dest: IpvsDest): Promise<void> {
    const what = `${serviceKeyText(key)} ${destKeyText(dest)}`;
    this.check('editDest', what);
    await this.inner.editDest(key, dest);
    this.calls.push(`editDest ${what} w${dest.weight}`);
  }

  async deleteDest(key: ServiceKey, dest: DestKey): Promise<void> {
    const what = `${serviceKeyText(key)} ${destKeyText(dest)}`;
    this.check('deleteDest', what);
    await this.inner.deleteDest(key, dest);
    this.calls.push(`deleteDest ${what}`);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  zero(service?: ServiceKey): Promise<void> {
    return this.inner.zero(service);
  }

  getTimeouts(): Promise<IpvsTimeouts> {
    return this.inner.getTimeouts();
  }

  setTimeouts(t: IpvsTimeouts): Promise<void> {
    return this.inner.setTimeouts(t);
  }

  listDaemons(): Promise<SyncDaemon[]> {
    return this.inner.listDaemons();
  }

  startDaemon(d: SyncDaemon): Promise<void> {
    return this.inner.startDaemon(d);
  }

  stopDaemon(role: SyncDaemonRole): Promise<void> {
    return this.inner.stopDaemon(role);
  }

  /** Recorded, not passed on: tests look at the table after the director closed its backend. */
  closed = false;

  close(): void {
    this.closed = true;
  }

  /** `service -> [dest wWEIGHT]`, sorted, for assertions. */
  async snapshot(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    const services = (await this.inner.listServices()).sort((a, b) => serviceKeyText(a.key).localeCompare(serviceKeyText(b.key)));
    for (const s of services) {
      out[serviceKeyText(s.key)] = (await this.inner.listDests(s.key)).map((d) => `${destKeyText(d)} w${d.weight}`).sort();
    }
    return out;
  }
}

export type Scripted = boolean | 'hang' | 'hang-ignoring-abort' | ((spec: CheckSpec, target: CheckTarget) => CheckResult);

/** Answers by real server address (default: up). `hang` waits for the abort signal; `hang-ignoring-abort` never settles. */
export class FakeChecks implements CheckRunner {
  readonly results = new Map<string, Scripted>();
  readonly runs: { address: string; port: number; type: string; timeoutMs: number }[] = [];

  set(address: string, result: Scripted): void {
    this.results.set(address, result);
  }

  count(address: string): number {
    return this.runs.filter((r) => r.address === address).length;
  }

  run(spec: CheckSpec, target: CheckTarget, signal?: AbortSignal): Promise<CheckResult> {
    this.runs.push({ address: target.address, port: target.port, type: spec.type, timeoutMs: spec.timeoutMs });
    const r = this.results.get(target.address) ?? true;
    if (typeof r === 'function') return Promise.resolve(r(spec, target));
    if (r === 'hang-ignoring-abort') return new Promise(() => undefined);
    if (r === 'hang') {
      return new Promise((resolve) => {
        signal?.addEventListener('abort', () => resolve({ ok: false, message: 'aborted', durationMs: 0 }), { once: true });
      });
    }
    return Promise.resolve({ ok: r, message: r ? `${spec.type} ok` : `${spec.type} failed`, durationMs: 1 });
  }
}

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** Lets real I/O and promise chains settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** A clock that only moves when told; timers fire in time order with promise settling in between. */
export class FakeClock implements Clock {
  private time = Date.parse('2025-01-01T00:00:00Z');
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const t = { id: this.nextId++, at: this.time + Math.max(0, ms), fn };
    this.timers.push(t);
    return t.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
      await settle();
    }
    this.time = target;
    await settle();
  }
}
