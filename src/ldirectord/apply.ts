// Runs diff operations through an IpvsBackend, one at a time, in order.
// Nothing is hidden: every operation ends as applied, failed (with the errno
// name the backend gave) or skipped (its service could not be added). The
// caller logs the report, shows it in status and diffs again on the next
// round, which retries whatever did not apply.

import type { IpvsBackend, ServiceKey } from '../ipvs/types';
import { errorCode } from '../errors';
import { type ActualService, type IpvsOp, describeOp, opServiceKey } from './diff';
import { serviceKeyText } from './ipvs-text';

export interface OpFailure {
  readonly op: IpvsOp;
  readonly description: string;
  /** errno name (EPERM, ENOENT, ...) or `ERROR` when the backend gave none. */
  readonly code: string;
  readonly message: string;
}

export interface ApplyReport {
  readonly applied: readonly IpvsOp[];
  readonly failed: readonly OpFailure[];
  /** Destination operations not tried because adding their service failed. */
  readonly skipped: readonly IpvsOp[];
}

async function run(backend: IpvsBackend, op: IpvsOp): Promise<void> {
  switch (op.op) {
    case 'add-service':
      return backend.addService(op.service);
    case 'edit-service':
      return backend.editService(op.service);
    case 'delete-service':
      return backend.deleteService(op.key);
    case 'add-dest':
      return backend.addDest(op.key, op.dest);
    case 'edit-dest':
      return backend.editDest(op.key, op.dest);
    case 'delete-dest':
      return backend.deleteDest(op.key, op.dest);
  }
}

/** A delete of something already gone reached its goal. */
function alreadyDone(op: IpvsOp, code: string | undefined): boolean {
  return (op.op === 'delete-dest' || op.op === 'delete-service') && (code === 'ENOENT' || code === 'ESRCH');
}

export async function applyOps(backend: IpvsBackend, ops: readonly IpvsOp[]): Promise<ApplyReport> {
  const applied: IpvsOp[] = [];
  const failed: OpFailure[] = [];
  const skipped: IpvsOp[] = [];
  const missingServices = new Set<string>();
  for (const op of ops) {
    const svc = serviceKeyText(opServiceKey(op));
    if (missingServices.has(svc)) {
      skipped.push(op);
      continue;
    }
    try {
      await run(backend, op);
      applied.push(op);
    } catch (e) {
      const code = errorCode(e);
      if (alreadyDone(op, code)) {
        applied.push(op);
        continue;
      }
      failed.push({ op, description: describeOp(op), code: code ?? 'ERROR', message: e instanceof Error ? e.message : String(e) });
      if (op.op === 'add-service') missingServices.add(svc);
    }
  }
  return { applied, failed, skipped };
}

/** The kernel's services whose keys are in `keys` (text form), with their destinations. */
export async function readActual(backend: IpvsBackend, keys: ReadonlySet<string>): Promise<ActualService[]> {
  const services = await backend.listServices();
  const out: ActualService[] = [];
  for (const service of services) {
    if (!keys.has(serviceKeyText(service.key))) continue;
    out.push({ service, dests: await backend.listDests(service.key as ServiceKey) });
  }
  return out;
}
