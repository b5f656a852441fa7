// The shape every protocol check has, and small helpers they share.

import * as net from 'node:net';
import * as os from 'node:os';
import type { Attempt } from './attempt';
import type { StreamTarget } from './stream-conn';
import type { CheckSpec, CheckTarget } from './types';

/** One protocol exchange; resolves with a short success note, throws CheckFailure when down. */
export type ServiceCheck = (attempt: Attempt, spec: CheckSpec, target: CheckTarget) => Promise<string>;

/** The real server as a connect target, TLS on request (SNI from virtualhost). */
export function streamTarget(spec: CheckSpec, target: CheckTarget, useTls: boolean): StreamTarget {
  const base = { host: target.address, port: target.port };
  if (!useTls) return base;
  const servername = spec.virtualHost ? hostPart(spec.virtualHost) : undefined;
  return { ...base, tls: servername ? { servername } : {} };
}

/** "host" from "host", "host:port", "[v6]:port" or "v6". */
export function hostPart(hostAndPort: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostAndPort);
  if (bracketed?.[1]) return bracketed[1];
  if (net.isIP(hostAndPort) === 6) return hostAndPort;
  return hostAndPort.replace(/:\d+$/, '');
}

/** An address as it appears in a URL or Host header: IPv6 in brackets. */
export function urlHost(address: string): string {
  return net.isIP(address) === 6 ? `[${address}]` : address;
}

/** ldirectord stores every request with a leading "/"; text protocols want it without. */
export function requestText(spec: CheckSpec): string {
  return (spec.request ?? '').replace(/^\//, '');
}

/** The name we introduce ourselves with (SMTP EHLO, SIP defaults), as ldirectord uses the host name. */
export function localName(): string {
  return os.hostname() || 'localhost';
}
