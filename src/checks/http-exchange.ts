// One HTTP/1.1 request and its response over a socket the caller connected
// (so connect and TLS fall under the attempt's deadline and phases). Node's
// parser does the framing; we only bound the body we keep.

import * as http from 'node:http';
import type * as net from 'node:net';
import { type Attempt, CheckFailure } from './attempt';
import { socketFailure } from './socket-errors';
import { MAX_REPLY_BYTES } from './stream-conn';

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD';
  /** Origin form "/path" or, through a proxy, the absolute URI. */
  readonly target: string;
  readonly host: string;
}

export interface HttpReply {
  readonly status: number;
  readonly location: string | undefined;
  /** "HTTP/1.1 200 OK" and the header lines, CRLF-separated, as received. */
  readonly head: string;
  readonly body: string;
  /** False when the body was longer than we keep. */
  readonly complete: boolean;
}

export function httpExchange(attempt: Attempt, socket: net.Socket, request: HttpRequest): Promise<HttpReply> {
  attempt.phase = 'sending request';
  return attempt.race(
    new Promise<HttpReply>((resolve, reject) => {
      const req = http.request({
        method: request.method,
        path: request.target,
        setHost: false,
        headers: { Host: request.host, 'User-Agent': 'hbd-healthcheck', Accept: '*/*', Connection: 'close' },
        createConnection: () => socket,
      });
      attempt.defer(() => { req.destroy(); });
      const fail = (e: unknown): void => reject(httpFailure(e, attempt.phase));
      req.on('error', fail);
      req.on('finish', () => { attempt.phase = 'waiting for status line'; });
      req.on('response', (res) => {
        attempt.phase = 'reading body';
        const head = [`HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trimEnd()];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) head.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = (complete: boolean): void =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            head: `${head.join('\r\n')}\r\n`,
            body: Buffer.concat(chunks).toString('utf8'),
            complete,
          });
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk.subarray(0, MAX_REPLY_BYTES - kept));
          kept += chunk.length;
          // A body longer than we keep: judge on its start, stop reading.
          if (kept >= MAX_REPLY_BYTES) {
            done(false);
            req.destroy();
          }
        });
        res.on('end', () => done(true));
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) reject(new CheckFailure(`connection closed by server (${attempt.phase})`));
        });
      });
      req.end();
    }),
  );
}

function httpFailure(e: unknown, phase: string): CheckFailure {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('HPE_')) return new CheckFailure(`invalid HTTP response: ${e.message} (${phase})`);
    if (e.message === 'socket hang up') return new CheckFailure(`connection closed by server (${phase})`);
  }
  return socketFailure(e, phase);
}
