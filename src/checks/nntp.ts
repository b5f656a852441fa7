// nntp: the greeting must be 200 or 201 (posting allowed or not, RFC 3977
// §5.1.1); ldirectord reads it and accepts any 2xx. Then QUIT.

import { expectCode, readCodedReply } from './coded-reply';
import { streamTarget, type ServiceCheck } from './service-check';
import { openStream } from './stream-conn';

export const checkNntp: ServiceCheck = async (attempt, spec, target) => {
  const conn = await openStream(attempt, streamTarget(spec, target, false));
  const greeting = await readCodedReply(conn, 'waiting for greeting');
  expectCode(greeting, [200, 201], 'NNTP greeting');
  await conn.goodbye('QUIT\r\n');
  return `NNTP ${greeting.code}`;
};
