// Child process for the "blocked event loop" test: runs a heartbeat engine as
// node2, then blocks its own JS thread with Atomics.wait on command, and
// reports what the engine did meanwhile. Protocol over stdin/stdout lines:
//   -> "ready"                        engine sees node1 up
//   <- "arm STEPS-JSON"               arm the native takeover from node1 -> "armed"
//   <- "block MS"                     block the JS thread for MS ms
//   -> {"blockStart","blockEnd","events","counters"} (JSON) after each block
import * as readline from 'node:readline';
import { loadNative } from '../../src/native/binding';

const monoMs = () => Number(process.hrtime.bigint() / 1_000_000n);

async function main(): Promise<void> {
  const native = loadNative();
  const events: unknown[] = [];
  let engine: ReturnType<typeof Object> | null = null;
  const e = await native.createEngine(
    {
      nodeName: 'node2',
      uuid: Buffer.alloc(16, 2),
      generation: Math.floor(Date.now() / 1000),
      nodes: ['node1', 'node2'],
      media: [{ kind: 'bcast', iface: 'eth0', port: 694 }],
      ping: [],
      keepaliveMs: 50,
      deadtimeMs: 300,
      warntimeMs: 150,
      initdeadMs: 2000,
      deadpingMs: 300,
      maxRexmitDelayMs: 250,
      ttl: 3,
      omitInnerAuth: false,
      realtime: false,
      rtprio: 0,
      keys: { sign: 1, entries: [{ index: 1, method: 'sha1', secret: 'blocked-test-key' }] },
    },
    () => {
      if (engine) events.push(...e.poll());
    },
  );
  engine = e;
  e.start();
  e.setStatus('up');
  const ready = setInterval(() => {
    const node1 = e.view().nodes.find((n) => n.name === 'node1');
    if (node1 && node1.status !== 'init' && node1.status !== 'dead') {
      clearInterval(ready);
      process.stdout.write('ready\n');
    }
  }, 20);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const [cmd, arg] = line.split(' ');
    if (cmd === 'block') {
      events.push(...e.poll());
      const before = e.counters();
      const blockStart = monoMs();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(arg));
      const blockEnd = monoMs();
      const during = e.poll();
      const after = e.counters();
      process.stdout.write(
        `${JSON.stringify({
          blockStart,
          blockEnd,
          events: during,
          statusSent: Number((after.status_sent ?? 0n) - (before.status_sent ?? 0n)),
        })}\n`,
      );
    } else if (cmd === 'arm') {
      e.armTakeover('node1', JSON.parse(line.slice(4)) as Parameters<typeof e.armTakeover>[1]);
      process.stdout.write('armed\n');
    } else if (cmd === 'exit') {
      e.stop();
      process.exit(0);
    }
  });
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
