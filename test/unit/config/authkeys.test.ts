import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { authkeysModeProblem, buildAuth, lexAuthkeys } from '../../../src/config/authkeys';
import { DiagnosticSink } from '../../../src/config/diagnostics';
import { codes, errors } from './helpers';

function read(text: string) {
  const sink = new DiagnosticSink();
  const auth = buildAuth(lexAuthkeys(text, 'authkeys', sink), 'authkeys', sink);
  return { auth, diags: sink.all };
}

test('authkeys: auth N selects the signing entry; every entry is accepted; keys sorted by index', () => {
  const { auth, diags } = read('# comment\nauth 2\n3 md5 Hello!\n2 sha1 HI!\n1 crc\n');
  assert.deepEqual(codes(diags), []);
  assert.equal(auth?.signIndex, 2);
  assert.equal(auth?.file, 'authkeys');
  assert.deepEqual(auth?.keys.map((k) => [k.index, k.method, k.secret, k.at.line]), [
    [1, 'crc', '', 5],
    [2, 'sha1', 'HI!', 4],
    [3, 'md5', 'Hello!', 3],
  ]);
});

test('authkeys: the key is the first whitespace-free token; the rest is ignored with a warning (trap 5)', () => {
  const { auth, diags } = read('auth 1\n1 sha1 my secret phrase\n');
  assert.equal(auth?.keys[0]?.secret, 'my');
  assert.deepEqual(codes(diags), [['AUTHKEYS_TRAILING_IGNORED', 2]]);
  assert.match(diags[0]?.message ?? '', /`secret phrase`/);
});

test('authkeys: index range 0..15 (the code, not the man page 1..15)', () => {
  assert.equal(read('auth 0\n0 sha1 k\n').auth?.signIndex, 0);
  assert.equal(read('auth 15\n15 sha1 k\n').auth?.signIndex, 15);
  assert.deepEqual(errors(read('auth 1\n1 sha1 k\n16 sha1 k\n').diags), [['AUTHKEYS_BAD_INDEX', 3]]);
  assert.deepEqual(errors(read('auth 16\n1 sha1 k\n').diags), [['AUTHKEYS_BAD_INDEX', 1]]);
});

test('authkeys: crc takes no key; md5/sha1 need one; unknown methods are errors with their line', () => {
  assert.deepEqual(errors(read('auth 1\n1 crc secret\n').diags), [['AUTHKEYS_KEY_NOT_ALLOWED', 2]]);
  assert.deepEqual(errors(read('auth 1\n1 sha1\n').diags), [['AUTHKEYS_KEY_MISSING', 2]]);
  assert.deepEqual(errors(read('auth 1\n1 md5\n').diags), [['AUTHKEYS_KEY_MISSING', 2]]);
  const unknown = read('auth 1\n1 sha256 k\n');
  assert.deepEqual(errors(unknown.diags), [['AUTHKEYS_UNKNOWN_METHOD', 2]]);
  assert.equal(unknown.diags[0]?.message, 'entry 1: unknown method `sha256`: expected crc, md5 or sha1');
  assert.deepEqual(errors(read('auth 1\n1 SHA1 k\n').diags), [['AUTHKEYS_UNKNOWN_METHOD', 2]]);
});

test('authkeys: `#` after a crc entry is read as a key, as Heartbeat does, and the error explains it', () => {
  const { diags } = read('auth 1\n1 crc # no key needed\n');
  assert.deepEqual(errors(diags), [['AUTHKEYS_KEY_NOT_ALLOWED', 2]]);
  assert.match(diags.find((d) => d.severity === 'error')?.message ?? '', /no end-of-line comments/);
});

test('authkeys: auth naming a missing entry; no auth line; two auth lines; duplicate index', () => {
  const missing = read('auth 3\n1 sha1 k\n');
  assert.deepEqual(errors(missing.diags), [['AUTHKEYS_AUTH_KEY_NOT_FOUND', 1]]);
  assert.equal(missing.diags[0]?.message, 'auth 3: there is no entry 3 in the file');
  assert.equal(missing.auth, null);
  assert.deepEqual(errors(read('1 sha1 k\n').diags), [['AUTHKEYS_NO_AUTH', 0]]);
  assert.deepEqual(errors(read('auth 1\nauth 1\n1 sha1 k\n').diags), [['AUTHKEYS_DUPLICATE_AUTH', 2]]);
  assert.deepEqual(errors(read('auth 1\n1 sha1 k\n1 md5 j\n').diags), [['AUTHKEYS_DUPLICATE_INDEX', 3]]);
});

test('authkeys: `auth N` after entry N is refused (Heartbeat only signs with entries read after it)', () => {
  const { auth, diags } = read('1 sha1 k\nauth 1\n');
  assert.equal(auth, null);
  assert.deepEqual(errors(diags), [['AUTHKEYS_AUTH_AFTER_KEY', 2]]);
  assert.match(diags[0]?.message ?? '', /move `auth 1` to the top/);
});

test('authkeys: malformed lines', () => {
  assert.deepEqual(errors(read('auth one\n1 sha1 k\n').diags), [['AUTHKEYS_BAD_AUTH_LINE', 1]]);
  assert.deepEqual(errors(read('auth 1\nsha1 1 k\n1 sha1 k\n').diags), [['AUTHKEYS_BAD_LINE', 2]]);
  assert.deepEqual(errors(read('auth 1\n1\n1 sha1 k\n').diags), [['AUTHKEYS_BAD_LINE', 2]]);
  assert.deepEqual(errors(read('auth 1\n123\n1 sha1 k\n').diags), [['AUTHKEYS_BAD_LINE', 2]]);
});

test('authkeys: comments only at the start of a line; blank lines, indentation and CRLF are fine', () => {
  const { auth, diags } = read('  # c\r\n\r\n  auth 1\r\n\t1 sha1 k\r\n');
  assert.deepEqual(codes(diags), []);
  assert.equal(auth?.keys[0]?.secret, 'k');
});

test('authkeys: signing with crc warns that it gives no security', () => {
  const { auth, diags } = read('auth 1\n1 crc\n');
  assert.equal(auth?.keys[0]?.method, 'crc');
  assert.deepEqual(codes(diags), [['AUTHKEYS_CRC_NO_SECURITY', 2]]);
});

test('authkeys mode: only the group/other READ bits matter (trap 5)', () => {
  assert.equal(authkeysModeProblem(0o100600), null);
  assert.equal(authkeysModeProblem(0o400), null);
  assert.equal(authkeysModeProblem(0o622), null, 'group/other writable still passes, as in Heartbeat');
  assert.equal(authkeysModeProblem(0o601), null);
  assert.equal(authkeysModeProblem(0o100644), 'bad permissions on authkeys (mode 0644): must not be readable by group or others, 600 recommended');
  assert.match(authkeysModeProblem(0o640) ?? '', /mode 0640/);
  assert.match(authkeysModeProblem(0o604) ?? '', /mode 0604/);
});
