// The directives of one virtual service section, read into a draft: each
// value checked where it is written. What they mean together (ports,
// protocol, defaults, fallbacks) is worked out in virtual.ts.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckService } from '../checks/types';
import type { SourceRef } from '../config/diagnostics';
import type { ServiceFlags } from '../ipvs/types';
import { LdCode } from './codes';
import { type CommonDraft, admitEntry, readCommon } from './common';
import type { ParseContext } from './context';
import type { LdEntry } from './lexer';
import type { LdCheckType } from './model';
import type { RealDraft } from './reals';
import { SERVICES } from './services';
import type { ValueReader } from './values';

export interface Located<T> {
  readonly value: T;
  readonly at: SourceRef;
}

export interface VirtualDraft extends CommonDraft {
  reals: RealDraft[];
  request?: string;
  receive?: string;
  checkType?: Located<{ type: LdCheckType; n: number }>;
  checkCommand?: Located<string>;
  checkPort?: number;
  login?: string;
  password?: string;
  database?: string;
  secret?: string;
  scheduler?: string;
  persistent?: number;
  schedFlags?: ServiceFlags;
  netmask?: Located<string>;
  protocol?: Located<string>;
  ops?: Located<boolean>;
  service?: Located<CheckService>;
  httpMethod?: 'GET' | 'HEAD';
  virtualHost?: string;
  monitorFile?: string;
  serviceName?: string;
  comment?: string;
}

/** Global fallbacks, host already resolved (once, for all services). */
const CHECK_TYPES: readonly LdCheckType[] = ['connect', 'negotiate', 'ping', 'external', 'external-perl', 'off', 'on'];

/** ipvsadm -b words and the IPVS flag each sets. */
const SCHED_FLAGS: Readonly<Record<string, keyof ServiceFlags>> = {
  'flag-1': 'sched1', 'sh-fallback': 'sched1', 'mh-fallback': 'sched1',
  'flag-2': 'sched2', 'sh-port': 'sched2', 'mh-port': 'sched2',
  'flag-3': 'sched3',
};

function readSchedFlags(r: ValueReader, e: LdEntry): ServiceFlags | null {
  const text = r.text(e);
  if (text === null) return null;
  const flags: { sched1?: boolean; sched2?: boolean; sched3?: boolean } = {};
  for (const word of text.split(/\s*,\s*/).filter((w) => w !== '')) {
    const flag = SCHED_FLAGS[word];
    if (flag === undefined) {
      r.sink.error(e.at, LdCode.LDCF_BAD_VALUE, `\`schedflags\` value \`${word}\` is not a scheduler flag: expected ${Object.keys(SCHED_FLAGS).join(', ')}`);
      return null;
    }
    flags[flag as 'sched1' | 'sched2' | 'sched3'] = true;
  }
  return flags;
}

function readCheckType(r: ValueReader, e: LdEntry): { type: LdCheckType; n: number } | null {
  const text = r.text(e);
  if (text === null) return null;
  if (/^\d+$/.test(text)) {
    const n = r.integer(e, 0, 1000000, 'a number of connect checks');
    return n === null ? null : { type: 'combined', n };
  }
  const type = CHECK_TYPES.find((t) => t === text);
  if (type === undefined) {
    r.sink.error(e.at, LdCode.LDCF_BAD_VALUE, `\`checktype\` value \`${text}\` is not valid: expected ${CHECK_TYPES.join(', ')} or a number N (negotiate once every N connect checks)`);
    return null;
  }
  return { type, n: 0 };
}

function checkMonitorFile(r: ValueReader, e: LdEntry, file: string): void {
  try {
    if (fs.existsSync(file)) fs.accessSync(file, fs.constants.W_OK);
    else fs.accessSync(path.dirname(file), fs.constants.W_OK);
  } catch (err) {
    r.sink.error(e.at, LdCode.LDCF_MONITORFILE, `monitorfile ${file} cannot be opened for appending: ${(err as Error).message}`);
  }
}

