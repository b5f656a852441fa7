// TCP (optionally TLS) connections for checks: connect under the attempt's
// deadline, then read lines, byte counts or everything up to EOF. Every
// read waits on data, EOF, a socket error or the attempt ending, so a server
// that dribbles bytes cannot stretch the deadline (keepalived #1822). The
// sockets are destroyed by the attempt's cleanups, however it ends.

import * as net from 'node:net';
import * as tls from 'node:tls';
import { type Attempt, CheckFailure } from './attempt';
import { socketFailure } from './socket-errors';

export interface StreamTarget {
  readonly host: string;
  readonly port: number;
  /** Wrap in TLS after connecting. */
  readonly tls?: { readonly servername?: string };
}

/** Bytes we keep from one reply before refusing it (or, for readToEnd, stopping). */
export const MAX_REPLY_BYTES = 1 << 20;

/** Opens a connected (and, if asked, TLS-handshaken) socket owned by the attempt. */
export async function connectSocket(attempt: Attempt, target: StreamTarget): Promise<net.Socket> {
  attempt.throwIfOver();
  attempt.phase = 'connecting';
  const raw = net.connect({ host: target.host, port: target.port, noDelay: true });
  raw.on('error', ignore); // reported through waitForEvent or StreamConn
  attempt.defer(() => { raw.destroy(); });
  await waitForEvent(attempt, raw, 'connect');
  if (!target.tls) return raw;

  attempt.phase = 'TLS handshake';
  const servername = target.tls.servername;
  const secure = tls.connect({
    socket: raw,
    // Like ldirectord (LWP with verify_hostname => 0, IO::Socket::SSL
    // defaults for the mail protocols): a health check asks "does the
    // service answer", not "is its certificate trusted", so the certificate
    // is not verified. RFC 6066 forbids an IP address as SNI.
    rejectUnauthorized: false,
    ...(servername && net.isIP(servername) === 0 ? { servername } : {}),
  });
  secure.on('error', ignore);
  attempt.defer(() => { secure.destroy(); });
  await waitForEvent(attempt, secure, 'secureConnect');
  return secure;
}

/** Connects and wraps the socket for line/byte reads. */
export async function openStream(attempt: Attempt, target: StreamTarget): Promise<StreamConn> {
  return new StreamConn(attempt, await connectSocket(attempt, target));
}

function ignore(): void {
  // Errors are read from the socket's state by whoever is waiting.
}

function waitForEvent(attempt: Attempt, socket: net.Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  const phase = attempt.phase;
  return attempt.race(
    new Promise<void>((resolve, reject) => {
      const settle = (err?: CheckFailure): void => {
        socket.off(event, onEvent);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onEvent = (): void => settle();
      const onError = (e: Error): void => settle(socketFailure(e, phase));
      const onClose = (): void => settle(new CheckFailure(`connection closed by server (${phase})`));
      socket.once(event, onEvent);
      socket.once('error', onError);
      socket.once('close', onClose);
    }),
  );
}

/** Buffered reads over a connected socket, each bounded by the attempt. */
export class StreamConn {
  private buffered: Buffer = Buffer.alloc(0);
  private eof = false;
  private error: CheckFailure | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly attempt: Attempt,
    readonly socket: net.Socket,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      // Stop reading rather than buffer without bound; a read that needs
      // more than this fails with "reply too long".
      if (this.buffered.length >= MAX_REPLY_BYTES) socket.pause();
      this.poke();
    });
    socket.on('end', () => { this.eof = true; this.poke(); });
    socket.on('close', () => { this.eof = true; this.poke(); });
    socket.on('error', (e: Error) => { this.error ??= socketFailure(e, attempt.phase); this.poke(); });
    attempt.signal.addEventListener('abort', () => this.poke(), { once: true });
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Half-closes: the server sees EOF, we can still read its answer. */
  endWrite(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }

  /**
   * Says goodbye (QUIT, LOGOUT) politely: sends the line, half-closes and
   * gives the server a moment to close its side, so the line is not lost
   * to our destroy. Never fails and never eats into the deadline.
   */
  async goodbye(line: string | Buffer, graceMs = 250): Promise<void> {
    this.write(line);
    this.endWrite();
    const wait = Math.min(graceMs, this.attempt.remainingMs() - 50);
    if (wait <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = new Promise<void>((resolve) => {
      if (this.socket.destroyed || this.eof) resolve();
      this.socket.once('close', () => resolve());
      this.socket.once('end', () => resolve());
      this.socket.resume();
    });
    await Promise.race([closed, new Promise<void>((resolve) => { timer = setTimeout(resolve, wait); })]);
    clearTimeout(timer);
  }

  /** The next line without its CR LF; fails on EOF. */
  async readLine(phase: string): Promise<string> {
    const line = await this.readLineOrEnd(phase);
    if (line === null) throw new CheckFailure(`connection closed by server (${phase})`);
    return line;
  }

  /** The next line, the unterminated rest at EOF, or null at EOF with nothing left. */
  async readLineOrEnd(phase: string): Promise<string | null> {
    for (;;) {
      const nl = this.buffered.indexOf(0x0a);
      if (nl >= 0) {
        const line = this.take(nl + 1).toString('utf8');
        return line.replace(/\r?\n$/, '');
      }
      if (this.eof && !this.error) {
        return this.buffered.length > 0 ? this.take(this.buffered.length).toString('utf8') : null;
      }
      await this.waitMore(phase, true);
    }
  }

  /** Exactly n bytes; fails on EOF first. */
  async readExactly(n: number, phase: string): Promise<Buffer> {
    while (this.buffered.length < n) await this.waitMore(phase, false);
    return this.take(n);
  }

  /** Everything until the server closes, up to maxBytes (then complete=false). */
  async readToEnd(phase: string, maxBytes = MAX_REPLY_BYTES): Promise<{ data: Buffer; complete: boolean }> {
    for (;;) {
      if (this.buffered.length >= maxBytes) return { data: this.take(maxBytes), complete: false };
      if (this.eof && !this.error) return { data: this.take(this.buffered.length), complete: true };
      await this.waitMore(phase, true);
    }
  }

  private take(n: number): Buffer {
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    if (this.socket.isPaused() && this.buffered.length < MAX_REPLY_BYTES) this.socket.resume();
    return out;
  }

  /** Waits for more data; throws when no more can come. */
  private async waitMore(phase: string, eofIsData: boolean): Promise<void> {
    this.attempt.phase = phase;
    if (this.attempt.signal.aborted) throw this.attempt.failure ?? new CheckFailure(`aborted (${phase})`);
    if (this.error) throw this.error;
    if (this.eof) {
      if (eofIsData) return;
      throw new CheckFailure(`connection closed by server (${phase})`);
    }
    if (this.buffered.length >= MAX_REPLY_BYTES) throw new CheckFailure(`reply too long (${phase})`);
    await new Promise<void>((resolve) => { this.wake = resolve; });
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
