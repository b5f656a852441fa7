// Finding and reading an ldirectord configuration: the lookup order of
// ldirectord (/etc/ha.d/NAME, /etc/ha.d/conf/NAME, then NAME as a path),
// the format by extension (.yaml/.yml = YAML), and the two-pass parse that
// resolves host names before the pure parser runs.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiagnosticSink } from '../config/diagnostics';
import { pathKind } from '../config/fsprobe';
import { ldirectordConfigCandidates } from '../config/resources';
import { LdCode } from './codes';
import type { ParseContext } from './context';
import { lexLdirectordCf } from './lexer';
import type { LdLexed } from './lexer';
import type { LdirectordConfig } from './model';
import { buildLdirectordConfig } from './parse';
import { type HostLookup, RecordingResolver, type ServiceTable, TableResolver, lookupAll, readSystemServices } from './resolve';
import { lexLdirectordYaml } from './yaml';

export const DEFAULT_HA_DIR = '/etc/ha.d';
export const DEFAULT_CONFIG_NAME = 'ldirectord.cf';

/** Where ldirectord looks for NAME, in order: HADIR/NAME, HADIR/conf/NAME, then NAME itself (from cwd). */
export function configCandidates(name: string, haDir = DEFAULT_HA_DIR, cwd = process.cwd()): string[] {
  const candidates = ldirectordConfigCandidates(name, haDir);
  const literal = path.resolve(cwd, name);
  if (!candidates.includes(literal)) candidates.push(literal);
  return candidates;
}

/** The first candidate that is a regular file, or null. */
export function locateConfig(name: string, haDir = DEFAULT_HA_DIR, cwd = process.cwd()): string | null {
  return configCandidates(name, haDir, cwd).find((p) => pathKind(p) === 'file') ?? null;
}

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface LdLoadOptions {
  /** Base directory of the lookup (default /etc/ha.d). */
  readonly haDir?: string;
  readonly cwd?: string;
  /** Default true: look at programs, the maintenance directory and monitor files. */
  readonly checkFilesystem?: boolean;
  readonly hostname?: string;
  readonly lookup?: HostLookup;
  readonly services?: ServiceTable;
}

export interface LdLoadResult {
  /** null when there are errors. */
  readonly config: LdirectordConfig | null;
  readonly diagnostics: DiagnosticSink;
  /** The file that was read, or null if none was found. */
  readonly file: string | null;
  /** sha256 of the text read (what autoreload compares), or null. */
  readonly hash: string | null;
}

function lex(text: string, file: string, sink: DiagnosticSink): LdLexed | null {
  return isYamlFile(file) ? lexLdirectordYaml(text, file, sink) : lexLdirectordCf(text, file, sink);
}

/**
 * Parses configuration text with names already looked up. Synchronous and
 * without I/O beyond the optional filesystem checks: what tests call.
 */
export function parseLdirectordText(text: string, file: string, ctx: ParseContext, sink: DiagnosticSink): LdirectordConfig | null {
  const lexed = lex(text, file, sink);
  if (lexed === null) return null;
  return buildLdirectordConfig(lexed, file, isYamlFile(file) ? 'yaml' : 'ldirectord.cf', ctx, sink);
}

/** Parses text, resolving the host names it needs first. */
export async function parseWithLookups(text: string, file: string, opts: LdLoadOptions, sink: DiagnosticSink): Promise<LdirectordConfig | null> {
  const services = opts.services ?? readSystemServices();
  const base = { checkFilesystem: opts.checkFilesystem ?? true, hostname: opts.hostname ?? os.hostname() };
  // First pass: only to learn which names the file needs; its diagnostics are dropped.
  const recorder = new RecordingResolver(services);
  const scratch = new DiagnosticSink();
  const lexed = lex(text, file, scratch);
  if (lexed !== null) buildLdirectordConfig(lexed, file, 'ldirectord.cf', { ...base, checkFilesystem: false, resolver: recorder }, scratch);
  const hosts = await lookupAll(recorder.wanted, opts.lookup);
  return parseLdirectordText(text, file, { ...base, resolver: new TableResolver(hosts, services) }, sink);
}

/** Finds, reads and parses NAME. */
export async function loadLdirectordConfig(name: string, opts: LdLoadOptions = {}): Promise<LdLoadResult> {
  const sink = new DiagnosticSink();
  const file = locateConfig(name, opts.haDir, opts.cwd);
  if (file === null) {
    const tried = configCandidates(name, opts.haDir, opts.cwd).join(', ');
    sink.error({ file: name, line: 0 }, LdCode.LDCF_FILE_MISSING, `ldirectord configuration \`${name}\` not found: looked for ${tried}`);
    return { config: null, diagnostics: sink, file: null, hash: null };
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    sink.error({ file, line: 0 }, LdCode.LDCF_FILE_MISSING, `cannot read ${file}: ${(e as Error).message}`);
    return { config: null, diagnostics: sink, file, hash: null };
  }
  const config = await parseWithLookups(text, file, opts, sink);
  return { config, diagnostics: sink, file, hash: contentHash(text) };
}
