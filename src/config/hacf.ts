// ha.cf lexer, reading lines exactly as Heartbeat's parse_config does:
//   - leading whitespace is skipped, then everything from the first `#` and
//     from the first CR or LF is cut;
//   - the directive is the first whitespace-delimited token (case-sensitive);
//   - then spaces, tabs AND commas are skipped;
//   - "list" directives get the rest split on whitespace or commas, one
//     handler call per value (`node a,b c` = three nodes);
//   - "whole-line" directives get the rest of the line, which their own
//     parser splits on whitespace only (commas stay inside tokens).
// This file knows only the syntax; what each directive means is in
// directives.ts. The YAML loader builds the same DirectiveEntry values.

import type { SourceRef } from './diagnostics';

/** One directive occurrence: its name and its values (list) or fields (whole-line). */
export interface DirectiveEntry {
  readonly directive: string;
  readonly tokens: readonly string[];
  readonly at: SourceRef;
}

/**
 * Directives whose rest of line goes to one parser: Heartbeat's WLdirectives
 * plus the media plugins that have a parse() function. bcast, serial, ping
 * and ping6 plugins use new() instead and are therefore list directives.
 */
const WHOLE_LINE = new Set([
  'stonith',
  'stonith_host',
  'apiauth',
  'respawn',
  'failfast',
  'ucast',
  'mcast',
  'ucast6',
  'mcast6',
  'ping_group',
  'tipc',
  'rds',
]);

export function isWholeLineDirective(directive: string): boolean {
  return WHOLE_LINE.has(directive);
}

const WHITESPACE = /[ \t\n\r\f]+/;
const DELIMS = /[, \t\n\r\f]+/;
const LEADING_DELIMS = /^[, \t\n\r\f]+/;

/** Splits on Heartbeat's DELIMS (whitespace and commas), dropping empty pieces. */
export function splitValues(text: string): string[] {
  return text.split(DELIMS).filter((s) => s !== '');
}

/** Splits on whitespace only, as the whole-line parsers do. */
export function splitFields(text: string): string[] {
  return text.split(WHITESPACE).filter((s) => s !== '');
}

/** The significant part of a physical line: comment and anything after CR/LF removed. */
function significantText(line: string): string {
  let text = line.replace(/^[ \t\n\r\f]+/, '');
  const hash = text.indexOf('#');
  if (hash >= 0) text = text.slice(0, hash);
  const eol = text.search(/[\r\n]/);
  if (eol >= 0) text = text.slice(0, eol);
  return text;
}

/** Tokenizes ha.cf text. `file` goes into every SourceRef; lines are 1-based. */
export function lexHaCf(text: string, file: string): DirectiveEntry[] {
  const entries: DirectiveEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const body = significantText(raw);
    if (body === '') return;
    const nameEnd = body.search(/[ \t\n\r\f]/);
    const directive = nameEnd < 0 ? body : body.slice(0, nameEnd);
    const rest = nameEnd < 0 ? '' : body.slice(nameEnd).replace(LEADING_DELIMS, '');
    const tokens = isWholeLineDirective(directive) ? splitFields(rest) : splitValues(rest);
    entries.push({ directive, tokens, at: { file, line: index + 1 } });
  });
  return entries;
}
