// The JS side's record of the engine's standby: the engine leaves standby by
// itself when it runs a native takeover, so a resource manager that then ends
// up holding nothing again (the takeover came to nothing) must be able to
// tell it again. Real engine on loopback; the takeover event is the one thing
// injected (a real one needs a peer's death and addresses in a namespace:
// test/netns/standby-cadence.test.ts).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { Heartbeat } from '../../src/cluster/heartbeat';
import { loadYamlConfig } from '../../src/config/load';
import { EventStream } from '../../src/daemon/events';
import { type NativeBinding, type NativeEngine, type NativeEvent, loadNative } from '../../src/native/binding';
import { tempDir } from '../helpers/tmp';

test('Heartbeat.standingBy follows setStandby, and a native takeover clears it', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'hbd.yaml');
  const port = 30000 + (process.pid % 10000);
  fs.writeFileSync(
    file,
    `nodes: [node1, node2]\nkeepalive: 10ms\ndeadtime: 100ms\nstandby_keepalive: 40ms\nudpport: ${port}\n` +
      'media: [ { ucast: { iface: lo, peer: 127.0.0.2 } } ]\nauto_failback: on\nauth: { use: 1, keys: { 1: { method: sha1, key: s3cret } } }\n',
    { mode: 0o600 },
  );
  const { config } = loadYamlConfig(file, { checkFilesystem: false });
  assert.ok(config);
  const real = loadNative();
  const asked: boolean[] = [];
  const injected: NativeEvent[] = [];
  let engine: NativeEngine | null = null;
  const native: NativeBinding = {
    ...real,
    createEngine: async (cfg, onEvents) => {
      const e = await real.createEngine(cfg, onEvents);
      engine = e;
      const recording: NativeEngine = {
        start: () => e.start(),
        stop: () => e.stop(),
        setStatus: (s) => e.setStatus(s),
        send: (f) => e.send(f),
        view: () => e.view(),
        counters: () => e.counters(),
        armTakeover: (p, s) => e.armTakeover(p, s),
        setStandby: (s) => {
          asked.push(s);
          e.setStandby(s);
        },
        poll: () => [...e.poll(), ...injected.splice(0)],
      };
      return recording;
    },
  };
  const hb = await Heartbeat.start({
    config,
    identity: { nodeName: 'node1', uuid: Buffer.alloc(16, 1), generation: 1 },
    native,
    logger: pino({ level: 'silent' }),
    events: new EventStream(),
  });
  try {
    assert.equal(hb.standingBy, false);
    hb.setStandby(true);
    assert.equal(hb.standingBy, true);
    assert.deepEqual(asked, [true]);
    const until = async (want: number) => {
      for (const end = Date.now() + 5000; hb.view().sendIntervalMs !== want && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
      return hb.view().sendIntervalMs;
    };
    assert.equal(await until(40), 40, 'the real engine heard it');
    // The engine ran a takeover by itself (it then heartbeats at keepalive).
    assert.ok(engine);
    injected.push({ type: 'takeover', monoMs: Number(process.hrtime.bigint() / 1_000_000n), node: 'node2', value: 2, value2: 0 } as NativeEvent);
    hb.drain();
    assert.equal(hb.standingBy, false, 'after a native takeover the engine is no longer standing by');
    hb.setStandby(true);
    assert.deepEqual(asked, [true, true], 'so standby can be asked for again');
  } finally {
    hb.stop();
  }
});
