import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { test, type TestContext } from 'node:test';
import type * as tls from 'node:tls';
import { check, closedPort, LOCAL, selfSignedCert, spec, tcpServer } from './helpers';

interface Seen {
  method?: string;
  url?: string;
  host?: string;
  servername?: string | false;
}

async function httpServer(
  t: TestContext,
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  cert?: { key: Buffer; cert: Buffer },
): Promise<number> {
  const server = cert ? https.createServer(cert, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, LOCAL, resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

function recording(seen: Seen, status = 200, body = '<h1>It works</h1>\n'): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    seen.method = req.method;
    seen.url = req.url;
    seen.host = req.headers.host;
    seen.servername = (req.socket as tls.TLSSocket).servername ?? false;
    res.writeHead(status, { 'Content-Type': 'text/html', 'X-Backend': 'web1' });
    res.end(body);
  };
}

test('http GET: 2xx is up, the request and Host default to the real server', async (t) => {
  const seen: Seen = {};
  const port = await httpServer(t, recording(seen));
  const r = await check(spec({ service: 'http', request: '/index.html' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'HTTP 200']);
  assert.deepEqual([seen.method, seen.url, seen.host], ['GET', '/index.html', LOCAL]);
});

test('http: status other than 2xx is down, with the code', async (t) => {
  const port = await httpServer(t, recording({}, 503, 'busy'));
  const r = await check(spec({ service: 'http' }), port);
  assert.deepEqual([r.ok, r.message], [false, 'HTTP 503']);
});

test('http receive matches the body (GET), and a mismatch says so', async (t) => {
  const port = await httpServer(t, recording({}));
  assert.equal((await check(spec({ service: 'http', receive: 'It w.rks' }), port)).ok, true);
  // Perl's $ also matches before a final newline.
  assert.equal((await check(spec({ service: 'http', receive: 'works</h1>$' }), port)).ok, true);
  const miss = await check(spec({ service: 'http', receive: 'foo' }), port);
  assert.deepEqual([miss.ok, miss.message], [false, 'receive /foo/ did not match the body']);
});

test('http HEAD: receive matches the status line and headers, not a body', async (t) => {
  const seen: Seen = {};
  const port = await httpServer(t, recording(seen));
  const r = await check(spec({ service: 'http', httpMethod: 'HEAD', receive: 'X-Backend: web1' }), port);
  assert.deepEqual([r.ok, r.message, seen.method], [true, 'HTTP 200', 'HEAD']);
  assert.equal((await check(spec({ service: 'http', httpMethod: 'HEAD', receive: '^HTTP/1\\.1 200 OK' }), port)).ok, true);
  const miss = await check(spec({ service: 'http', httpMethod: 'HEAD', receive: 'It works' }), port);
  assert.deepEqual([miss.ok, miss.message], [false, 'receive /It works/ did not match the response headers']);
});

test('http virtualhost reaches the server as the Host header', async (t) => {
  const seen: Seen = {};
  const port = await httpServer(t, recording(seen));
  assert.equal((await check(spec({ service: 'http', virtualHost: 'www.example.org' }), port)).ok, true);
  assert.equal(seen.host, 'www.example.org');
  // An absolute request URL gives path and Host, but the check still goes to this real server.
  assert.equal((await check(spec({ service: 'http', request: '/http://shop.example.org/a b?x=1' }), port)).ok, true);
  assert.deepEqual([seen.url, seen.host], ['/a%20b?x=1', 'shop.example.org']);
});

test('https: no certificate verification, SNI and Host from virtualhost', async (t) => {
  const seen: Seen = {};
  const port = await httpServer(t, recording(seen), selfSignedCert(t));
  const r = await check(spec({ service: 'https', virtualHost: 'shop.example.org', receive: 'works' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'HTTP 200']);
  assert.deepEqual([seen.host, seen.servername], ['shop.example.org', 'shop.example.org']);
  // Without virtualhost: Host is the address and no SNI is sent (RFC 6066 forbids IPs).
  assert.equal((await check(spec({ service: 'https' }), port)).ok, true);
  assert.deepEqual([seen.host, seen.servername], [LOCAL, false]);
});

test('https against a plain-text server fails in the TLS handshake', async (t) => {
  const port = await httpServer(t, recording({}));
  const r = await check(spec({ service: 'https' }), port);
  assert.equal(r.ok, false);
  assert.match(r.message, /^TLS handshake failed/);
});

test('http_proxy sends the absolute URI to the real server', async (t) => {
  const seen: Seen = {};
  const port = await httpServer(t, recording(seen));
  const r = await check(spec({ service: 'http_proxy', request: '/http://upstream.example.org/status', receive: 'works' }), port);
  assert.equal(r.ok, true, r.message);
  assert.deepEqual([seen.url, seen.host], ['http://upstream.example.org/status', 'upstream.example.org']);
  const bad = await check(spec({ service: 'http_proxy', request: '/status' }), port);
  assert.equal(bad.ok, false);
  assert.match(bad.message, /absolute http:\/\/ URI/);
});

test('http redirects on the same host come back to this real server; too many fail', async (t) => {
  const seen: Seen = {};
  const port = await httpServer(t, (req, res) => {
    if (req.url === '/old') {
      res.writeHead(301, { Location: '/new' }).end();
    } else if (req.url === '/loop') {
      res.writeHead(302, { Location: `http://www.example.org:${port}/loop` }).end();
    } else {
      recording(seen)(req, res);
    }
  });
  const r = await check(spec({ service: 'http', request: '/old', virtualHost: 'www.example.org' }), port);
  assert.equal(r.ok, true, r.message);
  assert.match(r.message, /^HTTP 200 after redirect to http:\/\/www\.example\.org:\d+\/new$/);
  assert.deepEqual([seen.url, seen.host], ['/new', 'www.example.org']);
  const loop = await check(spec({ service: 'http', request: '/loop', virtualHost: 'www.example.org' }), port);
  assert.equal(loop.ok, false);
  assert.match(loop.message, /^HTTP 302 \(too many redirects\)/);
});

test('http: closed port, silent server, garbage and early close are precise failures', async (t) => {
  const closed = await check(spec({ service: 'http' }), await closedPort());
  assert.deepEqual([closed.ok, closed.message], [false, 'connect refused']);

  const silent = await tcpServer(t, () => undefined);
  const hung = await check(spec({ service: 'http', timeoutMs: 300 }), silent);
  assert.deepEqual([hung.ok, hung.message], [false, 'timeout after 300 ms (waiting for status line)']);

  const garbage = await tcpServer(t, (s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'));
  const g = await check(spec({ service: 'http' }), garbage);
  assert.equal(g.ok, false);
  assert.match(g.message, /^invalid HTTP response/);

  const early = await tcpServer(t, (s) => s.once('data', () => s.end()));
  const e = await check(spec({ service: 'http' }), early);
  assert.deepEqual([e.ok, e.message], [false, 'connection closed by server (waiting for status line)']);
});

test('http: a server dribbling its response still times out, body phase named', async (t) => {
  const port = await tcpServer(t, (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
    const timer = setInterval(() => s.write('x'), 100);
    s.on('close', () => clearInterval(timer));
  });
  const started = Date.now();
  const r = await check(spec({ service: 'http', timeoutMs: 400 }), port);
  assert.deepEqual([r.ok, r.message], [false, 'timeout after 400 ms (reading body)']);
  assert.ok(Date.now() - started < 3000);
});
