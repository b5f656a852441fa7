import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { createLogger, levelForDebug } from '../../src/log';
import { tempDir } from '../helpers/tmp';

function lines(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('ha.cf debug levels map to log levels', () => {
  assert.equal(levelForDebug(0), 'info');
  assert.equal(levelForDebug(1), 'debug');
  assert.equal(levelForDebug(3), 'trace');
});

test('logfile gets info and above, debugfile gets debug too, syslog gets info and above as text', async (t) => {
  const dir = tempDir(t);
  const logfile = path.join(dir, 'ha-log');
  const debugfile = path.join(dir, 'sub', 'ha-debug');
  const syslog: { facility?: string; lines: [number, string][] } = { lines: [] };
  const log = createLogger({
    level: 'debug',
    stderr: false,
    logfile,
    debugfile,
    syslogFacility: 'local7',
    syslog: { open: (_i, f) => (syslog.facility = f), write: (p, m) => syslog.lines.push([p, m]) },
  });
  log.logger.debug('detail');
  log.logger.info({ node: 'n2' }, 'node up');
  log.logger.warn('late heartbeat');
  log.logger.trace('not shown at debug');
  log.flush();
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(lines(logfile).map((l) => l.msg), ['node up', 'late heartbeat']);
  assert.deepEqual(lines(debugfile).map((l) => l.msg), ['detail', 'node up', 'late heartbeat']);
  assert.equal(syslog.facility, 'local7');
  assert.deepEqual(syslog.lines, [
    [6, 'node up node=n2'],
    [4, 'late heartbeat'],
  ]);
});

test('SIGUSR1/SIGUSR2 steps move the level one notch', () => {
  const log = createLogger({ level: 'info', stderr: false });
  assert.equal(log.step(1), 'debug');
  assert.equal(log.step(1), 'trace');
  assert.equal(log.step(1), 'trace');
  assert.equal(log.step(-1), 'debug');
});
