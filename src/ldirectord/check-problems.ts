// Checks that cannot work as configured are configuration errors with a line,
// not servers that silently never come up. The checks library says what is
// wrong with a spec (checkSpecProblems); this file asks it about every
// distinct spec a virtual service will run.

import { checkSpecProblems, unsupportedServices } from '../checks/spec-problems';
import type { DiagnosticSink, SourceRef } from '../config/diagnostics';
import { checkSpecFor } from './check-spec';
import { LdCode } from './codes';
import type { CheckKind } from './health';
import type { VirtualService } from './model';

function kindsOf(v: VirtualService): CheckKind[] {
  switch (v.check.type) {
    case 'negotiate':
      return ['negotiate'];
    case 'combined':
      return ['connect', 'negotiate'];
    case 'connect':
    case 'ping':
      return [v.check.type];
    case 'external':
    case 'external-perl':
      return ['external'];
    case 'on':
    case 'off':
      return [];
  }
}

export interface VirtualLevel {
  /** The service's own request/receive (reals without their own use these). */
  readonly request: string;
  readonly receive: string;
  /** Line of `service=`, or null when the service was guessed from the port. */
  readonly serviceAt: SourceRef | null;
}

export function reportCheckProblems(v: VirtualService, level: VirtualLevel, sink: DiagnosticSink): void {
  const unsupported = unsupportedServices().get(v.check.service);
  const reported = new Set<string>();
  const report = (at: SourceRef, what: string, problems: readonly string[]) => {
    for (const p of problems) {
      if (p === unsupported) {
        if (reported.has(p)) continue;
        reported.add(p);
        const guessed = level.serviceAt === null ? ` (service ${v.check.service} guessed from port ${v.port}; set \`service\` or \`checktype\`)` : '';
        sink.error(level.serviceAt ?? v.at, LdCode.LDCF_UNSUPPORTED_SERVICE, `${v.id}: ${p}${guessed}`);
        continue;
      }
      const key = `${at.line}|${p}`;
      if (reported.has(key)) continue;
      reported.add(key);
      sink.error(at, LdCode.LDCF_CHECK_SPEC, `${what}: ${p}`);
    }
  };
  for (const kind of kindsOf(v)) {
    report(v.at, `${v.id} ${kind} check`, checkSpecProblems(checkSpecFor(v, level, kind)));
    for (const r of v.reals) {
      if (r.request === level.request && r.receive === level.receive) continue;
      report(r.at, `real server ${r.address} ${kind} check`, checkSpecProblems(checkSpecFor(v, r, kind)));
    }
  }
}
