// What one check attempt asks the checks library: the spec (how to check)
// and the target (whom), from the virtual service, the real server and the
// kind of attempt (checktype N alternates connect and negotiate).

import type { CheckSpec, CheckTarget } from '../checks/types';
import type { CheckKind } from './health';
import type { RealServer, VirtualService } from './model';

/** ldirectord stores requests with a leading "/" and the checks library expects that form. */
function storedRequest(request: string): string {
  return request.startsWith('/') ? request : `/${request}`;
}

export function checkSpecFor(v: VirtualService, r: Pick<RealServer, 'request' | 'receive'>, kind: CheckKind): CheckSpec {
  const c = v.check;
  return {
    type: kind,
    service: c.service,
    protocol: v.protocol,
    timeoutMs: kind === 'negotiate' ? c.negotiateTimeoutMs : c.checkTimeoutMs,
    request: storedRequest(r.request),
    receive: r.receive,
    httpMethod: c.httpMethod,
    ...(c.virtualHost !== null ? { virtualHost: c.virtualHost } : {}),
    login: c.login,
    password: c.password,
    database: c.database,
    secret: c.secret,
    command: c.command,
  };
}

export function checkTargetFor(v: VirtualService, r: RealServer): CheckTarget {
  return {
    address: r.address,
    port: r.checkPort,
    virtualAddress: v.address ?? String(v.fwmark ?? ''),
    virtualPort: v.port,
  };
}

/** Attempts per check: the deprecated checkcount retries ping checks (connect on UDP is a ping too). */
export function attemptsFor(v: VirtualService, kind: CheckKind): number {
  const isPing = kind === 'ping' || (kind === 'connect' && v.protocol === 'udp');
  return isPing ? v.check.checkCount : 1;
}
