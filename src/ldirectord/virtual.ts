// One virtual service section (features.md §2.3) → VirtualService, with
// ldirectord's defaults and fallback chains (read_config, ld_setup).
// Protocol-dependent lookups (service names of ports) wait until the whole
// section is read, as in ldirectord, because `protocol=` may come last.

import type { CheckService } from '../checks/types';
import type { DiagnosticSink } from '../config/diagnostics';
import type { IpvsProtocol, IpvsService, ServiceFlags, ServiceKey } from '../ipvs/types';
import { hostForDisplay, resolveHost, resolvePort, splitHostPort } from './addresses';
import { reportCheckProblems } from './check-problems';
import { LdCode } from './codes';
import { ALL_PHASES } from './common';
import type { ParseContext } from './context';
import { type ResolvedFallback, fallbackFor, resolveFallbackHost } from './fallback';
import { type GlobalDraft, warnIfNotExecutable } from './globals';
import type { LdVirtualSection } from './lexer';
import {
  DEFAULT_CHECK_INTERVAL_MS,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_NEGOTIATE_TIMEOUT_MS,
  DEFAULT_QUIESCENT,
  type LdCheckType,
  type VirtualProtocol,
  type VirtualService,
} from './model';
import { readReals } from './reals';
import { serviceForPort } from './services';
import type { ValueReader } from './values';
import { type VirtualDraft, readEntries } from './virtual-entries';

/** Global fallbacks, host already resolved (once, for all services). */
export interface GlobalFallbacks {
  readonly inet: ResolvedFallback | null;
  readonly inet6: ResolvedFallback | null;
}

type Header = { readonly kind: 'fwmark'; readonly fwmark: number } | { readonly kind: 'address'; readonly host: string; readonly port: string };

function readHeader(section: LdVirtualSection, sink: DiagnosticSink): Header | null {
  const { header, family } = section;
  const text = header.value;
  if (/^\d+$/.test(text)) {
    const fwmark = Number(text);
    if (fwmark < 1 || fwmark > 4294967295) {
      sink.error(header.at, LdCode.LDCF_BAD_VIRTUAL, `firewall mark ${text} is out of range: expected 1..4294967295`);
      return null;
    }
    return { kind: 'fwmark', fwmark };
  }
  const hp = splitHostPort(text);
  if (family === 'inet' && hp?.bracketed === true) {
    sink.error(header.at, LdCode.LDCF_FAMILY_MISMATCH, `\`${text}\` is an IPv6 address: write \`virtual6=${text}\``);
    return null;
  }
  if (hp === null || hp.port === null || hp.host === '') {
    const example = family === 'inet' ? 'IP:port (192.0.2.1:80), host:service (www:http)' : '[IPv6]:port ([2001:db8::1]:80), host:service';
    sink.error(header.at, LdCode.LDCF_BAD_VIRTUAL, `\`${header.name}=${text}\` is not a virtual service: expected ${example} or a firewall mark`);
    return null;
  }
  return { kind: 'address', host: hp.host, port: hp.port };
}

function readProtocol(draft: VirtualDraft, header: Header, sink: DiagnosticSink): VirtualProtocol {
  const p = draft.protocol;
  if (header.kind === 'fwmark') {
    if (p !== undefined && p.value !== 'fwm') {
      sink.error(p.at, LdCode.LDCF_PROTOCOL_MISMATCH, `\`protocol\` must be fwm for a firewall-mark service, not \`${p.value}\``);
    }
    return 'fwm';
  }
  if (p !== undefined) {
    if (p.value === 'tcp' || p.value === 'udp') return p.value;
    sink.error(p.at, LdCode.LDCF_PROTOCOL_MISMATCH, `\`protocol\` must be tcp or udp for an address:port service, not \`${p.value}\``);
  }
  // ldirectord's default: udp for the DNS port, as written (53 or domain).
  return header.port === '53' || header.port === 'domain' ? 'udp' : 'tcp';
}

