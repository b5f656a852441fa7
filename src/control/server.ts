// Serves the control protocol on a unix socket. Handlers are supplied by the
// daemon; this file only does framing, validation and connection hygiene.

import * as fs from 'node:fs';
import * as net from 'node:net';
import { errorCode } from '../errors';
import { type ControlReply, type ControlRequest, parseRequest } from './protocol';

export interface ControlHandlers {
  handle(req: Exclude<ControlRequest, { cmd: 'follow' }>): Promise<ControlReply> | ControlReply;
  /** Subscribe to the ordered event stream; returns an unsubscribe function. */
  follow(send: (event: Record<string, unknown>) => void): () => void;
}

const MAX_REQUEST_BYTES = 64 * 1024;

export class ControlServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly socketPath: string,
    private readonly handlers: ControlHandlers,
  ) {}

  async listen(): Promise<void> {
    // A stale socket from a crashed daemon blocks bind; a live one means
    // another daemon owns this state dir.
    if (fs.existsSync(this.socketPath)) {
      if (await isSocketAlive(this.socketPath)) {
        const e = new Error(`another hbd is running with control socket ${this.socketPath}`);
        (e as Error & { code: string }).code = 'ALREADY_RUNNING';
        throw e;
      }
      fs.rmSync(this.socketPath, { force: true });
    }
    const server = net.createServer((sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(this.socketPath, 0o660);
  }

  private accept(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buffer = '';
    let unsubscribe: (() => void) | null = null;
    sock.on('close', () => unsubscribe?.());
    sock.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.length > MAX_REQUEST_BYTES) {
        sock.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        let req: ControlRequest | null = null;
        try {
          req = parseRequest(JSON.parse(line));
        } catch {
          req = null;
        }
        if (!req) {
          write(sock, { ok: false, code: 'CONTROL_PROTOCOL', message: 'malformed request' });
          continue;
        }
        if (req.cmd === 'follow') {
          unsubscribe?.();
          write(sock, { ok: true, following: true });
          unsubscribe = this.handlers.follow((event) => write(sock, event));
          continue;
        }
        void Promise.resolve()
          .then(() => this.handlers.handle(req as Exclude<ControlRequest, { cmd: 'follow' }>))
          .then(
            (reply) => write(sock, reply),
            (e: unknown) =>
              write(sock, { ok: false, code: errorCode(e) ?? 'INTERNAL', message: (e as Error).message ?? String(e) }),
          );
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }
}

function write(sock: net.Socket, value: unknown): void {
  if (!sock.destroyed) sock.write(`${JSON.stringify(value)}\n`);
}

export function isSocketAlive(socketPath: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(socketPath);
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(false);
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
