// The cluster tick runs only while wanted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ticker } from '../../../src/cluster/ticker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('ticks while wanted, not before and not after', async () => {
  let ticks = 0;
  const t = new Ticker(5, () => ticks++);
  await sleep(30);
  assert.equal(ticks, 0, 'nothing wanted yet');
  t.want(true);
  t.want(true); // idempotent: still one interval
  assert.equal(t.running, true);
  await sleep(60);
  assert.ok(ticks > 0, 'ticked while wanted');
  t.want(false);
  assert.equal(t.running, false);
  const at = ticks;
  await sleep(30);
  assert.equal(ticks, at, 'no tick after want(false)');
  t.want(true);
  t.stop();
  assert.equal(t.running, false);
});

test('a tick may switch its own ticker off', async () => {
  let ticks = 0;
  const t = new Ticker(2, () => {
    ticks++;
    t.want(false);
  });
  t.want(true);
  await sleep(40);
  assert.equal(ticks, 1);
});
