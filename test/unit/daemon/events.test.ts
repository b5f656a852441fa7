import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStream } from '../../../src/daemon/events';

test('events are numbered in order and delivered in order', () => {
  const s = new EventStream();
  const seen: string[] = [];
  s.subscribe((e) => seen.push(`${e.seq}:${e.type}`));
  s.emit('node dead', { node: 'a' });
  s.emit('takeover', { group: 'g' });
  assert.deepEqual(seen, ['1:node dead', '2:takeover']);
});

test('a new follower gets the requested replay, then live events', () => {
  const s = new EventStream(3);
  for (let i = 0; i < 5; i++) s.emit(`e${i}`);
  const seen: number[] = [];
  const off = s.subscribe((e) => seen.push(e.seq), 2);
  s.emit('live');
  off();
  s.emit('after');
  assert.deepEqual(seen, [4, 5, 6]);
  assert.deepEqual(s.recent(10).map((e) => e.seq), [5, 6, 7], 'history is bounded');
});
