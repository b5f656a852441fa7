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

test('engine: standby_keepalive applies while standing by; a config where it is too long is refused', async () => {
  const native = loadNative();
  const config = {
    nodeName: 'node1',
    uuid: Buffer.alloc(16, 1),
    generation: 1,
    nodes: ['node1', 'node2'],
    media: [{ kind: 'ucast' as const, iface: 'lo', address: '127.0.0.1', port: 0 }],
    ping: [],
    keepaliveMs: 10,
    standbyKeepaliveMs: 40,
    deadtimeMs: 100,
    warntimeMs: 60,
    initdeadMs: 1000,
    deadpingMs: 100,
    maxRexmitDelayMs: 250,
    ttl: 3,
    omitInnerAuth: false,
    realtime: false,
    rtprio: 0,
    keys: { sign: 1, entries: [{ index: 1, method: 'sha1' as const, secret: 'contract-key' }] },
  };
  await assert.rejects(native.createEngine({ ...config, standbyKeepaliveMs: 50 }, () => undefined), /twice standby_keepalive/);
  const e = await native.createEngine(config, () => undefined);
  try {
    e.start();
    const until = async (want: number) => {
      const end = Date.now() + 5000;
      while (e.view().sendIntervalMs !== want && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      return e.view().sendIntervalMs;
    };
    assert.equal(e.view().sendIntervalMs, 10, 'starts at keepalive');
    e.setStandby(true);
    assert.equal(await until(40), 40);
    const sent = (ms: number) => new Promise<bigint>((resolve) => {
      const before = e.counters().status_sent ?? 0n;
      setTimeout(() => resolve((e.counters().status_sent ?? 0n) - before), ms);
    });
    const slow = await sent(1000);
    e.setStandby(false);
    assert.equal(await until(10), 10);
    const fast = await sent(1000);
    assert.ok(fast > 2n * slow, `${fast} heartbeats at keepalive vs ${slow} standing by, in 1 s each`);
    assert.throws(() => (e as unknown as { setStandby: (v: unknown) => void }).setStandby('yes'), TypeError);
  } finally {
    e.stop();
  }
});
