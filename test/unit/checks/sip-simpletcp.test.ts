import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, closedPort, dialogue, spec, tcpServer, udpServer } from './helpers';

/** A SIP reply to an OPTIONS request, echoing its Via, Call-ID and CSeq. */
function sipReply(request: string, status: string): string {
  const header = (name: string): string => new RegExp(`^${name}: .*$`, 'm').exec(request)?.[0] ?? '';
  return [`SIP/2.0 ${status}`, header('Via'), header('Call-ID'), header('CSeq'), 'Content-Length: 0', '', ''].join('\r\n');
}

test('sip over UDP: OPTIONS answered 200 is up, after skipping 100 Trying', async (t) => {
  const requests: string[] = [];
  const port = await udpServer(t, (msg, reply) => {
    const text = msg.toString();
    requests.push(text);
    reply(Buffer.from(sipReply(text.replace(/^Call-ID: .*$/m, 'Call-ID: someone-else'), '200 OK'))); // not ours: ignored
    reply(Buffer.from(sipReply(text, '100 Trying')));
    reply(Buffer.from(sipReply(text, '200 OK')));
  });
  const r = await check(spec({ service: 'sip', protocol: 'udp', login: 'probe@example.org' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'SIP 200']);
  const first = requests[0] ?? '';
  assert.match(first, /^OPTIONS sip:probe@example\.org SIP\/2\.0\r\n/);
  assert.match(first, /^Via: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;branch=z9hG4bK/m);
  assert.match(first, /\r\n\r\n$/);
});

test('sip: a final reply other than 200 is down; login defaults to ldirectord@host', async (t) => {
  const requests: string[] = [];
  const port = await udpServer(t, (msg, reply) => {
    requests.push(msg.toString());
    reply(Buffer.from(sipReply(msg.toString(), '503 Service Unavailable')));
  });
  const r = await check(spec({ service: 'sip', protocol: 'udp' }), port);
  assert.deepEqual([r.ok, r.message], [false, 'SIP reply: SIP/2.0 503 Service Unavailable']);
  assert.match(requests[0] ?? '', /^OPTIONS sip:ldirectord@\S+ SIP\/2\.0/);
});

test('sip over TCP', async (t) => {
  const port = await tcpServer(t, (s) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.endsWith('\r\n\r\n')) {
        s.write(sipReply(buf, '100 Trying'));
        s.write(sipReply(buf, '200 OK'));
      }
    });
  });
  const r = await check(spec({ service: 'sip', protocol: 'tcp' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'SIP 200']);
});

test('simpletcp: request sent with \\n expanded, any reply line may match', async (t) => {
  const received: string[] = [];
  const port = await tcpServer(t, (s) => {
    let buf = '';
    s.on('data', (d: Buffer) => { buf += d.toString(); });
    s.on('end', () => {
      received.push(buf);
      s.end(buf.startsWith('PING') ? 'hello\nstatus: OK\nbye\n' : 'ERR unknown\n');
    });
  });
  const r = await check(spec({ service: 'simpletcp', request: 'PING\\nHOST x\\n', receive: '^status: OK$' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'receive /^status: OK$/ matched']);
  assert.deepEqual(received, ['PING\nHOST x\n']);
  const miss = await check(spec({ service: 'simpletcp', request: 'HELLO', receive: 'OK' }), port);
  assert.deepEqual([miss.ok, miss.message], [false, 'receive /OK/ did not match']);
  const any = await check(spec({ service: 'simpletcp', request: 'PING' }), port);
  assert.deepEqual([any.ok, any.message], [true, 'reply received']);
});

test('simpletcp: silence until close, a closed port', async (t) => {
  const mute = await dialogue(t, '', () => undefined, { allowHalfOpen: true });
  const silentClose = await tcpServer(t, (s) => s.resume());
  const r = await check(spec({ service: 'simpletcp', request: 'x', receive: 'y' }), silentClose);
  assert.deepEqual([r.ok, r.message], [false, 'connection closed by server without a reply']);
  const hung = await check(spec({ service: 'simpletcp', request: 'x', receive: 'y', timeoutMs: 300 }), mute);
  assert.deepEqual([hung.ok, hung.message], [false, 'timeout after 300 ms (waiting for reply)']);
  const closed = await check(spec({ service: 'simpletcp', request: 'x' }), await closedPort());
  assert.deepEqual([closed.ok, closed.message], [false, 'connect refused']);
});
