// README quick-start line (a): `hbd demo` runs end to end and leaves nothing behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hbd } from '../helpers/hbd-cli';

function demoNamespaces(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('hbd-demo-'));
}

test('hbd demo starts two directors in namespaces, shows them, and cleans up', { timeout: 120_000 }, () => {
  const r = hbd(['demo'], { timeoutMs: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /director1: hbd running/);
  assert.match(r.stdout, /director2: hbd running/);
  assert.match(r.stdout, /director1: generation \d+, cluster nodes director1\* director2/);
  assert.deepEqual(demoNamespaces(), [], 'no namespaces left behind');
});
