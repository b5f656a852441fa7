// The standalone director process in-process: control socket, pid file,
// SIGHUP reload, shutdown with cleanstop. The CLI runs exactly this.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { request } from '../../../src/control/client';
import { loadLdirectordConfig } from '../../../src/ldirectord/load';
import { instanceDir, runStandalone } from '../../../src/ldirectord/standalone';
import type { DirectorStatus } from '../../../src/ldirectord/status';
import { waitUntil } from '../../helpers/hbd-cli';
import { tempDir } from '../../helpers/tmp';
import { FakeChecks, FakeIpvs } from './fakes';

test('instanceDir: one state directory per configuration name', () => {
  assert.equal(instanceDir('/var/lib/hbd/ldirectord', '/etc/ha.d/www.cf'), '/var/lib/hbd/ldirectord/www.cf');
  assert.equal(instanceDir('/s', 'a b.cf'), '/s/a_b.cf');
});

test('runStandalone: serves status, reloads on SIGHUP, stops with cleanstop on shutdown', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'web.cf');
  const text = (weight: number) => [`logfile="${path.join(dir, 'ld.log')}"`, 'checkinterval=0.1', 'virtual=192.0.2.100:80', `\treal=192.0.2.11:80 gate ${weight}`, '\tchecktype=connect', ''].join('\n');
  fs.writeFileSync(file, text(2));
  const loaded = await loadLdirectordConfig(file, { haDir: dir });
  assert.ok(loaded.config !== null);
  const ipvs = new FakeIpvs();
  const state = path.join(dir, 'state');
  const done = runStandalone({ config: file, instanceDir: state, detached: true, backend: ipvs, checks: new FakeChecks(), haDir: dir }, loaded.config);
  const status = async (): Promise<DirectorStatus | null> => {
    try {
      const reply = await request(state, { cmd: 'status' });
      return reply.ok ? (reply.ldirectord as DirectorStatus) : null;
    } catch {
      return null;
    }
  };
  await waitUntil('server up', async () => (await status())?.virtuals[0]?.reals[0]?.ipvsWeight === 2);
  assert.equal(fs.readFileSync(path.join(state, 'hbd.pid'), 'utf8').trim(), String(process.pid));

  fs.writeFileSync(file, text(7));
  process.kill(process.pid, 'SIGHUP');
  await waitUntil('reloaded', async () => (await status())?.reloads.ok === 1);
  assert.deepEqual((await ipvs.snapshot()), { 'tcp 192.0.2.100:80': ['192.0.2.11:80 w7'] });

  const reply = await request(state, { cmd: 'standby', set: 'all' });
  assert.equal(reply.ok, false);

  assert.deepEqual(await request(state, { cmd: 'shutdown' }), { ok: true });
  assert.equal(await done, 0);
  assert.deepEqual((await ipvs.snapshot()), {}, 'cleanstop removed the service');
  assert.equal(fs.existsSync(path.join(state, 'hbd.sock')), false);
  assert.equal(fs.existsSync(path.join(state, 'hbd.pid')), false);
});
