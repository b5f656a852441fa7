// imap / imaps: greeting "* OK" (or PREAUTH); with a login, LOGIN must be
// OK (ldirectord's Net::IMAP::Simple login); then LOGOUT.

import { CheckFailure } from './attempt';
import { clip } from './coded-reply';
import { streamTarget, type ServiceCheck } from './service-check';
import { openStream, type StreamConn } from './stream-conn';

/** An IMAP quoted string (RFC 3501 §4.3). */
function quoted(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Reads until the tagged reply for `tag`, skipping untagged lines. */
async function tagged(conn: StreamConn, tag: string, phase: string): Promise<string> {
  for (;;) {
    const line = await conn.readLine(phase);
    if (line.startsWith(`${tag} `)) return line.slice(tag.length + 1);
  }
}

export function imapCheck(useTls: boolean): ServiceCheck {
  return async (attempt, spec, target) => {
    const conn = await openStream(attempt, streamTarget(spec, target, useTls));
    const greeting = await conn.readLine('waiting for greeting');
    if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) throw new CheckFailure(`IMAP greeting: ${clip(greeting)}`);
    const login = spec.login ?? '';
    if (login !== '') {
      conn.write(`a1 LOGIN ${quoted(login)} ${quoted(spec.password ?? '')}\r\n`);
      const reply = await tagged(conn, 'a1', 'waiting for LOGIN reply');
      if (!/^OK\b/i.test(reply)) throw new CheckFailure(`IMAP login failed: ${clip(reply)}`);
    }
    await conn.goodbye('a2 LOGOUT\r\n');
    return login !== '' ? 'IMAP greeting OK, login OK' : 'IMAP greeting OK';
  };
}
