// ldirectord.cf lexer. The layout rules are ldirectord's read_config:
//   - `virtual=` / `virtual6=` at the start of a line opens a virtual service;
//   - the lines after it that are indented by at least 4 spaces (a tab
//     counts as 4) belong to it; the first unindented line ends it;
//   - everything else is a global directive, written at the start of a line;
//   - `#` starts a comment; directives are `name = value`, case-sensitive.
// Where ldirectord rejects a file by accident, hbd is more forgiving: a blank
// line does not end a virtual service (ldirectord then reports the next
// indented line as an unknown command), and `#` inside double quotes is kept.
// This file knows only the layout; parse.ts gives the entries a meaning.

import type { DiagnosticSink, SourceRef } from '../config/diagnostics';
import type { AddressFamily } from '../ipvs/types';
import { LdCode } from './codes';

/** One `name = value` line. value is null for a bare word (only `supervised` allows it). */
export interface LdEntry {
  readonly name: string;
  readonly value: string | null;
  readonly at: SourceRef;
}

export interface LdVirtualSection {
  /** `virtual` or `virtual6` and the address as written. */
  readonly header: LdEntry & { readonly value: string };
  readonly family: AddressFamily;
  readonly entries: readonly LdEntry[];
}

/** What a file says, in order, before any meaning is given to it (ldirectord.cf and YAML alike). */
export interface LdLexed {
  readonly globals: readonly LdEntry[];
  readonly virtuals: readonly LdVirtualSection[];
}

const VIRTUAL_HEADER = /^virtual(6)?\s*=\s*(.*)$/;
const ENTRY = /^([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*(.*))?$/;

/** The line without its comment: `#` and what follows, unless the `#` is inside double quotes. */
export function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted) return line.slice(0, i);
  }
  return line;
}

/** Indentation width as ldirectord counts it: every tab is 4 spaces. */
function indentWidth(line: string): number {
  let width = 0;
  for (const c of line) {
    if (c === ' ') width += 1;
    else if (c === '\t') width += 4;
    else break;
  }
  return width;
}

function entryOf(body: string, at: SourceRef, sink: DiagnosticSink): LdEntry | null {
  const m = ENTRY.exec(body);
  if (m === null) {
    sink.error(at, LdCode.LDCF_SYNTAX, `\`${body}\` is not a directive: expected \`name = value\``);
    return null;
  }
  return { name: m[1] ?? '', value: m[2] === undefined ? null : m[2].trim(), at };
}

export function lexLdirectordCf(text: string, file: string, sink: DiagnosticSink): LdLexed {
  const globals: LdEntry[] = [];
  const virtuals: { header: LdEntry & { value: string }; family: AddressFamily; entries: LdEntry[] }[] = [];
  let current: (typeof virtuals)[number] | null = null;

  text.split('\n').forEach((raw, index) => {
    const at: SourceRef = { file, line: index + 1 };
    const line = stripComment(raw.replace(/\r$/, '')).replace(/\s+$/, '');
    if (line.trim() === '') return;
    const indent = indentWidth(line);
    const body = line.trim();

    if (indent === 0) {
      const header = VIRTUAL_HEADER.exec(line);
      if (header !== null) {
        current = {
          header: { name: header[1] === undefined ? 'virtual' : 'virtual6', value: (header[2] ?? '').trim(), at },
          family: header[1] === undefined ? 'inet' : 'inet6',
          entries: [],
        };
        virtuals.push(current);
        return;
      }
      current = null;
      const entry = entryOf(body, at, sink);
      if (entry !== null) globals.push(entry);
      return;
    }

    if (current === null) {
      sink.error(at, LdCode.LDCF_BAD_INDENT, `\`${body}\` is indented but follows no \`virtual=\` line: global directives start at the beginning of the line`);
      return;
    }
    if (indent < 4) {
      sink.error(at, LdCode.LDCF_BAD_INDENT, `\`${body}\` is indented by ${indent} space(s): lines of a virtual service are indented by at least 4 spaces or a tab`);
      return;
    }
    const entry = entryOf(body, at, sink);
    if (entry !== null) current.entries.push(entry);
  });
  return { globals, virtuals };
}
