import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, closedPort, dialogue, selfSignedCert, spec, tcpServer } from './helpers';

test('smtp: banner 220, EHLO 250, QUIT', async (t) => {
  const seen: string[] = [];
  const port = await dialogue(t, '220 mx.example.org ESMTP\r\n', (line) => {
    seen.push(line.split(' ')[0] ?? '');
    if (line.startsWith('EHLO ')) return '250-mx.example.org\r\n250-PIPELINING\r\n250 8BITMIME\r\n';
    if (line === 'QUIT') return '221 bye\r\n';
    return '500 what\r\n';
  });
  const r = await check(spec({ service: 'smtp' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'SMTP 220, EHLO 250']);
  assert.deepEqual(seen, ['EHLO', 'QUIT']);
  assert.equal((await check(spec({ service: 'submission' }), port)).ok, true);
});

test('smtp: EHLO refused falls back to HELO; a 554 banner is down', async (t) => {
  const old = await dialogue(t, '220 old.example.org SMTP\r\n', (line) =>
    line.startsWith('EHLO') ? '502 no ESMTP here\r\n' : line.startsWith('HELO') ? '250 hello\r\n' : '221 bye\r\n');
  assert.deepEqual((await check(spec({ service: 'smtp' }), old)).message, 'SMTP 220, HELO 250');

  const busy = await dialogue(t, '554 too busy, go away\r\n', () => null);
  const r = await check(spec({ service: 'smtp' }), busy);
  assert.deepEqual([r.ok, r.message], [false, 'SMTP banner: 554 too busy, go away']);
});

test('smtp: a banner dribbled one byte per 100 ms still ends at the deadline', async (t) => {
  const dribbling = await tcpServer(t, (s) => {
    const text = '220 slow.example.org ESMTP\r\n';
    let i = 0;
    const timer = setInterval(() => (i < text.length ? s.write(text[i++] ?? '') : undefined), 100);
    s.on('close', () => clearInterval(timer));
  });
  const started = Date.now();
  const r = await check(spec({ service: 'smtp', timeoutMs: 300 }), dribbling);
  assert.deepEqual([r.ok, r.message], [false, 'timeout after 300 ms (waiting for banner)']);
  assert.ok(Date.now() - started < 3000);
});

function popServer(password: string): (line: string) => string | undefined | null {
  return (line) => {
    if (line.startsWith('USER ')) return '+OK user\r\n';
    if (line.startsWith('PASS ')) return line === `PASS ${password}` ? '+OK logged in\r\n' : '-ERR [AUTH] invalid login\r\n';
    if (line === 'QUIT') return null;
    return '-ERR unknown\r\n';
  };
}

test('pop: greeting +OK; with login, USER/PASS must succeed', async (t) => {
  const port = await dialogue(t, '+OK Dovecot ready.\r\n', popServer('s3cret'));
  assert.deepEqual((await check(spec({ service: 'pop' }), port)).message, 'POP greeting +OK');
  const good = await check(spec({ service: 'pop', login: 'probe', password: 's3cret' }), port);
  assert.deepEqual([good.ok, good.message], [true, 'POP greeting +OK, login +OK']);
  const bad = await check(spec({ service: 'pop', login: 'probe', password: 'wrong' }), port);
  assert.deepEqual([bad.ok, bad.message], [false, 'POP login failed: -ERR [AUTH] invalid login']);
  const down = await dialogue(t, '-ERR maintenance\r\n', () => null);
  assert.deepEqual((await check(spec({ service: 'pop' }), down)).message, 'POP greeting: -ERR maintenance');
});

test('pops: the same over TLS', async (t) => {
  const port = await dialogue(t, '+OK ready\r\n', popServer('pw'), { tls: selfSignedCert(t) });
  const r = await check(spec({ service: 'pops', login: 'u', password: 'pw' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'POP greeting +OK, login +OK']);
  // Plain POP against the TLS port never sees a greeting.
  const plain = await check(spec({ service: 'pop', timeoutMs: 300 }), port);
  assert.equal(plain.ok, false);
});

function imapServer(password: string): (line: string) => string | undefined | null {
  return (line) => {
    const [tag, cmd] = line.split(' ');
    if (cmd === 'LOGIN') {
      return line === `${tag} LOGIN "probe" ${password}`
        ? `* CAPABILITY IMAP4rev1\r\n${tag} OK LOGIN completed\r\n`
        : `${tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`;
    }
    if (cmd === 'LOGOUT') return `* BYE\r\n${tag} OK\r\n`;
    return `${tag} BAD\r\n`;
  };
}

test('imap: greeting * OK; with login, LOGIN must be OK (password quoted)', async (t) => {
  const port = await dialogue(t, '* OK [CAPABILITY IMAP4rev1] ready\r\n', imapServer('"p\\"w\\\\"'));
  assert.deepEqual((await check(spec({ service: 'imap' }), port)).message, 'IMAP greeting OK');
  const good = await check(spec({ service: 'imap', login: 'probe', password: 'p"w\\' }), port);
  assert.deepEqual([good.ok, good.message], [true, 'IMAP greeting OK, login OK']);
  const bad = await check(spec({ service: 'imap', login: 'probe', password: 'nope' }), port);
  assert.deepEqual([bad.ok, bad.message], [false, 'IMAP login failed: NO [AUTHENTICATIONFAILED] Authentication failed.']);
  const bye = await dialogue(t, '* BYE overloaded\r\n', () => null);
  assert.deepEqual((await check(spec({ service: 'imap' }), bye)).message, 'IMAP greeting: * BYE overloaded');
});

test('imaps: the same over TLS', async (t) => {
  const port = await dialogue(t, '* OK ready\r\n', imapServer('"pw"'), { tls: selfSignedCert(t) });
  const r = await check(spec({ service: 'imaps', login: 'probe', password: 'pw' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'IMAP greeting OK, login OK']);
});

test('nntp: greeting 200 or 201 is up, anything else down', async (t) => {
  const posting = await dialogue(t, '200 news.example.org ready (posting ok)\r\n', () => '205 bye\r\n');
  assert.deepEqual((await check(spec({ service: 'nntp' }), posting)).message, 'NNTP 200');
  const reading = await dialogue(t, '201 news.example.org ready (no posting)\r\n', () => '205 bye\r\n');
  assert.deepEqual((await check(spec({ service: 'nntp' }), reading)).message, 'NNTP 201');
  const refused = await dialogue(t, '502 access denied\r\n', () => null);
  const r = await check(spec({ service: 'nntp' }), refused);
  assert.deepEqual([r.ok, r.message], [false, 'NNTP greeting: 502 access denied']);
  const closed = await check(spec({ service: 'nntp' }), await closedPort());
  assert.deepEqual([closed.ok, closed.message], [false, 'connect refused']);
});
