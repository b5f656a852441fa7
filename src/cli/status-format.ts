// `hbd status` output: a readable table, or answers to cl_status-style
// queries printed exactly as cl_status prints them (same text, same exit
// codes: 0 ok, 1 normal failure such as a dead node, 11 parameter error).

import type { ControlReplyOk } from '../control/protocol';
import { type DirectorStatus, formatDirectorStatus } from '../ldirectord/status';

export interface FormattedStatus {
  readonly text: string;
  readonly error?: string;
  readonly exitCode: number;
}

interface LinkRow {
  readonly name: string;
  readonly status: string;
  readonly lastHeardAgoMs?: number | null;
}

interface NodeRow {
  readonly name: string;
  readonly type?: string;
  readonly status?: string;
  readonly self?: boolean;
  readonly lastHeardAgoMs?: number | null;
  readonly deadtimeMs?: number;
  readonly links?: readonly LinkRow[];
}

/** cl_status exit codes (tools/cl_status.c). */
export const CL_OK = 0;
export const CL_NORMAL_FAIL = 1;
export const CL_PARAMETER_ERROR = 11;

/** What `cl_status hbstatus` prints when the daemon is not running. */
export const HBSTATUS_STOPPED = 'Heartbeat is stopped on this machine.';

const ok = (text: string): FormattedStatus => ({ text, exitCode: CL_OK });
const paramError = (error: string): FormattedStatus => ({ text: '', error, exitCode: CL_PARAMETER_ERROR });

