// ldirectord::NAME as a resource: the built-in director for that file, over
// the in-memory IPVS; one director per file, found like ldirectord finds it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { CheckRunner } from '../../../src/checks/types';
import { MemoryIpvsBackend } from '../../../src/ipvs/memory-backend';
import { Director } from '../../../src/ldirectord/director';
import { createAgent } from '../../../src/resources/create-agent';
import { DirectorPool } from '../../../src/resources/director-pool';
import { captureLogger, context, ref, scriptRig } from './helpers';

const alwaysUp: CheckRunner = { run: async () => ({ ok: true, message: 'up', durationMs: 0 }) };

test('start brings the director up (services in IPVS), status follows it, stop removes its services', async (t) => {
  const rig = scriptRig(t);
  const ipvs = new MemoryIpvsBackend();
  const made: string[] = [];
  const directors = new DirectorPool((file) => {
    made.push(file);
    return new Director({ config: file, backend: ipvs, checks: alwaysUp, load: { haDir: rig.haDir, checkFilesystem: false } });
  });
  const deps = { haDir: rig.haDir, initDir: rig.initDir, baseEnv: {}, directors };
  const ctx = context(captureLogger());
  const a = createAgent(ref('ldirectord::ldirectord.cf'), deps);
  assert.equal(await a.status(ctx), 'stopped');
  await a.start(ctx);
  t.after(() => a.stop(ctx));
  assert.equal(await a.status(ctx), 'running');
  assert.equal((await ipvs.listServices()).length, 1);
  // Same file from another item (the default name): the same director.
  const b = createAgent(ref('ldirectord'), deps);
  assert.equal(await b.status(ctx), 'running');
  await b.start(ctx);
  assert.deepEqual(made, [path.join(rig.haDir, 'ldirectord.cf')]);
  await a.stop(ctx);
  assert.equal(await a.status(ctx), 'stopped');
  assert.equal((await ipvs.listServices()).length, 0);
});

test('a configuration that is not there, or does not validate, fails the start and says why', async (t) => {
  const rig = scriptRig(t);
  const ipvs = new MemoryIpvsBackend();
  const directors = new DirectorPool((file) => new Director({ config: file, backend: ipvs, checks: alwaysUp, load: { haDir: rig.haDir, checkFilesystem: false } }));
  const deps = { haDir: rig.haDir, initDir: rig.initDir, baseEnv: {}, directors };
  const ctx = context(captureLogger());
  const missing = createAgent(ref('ldirectord::nosuch.cf'), deps);
  await assert.rejects(missing.start(ctx), { code: 'RSC_BAD_ARGUMENT', message: /nosuch\.cf not found \(looked for .*nosuch\.cf, .*conf\/nosuch\.cf\)/ });
  assert.equal(await missing.status(ctx), 'stopped');
  await missing.stop(ctx);
  fs.writeFileSync(path.join(rig.haDir, 'broken.cf'), 'virtual=not-an-address\n\treal=x\n');
  await assert.rejects(createAgent(ref('ldirectord::broken.cf'), deps).start(ctx), { code: 'RSC_START_FAILED', message: /ldirectord for .*broken\.cf did not start/ });
});

test('without a director pool the ldirectord item never starts, and says so', async () => {
  const a = createAgent(ref('ldirectord::ldirectord.cf'), { haDir: '/x', initDir: '/x', baseEnv: {} });
  await assert.rejects(a.start(context(captureLogger())), { code: 'RSC_BAD_ARGUMENT', message: /without the built-in director/ });
});