export function readEntries(r: ValueReader, entries: readonly LdEntry[], ctx: ParseContext): VirtualDraft {
  const draft: VirtualDraft = { reals: [] };
  const seen = new Map<string, SourceRef>();
  const located = <T>(value: T | null, at: SourceRef): Located<T> | undefined => (value === null ? undefined : { value, at });
  for (const e of entries) {
    if (!admitEntry(r, e, 'virtual', seen)) continue;
    if (readCommon(r, e, draft)) continue;
    switch (e.name) {
      case 'real':
      case 'real6': {
        // Not unquoted: the line carries its own quoted request/receive pair.
        const text = r.raw(e);
        if (text !== null) draft.reals.push({ text, at: e.at, family: e.name === 'real' ? 'inet' : 'inet6' });
        break;
      }
      case 'request':
        draft.request = r.text(e) ?? draft.request;
        break;
      case 'receive':
        draft.receive = r.text(e) ?? draft.receive;
        break;
      case 'checktype':
        draft.checkType = located(readCheckType(r, e), e.at) ?? draft.checkType;
        break;
      case 'checkcommand':
        draft.checkCommand = located(r.text(e), e.at) ?? draft.checkCommand;
        break;
      case 'checkport':
        draft.checkPort = r.integer(e, 1, 65535, 'a port') ?? draft.checkPort;
        break;
      case 'login':
        draft.login = r.text(e) ?? draft.login;
        break;
      case 'passwd':
        draft.password = r.text(e) ?? draft.password;
        break;
      case 'database':
        draft.database = r.text(e) ?? draft.database;
        break;
      case 'secret':
        draft.secret = r.text(e) ?? draft.secret;
        break;
      case 'load':
        r.text(e);
        r.sink.warning(e.at, LdCode.LDCF_IGNORED, '`load` is an undocumented ldirectord leftover that does nothing; hbd ignores it too');
        break;
      case 'scheduler': {
        const s = r.text(e);
        if (s === null) break;
        if (!/^[a-z]+$/.test(s)) {
          r.sink.error(e.at, LdCode.LDCF_BAD_VALUE, `\`scheduler\` value \`${s}\` is not valid: a scheduler name is lowercase letters (rr, wrr, lc, wlc, sh, mh, ...)`);
          break;
        }
        draft.scheduler = s;
        break;
      }
      case 'persistent':
        draft.persistent = r.integer(e, 1, 2147483647, 'a timeout in seconds') ?? draft.persistent;
        break;
      case 'schedflags':
        draft.schedFlags = readSchedFlags(r, e) ?? draft.schedFlags;
        break;
      case 'netmask':
        draft.netmask = located(r.text(e), e.at) ?? draft.netmask;
        break;
      case 'protocol':
        draft.protocol = located(r.text(e), e.at) ?? draft.protocol;
        break;
      case 'ops':
        draft.ops = located(r.boolean(e), e.at) ?? draft.ops;
        break;
      case 'service':
        draft.service = located(r.word<CheckService>(e, SERVICES), e.at) ?? draft.service;
        break;
      case 'httpmethod':
        draft.httpMethod = r.word(e, ['GET', 'HEAD'] as const, (s) => s.toUpperCase()) ?? draft.httpMethod;
        break;
      case 'virtualhost':
        draft.virtualHost = r.text(e) ?? draft.virtualHost;
        break;
      case 'monitorfile': {
        const file = r.text(e);
        if (file === null) break;
        draft.monitorFile = file;
        if (ctx.checkFilesystem) checkMonitorFile(r, e, file);
        break;
      }
      case 'servicename':
        draft.serviceName = r.text(e, true) ?? draft.serviceName;
        break;
      case 'comment':
        draft.comment = r.text(e, true) ?? draft.comment;
        break;
      default:
        break;
    }
  }
  return draft;
}
