// Lexed entries (from ldirectord.cf or YAML) → the frozen LdirectordConfig.
// Pure apart from the optional filesystem checks; names resolve through the
// context's Resolver.

import type { DiagnosticSink, SourceRef } from '../config/diagnostics';
import { deepFreeze } from '../config/build';
import { LdCode } from './codes';
import type { ParseContext } from './context';
import { resolveFallbackHost } from './fallback';
import { readGlobals } from './globals';
import type { LdLexed } from './lexer';
import { DEFAULT_CHECK_INTERVAL_MS, DEFAULT_LOGFILE, type LdirectordConfig, type VirtualService } from './model';
import { ValueReader } from './values';
import { readVirtual } from './virtual';

/** Builds the model; null when there are errors (all of them are in the sink). */
export function buildLdirectordConfig(
  lexed: LdLexed,
  file: string,
  format: LdirectordConfig['format'],
  ctx: ParseContext,
  sink: DiagnosticSink,
): LdirectordConfig | null {
  const r = new ValueReader(sink);
  const g = readGlobals(r, lexed.globals, ctx.checkFilesystem);
  const fallbacks = {
    inet: g.fallback === undefined ? null : resolveFallbackHost(g.fallback, sink, ctx),
    inet6: g.fallback6 === undefined ? null : resolveFallbackHost(g.fallback6, sink, ctx),
  };

  const virtuals: VirtualService[] = [];
  const seen = new Map<string, SourceRef>();
  for (const section of lexed.virtuals) {
    const v = readVirtual(r, section, g, fallbacks, ctx);
    if (v === null) continue;
    const first = seen.get(v.id);
    if (first !== undefined) {
      sink.error(v.at, LdCode.LDCF_DUPLICATE_VIRTUAL, `virtual service ${v.id} is already defined at line ${first.line}`);
      continue;
    }
    seen.set(v.id, v.at);
    virtuals.push(v);
  }
  if (lexed.virtuals.length === 0) {
    sink.warning({ file, line: 0 }, LdCode.LDCF_NO_VIRTUAL, 'no virtual service is defined: the director has nothing to manage');
  }
  if (sink.hasErrors()) return null;
  return deepFreeze<LdirectordConfig>({
    file,
    format,
    globals: {
      checkIntervalMs: g.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS,
      autoreload: g.autoreload ?? false,
      callback: g.callback ?? null,
      logfile: g.logfile ?? { kind: 'file', path: DEFAULT_LOGFILE },
      supervised: g.supervised ?? false,
      readdQuiescent: g.readdQuiescent ?? false,
      maintenanceDir: g.maintenanceDir ?? null,
      execute: g.execute,
    },
    virtuals,
  });
}
