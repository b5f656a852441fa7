// `hbd ldirectord CONFIG ACTION` end to end. Without IPVS in the sandbox the
// running-director tests use the in-memory backend (HBD_IPVS_BACKEND=memory)
// and are skipped until src/ipvs/memory-backend.ts exists.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { exitOf, hbd, hbdChild, waitUntil } from '../../helpers/hbd-cli';
import { REPO_ROOT, tempDir } from '../../helpers/tmp';

// Inherited by every `hbd` child: look configurations up in the test's directory, not /etc/ha.d.
const haDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-ld-cli-'));
process.env.HBD_LDIRECTORD_HA_DIR = haDir;
process.env.HBD_IPVS_BACKEND = 'memory';
process.on('exit', () => fs.rmSync(haDir, { recursive: true, force: true }));

const memoryBackend = fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'ipvs', 'memory-backend.js'));

function writeConfig(name: string, text: string): string {
  fs.writeFileSync(path.join(haDir, name), text);
  return name;
}

test('status of a director that is not running: exit 3; with a stale pid file: exit 1', (t) => {
  const stateDir = tempDir(t);
  const name = writeConfig('idle.cf', 'virtual=192.0.2.100:80\n\treal=192.0.2.11 gate\n\tchecktype=on\n');
  const r = hbd(['ldirectord', name, 'status', '--state-dir', stateDir]);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /ldirectord is stopped for idle\.cf/);
  fs.mkdirSync(path.join(stateDir, 'idle.cf'), { recursive: true });
  fs.writeFileSync(path.join(stateDir, 'idle.cf', 'hbd.pid'), '999999\n');
  const stale = hbd(['ldirectord', name, 'status', '--state-dir', stateDir]);
  assert.equal(stale.status, 1);
  assert.match(stale.stderr, /stale pid file/);
  assert.equal(hbd(['ldirectord', name, 'stop', '--state-dir', stateDir]).status, 0, 'stop when stopped is fine');
  assert.equal(hbd(['ldirectord', name, 'reload', '--state-dir', stateDir]).status, 1, 'reload needs a running director');
});

test('configuration errors: exit 2 with FILE:LINE for start and check; unknown action and missing file', (t) => {
  const stateDir = tempDir(t);
  const name = writeConfig('broken.cf', 'checktimeout=3\nvirtual=192.0.2.100:80\n\treal=192.0.2.11 teleport\n');
  const file = path.join(haDir, name);
  for (const action of ['start', 'check']) {
    const r = hbd(['ldirectord', name, action, '--state-dir', stateDir, '--foreground']);
    assert.equal(r.status, 2, `${action}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`${file}:3: error: forward method \`teleport\``), r.stderr);
  }
  const missing = hbd(['ldirectord', 'nope.cf', 'check', '--state-dir', stateDir]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /not found: looked for/);
  assert.equal(hbd(['ldirectord', name, 'restart', '--state-dir', stateDir]).status, 1);
});

test('start --foreground, status table, reload with rollback, stop with cleanstop', { skip: !memoryBackend && 'src/ipvs/memory-backend.ts is not built yet' }, async (t) => {
  const stateDir = tempDir(t);
  const name = writeConfig('web.cf', [`logfile="${path.join(stateDir, 'ld.log')}"`, 'virtual=192.0.2.100:80', '\treal=192.0.2.11:80 gate 2', '\tchecktype=on', ''].join('\n'));
  const child = hbdChild(t, ['ldirectord', name, 'start', '--state-dir', stateDir, '--foreground']);
  const socket = path.join(stateDir, 'web.cf', 'hbd.sock');
  await waitUntil('control socket', () => fs.existsSync(socket));
  await waitUntil('server up', () => /192\.0\.2\.11:80 +gate +2 +2 +on/.test(hbd(['ldirectord', name, 'status', '--state-dir', stateDir]).stdout));

  writeConfig('web.cf', fs.readFileSync(path.join(haDir, name), 'utf8').replace('gate 2', 'gate 5'));
  const reload = hbd(['ldirectord', name, 'reload', '--state-dir', stateDir]);
  assert.equal(reload.status, 0, reload.stderr);
  assert.match(hbd(['ldirectord', name, 'status', '--state-dir', stateDir]).stdout, /192\.0\.2\.11:80 +gate +5 +5 +on/);

  writeConfig('web.cf', 'virtual=192.0.2.100:80\n\treal=192.0.2.11:80 nowhere\n');
  const bad = hbd(['ldirectord', name, 'reload', '--state-dir', stateDir]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /web\.cf:2: error/);

  const stop = hbd(['ldirectord', name, 'stop', '--state-dir', stateDir]);
  assert.equal(stop.status, 0, stop.stderr);
  assert.equal(await exitOf(child), 0);
  assert.equal(fs.existsSync(socket), false);
});
