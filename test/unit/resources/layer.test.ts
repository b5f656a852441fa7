// The layer built from a loaded configuration: the HA_* environment a script
// sees comes from ha.cf, the operation adds its own; messageEnv.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadHaDirectory } from '../../../src/config/load';
import { createResourceGroups } from '../../../src/resources/layer';
import { heartbeatEnv, messageEnv } from '../../../src/resources/script-env';
import { FIXTURES, tempDir } from '../../helpers/tmp';
import { captureLogger, context } from './helpers';

function haDir(t: Parameters<typeof tempDir>[0], haresources: string): string {
  const dir = path.join(tempDir(t, 'hbd-layer-'), 'ha.d');
  fs.cpSync(path.join(FIXTURES, 'hacf', 'director'), dir, { recursive: true });
  fs.chmodSync(path.join(dir, 'authkeys'), 0o600);
  fs.writeFileSync(path.join(dir, 'haresources'), haresources);
  fs.copyFileSync(path.join(FIXTURES, 'resources', 'ha.d', 'resource.d', 'envdump'), path.join(dir, 'resource.d', 'envdump'));
  fs.chmodSync(path.join(dir, 'resource.d', 'envdump'), 0o755);
  return dir;
}

test('heartbeatEnv: what heartbeat setenv()s from ha.cf', (t) => {
  const dir = haDir(t, 'lb1 envdump::x\n');
  const { config } = loadHaDirectory(dir, { nodeName: 'lb1', checkFilesystem: false });
  assert.ok(config);
  assert.deepEqual(heartbeatEnv(config, 'lb1'), {
    HA_DIR: dir,
    HA_FUNCS: fs.existsSync('/etc/ha.d/shellfuncs') ? '/etc/ha.d/shellfuncs' : path.join(dir, 'shellfuncs'),
    HA_CURHOST: 'lb1',
    HA_NICEFAILBACK: 'yes',
    HA_debug: '0',
    HA_LOGD: 'no',
    HA_LOGFACILITY: 'local0',
    HA_LOGFILE: '/var/log/ha-log',
    HA_DEBUGLOG: '/var/log/ha-debug',
  });
});

test('a group from the configuration: the script sees the configuration\'s HA_* and the operation\'s', async (t) => {
  const dir = haDir(t, 'lb1 envdump::x\n');
  const { config } = loadHaDirectory(dir, { nodeName: 'lb1', checkFilesystem: false });
  assert.ok(config);
  const groups = createResourceGroups(config, 'lb1', { escalate: () => undefined });
  const state = tempDir(t);
  const g = config.resourceGroups[0]!;
  const out = await groups.start(g, context(captureLogger(), { TEST_STATE: state, HA_DONTASK: 'yes', ...messageEnv({ src: 'lb2', rsc_hold: 'all', 'bad-name': 'x' }) }));
  assert.equal(out.ok, true);
  const dump = fs.readFileSync(path.join(state, 'envdump'), 'utf8').split('\n');
  for (const line of ['arg=x', 'arg=start', 'HA_CURHOST=lb1', `HA_DIR=${dir}`, 'HA_DONTASK=yes', 'HA_src=lb2', 'HA_rsc_hold=all', 'HA_LOGFACILITY=local0', 'HA_debug=0']) {
    assert.ok(dump.includes(line), line);
  }
  assert.ok(!dump.some((l) => l.startsWith('HA_bad')));
});

test('built-ins from the configuration without their facility say what is missing', async (t) => {
  const dir = haDir(t, 'lb1 ldirectord::ldirectord.cf LVSSyncDaemonSwap::master IPaddr2::10.0.0.100/24/eth0/10.0.0.255\n');
  const { config } = loadHaDirectory(dir, { nodeName: 'lb1', checkFilesystem: false });
  assert.ok(config);
  const groups = createResourceGroups(config, 'lb1', { escalate: () => undefined, stopRetries: 0 });
  const g = config.resourceGroups[0]!;
  assert.deepEqual(groups.agents(g).map((a) => a.id), ['ldirectord::ldirectord.cf', 'LVSSyncDaemonSwap::master', 'IPaddr2::10.0.0.100/24/eth0/10.0.0.255']);
  const out = await groups.start(g, context(captureLogger()));
  assert.equal(out.ok, false);
  assert.match(out.error?.message ?? '', /without the built-in director/);
});
