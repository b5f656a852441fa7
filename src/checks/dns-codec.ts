// DNS messages (RFC 1035 §4), just what the dns check needs: a one-question
// query, and a response's header and answer records. Pure, no I/O.

import * as net from 'node:net';

export const TYPE_A = 1;
export const TYPE_CNAME = 5;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export class DnsFormatError extends Error {}

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  /** A/AAAA: the address; PTR/CNAME: the name; others: hex of the rdata. */
  readonly data: string;
}

export interface DnsResponse {
  readonly id: number;
  readonly isResponse: boolean;
  readonly truncated: boolean;
  readonly rcode: number;
  readonly answers: readonly DnsRecord[];
}

export function rcodeName(rcode: number): string {
  return RCODES[rcode] ?? `RCODE ${rcode}`;
}

/** A standard query with recursion desired, as resolvers (Net::DNS) send. */
export function encodeQuery(id: number, name: string, qtype: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // QDCOUNT
  parts.push(header);
  for (const label of labels) {
    const bytes = Buffer.from(label, 'utf8');
    if (bytes.length > 63) throw new DnsFormatError(`label too long: ${label}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  const tail = Buffer.alloc(5);
  tail.writeUInt8(0, 0);
  tail.writeUInt16BE(qtype, 1);
  tail.writeUInt16BE(1, 3); // IN
  parts.push(tail);
  return Buffer.concat(parts);
}

export function decodeResponse(msg: Buffer): DnsResponse {
  if (msg.length < 12) throw new DnsFormatError('message shorter than a header');
  const flags = msg.readUInt16BE(2);
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qdcount; i++) {
    off = readName(msg, off).next + 4;
  }
  const answers: DnsRecord[] = [];
  for (let i = 0; i < ancount; i++) {
    const owner = readName(msg, off);
    off = owner.next;
    need(msg, off, 10);
    const type = msg.readUInt16BE(off);
    const rdlength = msg.readUInt16BE(off + 8);
    const rdata = off + 10;
    need(msg, rdata, rdlength);
    answers.push({ name: owner.name, type, data: rdataText(msg, type, rdata, rdlength) });
    off = rdata + rdlength;
  }
  return { id: msg.readUInt16BE(0), isResponse: (flags & 0x8000) !== 0, truncated: (flags & 0x0200) !== 0, rcode: flags & 0x000f, answers };
}

/** The name to query for a PTR lookup of an address ("4.3.2.1.in-addr.arpa"). */
export function reverseName(address: string): string {
  if (net.isIP(address) === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  const blocks = expandIpv6(address);
  return `${blocks.join('').split('').reverse().join('.')}.ip6.arpa`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((b) => b.padStart(4, '0'));
}

function rdataText(msg: Buffer, type: number, off: number, len: number): string {
  if (type === TYPE_A && len === 4) return `${msg[off]}.${msg[off + 1]}.${msg[off + 2]}.${msg[off + 3]}`;
  if (type === TYPE_AAAA && len === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(msg.readUInt16BE(off + i).toString(16));
    return groups.join(':');
  }
  if (type === TYPE_PTR || type === TYPE_CNAME) return readName(msg, off).name;
  return msg.subarray(off, off + len).toString('hex');
}

/** A possibly compressed name at `off`; `next` is the offset after it in place. */
function readName(msg: Buffer, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  for (let jumps = 0; ; ) {
    need(msg, off, 1);
    const len = msg[off] ?? 0;
    if (len === 0) {
      if (next < 0) next = off + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      need(msg, off, 2);
      if (next < 0) next = off + 2;
      if (++jumps > 64) throw new DnsFormatError('compression loop');
      off = msg.readUInt16BE(off) & 0x3fff;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError('bad label type');
    need(msg, off + 1, len);
    labels.push(msg.toString('utf8', off + 1, off + 1 + len));
    off += 1 + len;
  }
  return { name: labels.join('.'), next };
}

function need(msg: Buffer, off: number, len: number): void {
  if (off + len > msg.length) throw new DnsFormatError('message truncated');
}
