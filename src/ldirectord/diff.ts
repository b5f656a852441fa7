// Desired table vs the kernel's → the operations that change only what
// differs. Never a flush: entries that already match are not touched, so
// their connections and counters live on. Pure.
//
// Order: services are added or edited first (destinations need them), then
// destinations are added and edited, then removed (a replaced server's
// successor is in place before it goes), then services this director manages
// but no longer wants are deleted. Services the director does not manage are
// left alone, whatever they contain.

import type { IpvsDest, IpvsDestState, IpvsService, IpvsServiceState, ServiceKey, DestKey } from '../ipvs/types';
import type { DesiredService } from './desired';
import { destKeyText, destSettingsEqual, serviceKeyOf, serviceKeyText, serviceSettingsEqual } from './ipvs-text';

export type IpvsOp =
  | { readonly op: 'add-service'; readonly service: IpvsService }
  | { readonly op: 'edit-service'; readonly service: IpvsService }
  | { readonly op: 'delete-service'; readonly key: ServiceKey }
  | { readonly op: 'add-dest'; readonly key: ServiceKey; readonly dest: IpvsDest }
  | { readonly op: 'edit-dest'; readonly key: ServiceKey; readonly dest: IpvsDest }
  | { readonly op: 'delete-dest'; readonly key: ServiceKey; readonly dest: DestKey };

/** One kernel service with its destinations, as listed. */
export interface ActualService {
  readonly service: IpvsServiceState;
  readonly dests: readonly IpvsDestState[];
}

/**
 * @param managed service keys (serviceKeyText) this director owns: those
 *   not desired any more are deleted; others are never touched.
 */
export function diffTable(desired: readonly DesiredService[], actual: readonly ActualService[], managed: ReadonlySet<string>): IpvsOp[] {
  const have = new Map(actual.map((a) => [serviceKeyText(a.service.key), a]));
  const serviceOps: IpvsOp[] = [];
  const destAdds: IpvsOp[] = [];
  const destDeletes: IpvsOp[] = [];
  const wanted = new Set<string>();

  for (const d of desired) {
    const key = serviceKeyOf(d.service);
    const keyText = serviceKeyText(key);
    wanted.add(keyText);
    const current = have.get(keyText);
    if (current === undefined) serviceOps.push({ op: 'add-service', service: d.service });
    else if (!serviceSettingsEqual(d.service, current.service)) serviceOps.push({ op: 'edit-service', service: d.service });

    const haveDests = new Map((current?.dests ?? []).map((x) => [destKeyText(x), x]));
    const keep = new Set<string>();
    for (const want of d.dests) {
      const dk = destKeyText(want.dest);
      keep.add(dk);
      const existing = haveDests.get(dk);
      if (existing === undefined) {
        if (want.addIfMissing) destAdds.push({ op: 'add-dest', key, dest: want.dest });
      } else if (!destSettingsEqual(want.dest, existing)) {
        destAdds.push({ op: 'edit-dest', key, dest: want.dest });
      }
    }
    for (const [dk, x] of haveDests) {
      if (!keep.has(dk)) destDeletes.push({ op: 'delete-dest', key, dest: { af: x.af, address: x.address, port: x.port } });
    }
  }

  const serviceDeletes: IpvsOp[] = [];
  for (const [keyText, a] of have) {
    if (!wanted.has(keyText) && managed.has(keyText)) serviceDeletes.push({ op: 'delete-service', key: a.service.key });
  }
  return [...serviceOps, ...destAdds, ...destDeletes, ...serviceDeletes];
}

/** The service an operation is about. */
export function opServiceKey(op: IpvsOp): ServiceKey {
  switch (op.op) {
    case 'add-service':
    case 'edit-service':
      return serviceKeyOf(op.service);
    case 'delete-service':
    case 'add-dest':
    case 'edit-dest':
    case 'delete-dest':
      return op.key;
  }
}

/** One line for logs and status, in ipvsadm's terms. */
export function describeOp(op: IpvsOp): string {
  const svc = serviceKeyText(opServiceKey(op));
  switch (op.op) {
    case 'add-service':
    case 'edit-service': {
      const s = op.service;
      const persist = s.persistentTimeout ? ` persistent ${s.persistentTimeout}s` : '';
      return `${op.op === 'add-service' ? 'add' : 'edit'} service ${svc} (scheduler ${s.scheduler}${persist})`;
    }
    case 'delete-service':
      return `delete service ${svc}`;
    case 'add-dest':
    case 'edit-dest':
      return `${op.op === 'add-dest' ? 'add' : 'edit'} real server ${destKeyText(op.dest)} in ${svc} (${op.dest.forward}, weight ${op.dest.weight})`;
    case 'delete-dest':
      return `delete real server ${destKeyText(op.dest)} from ${svc}`;
  }
}
