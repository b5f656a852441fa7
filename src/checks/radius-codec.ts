// RADIUS packets (RFC 2865) for the radius check: an Access-Request with
// User-Name, hidden User-Password and a Message-Authenticator (RFC 3579;
// servers hardened against BlastRADIUS require it), and the checks a reply
// must pass. Pure, no I/O.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ACCESS_REQUEST = 1;
export const ACCESS_ACCEPT = 2;
export const ACCESS_REJECT = 3;
export const ACCESS_CHALLENGE = 11;

const ATTR_USER_NAME = 1;
const ATTR_USER_PASSWORD = 2;
const ATTR_NAS_IDENTIFIER = 32;
const ATTR_MESSAGE_AUTHENTICATOR = 80;
const HEADER = 20;

export class RadiusFormatError extends Error {}

export interface AccessRequest {
  readonly id: number;
  /** 16 random bytes: the Request Authenticator. */
  readonly authenticator: Buffer;
  readonly secret: string;
  readonly user: string;
  readonly password: string;
  readonly nasIdentifier: string;
}

export function codeName(code: number): string {
  const names: Record<number, string> = { 1: 'Access-Request', 2: 'Access-Accept', 3: 'Access-Reject', 11: 'Access-Challenge' };
  return names[code] ?? `code ${code}`;
}

export function encodeAccessRequest(req: AccessRequest): Buffer {
  const attrs = Buffer.concat([
    attribute(ATTR_MESSAGE_AUTHENTICATOR, Buffer.alloc(16)),
    attribute(ATTR_USER_NAME, Buffer.from(req.user, 'utf8')),
    attribute(ATTR_USER_PASSWORD, hidePassword(req.password, req.secret, req.authenticator)),
    attribute(ATTR_NAS_IDENTIFIER, Buffer.from(req.nasIdentifier, 'utf8')),
  ]);
  const packet = Buffer.concat([header(ACCESS_REQUEST, req.id, HEADER + attrs.length), req.authenticator, attrs]);
  // Message-Authenticator: HMAC-MD5 over the packet with itself zeroed; it is the first attribute.
  hmac(req.secret, packet).copy(packet, HEADER + 2);
  return packet;
}

export interface RadiusReply {
  readonly code: number;
  readonly id: number;
  /** The Response Authenticator proves the server knows the secret. */
  readonly authentic: boolean;
  /** A Message-Authenticator, if the reply has one, is right. */
  readonly messageAuthenticatorOk: boolean;
}

/** Decodes a reply to the request whose authenticator is given. */
export function decodeReply(msg: Buffer, requestAuthenticator: Buffer, secret: string): RadiusReply {
  if (msg.length < HEADER) throw new RadiusFormatError('shorter than a header');
  const length = msg.readUInt16BE(2);
  if (length < HEADER || length > msg.length) throw new RadiusFormatError('bad length');
  const packet = msg.subarray(0, length);
  const withRequestAuth = Buffer.from(packet);
  requestAuthenticator.copy(withRequestAuth, 4);
  const expected = createHash('md5').update(withRequestAuth).update(secret, 'utf8').digest();
  const authentic = timingSafeEqual(expected, packet.subarray(4, HEADER));

  let messageAuthenticatorOk = true;
  const ma = findAttribute(packet, ATTR_MESSAGE_AUTHENTICATOR);
  if (ma !== undefined) {
    const zeroed = Buffer.from(withRequestAuth);
    zeroed.fill(0, ma, ma + 16);
    messageAuthenticatorOk = ma + 16 <= packet.length && timingSafeEqual(hmac(secret, zeroed), packet.subarray(ma, ma + 16));
  }
  return { code: packet[0] ?? 0, id: packet[1] ?? 0, authentic, messageAuthenticatorOk };
}

/** A reply as a server builds it (for test responders). */
export function encodeReply(code: number, id: number, requestAuthenticator: Buffer, secret: string): Buffer {
  const packet = Buffer.concat([header(code, id, HEADER), requestAuthenticator]);
  const auth = createHash('md5').update(packet).update(secret, 'utf8').digest();
  auth.copy(packet, 4);
  return packet;
}

/** User-Password hiding (RFC 2865 §5.2); also reveals, as XOR is its own inverse. */
export function hidePassword(password: string, secret: string, authenticator: Buffer): Buffer {
  const plain = Buffer.from(password, 'utf8');
  const padded = Buffer.alloc(Math.min(128, Math.max(16, Math.ceil(plain.length / 16) * 16)));
  plain.copy(padded, 0, 0, padded.length);
  const out = Buffer.alloc(padded.length);
  let prev = authenticator;
  for (let i = 0; i < padded.length; i += 16) {
    const b = createHash('md5').update(secret, 'utf8').update(prev).digest();
    for (let j = 0; j < 16; j++) out[i + j] = (padded[i + j] ?? 0) ^ (b[j] ?? 0);
    prev = out.subarray(i, i + 16);
  }
  return out;
}

/** User-Password as a server recovers it (for test responders). */
export function revealPassword(hidden: Buffer, secret: string, authenticator: Buffer): string {
  const out = Buffer.alloc(hidden.length);
  let prev = authenticator;
  for (let i = 0; i < hidden.length; i += 16) {
    const b = createHash('md5').update(secret, 'utf8').update(prev).digest();
    for (let j = 0; j < 16; j++) out[i + j] = (hidden[i + j] ?? 0) ^ (b[j] ?? 0);
    prev = hidden.subarray(i, i + 16);
  }
  return out.toString('utf8').replace(/\0+$/, '');
}

/** The attributes of a packet, by type (for test responders). */
export function attributes(packet: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = HEADER; off + 2 <= packet.length; ) {
    const len = packet[off + 1] ?? 0;
    if (len < 2 || off + len > packet.length) throw new RadiusFormatError('bad attribute length');
    out.set(packet[off] ?? 0, packet.subarray(off + 2, off + len));
    off += len;
  }
  return out;
}

function findAttribute(packet: Buffer, type: number): number | undefined {
  for (let off = HEADER; off + 2 <= packet.length; ) {
    const len = packet[off + 1] ?? 0;
    if (len < 2) return undefined;
    if (packet[off] === type) return off + 2;
    off += len;
  }
  return undefined;
}

function attribute(type: number, value: Buffer): Buffer {
  if (value.length > 253) throw new RadiusFormatError(`attribute ${type} too long`);
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

function header(code: number, id: number, length: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt8(code, 0);
  h.writeUInt8(id & 0xff, 1);
  h.writeUInt16BE(length, 2);
  return h;
}

function hmac(secret: string, data: Buffer): Buffer {
  return createHmac('md5', secret).update(data).digest();
}
