// Fallback ("sorry") servers: a virtual service's own, or the global one of
// its address family. A global fallback without a port takes the port of
// each virtual service it serves (ldirectord's fallback_find).

import type { DiagnosticSink } from '../config/diagnostics';
import type { AddressFamily } from '../ipvs/types';
import { resolveHost, resolvePort } from './addresses';
import { LdCode } from './codes';
import type { FallbackDraft } from './common';
import type { ParseContext } from './context';
import type { FallbackServer, VirtualProtocol } from './model';

/** A fallback whose host is resolved; its port is resolved per virtual service. */
export interface ResolvedFallback {
  readonly draft: FallbackDraft;
  readonly address: string;
}

export function resolveFallbackHost(draft: FallbackDraft, sink: DiagnosticSink, ctx: ParseContext): ResolvedFallback | null {
  const host = resolveHost(draft.line.host, draft.family, ctx.resolver);
  if (!host.ok) {
    const code = /is an IPv[46] address/.test(host.message) ? LdCode.LDCF_FAMILY_MISMATCH : LdCode.LDCF_RESOLVE;
    sink.error(draft.at, code, `fallback server: ${host.message}`);
    return null;
  }
  return { draft, address: host.value };
}

export interface FallbackTarget {
  readonly af: AddressFamily;
  readonly protocol: VirtualProtocol;
  /** The virtual service's port (0 for a fwmark). */
  readonly port: number;
}

/** The fallback server for one virtual service, with the port IPVS will use. */
export function fallbackFor(fb: ResolvedFallback, v: FallbackTarget, sink: DiagnosticSink, ctx: ParseContext): FallbackServer | null {
  const { line, at } = fb.draft;
  let port = v.port;
  if (line.port !== null) {
    const p = resolvePort(line.port, v.protocol === 'udp' ? 'udp' : 'tcp', ctx.resolver);
    if (!p.ok) {
      sink.error(at, LdCode.LDCF_RESOLVE, `fallback server: ${p.message}`);
      return null;
    }
    port = p.value;
  }
  // Direct routing and tunnels cannot change the port: IPVS sends to the virtual port.
  if (v.protocol !== 'fwm' && line.forward !== 'masq') port = v.port;
  return { at, address: fb.address, port, forward: line.forward };
}
