// ldap / ldaps, as ldirectord's check_ldap: bind (simple with login and
// passwd when both are set, else anonymous), search the base `request`
// with scope base for (objectClass=*); exactly one entry must come back and
// `receive` must match its DN. The default request "/" searches the root DSE.

import { CheckFailure } from './attempt';
import { BerError, decodeMessage, elementLength, encodeBaseSearch, encodeBind, encodeUnbind, type LdapMessage, OP_BIND_RESPONSE, OP_EXTENDED_RESPONSE, OP_SEARCH_DONE, OP_SEARCH_ENTRY, resultName } from './ldap-codec';
import { compileReceive, mismatch } from './receive';
import { requestText, streamTarget, type ServiceCheck } from './service-check';
import { MAX_REPLY_BYTES, openStream, type StreamConn } from './stream-conn';

export function ldapCheck(useTls: boolean): ServiceCheck {
  return async (attempt, spec, target) => {
    const pattern = compileReceive(spec.receive);
    const base = requestText(spec);
    const conn = await openStream(attempt, streamTarget(spec, target, useTls));

    const simple = Boolean(spec.login && spec.password);
    conn.write(encodeBind(1, simple ? spec.login ?? '' : '', simple ? spec.password ?? '' : ''));
    const bind = await readReply(conn, 1, 'waiting for bind reply');
    if (bind.op !== OP_BIND_RESPONSE) throw new CheckFailure('LDAP server answered the bind with something else');
    if (bind.resultCode !== 0) throw new CheckFailure(`LDAP bind failed: ${resultName(bind.resultCode ?? -1)}${detail(bind)}`);

    conn.write(encodeBaseSearch(2, base));
    const dns: string[] = [];
    for (;;) {
      const reply = await readReply(conn, 2, 'waiting for search reply');
      if (reply.op === OP_SEARCH_ENTRY) dns.push(reply.dn ?? '');
      if (reply.op !== OP_SEARCH_DONE) continue; // entries and references
      if (reply.resultCode !== 0) throw new CheckFailure(`LDAP search of "${base}" failed: ${resultName(reply.resultCode ?? -1)}${detail(reply)}`);
      break;
    }
    await conn.goodbye(encodeUnbind(3));
    const dn = dns[0];
    if (dns.length !== 1 || dn === undefined) throw new CheckFailure(`LDAP search of "${base}" returned ${dns.length} entries, not 1`);
    if (!pattern.test(dn)) throw mismatch(pattern, `the DN "${dn}"`);
    return `LDAP ${simple ? 'simple' : 'anonymous'} bind, entry "${dn}"`;
  };
}

/** The next message for `id`; a notice of disconnection (id 0) fails the check. */
async function readReply(conn: StreamConn, id: number, phase: string): Promise<LdapMessage> {
  for (;;) {
    const msg = await readMessage(conn, phase);
    if (msg.id === id) return msg;
    if (msg.id === 0 && msg.op === OP_EXTENDED_RESPONSE) {
      throw new CheckFailure(`LDAP server disconnected: ${resultName(msg.resultCode ?? -1)}${detail(msg)}`);
    }
  }
}

async function readMessage(conn: StreamConn, phase: string): Promise<LdapMessage> {
  try {
    let head = await conn.readExactly(2, phase);
    let total = elementLength(head);
    if (total === undefined) {
      head = Buffer.concat([head, await conn.readExactly((head[1] ?? 0) & 0x7f, phase)]);
      total = elementLength(head);
    }
    if (total === undefined || total > MAX_REPLY_BYTES) throw new CheckFailure(`LDAP reply too long (${phase})`);
    return decodeMessage(Buffer.concat([head, await conn.readExactly(total - head.length, phase)]));
  } catch (e) {
    if (e instanceof BerError) throw new CheckFailure(`malformed LDAP reply: ${e.message}`);
    throw e;
  }
}

function detail(msg: LdapMessage): string {
  return msg.diagnostic ? `: ${msg.diagnostic}` : '';
}
