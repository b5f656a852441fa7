// The real addon loads and maps errors to coded JS errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadNative } from '../../src/native/binding';

test('the addon loads and reports the core version', () => {
  const native = loadNative();
  assert.match(native.coreVersion, /^\d+\.\d+\.\d+$/);
});

test('native errors carry the errno name and the failed operation', () => {
  const native = loadNative();
  assert.throws(
    () => native.syslogOpen('hbd-test', 'no-such-facility'),
    (e: Error & { code?: string; op?: string }) =>
      e.code === 'EINVAL' && typeof e.op === 'string' && e.op.includes('no-such-facility'),
  );
  native.syslogOpen('hbd-test', 'local7');
  native.syslogWrite(7, 'hbd contract test: syslog write works');
});

test('argument errors are TypeErrors, not crashes', () => {
  const native = loadNative() as unknown as { syslogWrite: (...a: unknown[]) => void };
  assert.throws(() => native.syslogWrite('x', 1), TypeError);
  assert.throws(() => native.syslogWrite(), TypeError);
});

test('encodeDatagram reproduces a real sha1 status datagram byte for byte (heartbeat-wire §3.6 example 3)', () => {
  const native = loadNative();
  const dgram = native.encodeDatagram(
    [
      ['t', 'status'], ['st', 'init'], ['dt', 'fa0'], ['protocol', '1'], ['src', 'node1'],
      ['srcuuid', Buffer.from('0gjTjSGtSeiCg70zgE78hQ==', 'base64')], ['seq', '1'], ['hg', '6b0255ff'], ['ts', '6b0255fe'],
      ['ld', '0.29 0.56 0.36 2/114 31407'], ['ttl', '3'],
    ],
    { sign: 1, entries: [{ index: 1, method: 'sha1', secret: 'hwtestkey' }] },
    'netstring',
  );
  assert.equal(dgram.length, 307);
  const text = dgram.toString('latin1');
  assert.ok(text.includes('50:(0)auth=1 29df16d08713158cadbfd08e691d96d8f51cc4a1,%%%\n'));
  assert.ok(text.endsWith('42:1 8fed4bcebfbbbdf21d59b8935d76267f82e5983c,'));
});