function readNetmask(draft: VirtualDraft, af: 'inet' | 'inet6', sink: DiagnosticSink): string | number | null {
  const nm = draft.netmask;
  if (nm === undefined) return null;
  if (af === 'inet6') {
    if (!/^\d+$/.test(nm.value) || Number(nm.value) < 1 || Number(nm.value) > 128) {
      sink.error(nm.at, LdCode.LDCF_BAD_NETMASK, `\`netmask\` \`${nm.value}\` is not valid for IPv6: a prefix length between 1 and 128 is required`);
      return null;
    }
    return Number(nm.value);
  }
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(nm.value) || nm.value.split('.').some((o) => Number(o) > 255)) {
    sink.error(nm.at, LdCode.LDCF_BAD_NETMASK, `\`netmask\` \`${nm.value}\` is not valid: dotted quad notation is required (e.g. 255.255.255.0)`);
    return null;
  }
  return nm.value;
}

/** Reads one section; null when the service itself cannot be identified (already reported). */
export function readVirtual(
  r: ValueReader,
  section: LdVirtualSection,
  globals: GlobalDraft,
  fallbacks: GlobalFallbacks,
  ctx: ParseContext,
): VirtualService | null {
  const sink = r.sink;
  const draft = readEntries(r, section.entries, ctx);
  const header = readHeader(section, sink);
  if (header === null) return null;
  const af = section.family;
  const protocol = readProtocol(draft, header, sink);
  const at = section.header.at;

  let address: string | null = null;
  let port = 0;
  let key: ServiceKey;
  let id: string;
  if (header.kind === 'fwmark') {
    key = { af, fwmark: header.fwmark };
    id = `${af === 'inet6' ? 'fwm6' : 'fwm'}:${header.fwmark}`;
  } else {
    const host = resolveHost(header.host, af, ctx.resolver);
    const p = resolvePort(header.port, protocol === 'udp' ? 'udp' : 'tcp', ctx.resolver);
    if (!host.ok) {
      const code = /is an IPv[46] address/.test(host.message) ? LdCode.LDCF_FAMILY_MISMATCH : LdCode.LDCF_RESOLVE;
      sink.error(at, code, `virtual service: ${host.message}`);
    }
    if (!p.ok) sink.error(at, LdCode.LDCF_RESOLVE, `virtual service: ${p.message}`);
    if (!host.ok || !p.ok) return null;
    address = host.value;
    port = p.value;
    key = { af, protocol: protocol as IpvsProtocol, address, port };
    id = `${protocol}:${hostForDisplay(address)}:${port}`;
    if (port === 0 && draft.persistent === undefined) {
      sink.error(at, LdCode.LDCF_PORT_ZERO, 'port 0 (any port) is only allowed on a persistent service: add `persistent = SECONDS`');
    }
  }

  const service: CheckService = draft.service?.value ?? (header.kind === 'fwmark' ? 'none' : serviceForPort(port));
  const checkType = draft.checkType?.value ?? { type: 'negotiate' as LdCheckType, n: 0 };
  if (checkType.type === 'external-perl') {
    sink.warning(draft.checkType?.at ?? at, LdCode.LDCF_EXTERNAL_PERL, '`external-perl` runs `checkcommand` as a program (a Perl script with a #! line behaves the same); hbd has no Perl interpreter inside');
  }
  const command = draft.checkCommand?.value ?? '/bin/true';
  if (ctx.checkFilesystem && draft.checkCommand !== undefined && (checkType.type === 'external' || checkType.type === 'external-perl')) {
    warnIfNotExecutable(r, { name: 'checkcommand', value: command, at: draft.checkCommand.at }, command);
  }

  const needsPort =
    (checkType.type === 'connect' && protocol !== 'udp') || checkType.type === 'combined' || (checkType.type === 'negotiate' && service !== 'none');
  const checkPort = draft.checkPort ?? null;
  const request = draft.request ?? '/';
  const receive = draft.receive ?? '';
  const reals = readReals(draft.reals, { af, protocol, port, service, checkPort, request, receive }, sink, ctx);
  if (needsPort) {
    for (const real of reals.filter((rs) => rs.checkPort === 0)) {
      sink.error(real.at, LdCode.LDCF_NO_CHECK_PORT, `${checkType.type} checks of ${real.address} need a port: give the real server a port, or set \`checkport\` or a \`service\``);
    }
  }

  // Fallback: the service's own (of its family), else the global one.
  const wrongFamily = af === 'inet' ? draft.fallback6 : draft.fallback;
  if (wrongFamily !== undefined) {
    sink.error(wrongFamily.at, LdCode.LDCF_FAMILY_MISMATCH, `\`${af === 'inet' ? 'fallback6' : 'fallback'}\` cannot be used in an ${af === 'inet' ? 'IPv4' : 'IPv6'} service: write \`${af === 'inet' ? 'fallback' : 'fallback6'}=\``);
  }
  const ownDraft = af === 'inet' ? draft.fallback : draft.fallback6;
  const own = ownDraft === undefined ? null : resolveFallbackHost(ownDraft, sink, ctx);
  const chosen = ownDraft !== undefined ? own : af === 'inet' ? fallbacks.inet : fallbacks.inet6;
  const fallback = chosen === null ? null : fallbackFor(chosen, { af, protocol, port }, sink, ctx);

  const persistent = draft.persistent;
  const netmask = readNetmask(draft, af, sink);
  if (netmask !== null && persistent === undefined && draft.netmask !== undefined) {
    sink.warning(draft.netmask.at, LdCode.LDCF_NETMASK_WITHOUT_PERSISTENT, '`netmask` only applies to persistent services: add `persistent = SECONDS` or remove it');
  }
  if (draft.ops?.value === true && protocol !== 'udp') {
    sink.warning(draft.ops.at, LdCode.LDCF_OPS_NOT_UDP, '`ops = yes` is ignored: one-packet scheduling applies to UDP services only');
  }
  const flags: ServiceFlags = {
    ...(draft.ops?.value === true && protocol === 'udp' ? { onePacket: true } : {}),
    ...(draft.schedFlags ?? {}),
  };
  const ipvs: IpvsService = {
    ...key,
    scheduler: draft.scheduler ?? 'wrr',
    ...(persistent !== undefined ? { persistentTimeout: persistent } : {}),
    ...(persistent !== undefined && netmask !== null ? { netmask } : {}),
    ...(Object.keys(flags).length > 0 ? { flags } : {}),
  } as IpvsService;

  const g = globals;
  const checkTimeoutMs = draft.checkTimeoutMs ?? draft.negotiateTimeoutMs ?? g.checkTimeoutMs ?? g.negotiateTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const negotiateTimeoutMs = draft.negotiateTimeoutMs ?? draft.checkTimeoutMs ?? g.negotiateTimeoutMs ?? g.checkTimeoutMs ?? DEFAULT_NEGOTIATE_TIMEOUT_MS;
  const defaultLogin = service === 'ftp' ? 'anonymous' : service === 'sip' ? `ldirectord@${ctx.hostname}` : '';
  const defaultPassword = service === 'ftp' ? `ldirectord@${ctx.hostname}` : '';
  const emailTo = draft.emailAlert ?? g.emailAlert ?? null;

  const virtual: VirtualService = {
    id,
    at,
    af,
    protocol,
    address,
    port,
    fwmark: header.kind === 'fwmark' ? header.fwmark : null,
    ipvs,
    check: {
      type: checkType.type,
      connectsPerNegotiate: checkType.n,
      service,
      command,
      httpMethod: draft.httpMethod ?? 'GET',
      virtualHost: draft.virtualHost ?? null,
      login: draft.login ?? defaultLogin,
      password: draft.password ?? defaultPassword,
      database: draft.database ?? '',
      secret: draft.secret ?? '',
      checkTimeoutMs,
      negotiateTimeoutMs,
      intervalMs: draft.checkIntervalMs ?? g.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS,
      failureCount: draft.failureCount ?? g.failureCount ?? 1,
      rise: draft.rise ?? g.rise ?? 1,
      checkCount: draft.checkCount ?? g.checkCount ?? 1,
    },
    reals,
    fallback,
    fallbackCommand: draft.fallbackCommand ?? g.fallbackCommand ?? null,
    quiescent: draft.quiescent ?? g.quiescent ?? DEFAULT_QUIESCENT,
    cleanStop: draft.cleanStop ?? g.cleanStop ?? true,
    email: {
      to: emailTo === '' ? null : emailTo,
      freqMs: draft.emailAlertFreqMs ?? g.emailAlertFreqMs ?? 0,
      phases: draft.emailAlertStatus ?? g.emailAlertStatus ?? ALL_PHASES,
      smtp: draft.smtp ?? g.smtp ?? null,
      from: g.emailAlertFrom ?? null,
    },
    monitorFile: draft.monitorFile ?? null,
    serviceName: draft.serviceName ?? null,
    comment: draft.comment ?? null,
  };
  reportCheckProblems(virtual, { request, receive, serviceAt: draft.service?.at ?? null }, sink);
  return virtual;
}
