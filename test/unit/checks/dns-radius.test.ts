import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { decodeResponse, encodeQuery, reverseName, TYPE_A, TYPE_PTR } from '../../../src/checks/dns-codec';
import { ACCESS_ACCEPT, ACCESS_REJECT, attributes, encodeAccessRequest, encodeReply, hidePassword, revealPassword } from '../../../src/checks/radius-codec';
import { check, closedPort, spec, tcpServer, udpServer } from './helpers';

// ---- a tiny authoritative DNS server

type Zone = Readonly<Record<string, { type: number; data: string }[]>>;

function queryName(msg: Buffer): { name: string; end: number; qtype: number } {
  const labels: string[] = [];
  let off = 12;
  while ((msg[off] ?? 0) > 0) {
    const len = msg[off] ?? 0;
    labels.push(msg.toString('utf8', off + 1, off + 1 + len));
    off += 1 + len;
  }
  return { name: labels.join('.'), end: off + 5, qtype: msg.readUInt16BE(off + 1) };
}

function encodeName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}

function answer(query: Buffer, zone: Zone): Buffer {
  const q = queryName(query);
  const records = (zone[q.name] ?? []).filter((r) => r.type === q.qtype || r.type === 5);
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180 | (zone[q.name] ? 0 : 3), 2); // QR RD RA, NXDOMAIN if unknown
  header.writeUInt16BE(records.length, 6);
  const rrs = records.map((r) => {
    const rdata = r.type === TYPE_A ? Buffer.from(r.data.split('.').map(Number)) : encodeName(r.data);
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    fixed.writeUInt16BE(r.type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([fixed, rdata]);
  });
  return Buffer.concat([header, query.subarray(12, q.end), ...rrs]);
}

const ZONE: Zone = {
  'www.example.org': [{ type: 5, data: 'web.example.org' }, { type: TYPE_A, data: '192.0.2.80' }, { type: TYPE_A, data: '192.0.2.81' }],
  'empty.example.org': [],
  '80.2.0.192.in-addr.arpa': [{ type: TYPE_PTR, data: 'web1.example.org' }],
};

async function dnsUdp(t: TestContext, zone: Zone, garbageFirst = false): Promise<number> {
  return udpServer(t, (msg, reply) => {
    if (garbageFirst) reply(Buffer.from('not dns at all'));
    reply(answer(msg, zone));
  });
}

test('dns codec: query, compressed answers, reverse names', () => {
  const q = encodeQuery(0x1234, 'www.example.org', TYPE_A);
  const r = decodeResponse(answer(q, ZONE));
  assert.deepEqual([r.id, r.isResponse, r.rcode], [0x1234, true, 0]);
  assert.deepEqual(r.answers.map((a) => `${a.type} ${a.name} ${a.data}`), [
    '5 www.example.org web.example.org',
    '1 www.example.org 192.0.2.80',
    '1 www.example.org 192.0.2.81',
  ]);
  assert.equal(reverseName('192.0.2.80'), '80.2.0.192.in-addr.arpa');
  assert.equal(reverseName('2001:db8::1'), `1.0.0.0.${'0.0.0.0.'.repeat(5)}8.b.d.0.1.0.0.2.ip6.arpa`);
  assert.throws(() => decodeResponse(Buffer.from([1, 2, 3])));
});

