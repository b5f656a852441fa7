// LDAPv3 messages (RFC 4511) in BER, just those the ldap check exchanges:
// simple Bind, base-scope Search for (objectClass=*), Unbind, and the
// replies' result codes and entry DNs. Pure, no I/O.

export class BerError extends Error {}

const TAG_SEQUENCE = 0x30;
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const TAG_ENUMERATED = 0x0a;
const TAG_BOOLEAN = 0x01;

export const OP_BIND_REQUEST = 0x60;
export const OP_BIND_RESPONSE = 0x61;
export const OP_UNBIND_REQUEST = 0x42;
export const OP_SEARCH_REQUEST = 0x63;
export const OP_SEARCH_ENTRY = 0x64;
export const OP_SEARCH_DONE = 0x65;
export const OP_SEARCH_REFERENCE = 0x73;
export const OP_EXTENDED_RESPONSE = 0x78;

const RESULT_NAMES: Readonly<Record<number, string>> = {
  0: 'success', 1: 'operationsError', 2: 'protocolError', 3: 'timeLimitExceeded', 4: 'sizeLimitExceeded',
  7: 'authMethodNotSupported', 8: 'strongerAuthRequired', 10: 'referral', 32: 'noSuchObject', 34: 'invalidDNSyntax',
  48: 'inappropriateAuthentication', 49: 'invalidCredentials', 50: 'insufficientAccessRights', 51: 'busy',
  52: 'unavailable', 53: 'unwillingToPerform', 80: 'other',
};

export function resultName(code: number): string {
  return `${code} (${RESULT_NAMES[code] ?? 'unknown'})`;
}

// ---- encoding

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else if (n < 0x100) len = Buffer.from([0x81, n]);
  else if (n < 0x10000) len = Buffer.from([0x82, n >> 8, n & 0xff]);
  else len = Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

function integer(tag: number, value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0); // keep it positive
  return tlv(tag, Buffer.from(bytes));
}

function octets(tag: number, text: string): Buffer {
  return tlv(tag, Buffer.from(text, 'utf8'));
}

function message(id: number, op: Buffer): Buffer {
  return tlv(TAG_SEQUENCE, Buffer.concat([integer(TAG_INTEGER, id), op]));
}

/** Simple bind; empty name and password = anonymous. */
export function encodeBind(id: number, name: string, password: string): Buffer {
  return message(id, tlv(OP_BIND_REQUEST, Buffer.concat([integer(TAG_INTEGER, 3), octets(TAG_OCTET_STRING, name), octets(0x80, password)])));
}

/** Base-scope search of `base` for (objectClass=*), asking for no attributes ("1.1"). */
export function encodeBaseSearch(id: number, base: string): Buffer {
  return message(
    id,
    tlv(
      OP_SEARCH_REQUEST,
      Buffer.concat([
        octets(TAG_OCTET_STRING, base),
        integer(TAG_ENUMERATED, 0), // scope: baseObject
        integer(TAG_ENUMERATED, 0), // derefAliases: never
        integer(TAG_INTEGER, 0), // sizeLimit
        integer(TAG_INTEGER, 0), // timeLimit
        tlv(TAG_BOOLEAN, Buffer.from([0])), // typesOnly
        octets(0x87, 'objectClass'), // present filter
        tlv(TAG_SEQUENCE, octets(TAG_OCTET_STRING, '1.1')),
      ]),
    ),
  );
}

export function encodeUnbind(id: number): Buffer {
  return message(id, Buffer.from([OP_UNBIND_REQUEST, 0]));
}

// ---- decoding

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** Total length of the BER element whose first bytes are given, or undefined if more are needed. */
export function elementLength(head: Buffer): number | undefined {
  if (head.length < 2) return undefined;
  const first = head[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new BerError('unsupported length form');
  if (head.length < 2 + n) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (head[2 + i] ?? 0);
  return 2 + n + len;
}

function readTlv(buf: Buffer, off: number, limit: number): Tlv {
  const total = elementLength(buf.subarray(off, limit));
  if (total === undefined || off + total > limit) throw new BerError('element truncated');
  const first = buf[off + 1] ?? 0;
  const headLen = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return { tag: buf[off] ?? 0, start: off + headLen, end: off + total };
}

function readInt(buf: Buffer, t: Tlv): number {
  let v = 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + (buf[i] ?? 0);
  return v;
}

export interface LdapMessage {
  readonly id: number;
  readonly op: number;
  /** Result operations: resultCode and diagnosticMessage. */
  readonly resultCode?: number;
  readonly diagnostic?: string;
  /** SearchResultEntry: the entry's DN. */
  readonly dn?: string;
}

export function decodeMessage(buf: Buffer): LdapMessage {
  const outer = readTlv(buf, 0, buf.length);
  if (outer.tag !== TAG_SEQUENCE) throw new BerError('not an LDAPMessage');
  const idTlv = readTlv(buf, outer.start, outer.end);
  if (idTlv.tag !== TAG_INTEGER) throw new BerError('no messageID');
  const opTlv = readTlv(buf, idTlv.end, outer.end);
  const id = readInt(buf, idTlv);
  const op = opTlv.tag;
  if (op === OP_SEARCH_ENTRY) {
    const dn = readTlv(buf, opTlv.start, opTlv.end);
    return { id, op, dn: buf.toString('utf8', dn.start, dn.end) };
  }
  if (op === OP_BIND_RESPONSE || op === OP_SEARCH_DONE || op === OP_EXTENDED_RESPONSE) {
    const code = readTlv(buf, opTlv.start, opTlv.end);
    const matched = readTlv(buf, code.end, opTlv.end);
    const diag = readTlv(buf, matched.end, opTlv.end);
    return { id, op, resultCode: readInt(buf, code), diagnostic: buf.toString('utf8', diag.start, diag.end) };
  }
  return { id, op };
}
