// simpletcp: send `request` ("\n" written as backslash-n becomes a newline),
// half-close, and read lines until one matches `receive`, as ldirectord
// (which matches each line; so do we, after the whole reply too, for
// patterns that span lines). An empty receive is satisfied by any reply.

import { CheckFailure } from './attempt';
import { compileReceive, mismatch } from './receive';
import { requestText, streamTarget, type ServiceCheck } from './service-check';
import { openStream } from './stream-conn';

export const checkSimpleTcp: ServiceCheck = async (attempt, spec, target) => {
  const pattern = compileReceive(spec.receive);
  const conn = await openStream(attempt, streamTarget(spec, target, false));
  conn.write(requestText(spec).replace(/\\n/g, '\n'));
  conn.endWrite();
  const lines: string[] = [];
  for (;;) {
    const line = await conn.readLineOrEnd('waiting for reply');
    if (line === null) break;
    if (pattern.test(line)) {
      conn.close();
      return pattern.any ? 'reply received' : `receive /${pattern.source}/ matched`;
    }
    lines.push(line);
  }
  if (lines.length > 1 && pattern.test(lines.join('\n'))) return `receive /${pattern.source}/ matched`;
  if (lines.length === 0) throw new CheckFailure('connection closed by server without a reply');
  throw mismatch(pattern);
};
