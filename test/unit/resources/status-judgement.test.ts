// Heartbeat's status text match (ResourceManager we_own_resource) and hbd's
// one addition for status answers printed to stderr (trap 6).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heartbeatGlob, judgeStatus } from '../../../src/resources/status-judgement';

test('stdout decides exactly as ResourceManager globs it, whatever the exit code', () => {
  const cases: [string, number | null, 'running' | 'stopped'][] = [
    ['httpd (pid 123) is running...', 0, 'running'],
    ['httpd is not running', 0, 'stopped'],
    ['Resource NOT running', 0, 'stopped'],
    ['Not   running', 0, 'stopped'], // `\ *` = a space, then anything
    ['RESOURCE NOT RUNNING', 0, 'stopped'], // only the first letter of running is case-blind
    ['INFO:  Running OK', 0, 'running'],
    ['OK', 1, 'running'],
    ['ok', 0, 'stopped'],
    ['INFO:  Resource is stopped', 7, 'stopped'],
    ['master running', 3, 'running'], // LVSSyncDaemonSwap 2.1.3: inverted exit codes
    ['master stopped', 0, 'stopped'],
    ['', 0, 'stopped'], // no status action at all: never "owned"
    ['checking...\nstate: running\n', 0, 'running'],
    ['not\nrunning', 0, 'running'], // the "not" pattern needs "not " then running
    ['nothing running here', 0, 'running'], // "not" without the space after it
    ['is not \nrunning', 0, 'stopped'], // `*` crosses newlines in a case glob (checked with sh)
    ['Usage: x {start|stop}', 1, 'stopped'],
  ];
  for (const [stdout, code, want] of cases) {
    assert.equal(judgeStatus(stdout, '', code).status, want, JSON.stringify(stdout));
  }
});

test('stderr counts only when stdout is empty, the exit code is 0, and it says running', () => {
  const ld = 'ldirectord for /etc/ha.d/ldirectord.cf is running with pid: 4242\n';
  assert.deepEqual(judgeStatus('', ld, 0), { status: 'running', basis: 'stderr-running' });
  assert.equal(judgeStatus('', ld, 3).status, 'stopped');
  assert.equal(judgeStatus('', ld, null).status, 'stopped');
  assert.equal(judgeStatus('', 'daemon is not running', 0).status, 'stopped');
  assert.equal(judgeStatus('', 'all OK', 0).status, 'running');
  // stdout said something: stderr is not looked at
  assert.deepEqual(judgeStatus('ldirectord is stopped for x', 'something is running', 0), { status: 'stopped', basis: 'no-verdict' });
  assert.deepEqual(judgeStatus('x is not running', 'y is running', 0), { status: 'stopped', basis: 'stdout-not-running' });
});

test('heartbeatGlob says null when neither pattern matches', () => {
  assert.equal(heartbeatGlob('stopped'), null);
  assert.equal(heartbeatGlob('running'), 'running');
  assert.equal(heartbeatGlob('not running'), 'stopped');
});
