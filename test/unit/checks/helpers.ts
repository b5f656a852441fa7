// Real local servers for the check tests (not a test file itself): TCP and
// TLS servers that speak scripted dialogues, UDP responders, a closed port,
// a self-signed certificate, and servers in a child process (so the test
// process holds only the checks' own handles when leaks are counted).

import { execFileSync, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import * as tls from 'node:tls';
import { createCheckRunner } from '../../../src/checks/runner';
import type { CheckResult, CheckSpec, CheckTarget, Pinger } from '../../../src/checks/types';
import { tempDir } from '../../helpers/tmp';

export const LOCAL = '127.0.0.1';

export function spec(overrides: Partial<CheckSpec> & Pick<CheckSpec, 'service'>): CheckSpec {
  return { type: 'negotiate', protocol: 'tcp', timeoutMs: 3000, ...overrides };
}

export function target(port: number, address = LOCAL): CheckTarget {
  return { address, port, virtualAddress: '192.0.2.10', virtualPort: 80 };
}

export async function check(s: CheckSpec, port: number, options: { pinger?: Pinger; signal?: AbortSignal } = {}): Promise<CheckResult> {
  const runner = createCheckRunner(options.pinger ? { pinger: options.pinger } : {});
  return runner.run(s, target(port), options.signal);
}

/** A TCP server closed (with every connection it accepted) after the test. */
export interface ServerOptions {
  readonly tls?: tls.TlsOptions;
  /** Keep our side open when the client half-closes (a server that hangs). */
  readonly allowHalfOpen?: boolean;
}

export async function tcpServer(t: TestContext, onConnection: (socket: net.Socket) => void, options: ServerOptions = {}): Promise<number> {
  const sockets = new Set<net.Socket>();
  const handle = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  };
  const allowHalfOpen = options.allowHalfOpen ?? false;
  const server = options.tls ? tls.createServer({ ...options.tls, allowHalfOpen }, handle) : net.createServer({ allowHalfOpen }, handle);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, LOCAL, resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

export type LineHandler = (line: string, socket: net.Socket) => string | undefined | null;

/**
 * A line-based dialogue: `greeting` on connect, then each line the client
 * sends is answered with what `reply` returns (null closes the connection).
 */
export function dialogue(t: TestContext, greeting: string, reply: LineHandler, options: ServerOptions = {}): Promise<number> {
  return tcpServer(
    t,
    (socket) => {
      if (greeting) socket.write(greeting);
      let buf = '';
      socket.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, '');
          buf = buf.slice(nl + 1);
          const answer = reply(line, socket);
          if (answer === null) {
            socket.end();
            return;
          }
          if (answer !== undefined) socket.write(answer);
        }
      });
    },
    options,
  );
}

/** A UDP responder closed after the test. */
export async function udpServer(t: TestContext, onMessage: (msg: Buffer, reply: (data: Buffer) => void) => void): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => onMessage(msg, (data) => socket.send(data, rinfo.port, rinfo.address)));
  await new Promise<void>((resolve) => socket.bind(0, LOCAL, resolve));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket.address().port;
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOCAL, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A self-signed certificate for "localhost", made with openssl in a temp dir. */
export function selfSignedCert(t: TestContext): { key: Buffer; cert: Buffer } {
  const dir = tempDir(t, 'hbd-cert-');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-subj', '/CN=localhost', '-days', '1'], { stdio: 'ignore' });
  return { key: fs.readFileSync(key), cert: fs.readFileSync(cert) };
}

/** Servers that misbehave, run in a child process; ports by kind. */
export interface ChildServers {
  /** Accepts TCP connections and never says anything. */
  readonly silentTcp: number;
  /** Sends "HTTP/1.1 200 OK\r\n…" (and "220 …" style text) one byte every 100 ms. */
  readonly dribble: number;
  /** A bound UDP port that never answers. */
  readonly silentUdp: number;
  /** Answers HTTP requests at once. */
  readonly fastHttp: number;
}

const CHILD_SERVERS = `
const net = require('net'), dgram = require('dgram');
const listen = (s) => new Promise((r) => s.listen(0, '127.0.0.1', () => r(s.address().port)));
(async () => {
  const silentTcp = await listen(net.createServer((s) => s.on('error', () => {})));
  const dribble = await listen(net.createServer((s) => {
    s.on('error', () => {});
    const text = 'HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello';
    let i = 0;
    const t = setInterval(() => { if (i < text.length && !s.destroyed) s.write(text[i++]); }, 100);
    s.on('close', () => clearInterval(t));
  }));
  const fastHttp = await listen(net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok'));
  }));
  const u = dgram.createSocket('udp4');
  await new Promise((r) => u.bind(0, '127.0.0.1', r));
  process.stdout.write(JSON.stringify({ silentTcp, dribble, fastHttp, silentUdp: u.address().port }) + '\\n');
})();
`;

export async function childServers(t: TestContext): Promise<ChildServers> {
  const child = spawn(process.execPath, ['-e', CHILD_SERVERS], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    child.kill('SIGKILL');
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => reject(new Error('child servers exited')));
  });
  return JSON.parse(line) as ChildServers;
}

/** A fake Pinger: answers from a table, counting calls. */
export class FakePinger implements Pinger {
  calls: string[] = [];
  constructor(private readonly alive: ReadonlySet<string>) {}
  ping(address: string): Promise<boolean> {
    this.calls.push(address);
    return Promise.resolve(this.alive.has(address));
  }
}
