// Replies of the "three-digit code" protocols (SMTP, FTP, NNTP): one line
// "250 text", or several, "250-first" … "250 last" (RFC 5321 §4.2, RFC 959 §4.2).

import { CheckFailure } from './attempt';
import type { StreamConn } from './stream-conn';

export interface CodedReply {
  readonly code: number;
  /** The reply's lines, as received. */
  readonly text: string;
}

export async function readCodedReply(conn: StreamConn, phase: string): Promise<CodedReply> {
  const first = await conn.readLine(phase);
  const m = /^(\d{3})([ -]?)/.exec(first);
  if (!m) throw new CheckFailure(`unexpected reply "${clip(first)}" (${phase})`);
  const code = m[1] ?? '';
  const lines = [first];
  if (m[2] === '-') {
    for (;;) {
      const line = await conn.readLine(phase);
      lines.push(line);
      if (line.startsWith(`${code} `) || line === code) break;
    }
  }
  return { code: Number(code), text: lines.join('\n') };
}

/** Sends a command and reads its reply. */
export async function command(conn: StreamConn, line: string, phase: string): Promise<CodedReply> {
  conn.write(`${line}\r\n`);
  return readCodedReply(conn, phase);
}

/** Fails unless the reply's code is one of `accepted`; `what` names the step ("SMTP banner"). */
export function expectCode(reply: CodedReply, accepted: readonly number[], what: string): void {
  if (!accepted.includes(reply.code)) throw new CheckFailure(`${what}: ${clip(firstLine(reply.text))}`);
}

export function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(0, nl);
}

/** Shortens server text for a log line. */
export function clip(text: string, max = 80): string {
  const flat = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
