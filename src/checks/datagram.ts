// A UDP request/response under the attempt's deadline: the request is sent
// again at even intervals (UDP may drop it), replies that are not ours are
// ignored, and an ICMP port unreachable on the connected socket ends the
// attempt at once.

import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { type Attempt, CheckFailure } from './attempt';
import { errorCode } from '../errors';
import { socketFailure } from './socket-errors';

export interface DatagramExchange<T> {
  readonly host: string;
  readonly port: number;
  /** The request, or a builder given our local address (SIP's Via names it). */
  readonly payload: Buffer | ((local: { address: string; port: number }) => Buffer);
  /** How many times the request is sent, spread over the deadline. */
  readonly sends: number;
  /** The reply's meaning, or undefined to keep waiting (not ours); may throw CheckFailure. */
  readonly accept: (reply: Buffer) => T | undefined;
  readonly phase: string;
}

export function exchangeDatagram<T>(attempt: Attempt, ex: DatagramExchange<T>): Promise<T> {
  attempt.throwIfOver();
  attempt.phase = ex.phase;
  const socket = dgram.createSocket(net.isIP(ex.host) === 6 ? 'udp6' : 'udp4');
  let closed = false;
  attempt.defer(() => {
    if (!closed) socket.close();
    closed = true;
  });
  return attempt.race(
    new Promise<T>((resolve, reject) => {
      socket.on('error', (e) => {
        reject(errorCode(e) === 'ECONNREFUSED' ? new CheckFailure('port unreachable') : socketFailure(e, attempt.phase));
      });
      socket.on('message', (msg) => {
        try {
          const value = ex.accept(msg);
          if (value !== undefined) resolve(value);
        } catch (e) {
          reject(e);
        }
      });
      let payload: Buffer | undefined;
      const send = (): void => {
        if (!closed && payload) socket.send(payload, (e) => { if (e) reject(socketFailure(e, attempt.phase)); });
      };
      socket.connect(ex.port, ex.host, () => {
        if (closed) return;
        payload = typeof ex.payload === 'function' ? ex.payload(socket.address()) : ex.payload;
        send();
        if (closed || ex.sends <= 1) return;
        const every = Math.max(50, Math.floor(attempt.timeoutMs / Math.max(1, ex.sends)));
        let sent = 1;
        const timer = setInterval(() => {
          if (++sent >= ex.sends) clearInterval(timer);
          send();
        }, every);
        attempt.defer(() => clearInterval(timer));
      });
    }),
  );
}