test('dns over UDP: receive must match one A answer; garbage replies are ignored', async (t) => {
  const port = await dnsUdp(t, ZONE, true);
  const r = await check(spec({ service: 'dns', protocol: 'udp', request: '/www.example.org', receive: '192\\.0\\.2\\.81' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'DNS www.example.org: 192.0.2.81']);
  const any = await check(spec({ service: 'dns', protocol: 'udp', request: 'www.example.org' }), port);
  assert.deepEqual([any.ok, any.message], [true, 'DNS www.example.org: 192.0.2.80, 192.0.2.81']);
  const miss = await check(spec({ service: 'dns', protocol: 'udp', request: 'www.example.org', receive: '10\\.' }), port);
  assert.deepEqual([miss.ok, miss.message], [false, 'receive /10\\./ did not match any A answer (192.0.2.80, 192.0.2.81)']);
});

test('dns: NXDOMAIN, no records, PTR for an address', async (t) => {
  const port = await dnsUdp(t, ZONE);
  const nx = await check(spec({ service: 'dns', protocol: 'udp', request: 'nope.example.org' }), port);
  assert.deepEqual([nx.ok, nx.message], [false, 'DNS NXDOMAIN for nope.example.org']);
  const empty = await check(spec({ service: 'dns', protocol: 'udp', request: 'empty.example.org' }), port);
  assert.deepEqual([empty.ok, empty.message], [false, 'DNS answer for empty.example.org has no A record']);
  const ptr = await check(spec({ service: 'dns', protocol: 'udp', request: '192.0.2.80', receive: '^web1\\.' }), port);
  assert.deepEqual([ptr.ok, ptr.message], [true, 'DNS 192.0.2.80: web1.example.org']);
});

test('dns over TCP when the virtual service is TCP', async (t) => {
  const port = await tcpServer(t, (s) => {
    s.once('data', (d: Buffer) => {
      const reply = answer(d.subarray(2), ZONE);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(reply.length);
      s.end(Buffer.concat([len, reply]));
    });
  });
  const r = await check(spec({ service: 'dns', protocol: 'tcp', request: 'www.example.org', receive: '\\.80$' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'DNS www.example.org: 192.0.2.80']);
});

test('dns: a silent server times out, a closed UDP port is unreachable', async (t) => {
  const silent = await udpServer(t, () => undefined);
  const r = await check(spec({ service: 'dns', protocol: 'udp', request: 'www.example.org', timeoutMs: 300 }), silent);
  assert.deepEqual([r.ok, r.message], [false, 'timeout after 300 ms (waiting for DNS reply)']);
  const closed = await check(spec({ service: 'dns', protocol: 'udp', request: 'www.example.org', timeoutMs: 2000 }), await closedPort());
  assert.deepEqual([closed.ok, closed.message], [false, 'port unreachable']);
});

// ---- RADIUS

const SECRET = 'testing123';

/** A RADIUS server: Accept for probe/pw, Reject otherwise, signing with `signSecret`. */
async function radiusServer(t: TestContext, signSecret = SECRET, seen: string[] = []): Promise<number> {
  return udpServer(t, (msg, reply) => {
    const auth = msg.subarray(4, 20);
    const attrs = attributes(msg);
    const user = attrs.get(1)?.toString() ?? '';
    const password = revealPassword(attrs.get(2) ?? Buffer.alloc(0), SECRET, auth);
    seen.push(`${user}/${password}/${attrs.has(80) ? 'MA' : 'no MA'}`);
    const ok = user === 'probe' && password === 'pw';
    reply(encodeReply(ok ? ACCESS_ACCEPT : ACCESS_REJECT, msg[1] ?? 0, auth, signSecret));
  });
}

test('radius codec: password hiding round-trips; long passwords span blocks', () => {
  const auth = Buffer.alloc(16, 7);
  for (const pw of ['', 'pw', 'exactly16bytes!!', 'a much longer password than sixteen bytes']) {
    assert.equal(revealPassword(hidePassword(pw, SECRET, auth), SECRET, auth), pw);
  }
  const packet = encodeAccessRequest({ id: 9, authenticator: auth, secret: SECRET, user: 'u', password: 'p', nasIdentifier: 'n' });
  assert.deepEqual([packet[0], packet[1], packet.readUInt16BE(2)], [1, 9, packet.length]);
});

test('radius: Access-Accept is up, Access-Reject and a wrong secret are down', async (t) => {
  const seen: string[] = [];
  const port = await radiusServer(t, SECRET, seen);
  const up = await check(spec({ service: 'radius', protocol: 'udp', login: 'probe', password: 'pw', secret: SECRET }), port);
  assert.deepEqual([up.ok, up.message], [true, 'RADIUS Access-Accept']);
  assert.deepEqual(seen, ['probe/pw/MA']);
  const rejected = await check(spec({ service: 'radius', protocol: 'udp', login: 'probe', password: 'bad', secret: SECRET }), port);
  assert.deepEqual([rejected.ok, rejected.message], [false, 'RADIUS Access-Reject (login/passwd not accepted)']);

  const other = await radiusServer(t, 'another-secret');
  const wrong = await check(spec({ service: 'radius', protocol: 'udp', login: 'probe', password: 'pw', secret: SECRET }), other);
  assert.deepEqual([wrong.ok, wrong.message], [false, 'RADIUS Access-Accept failed authentication (wrong secret?)']);
});

test('radius: no reply times out', async (t) => {
  const silent = await udpServer(t, () => undefined);
  const r = await check(spec({ service: 'radius', protocol: 'udp', secret: SECRET, timeoutMs: 300 }), silent);
  assert.deepEqual([r.ok, r.message], [false, 'timeout after 300 ms (waiting for RADIUS reply)']);
});
