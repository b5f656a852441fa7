// pop / pops: greeting +OK; with a login, USER and PASS must both be +OK
// (ldirectord's Mail::POP3Client login); then QUIT. pops is TLS from the start.

import { CheckFailure } from './attempt';
import { clip } from './coded-reply';
import { streamTarget, type ServiceCheck } from './service-check';
import { openStream, type StreamConn } from './stream-conn';

async function expectOk(conn: StreamConn, phase: string, what: string): Promise<void> {
  const line = await conn.readLine(phase);
  if (!line.startsWith('+OK')) throw new CheckFailure(`${what}: ${clip(line)}`);
}

export function popCheck(useTls: boolean): ServiceCheck {
  return async (attempt, spec, target) => {
    const conn = await openStream(attempt, streamTarget(spec, target, useTls));
    await expectOk(conn, 'waiting for greeting', 'POP greeting');
    const login = spec.login ?? '';
    if (login !== '') {
      conn.write(`USER ${login}\r\n`);
      await expectOk(conn, 'waiting for USER reply', 'POP USER refused');
      conn.write(`PASS ${spec.password ?? ''}\r\n`);
      await expectOk(conn, 'waiting for PASS reply', 'POP login failed');
    }
    await conn.goodbye('QUIT\r\n');
    return login !== '' ? 'POP greeting +OK, login +OK' : 'POP greeting +OK';
  };
}
