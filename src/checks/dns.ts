// dns: ask the real server for `request` (an A query, or PTR when request
// is an address, as Net::DNS's search does) over UDP, or TCP when the
// virtual service is TCP (ldirectord's usevc). `receive` must match one of
// the A addresses or PTR names. ldirectord fails an empty receive; here it
// means "any answer of that type".

import { randomInt } from 'node:crypto';
import * as net from 'node:net';
import { type Attempt, CheckFailure } from './attempt';
import { exchangeDatagram } from './datagram';
import { decodeResponse, DnsFormatError, type DnsResponse, encodeQuery, rcodeName, reverseName, TYPE_A, TYPE_PTR } from './dns-codec';
import { compileReceive, mismatch } from './receive';
import { requestText, type ServiceCheck } from './service-check';
import { openStream } from './stream-conn';
import type { CheckTarget } from './types';

export const checkDns: ServiceCheck = async (attempt, spec, target) => {
  const pattern = compileReceive(spec.receive);
  const name = requestText(spec);
  if (name === '') throw new CheckFailure('dns check needs request (a name to resolve)');
  const ptr = net.isIP(name) !== 0;
  const qtype = ptr ? TYPE_PTR : TYPE_A;
  const id = randomInt(0, 0x10000);
  const query = encodeQuery(id, ptr ? reverseName(name) : name, qtype);

  let response = spec.protocol === 'tcp' ? await queryTcp(attempt, target, query, id) : await queryUdp(attempt, target, query, id);
  if (response.truncated && response.answers.length === 0) response = await queryTcp(attempt, target, query, id);
  if (response.rcode !== 0) throw new CheckFailure(`DNS ${rcodeName(response.rcode)} for ${name}`);

  const found = response.answers.filter((a) => a.type === qtype).map((a) => a.data);
  const kind = ptr ? 'PTR' : 'A';
  if (found.length === 0) throw new CheckFailure(`DNS answer for ${name} has no ${kind} record`);
  if (pattern.any) return `DNS ${name}: ${found.join(', ')}`;
  const hit = found.find((value) => pattern.test(value));
  if (hit === undefined) throw mismatch(pattern, `any ${kind} answer (${found.join(', ')})`);
  return `DNS ${name}: ${hit}`;
};

function ours(msg: Buffer, id: number): DnsResponse | undefined {
  try {
    const response = decodeResponse(msg);
    return response.isResponse && response.id === id ? response : undefined;
  } catch (e) {
    if (e instanceof DnsFormatError) return undefined; // garbage: keep waiting for our reply
    throw e;
  }
}

function queryUdp(attempt: Attempt, target: CheckTarget, query: Buffer, id: number): Promise<DnsResponse> {
  return exchangeDatagram(attempt, {
    host: target.address,
    port: target.port,
    payload: query,
    sends: 3,
    phase: 'waiting for DNS reply',
    accept: (msg) => ours(msg, id),
  });
}

/** DNS over TCP: each message is preceded by its 2-byte length (RFC 1035 §4.2.2). */
async function queryTcp(attempt: Attempt, target: CheckTarget, query: Buffer, id: number): Promise<DnsResponse> {
  const conn = await openStream(attempt, { host: target.address, port: target.port });
  const framed = Buffer.alloc(2 + query.length);
  framed.writeUInt16BE(query.length, 0);
  query.copy(framed, 2);
  conn.write(framed);
  const length = (await conn.readExactly(2, 'waiting for DNS reply')).readUInt16BE(0);
  const response = ours(await conn.readExactly(length, 'reading DNS reply'), id);
  conn.close();
  if (!response) throw new CheckFailure('DNS reply over TCP is malformed or not ours');
  return response;
}
