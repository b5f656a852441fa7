// Parsing helpers for the ldirectord tests (not a test file itself).

import * as path from 'node:path';
import { type Diagnostic, DiagnosticSink } from '../../../src/config/diagnostics';
import type { ParseContext } from '../../../src/ldirectord/context';
import { parseLdirectordText } from '../../../src/ldirectord/load';
import type { LdirectordConfig, VirtualService } from '../../../src/ldirectord/model';
import { TableResolver, parseServicesFile } from '../../../src/ldirectord/resolve';
import { FIXTURES } from '../../helpers/tmp';

export const LD_FIXTURES = path.join(FIXTURES, 'ldirectord');

/** A small /etc/services so tests do not depend on the machine's. */
export const SERVICES = parseServicesFile(
  ['ftp 21/tcp', 'smtp 25/tcp mail', 'domain 53/tcp', 'domain 53/udp', 'http 80/tcp www', 'https 443/tcp', 'mysql 3306/tcp', 'sip 5060/udp', 'sip 5060/tcp'].join('\n'),
);

/** Host names tests may use: `name` (IPv4) or `name6` (IPv6). */
export const HOSTS = new Map([
  ['inet:www1', '192.0.2.11'],
  ['inet:www2', '192.0.2.12'],
  ['inet:sql01', '192.0.2.21'],
  ['inet:sql03', '192.0.2.23'],
  ['inet:vip', '192.0.2.100'],
  ['inet:localhost', '127.0.0.1'],
  ['inet6:www6', '2001:db8::11'],
]);

export function context(overrides: Partial<ParseContext> = {}): ParseContext {
  return { resolver: new TableResolver(HOSTS, SERVICES), checkFilesystem: false, hostname: 'lb1', ...overrides };
}

export interface ParseOutcome {
  readonly config: LdirectordConfig | null;
  readonly diags: readonly Diagnostic[];
}

export function parse(text: string, file = 'ldirectord.cf', ctx: ParseContext = context()): ParseOutcome {
  const sink = new DiagnosticSink();
  const config = parseLdirectordText(text, file, ctx, sink);
  return { config, diags: sink.all };
}

/** The config, failing the test with every diagnostic if it did not parse. */
export function valid(text: string, file = 'ldirectord.cf'): LdirectordConfig {
  const { config, diags } = parse(text, file);
  if (config === null) throw new Error(`expected a valid configuration:\n${diags.map((d) => `${d.line}: ${d.code} ${d.message}`).join('\n')}`);
  return config;
}

export function onlyVirtual(config: LdirectordConfig): VirtualService {
  const [v] = config.virtuals;
  if (v === undefined || config.virtuals.length !== 1) throw new Error(`expected one virtual service, got ${config.virtuals.length}`);
  return v;
}

/** [code, line] of every diagnostic. */
export function codes(diags: readonly Diagnostic[]): [string, number][] {
  return diags.map((d) => [d.code, d.line]);
}

export function errors(diags: readonly Diagnostic[]): [string, number][] {
  return codes(diags.filter((d) => d.severity === 'error'));
}

export function warnings(diags: readonly Diagnostic[]): [string, number][] {
  return codes(diags.filter((d) => d.severity === 'warning'));
}

/** A one-service config around the indented lines given. */
export function service(lines: readonly string[], header = 'virtual=192.0.2.100:80', globals: readonly string[] = []): string {
  return [...globals, header, ...lines.map((l) => `\t${l}`), ''].join('\n');
}
