// Resource script failure paths in a running daemon, and the ordered event
// stream (`hbd status --follow`) that reports them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { DirectorLan } from '../harness/director-pair';
import { HbdNode } from '../harness/hbd-node';
import { waitUntil } from '../helpers/hbd-cli';
import { HBD_BIN, tempDir } from '../helpers/tmp';

/** A resource script that logs every call and fails on demand (flag files). */
function script(log: string, flags: string): string {
  return `#!/bin/sh
echo "$0 $*" >> ${log}
case "$1" in
  start) [ -e ${flags}/fail-start ] && exit 1; touch ${flags}/running; exit 0 ;;
  stop)  [ -e ${flags}/fail-stop ] && exit 1; rm -f ${flags}/running; exit 0 ;;
  status) if [ -e ${flags}/running ]; then echo running; else echo "not running"; fi; exit 0 ;;
esac
`;
}

test('a failing start stops the group right to left; a failing stop is retried then escalated; events are ordered', { timeout: 120_000 }, async (t) => {
  const work = tempDir(t);
  const net = new DirectorLan(t, '10.99.120');
  const calls = path.join(work, 'calls.log');
  const flags = (n: string) => {
    const d = path.join(work, `flags-${n}`);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const haCf = ['keepalive 50ms', 'deadtime 300ms', 'warntime 150ms', 'initdead 1', 'bcast eth0', 'auto_failback on', 'node node1', ''].join('\n');
  const node = new HbdNode({
    netns: net.ns('n1'),
    name: 'node1',
    workDir: path.join(work, 'node1'),
    haCf,
    authkeys: 'auth 1\n1 sha1 k\n',
    haresources: 'node1 first second third\n',
    extraFiles: {
      'resource.d/first': { content: script(calls, flags('first')), mode: 0o755 },
      'resource.d/second': { content: script(calls, flags('second')), mode: 0o755 },
      'resource.d/third': { content: script(calls, flags('third')), mode: 0o755 },
    },
    extraArgs: ['--on-stop-failure', 'none'],
  });
  fs.writeFileSync(path.join(flags('third'), 'fail-start'), '');
  t.after(() => node.kill());
  node.start();
  await waitUntil('the daemon answers', async () => (await node.status()) !== null, 20_000);
  const events: string[] = [];
  const follower = spawn(process.execPath, [HBD_BIN, 'status', '--follow', '--json', '--state-dir', node.stateDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => follower.kill());
  follower.stdout.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) if (l.trim()) events.push((JSON.parse(l) as { type: string }).type);
  });
  try {
    await waitUntil('the start failed', () => /Giving up resources due to failure of/.test(node.log()), 20_000);
  } catch (e) {
    t.diagnostic(node.log().split('\n').slice(-30).map((l) => l.slice(0, 300)).join('\n'));
    throw e;
  }
  const order = () =>
    fs
      .readFileSync(calls, 'utf8')
      .split('\n')
      .filter((l) => /(start|stop)$/.test(l))
      .map((l) => `${path.basename(l.split(' ')[0] ?? '')} ${l.split(' ')[1]}`);
  await waitUntil('the group was stopped again', () => order().includes('first stop'), 10_000);
  assert.deepEqual(order(), ['first start', 'second start', 'third start', 'third stop', 'second stop', 'first stop'], 'left to right, then right to left');
  await waitUntil('the failure reached the event stream', () => events.includes('resource failed'), 10_000);

  // Now a clean start, then a stop that keeps failing: retried, then escalated.
  fs.rmSync(path.join(flags('third'), 'fail-start'));
  fs.writeFileSync(path.join(flags('second'), 'fail-stop'), '');
  // Restart the daemon to start the group cleanly.
  await node.stop();
  node.start();
  await waitUntil('group running', () => fs.existsSync(path.join(flags('third'), 'running')), 20_000);
  fs.writeFileSync(calls, '');
  const stopping = node.stop(60_000);
  await waitUntil('escalation logged', () => /Reboot required/.test(node.log()), 40_000);
  await stopping;
  const stops = fs.readFileSync(calls, 'utf8').split('\n').filter((l) => l.includes('second stop'));
  assert.equal(stops.length, 11, `one stop and 10 retries of the failing resource (got ${stops.length})`);
  assert.ok(fs.readFileSync(calls, 'utf8').includes('first stop'), 'the rest of the group is still released');
  const started = events.indexOf('resource started');
  assert.ok(events.indexOf('daemon started') < events.indexOf('resource failed'), `events in order: ${events.join(', ')}`);
  void started;
});
