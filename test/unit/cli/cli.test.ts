import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { exitOf, hbd, hbdChild, waitUntil, writeHaDir } from '../../helpers/hbd-cli';
import { inNetns, testNetns } from '../../helpers/netns';
import { tempDir } from '../../helpers/tmp';

test('check-config accepts a valid ha.d directory (exit 0)', (t) => {
  const dir = writeHaDir(path.join(tempDir(t), 'ha.d'));
  const r = hbd(['check-config', '--config-dir', dir, '--node-name', 'alpha']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /configuration OK .*2 nodes, 1 media, 1 resource groups/);
});

test('check-config names file and line of each error and exits 1', (t) => {
  const dir = writeHaDir(path.join(tempDir(t), 'ha.d'), {
    hacf: ['keepalive 1', 'deadtime 1', 'bcast lo', 'frobnicate yes', 'node alpha beta', ''].join('\n'),
  });
  const r = hbd(['check-config', '--config-dir', dir, '--node-name', 'alpha']);
  assert.equal(r.status, 1);
  const hacf = path.join(dir, 'ha.cf');
  assert.ok(r.stderr.includes(`${hacf}:4: error:`), r.stderr);
  assert.match(r.stderr, new RegExp(`${hacf.replace(/[.]/g, '\\.')}:2: error: .*deadtime`, 'i'));
});

test('check-config: the local node must be in the node list', (t) => {
  const dir = writeHaDir(path.join(tempDir(t), 'ha.d'));
  const r = hbd(['check-config', '--config-dir', dir, '--node-name', 'gamma']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /gamma/);
});

test('check-config --print-yaml output is itself a valid configuration', (t) => {
  const tmp = tempDir(t);
  const dir = writeHaDir(path.join(tmp, 'ha.d'));
  const r = hbd(['check-config', '--config-dir', dir, '--node-name', 'alpha', '--print-yaml']);
  assert.equal(r.status, 0, r.stderr);
  const yamlFile = path.join(tmp, 'hbd.yaml');
  fs.writeFileSync(yamlFile, r.stdout, { mode: 0o600 });
  const back = hbd(['check-config', '--config', yamlFile, '--node-name', 'alpha']);
  assert.equal(back.status, 0, back.stderr);
  assert.match(back.stdout, /configuration OK \(yaml /);
});

test('--config-dir and --config are alternatives', (t) => {
  const dir = writeHaDir(path.join(tempDir(t), 'ha.d'));
  const r = hbd(['check-config', '--config-dir', dir, '--config', 'x.yaml']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot be used with/);
});

test('run refuses to start on a configuration error', (t) => {
  const tmp = tempDir(t);
  const dir = writeHaDir(path.join(tmp, 'ha.d'), { hacf: 'keepalive 2\nnode alpha\n' });
  const r = hbd(['run', '--foreground', '--config-dir', dir, '--node-name', 'alpha', '--state-dir', path.join(tmp, 's')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not starting/);
  assert.equal(fs.existsSync(path.join(tmp, 's', 'hbd.sock')), false);
});

test('run --foreground serves status over the control socket and stops on SIGTERM', async (t) => {
  const tmp = tempDir(t);
  const dir = writeHaDir(path.join(tmp, 'ha.d'));
  const stateDir = path.join(tmp, 'state');
  const ns = testNetns(t);
  const child = hbdChild(t, ['run', '--foreground', '--config-dir', dir, '--node-name', 'alpha', '--state-dir', stateDir, '--log-level', 'warn'], inNetns(ns));
  await waitUntil('control socket', () => fs.existsSync(path.join(stateDir, 'hbd.sock')));
  const status = hbd(['status', '--json', '--state-dir', stateDir]);
  assert.equal(status.status, 0, status.stderr);
  const reply = JSON.parse(status.stdout) as { node: string; nodes: { name: string; self: boolean }[]; generation: number };
  assert.equal(reply.node, 'alpha');
  assert.deepEqual(reply.nodes.map((n) => [n.name, n.self]), [['alpha', true], ['beta', false]]);
  assert.equal(fs.readFileSync(path.join(stateDir, 'hbd.pid'), 'utf8').trim(), String(child.pid));
  const table = hbd(['status', '--state-dir', stateDir]);
  assert.match(table.stdout, /alpha \(this node\)/);
  child.kill('SIGTERM');
  assert.equal(await exitOf(child), 0);
  assert.equal(fs.existsSync(path.join(stateDir, 'hbd.sock')), false, 'socket removed on stop');
  assert.equal(fs.existsSync(path.join(stateDir, 'hbd.pid')), false, 'pid file removed on stop');
  // The generation rises on every start.
  const gen1 = reply.generation;
  const again = hbdChild(t, ['run', '--foreground', '--config-dir', dir, '--node-name', 'alpha', '--state-dir', stateDir, '--log-level', 'warn'], inNetns(ns));
  await waitUntil('control socket', () => fs.existsSync(path.join(stateDir, 'hbd.sock')));
  const gen2 = (JSON.parse(hbd(['status', '--json', '--state-dir', stateDir]).stdout) as { generation: number }).generation;
  assert.equal(gen2, gen1 + 1);
  again.kill('SIGTERM');
  await exitOf(again);
});

test('run without --foreground detaches; stop shuts it down', async (t) => {
  const tmp = tempDir(t);
  const dir = writeHaDir(path.join(tmp, 'ha.d'));
  const stateDir = path.join(tmp, 'state');
  const ns = testNetns(t);
  const r = hbd(['run', '--config-dir', dir, '--node-name', 'alpha', '--state-dir', stateDir], { wrapper: inNetns(ns) });
  t.after(() => {
    const pid = Number(fs.existsSync(path.join(stateDir, 'hbd.pid')) ? fs.readFileSync(path.join(stateDir, 'hbd.pid'), 'utf8') : 0);
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hbd started \(pid \d+/);
  const pid = Number(fs.readFileSync(path.join(stateDir, 'hbd.pid'), 'utf8'));
  assert.ok(pid > 0);
  const stop = hbd(['stop', '--state-dir', stateDir]);
  assert.equal(stop.status, 0, stop.stderr);
  await waitUntil('daemon exit', () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
});

test('control commands report a daemon that is not running (exit 3)', (t) => {
  const stateDir = tempDir(t);
  for (const args of [['status'], ['standby', 'all'], ['takeover', 'local'], ['stop']]) {
    const r = hbd([...args, '--state-dir', stateDir]);
    assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /hbd is not running/);
  }
  const bad = hbd(['standby', 'everything', '--state-dir', stateDir]);
  assert.equal(bad.status, 2);
});

test('version prints hbd and native core versions', () => {
  const r = hbd(['version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^hbd \d+\.\d+\.\d+\nnative core \d+\.\d+\.\d+/);
});

test('unknown subcommands and options are usage errors (exit 2)', () => {
  assert.equal(hbd(['frobnicate']).status, 2);
  assert.equal(hbd(['status', '--nope']).status, 2);
  assert.equal(hbd(['status', 'listnodes', '-x']).status, 2);
  // cl_status's own flags reach the query (here: no daemon to ask, exit 3).
  assert.equal(hbd(['status', 'hbparameter', '-p', 'keepalive', '--state-dir', '/nonexistent-hbd-state']).status, 3);
});
