// smtp / submission: banner 220, EHLO (HELO if EHLO is refused), QUIT —
// what ldirectord's Net::SMTP->new plus quit does.

import { command, expectCode, readCodedReply } from './coded-reply';
import { localName, streamTarget, type ServiceCheck } from './service-check';
import { openStream } from './stream-conn';

export const checkSmtp: ServiceCheck = async (attempt, spec, target) => {
  const conn = await openStream(attempt, streamTarget(spec, target, false));
  expectCode(await readCodedReply(conn, 'waiting for banner'), [220], 'SMTP banner');
  const name = localName();
  const ehlo = await command(conn, `EHLO ${name}`, 'waiting for EHLO reply');
  if (ehlo.code !== 250) {
    expectCode(await command(conn, `HELO ${name}`, 'waiting for HELO reply'), [250], 'SMTP HELO refused');
  }
  await conn.goodbye('QUIT\r\n');
  return ehlo.code === 250 ? 'SMTP 220, EHLO 250' : 'SMTP 220, HELO 250';
};
