// The watchdog against a test device: a regular file or a FIFO we read back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Watchdog } from '../../../src/supervise/watchdog';
import { tempDir } from '../../helpers/tmp';
import { captureLogger } from '../resources/helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('tickles at once and on every interval while the node hears itself; magic close V on a clean stop', async (t) => {
  const dev = path.join(tempDir(t), 'watchdog');
  fs.writeFileSync(dev, '');
  let heard = true;
  const log = captureLogger();
  const wd = new Watchdog({ device: dev, intervalMs: 30, selfHeard: () => heard, logger: log.logger });
  wd.start();
  t.after(() => wd.stop());
  assert.deepEqual([...fs.readFileSync(dev)], [0], 'one NUL byte at once, as Heartbeat');
  await sleep(200);
  const whileHeard = fs.readFileSync(dev).length;
  assert.ok(whileHeard >= 4, `ticked ${whileHeard} times`);
  assert.ok([...fs.readFileSync(dev)].every((b) => b === 0));

  heard = false;
  await sleep(50);
  const atSilence = fs.readFileSync(dev).length;
  await sleep(200);
  assert.equal(fs.readFileSync(dev).length, atSilence, 'no tickle while our own heartbeat is not heard');
  assert.ok(log.messages('error').includes('not hearing our own heartbeat: no longer tickling the watchdog'));

  heard = true;
  await sleep(100);
  assert.ok(fs.readFileSync(dev).length > atSilence, 'tickling resumes');
  wd.stop();
  const bytes = fs.readFileSync(dev);
  assert.equal(bytes.at(-1), 'V'.charCodeAt(0), 'magic close last');
  assert.equal(wd.tickles, bytes.length - 1);
  const after = bytes.length;
  await sleep(100);
  assert.equal(fs.readFileSync(dev).length, after, 'nothing after stop');
});

test('stop(false) leaves the watchdog armed: no magic close', async (t) => {
  const dev = path.join(tempDir(t), 'watchdog');
  fs.writeFileSync(dev, '');
  const wd = new Watchdog({ device: dev, intervalMs: 1000, selfHeard: () => true, logger: captureLogger().logger });
  wd.start();
  wd.stop(false);
  assert.deepEqual([...fs.readFileSync(dev)], [0]);
});

test('a FIFO as the device: the reader sees NUL tickles, then V', async (t) => {
  const fifo = path.join(tempDir(t), 'wd.fifo');
  execFileSync('mkfifo', [fifo]);
  const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  t.after(() => fs.closeSync(reader));
  const wd = new Watchdog({ device: fifo, intervalMs: 20, selfHeard: () => true, logger: captureLogger().logger });
  wd.start();
  await sleep(100);
  wd.stop();
  const buf = Buffer.alloc(1024);
  const n = fs.readSync(reader, buf, 0, buf.length, null);
  const got = [...buf.subarray(0, n)];
  assert.ok(got.length >= 3);
  assert.deepEqual(got.slice(0, -1).filter((b) => b !== 0), []);
  assert.equal(got.at(-1), 'V'.charCodeAt(0));
});

test('a missing device is an error at start, not a new file', (t) => {
  const dev = path.join(tempDir(t), 'nosuch');
  const wd = new Watchdog({ device: dev, intervalMs: 1000, selfHeard: () => true, logger: captureLogger().logger });
  assert.throws(() => wd.start(), { code: 'ENOENT' });
  assert.equal(fs.existsSync(dev), false);
});
