// Human-readable `hbd status` output.

import type { ControlReplyOk } from '../control/protocol';

export interface FormattedStatus {
  readonly text: string;
  readonly error?: string;
  readonly exitCode: number;
}

interface NodeRow {
  name: string;
  type?: string;
  state?: string;
  self?: boolean;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

export function formatStatus(reply: ControlReplyOk, query: readonly string[]): FormattedStatus {
  if (query.length > 0) {
    return { text: '', error: `hbd status: unknown query '${query.join(' ')}'`, exitCode: 1 };
  }
  const nodes = (reply.nodes as NodeRow[] | undefined) ?? [];
  const lines = [`node ${String(reply.node)} (pid ${String(reply.pid)}, hbd ${String(reply.version)}, generation ${String(reply.generation)})`, ''];
  const rows: string[][] = [['NODE', 'TYPE', 'STATE']];
  for (const n of nodes) rows.push([n.self ? `${n.name} (this node)` : n.name, n.type ?? 'normal', n.state ?? '-']);
  return { text: `${lines.join('\n')}${table(rows)}`, exitCode: 0 };
}
