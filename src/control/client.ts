// CLI side of the control protocol.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { HbdError } from '../errors';
import { type ControlReply, type ControlRequest, controlSocketPath } from './protocol';

function connect(stateDir: string): Promise<net.Socket> {
  const socketPath = controlSocketPath(stateDir);
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(socketPath)) {
      reject(new HbdError('CONTROL_NOT_RUNNING', `hbd is not running (no control socket at ${socketPath})`));
      return;
    }
    const sock = net.connect(socketPath);
    sock.once('connect', () => resolve(sock));
    sock.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ECONNREFUSED' ? 'stale control socket' : e.message;
      reject(new HbdError('CONTROL_NOT_RUNNING', `hbd is not running (${why}: ${socketPath})`, { cause: e }));
    });
  });
}

/** One request, one reply. */
export async function request(stateDir: string, req: ControlRequest, timeoutMs = 5000): Promise<ControlReply> {
  const sock = await connect(stateDir);
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new HbdError('CONTROL_TIMEOUT', `no reply from hbd within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.destroy();
      try {
        resolve(JSON.parse(buffer.slice(0, nl)) as ControlReply);
      } catch (e) {
        reject(new HbdError('CONTROL_PROTOCOL', 'malformed reply from hbd', { cause: e }));
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.write(`${JSON.stringify(req)}\n`);
  });
}

/** Streams events until the daemon goes away or the returned stop() is called. */
export async function follow(
  stateDir: string,
  onEvent: (event: Record<string, unknown>) => void,
): Promise<{ done: Promise<void>; stop: () => void }> {
  const sock = await connect(stateDir);
  let buffer = '';
  let first = true;
  const done = new Promise<void>((resolve) => {
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
  sock.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (first) {
        first = false; // the {"ok":true,"following":true} acknowledgement
        continue;
      }
      try {
        onEvent(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* ignore a torn line */
      }
    }
  });
  sock.write(`${JSON.stringify({ cmd: 'follow' })}\n`);
  return { done, stop: () => sock.destroy() };
}
