// The global directives (features.md §2.2). ldirectord applies them after the
// whole file is read, so a global written after the virtual services still
// sets their defaults; hbd reads all globals first for the same effect.

import { SYSLOG_FACILITIES } from '../config/directives';
import { isExecutableFile, pathKind } from '../config/fsprobe';
import { LdCode } from './codes';
import { type CommonDraft, admitEntry, readCommon } from './common';
import type { LdEntry } from './lexer';
import type { LogTarget } from './model';
import type { ValueReader } from './values';

export interface GlobalDraft extends CommonDraft {
  autoreload?: boolean;
  callback?: string;
  logfile?: LogTarget;
  execute: string[];
  fork?: boolean;
  supervised?: boolean;
  readdQuiescent?: boolean;
  emailAlertFrom?: string;
  maintenanceDir?: string;
}

/** First word of a command line, for the "is it executable" check. */
export function commandProgram(command: string): string {
  return command.trim().split(/\s+/)[0] ?? '';
}

export function warnIfNotExecutable(r: ValueReader, e: LdEntry, command: string): void {
  const program = commandProgram(command);
  if (program.startsWith('/') && !isExecutableFile(program)) {
    r.sink.warning(e.at, LdCode.LDCF_COMMAND_NOT_EXECUTABLE, `\`${e.name}\` program ${program} is not an executable file on this machine`);
  }
}

function readLogfile(r: ValueReader, e: LdEntry): LogTarget | null {
  const text = r.text(e);
  if (text === null) return null;
  if (text.startsWith('/')) return { kind: 'file', path: text };
  if (SYSLOG_FACILITIES.includes(text)) return { kind: 'syslog', facility: text };
  r.sink.error(e.at, LdCode.LDCF_LOGFILE, `\`logfile\` value \`${text}\` is neither an absolute path nor a syslog facility (${SYSLOG_FACILITIES.join(', ')})`);
  return null;
}

export function readGlobals(r: ValueReader, entries: readonly LdEntry[], checkFilesystem: boolean): GlobalDraft {
  const draft: GlobalDraft = { execute: [] };
  const seen = new Map<string, { file: string; line: number }>();
  for (const e of entries) {
    if (!admitEntry(r, e, 'global', seen)) continue;
    if (readCommon(r, e, draft)) continue;
    switch (e.name) {
      case 'autoreload': {
        const b = r.boolean(e);
        if (b !== null) draft.autoreload = b;
        break;
      }
      case 'callback': {
        const cmd = r.text(e);
        if (cmd === null) break;
        draft.callback = cmd;
        if (checkFilesystem) warnIfNotExecutable(r, e, cmd);
        break;
      }
      case 'logfile': {
        const target = readLogfile(r, e);
        if (target !== null) draft.logfile = target;
        break;
      }
      case 'execute': {
        const name = r.text(e);
        if (name === null) break;
        draft.execute.push(name);
        r.sink.warning(e.at, LdCode.LDCF_IGNORED, `\`execute = ${name}\` is ignored: hbd does not start other ldirectord instances; run \`hbd ldirectord ${name} start\` (or list it in haresources)`);
        break;
      }
      case 'fork': {
        // hbd always checks every real server concurrently; the value is checked and has no other effect.
        const b = r.boolean(e);
        if (b !== null) draft.fork = b;
        break;
      }
      case 'supervised': {
        if (e.value === null) {
          r.sink.warning(e.at, LdCode.LDCF_DEPRECATED_WARN, 'a bare `supervised` means `supervised = yes`; write it that way (ldirectord warns too)');
          draft.supervised = true;
          break;
        }
        const b = r.boolean(e);
        if (b !== null) draft.supervised = b;
        break;
      }
      case 'readdquiescent': {
        const b = r.boolean(e);
        if (b !== null) draft.readdQuiescent = b;
        break;
      }
      case 'emailalertfrom': {
        const from = r.text(e);
        if (from !== null) draft.emailAlertFrom = from;
        break;
      }
      case 'maintenancedir': {
        const dir = r.text(e);
        if (dir === null) break;
        draft.maintenanceDir = dir;
        if (checkFilesystem && pathKind(dir) !== 'directory') {
          r.sink.warning(e.at, LdCode.LDCF_MAINTENANCEDIR_MISSING, `maintenance directory ${dir} does not exist: no server is drained until it is created`);
        }
        break;
      }
      default:
        // Every global name is handled above or in readCommon; admitEntry refused the rest.
        break;
    }
  }
  return draft;
}
