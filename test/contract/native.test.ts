// The real addon loads and maps errors to coded JS errors.
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { test } from 'node:test';
import { type NativeEngineConfig, loadNative } from '../../src/native/binding';

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

/** node1 of node1/node2 at 10/100 ms, heartbeating to itself over loopback on `port`. */
function loopbackEngine(port: number, timing: Partial<NativeEngineConfig>): NativeEngineConfig {
  return {
    nodeName: 'node1',
    uuid: Buffer.alloc(16, 1),
    generation: 1,
    nodes: ['node1', 'node2'],
    media: [{ kind: 'ucast', iface: 'lo', address: '127.0.0.1', port }],
    ping: [],
    keepaliveMs: 10,
    deadtimeMs: 100,
    warntimeMs: 60,
    initdeadMs: 1000,
    deadpingMs: 100,
    maxRexmitDelayMs: 250,
    ttl: 3,
    omitInnerAuth: false,
    realtime: false,
    rtprio: 0,
    keys: { sign: 1, entries: [{ index: 1, method: 'sha1', secret: 'contract-key' }] },
    ...timing,
  };
}

test('engine: standby_keepalive applies while standing by; a config where it is too long is refused', async () => {
  const native = loadNative();
  const config = loopbackEngine(0, { standbyKeepaliveMs: 40, initdeadMs: 1000 });
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

test('engine: quiet standby - with only hbd peers a standby advertises standby_deadtime, then slows to standby_keepalive; a Heartbeat peer ends it', async () => {
  const native = loadNative();
  const port = 40000 + (process.pid % 20000);
  const config = loopbackEngine(port, { standbyKeepaliveMs: 200, standbyDeadtimeMs: 1000, initdeadMs: 10000 });
  const { keys } = config;
  await assert.rejects(native.createEngine({ ...config, standbyDeadtimeMs: 400 }, () => undefined), /standby_deadtime must be more than twice/);
  await assert.rejects(native.createEngine({ ...config, standbyKeepaliveMs: 0 }, () => undefined), /standby_deadtime needs a standby_keepalive/);
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const e = await native.createEngine(config, () => undefined);
  let seq = 0;
  // node2's status heartbeat, as an hbd node (hbd=1) or a real Heartbeat sends it.
  const peerStatus = (hbd: boolean, dtMs: number) => {
    seq++;
    const fields: [string, string | Buffer][] = [['t', 'status'], ['st', 'active'], ['dt', dtMs.toString(16)], ['protocol', '1']];
    if (hbd) fields.push(['hbd', '1']);
    fields.push(['src', 'node2'], ['srcuuid', Buffer.alloc(16, 2)], ['seq', seq.toString(16)], ['hg', '7'], ['ts', '6b0255fe'], ['ld', '0.00 0.00 0.00 1/1 1'], ['ttl', '3']);
    sock.send(native.encodeDatagram(fields, keys, 'netstring'), port, '127.0.0.1');
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Keeps node2 alive for `ms`: as an hbd node at the given interval and dt.
  const peerFor = async (ms: number, hbd: boolean, everyMs: number, dtMs: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(everyMs)) peerStatus(hbd, dtMs);
  };
  // Heartbeat's start-up bonus: deadtime + 2 s during the first 5 s (wire §5.2).
  const normalDt = (v: { nowMs: number; startedMs: number }) => (v.nowMs - v.startedMs < 5000 ? 2100 : 100);
  const events: string[] = [];
  const drain = () => {
    for (const ev of e.poll()) events.push(ev.type === 'cadence' ? `cadence ${ev.status} ${ev.value} ${ev.value2}` : ev.type === 'late-heartbeat' ? `late ${ev.node}` : ev.type);
  };
  try {
    e.start();
    await peerFor(300, true, 5, 100);
    e.setStandby(true);
    await peerFor(50, true, 5, 100);
    let v = e.view();
    assert.equal(v.quietStandby, true, 'announcing: every live peer is hbd');
    assert.equal(v.advertisedDeadtimeMs, 1000);
    assert.equal(v.sendIntervalMs, 10, 'the old cadence while the longer dt is announced');
    assert.equal(v.nodes.find((n) => n.name === 'node2')?.hbd, true);
    await peerFor(300, true, 5, 100); // more than one deadtime of announcing
    v = e.view();
    assert.equal(v.sendIntervalMs, 200, 'then every standby_keepalive');
    const before = e.counters();
    await peerFor(1000, true, 5, 100);
    const after = e.counters();
    const quietSent = (after.status_sent ?? 0n) - (before.status_sent ?? 0n);
    assert.ok(quietSent >= 3n && quietSent <= 7n, `${quietSent} heartbeats in 1 s as a quiet standby`);
    // Its acks (one per 10 of node2's seqs, ~20 here) wait for its status:
    // at most one per status, none dropped altogether.
    const acks = (after.acks_sent ?? 0n) - (before.acks_sent ?? 0n);
    assert.ok(acks >= 2n && acks <= quietSent, `${acks} acks with ${quietSent} heartbeats as a quiet standby`);

    // A peer that stops saying hbd=1 (a real Heartbeat) ends it as soon as the
    // engine reads that status: a quiet standby reads its media at its next
    // wake-up, which may be a deadtime away (the peer's deadline).
    for (const end = Date.now() + 2000; e.view().quietStandby && Date.now() < end; ) await peerFor(20, false, 5, 100);
    v = e.view();
    assert.equal(v.quietStandby, false);
    assert.equal(v.advertisedDeadtimeMs, normalDt(v));
    assert.equal(v.sendIntervalMs, 10, 'standby_keepalive is not safe for a Heartbeat peer here: keepalive');
    assert.equal(v.nodes.find((n) => n.name === 'node2')?.hbd, false);

    // Late-heartbeat warnings: an hbd peer advertising a long dt is not late
    // at 200 ms (warntime 60 ms stretched to 600 ms); a Heartbeat peer is.
    drain();
    events.length = 0;
    await peerFor(700, true, 200, 1000);
    drain();
    assert.deepEqual(events.filter((x) => x.startsWith('late')), [], events.join(', '));
    await peerFor(700, false, 200, 1000);
    drain();
    assert.ok(events.filter((x) => x.startsWith('late')).length >= 2, events.join(', '));

    // Holding something again: keepalive and deadtime at once.
    await peerFor(400, true, 5, 100);
    assert.equal(e.view().quietStandby, true);
    e.setStandby(false);
    await peerFor(50, true, 5, 100);
    v = e.view();
    assert.equal(v.quietStandby, false);
    assert.equal(v.advertisedDeadtimeMs, normalDt(v));
    assert.equal(v.sendIntervalMs, 10);
    drain();
    assert.ok(events.includes('cadence quiet 200 1000'), events.join(', '));
    assert.ok(events.includes(`cadence normal 10 ${normalDt(v)}`), events.join(', '));
  } finally {
    e.stop();
    sock.close();
  }
});
