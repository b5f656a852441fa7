import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatHeartbeatTime, parseBoolean, parseHeartbeatTime, parseInteger } from '../../../src/config/time';

test('time: no unit means seconds, decimals allowed', () => {
  assert.equal(parseHeartbeatTime('2'), 2000);
  assert.equal(parseHeartbeatTime('1.7'), 1700);
  assert.equal(parseHeartbeatTime('0.1'), 100);
  assert.equal(parseHeartbeatTime('.5'), 500);
  assert.equal(parseHeartbeatTime('0.001'), 1);
  assert.equal(parseHeartbeatTime('30'), 30000);
});

test('time: ms/msec and us/usec, case-insensitive, optional blank before the unit', () => {
  assert.equal(parseHeartbeatTime('1700ms'), 1700);
  assert.equal(parseHeartbeatTime('50msec'), 50);
  assert.equal(parseHeartbeatTime('50MS'), 50);
  assert.equal(parseHeartbeatTime('500000us'), 500);
  assert.equal(parseHeartbeatTime('500000usec'), 500);
  assert.equal(parseHeartbeatTime('100 ms'), 100);
  assert.equal(parseHeartbeatTime('1.5ms'), 2);
});

test('time: rounded to the nearest ms as cl_get_msec does (499us = 0, 501us = 1, 1000us = 1)', () => {
  assert.equal(parseHeartbeatTime('499us'), 0);
  assert.equal(parseHeartbeatTime('500us'), 1);
  assert.equal(parseHeartbeatTime('501us'), 1);
  assert.equal(parseHeartbeatTime('1000us'), 1);
  assert.equal(parseHeartbeatTime('0'), 0);
});

test('time: anything else is refused (2s, minutes, negative, empty, junk)', () => {
  for (const bad of ['2s', '1m', '1h', '-1', '', 'ms', 'abc', '1.2.3', '10msfoo', '0x10']) {
    assert.equal(parseHeartbeatTime(bad), null, bad);
  }
});

test('time: formatHeartbeatTime prints what parses back to the same value', () => {
  assert.equal(formatHeartbeatTime(30000), '30');
  assert.equal(formatHeartbeatTime(50), '50ms');
  assert.equal(formatHeartbeatTime(1500), '1500ms');
  for (const ms of [0, 1, 999, 1000, 1001, 12000, 123456]) assert.equal(parseHeartbeatTime(formatHeartbeatTime(ms)), ms);
});

test('boolean: true|on|yes|y|1 and false|off|no|n|0, case-insensitive', () => {
  for (const t of ['true', 'on', 'yes', 'y', '1', 'TRUE', 'On', 'YES', 'Y']) assert.equal(parseBoolean(t), true, t);
  for (const f of ['false', 'off', 'no', 'n', '0', 'FALSE', 'Off', 'No', 'N']) assert.equal(parseBoolean(f), false, f);
  for (const bad of ['', 'enable', 'ja', '2', 'truee', 'legacy']) assert.equal(parseBoolean(bad), null, bad);
});

test('integer: whole decimal numbers only (no atoi-style 12abc)', () => {
  assert.equal(parseInteger('694'), 694);
  assert.equal(parseInteger('-3'), -3);
  assert.equal(parseInteger('+7'), 7);
  for (const bad of ['12abc', '', '1.5', '0x10', ' 1']) assert.equal(parseInteger(bad), null, bad);
});