function nodes(reply: ControlReplyOk): readonly NodeRow[] {
  return (reply.nodes as NodeRow[] | undefined) ?? [];
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

function age(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'never';
  return ms < 10_000 ? `${ms} ms ago` : `${Math.round(ms / 1000)} s ago`;
}

function overview(reply: ControlReplyOk): string {
  const head = [
    `node ${String(reply.node)}: ${String(reply.ownStatus ?? 'init')} (hbd ${String(reply.version)}, pid ${String(reply.pid)}, generation ${String(reply.generation)})`,
    '',
  ];
  const rows: string[][] = [['NODE', 'TYPE', 'STATUS', 'LAST HEARD', 'DEADTIME', 'LINKS']];
  for (const n of nodes(reply)) {
    const links = (n.links ?? []).map((l) => `${l.name}:${l.status}`).join(' ') || '-';
    rows.push([
      n.self ? `${n.name} (this node)` : n.name,
      n.type ?? 'normal',
      n.status ?? '-',
      n.self ? '-' : age(n.lastHeardAgoMs),
      n.deadtimeMs !== undefined ? `${n.deadtimeMs} ms` : '-',
      links,
    ]);
  }
  let text = `${head.join('\n')}${table(rows)}`;
  const groups = (reply.resourceGroups as { key: string; owner: string }[] | undefined) ?? [];
  const res = reply.resources as { rscstatus?: string; held?: string[]; directors?: DirectorStatus[] } | null | undefined;
  if (groups.length > 0) {
    const held = new Set(res?.held ?? []);
    const gRows: string[][] = [['RESOURCE GROUP', 'PREFERRED NODE', 'HERE']];
    for (const g of groups) gRows.push([g.key, g.owner, held.has(g.key) ? 'held' : '-']);
    text += `\nresources: ${String(reply.rscstatus ?? 'none')}\n${table(gRows)}`;
  }
  for (const d of res?.directors ?? []) text += `\n${formatDirectorStatus(d)}`;
  return text;
}

/** Splits cl_status-style flags (-v, -m, -n, -p) from positional arguments. */
function parseArgs(args: readonly string[]): { flags: Set<string>; positional: string[] } {
  const flags = new Set<string>();
  const positional: string[] = [];
  for (const a of args) {
    if (/^-[a-z]+$/.test(a)) for (const c of a.slice(1)) flags.add(c);
    else positional.push(a);
  }
  return { flags, positional };
}

export function formatStatus(reply: ControlReplyOk, query: readonly string[]): FormattedStatus {
  if (query.length === 0) return ok(overview(reply));
  const [cmd, ...rest] = query;
  const { flags, positional } = parseArgs(rest);
  const human = flags.has('m');
  const find = (name: string | undefined) => nodes(reply).find((n) => n.name === name?.toLowerCase());
  switch (cmd) {
    case 'hbstatus':
      return ok('Heartbeat is running on this machine.\n');
    case 'listnodes': {
      const onlyPing = flags.has('p') && !flags.has('n');
      const onlyNormal = flags.has('n') && !flags.has('p');
      const list = nodes(reply).filter(
        (n) => !(onlyPing && n.type !== 'ping') && !(onlyNormal && (n.type ?? 'normal') !== 'normal'),
      );
      if (flags.has('v')) {
        const lines = list.map(
          (n) => `\n${n.name}\t${n.status ?? 'dead'}\t(nodetype: ${n.type ?? 'normal'})\n${(n.links ?? []).map((l) => `\t${l.name}\t${l.status}\n`).join('')}`,
        );
        return ok(`${human ? 'The nodes are as follow:\n' : ''}${lines.join('')}`);
      }
      return ok(`${human ? 'The nodes are as follow:\n' : ''}${list.map((n) => `${n.name}\n`).join('')}`);
    }
    case 'nodestatus': {
      if (positional.length < 1) return paramError('Not enough parameters.');
      const n = find(positional[0]);
      if (!n) return paramError('Error. May be due to incorrect node name');
      const st = n.status ?? 'dead';
      const live = st === 'active' || st === 'up' || st === 'ping';
      return { text: human ? `The cluster node ${positional[0]} is ${st}\n` : `${st}\n`, exitCode: live ? CL_OK : CL_NORMAL_FAIL };
    }
    case 'nodetype': {
      if (positional.length < 1) return paramError('No enough parameter.');
      const n = find(positional[0]);
      if (!n) return paramError('Error. May be due to incorrect node name');
      const type = n.type ?? 'normal';
      return ok(human ? `The node ${positional[0]}'s type: ${type}\n` : `${type}\n`);
    }
    case 'listhblinks': {
      if (positional.length < 1) return paramError('No enough parameter.');
      const n = find(positional[0]);
      if (!n) return { text: '', error: 'Cannot start heartbeat link interface walk.', exitCode: 13 };
      const lines = (n.links ?? []).map((l) => (flags.has('v') ? `\t${l.name}\t${l.status}\n` : `\t${l.name}\n`));
      return ok(`${human ? '\tthis node has the following heartbeat links:\n' : ''}${lines.join('')}`);
    }
    case 'hblinkstatus': {
      if (positional.length < 2) return paramError('No enough parameter.');
      const n = find(positional[0]);
      const link = n?.links?.find((l) => l.name === positional[1]);
      if (!n || !link) return { text: '', error: 'Cannot get heartbeat link status', exitCode: 13 };
      return {
        text: human ? `The node ${positional[0]}'s heartbeat link ${positional[1]} is ${link.status}\n` : `${link.status}\n`,
        exitCode: link.status === 'up' ? CL_OK : CL_NORMAL_FAIL,
      };
    }
    case 'rscstatus': {
      const held = typeof reply.rscstatus === 'string' ? reply.rscstatus : 'none';
      return ok(human ? `This node is holding ${held} resources.\n` : `${held}\n`);
    }
    case 'hbparameter': {
      const name = positional[0];
      const params = (reply.parameters as Record<string, string> | undefined) ?? {};
      if (!name || !flags.has('p')) return paramError('No enough parameter.');
      const value = params[name];
      if (value === undefined) return { text: '', error: `Cannot get parameter ${name}`, exitCode: 13 };
      return ok(human ? `Heartbeat parameter ${name}'s value: ${value}\n` : `${value}\n`);
    }
    default:
      return paramError(`hbd status: unknown query '${cmd ?? ''}' (hbstatus, listnodes, nodestatus, nodetype, listhblinks, hblinkstatus, rscstatus, hbparameter)`);
  }
}
