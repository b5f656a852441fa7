import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { formatGenerationFile, parseGenerationFile, takeNodeIdentity } from '../../../src/daemon/state-dir';
import { tempDir } from '../../helpers/tmp';

const base = { nodeName: 'node1', generationMethod: 'file' as const, uuidFrom: 'file' as const };

test('generation file uses Heartbeat\'s format: 15 right-aligned digits and a newline', () => {
  assert.equal(formatGenerationFile(1795000000), '     1795000000\n');
  assert.equal(formatGenerationFile(42).length, 16);
  assert.equal(parseGenerationFile('     1795000000\n'), 1795000000);
  assert.equal(parseGenerationFile('garbage'), null);
  assert.equal(parseGenerationFile(''), null);
});

test('first start seeds the generation from the clock, later starts increment it', (t) => {
  const stateDir = tempDir(t);
  const first = takeNodeIdentity({ ...base, stateDir, nowSeconds: () => 1000 });
  assert.equal(first.generation, 1001);
  assert.equal(first.uuid.length, 16);
  assert.equal(fs.readFileSync(path.join(stateDir, 'hb_uuid')).length, 16);
  assert.equal(fs.readFileSync(path.join(stateDir, 'hb_generation'), 'latin1'), formatGenerationFile(1001));
  const second = takeNodeIdentity({ ...base, stateDir, nowSeconds: () => 5 });
  assert.equal(second.generation, 1002, 'the clock is not used once a generation exists');
  assert.deepEqual(second.uuid, first.uuid, 'the uuid persists');
});

test('a broken generation file is reseeded from the clock', (t) => {
  const stateDir = tempDir(t);
  fs.writeFileSync(path.join(stateDir, 'hb_generation'), 'not a number');
  assert.equal(takeNodeIdentity({ ...base, stateDir, nowSeconds: () => 77 }).generation, 78);
});

test('hbgenmethod time uses the clock on every start', (t) => {
  const stateDir = tempDir(t);
  const id = takeNodeIdentity({ ...base, stateDir, generationMethod: 'time', nowSeconds: () => 123 });
  assert.equal(id.generation, 123);
});

test('uuidfrom nodename gives the same uuid for the same name and no file', (t) => {
  const a = takeNodeIdentity({ ...base, stateDir: tempDir(t), uuidFrom: 'nodename' });
  const b = takeNodeIdentity({ ...base, stateDir: tempDir(t), uuidFrom: 'nodename' });
  const c = takeNodeIdentity({ ...base, nodeName: 'node2', stateDir: tempDir(t), uuidFrom: 'nodename' });
  assert.deepEqual(a.uuid, b.uuid);
  assert.notDeepEqual(a.uuid, c.uuid);
});

test('a replaced Heartbeat node\'s uuid and generation are adopted', (t) => {
  const hbDir = tempDir(t);
  const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  fs.writeFileSync(path.join(hbDir, 'hb_uuid'), uuid);
  fs.writeFileSync(path.join(hbDir, 'hb_generation'), formatGenerationFile(500));
  const stateDir = tempDir(t);
  const id = takeNodeIdentity({ ...base, stateDir, adoptFrom: hbDir, nowSeconds: () => 9 });
  assert.deepEqual(id.uuid, uuid);
  assert.equal(id.generation, 501, 'continues above the adopted generation');
  assert.ok(id.notes.some((n) => n.includes('adopted uuid')));
  // Once adopted, our own files win.
  fs.writeFileSync(path.join(hbDir, 'hb_uuid'), Buffer.alloc(16));
  assert.deepEqual(takeNodeIdentity({ ...base, stateDir, adoptFrom: hbDir }).uuid, uuid);
});
