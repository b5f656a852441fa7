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
