// `real=` / `real6=` lines of one virtual service → RealServer entries:
// names resolved, IPv4 ranges expanded, the IPVS port and the check port
// worked out (ldirectord's _ld_read_config_real_resolve, add_real_server,
// ld_checkport).

import type { CheckService } from '../checks/types';
import type { DiagnosticSink, SourceRef } from '../config/diagnostics';
import type { AddressFamily } from '../ipvs/types';
import { hostForDisplay, ipv4Range, resolveHost, resolvePort } from './addresses';
import { LdCode } from './codes';
import type { ParseContext } from './context';
import type { RealServer, VirtualProtocol } from './model';
import { parseRealLine } from './real-line';
import { portForService } from './services';

export interface RealDraft {
  readonly text: string;
  readonly at: SourceRef;
  /** real (inet) or real6 (inet6). */
  readonly family: AddressFamily;
}

export interface RealContext {
  readonly af: AddressFamily;
  readonly protocol: VirtualProtocol;
  /** The virtual service's port (0 for a fwmark). */
  readonly port: number;
  readonly service: CheckService;
  readonly checkPort: number | null;
  /** The virtual service's request/receive, used when a real has none of its own. */
  readonly request: string;
  readonly receive: string;
}

function hostError(sink: DiagnosticSink, at: SourceRef, message: string): void {
  const code = /is an IPv[46] address/.test(message) ? LdCode.LDCF_FAMILY_MISMATCH : LdCode.LDCF_RESOLVE;
  sink.error(at, code, `real server: ${message}`);
}

export function readReals(drafts: readonly RealDraft[], v: RealContext, sink: DiagnosticSink, ctx: ParseContext): RealServer[] {
  const out: RealServer[] = [];
  const seen = new Map<string, SourceRef>();
  for (const draft of drafts) {
    const { at } = draft;
    if (draft.family !== v.af) {
      const want = v.af === 'inet' ? 'real' : 'real6';
      sink.error(at, LdCode.LDCF_FAMILY_MISMATCH, `\`${draft.family === 'inet' ? 'real' : 'real6'}\` cannot be used in an ${v.af === 'inet' ? 'IPv4 (virtual=)' : 'IPv6 (virtual6=)'} service: write \`${want}=\``);
      continue;
    }
    const parsed = parseRealLine(draft.text);
    if (!parsed.ok) {
      sink.error(at, LdCode.LDCF_BAD_REAL, parsed.message);
      continue;
    }
    const line = parsed.value;

    const first = resolveHost(line.first, v.af, ctx.resolver);
    if (!first.ok) {
      hostError(sink, at, first.message);
      continue;
    }
    let addresses = [first.value];
    if (line.last !== null) {
      if (v.af === 'inet6') {
        sink.error(at, LdCode.LDCF_BAD_RANGE, 'address ranges (`a->b`) are IPv4 only, as in ldirectord: list IPv6 real servers one by one');
        continue;
      }
      const last = resolveHost(line.last, v.af, ctx.resolver);
      if (!last.ok) {
        hostError(sink, at, last.message);
        continue;
      }
      const range = ipv4Range(first.value, last.value);
      if (typeof range === 'string') {
        sink.error(at, LdCode.LDCF_BAD_RANGE, range);
        continue;
      }
      addresses = range;
    }

    let written: number | null = null;
    if (line.port !== null) {
      const p = resolvePort(line.port, v.protocol === 'udp' ? 'udp' : 'tcp', ctx.resolver);
      if (!p.ok) {
        sink.error(at, LdCode.LDCF_RESOLVE, `real server: ${p.message}`);
        continue;
      }
      written = p.value;
    }

    let port: number;
    if (v.protocol === 'fwm') port = written ?? 0;
    else if (line.forward === 'masq') port = written ?? v.port;
    else {
      // ipvsadm forces the virtual port for gate/ipip: those methods cannot rewrite it.
      port = v.port;
      if (written !== null && written !== v.port) {
        sink.warning(at, LdCode.LDCF_PORT_IGNORED, `port ${written} is ignored: with ${line.forward} IPVS forwards to the virtual port ${v.port} (only masq can map ports); checks still use port ${written}`);
      }
    }
    const checkPort = v.checkPort ?? (written !== null && written > 0 ? written : null) ?? (v.protocol !== 'fwm' && v.port > 0 ? v.port : null) ?? portForService(v.service) ?? 0;

    for (const address of addresses) {
      const key = `${hostForDisplay(address)}:${port}`;
      const dup = seen.get(key);
      if (dup !== undefined) {
        sink.warning(at, LdCode.LDCF_DUPLICATE_REAL, `real server ${key} is already listed at line ${dup.line}; that entry counts and this one is ignored`);
        continue;
      }
      seen.set(key, at);
      out.push({
        at,
        name: line.last === null ? line.first : address,
        address,
        port,
        forward: line.forward,
        weight: line.weight ?? 1,
        lowerThreshold: line.lowerThreshold ?? 0,
        upperThreshold: line.upperThreshold ?? 0,
        checkPort,
        request: line.request ?? v.request,
        receive: line.receive ?? v.receive,
      });
    }
  }
  return out;
}
