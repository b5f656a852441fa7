import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { isWholeLineDirective, lexHaCf } from '../../../src/config/hacf';

const lex = (text: string) => lexHaCf(text, 'f').map((e) => [e.directive, [...e.tokens], e.at.line]);

test('lexer: directive = first whitespace token; values split on whitespace and commas', () => {
  assert.deepEqual(lex('node a b,c\tD\n'), [['node', ['a', 'b', 'c', 'D'], 1]]);
  assert.deepEqual(lex('bcast eth0 , eth1\n'), [['bcast', ['eth0', 'eth1'], 1]]);
  assert.deepEqual(lex('node ,a\n'), [['node', ['a'], 1]]);
});

test('lexer: `#` starts a comment anywhere; blank and comment lines are skipped; lines are 1-based', () => {
  assert.deepEqual(lex('# c\n\n   \nkeepalive 2 # two seconds\nnode a#b\n#node x\n'), [
    ['keepalive', ['2'], 4],
    ['node', ['a'], 5],
  ]);
});

test('lexer: CR/LF cut the line; CRLF files read fine; leading blanks ignored', () => {
  assert.deepEqual(lex('keepalive 2\r\n  deadtime 30\r\n'), [
    ['keepalive', ['2'], 1],
    ['deadtime', ['30'], 2],
  ]);
  // A lone CR ends the significant text, as in Heartbeat (strpbrk CRLF).
  assert.deepEqual(lex('keepalive 2\rdeadtime 5\n'), [['keepalive', ['2'], 1]]);
});

test('lexer: directive names are case-sensitive and end at whitespace only (a comma stays in the name)', () => {
  assert.deepEqual(lex('Node a\nnode,a b\n'), [
    ['Node', ['a'], 1],
    ['node,a', ['b'], 2],
  ]);
});

test('lexer: whole-line directives keep commas inside their fields', () => {
  assert.deepEqual(lex('apiauth ping gid=haclient uid=alanr,root\n'), [['apiauth', ['ping', 'gid=haclient', 'uid=alanr,root'], 1]]);
  assert.deepEqual(lex('respawn hacluster /usr/lib/x a,b\n'), [['respawn', ['hacluster', '/usr/lib/x', 'a,b'], 1]]);
  assert.deepEqual(lex('ucast eth0 10.0.0.2\n'), [['ucast', ['eth0', '10.0.0.2'], 1]]);
});

test('lexer: which directives are whole-line (Heartbeat WLdirectives + media with parse())', () => {
  for (const d of ['stonith', 'stonith_host', 'apiauth', 'respawn', 'failfast', 'ucast', 'mcast', 'mcast6', 'ucast6', 'ping_group']) {
    assert.equal(isWholeLineDirective(d), true, d);
  }
  // bcast, serial, ping, ping6 plugins use new(): one call per value.
  for (const d of ['bcast', 'serial', 'ping', 'ping6', 'node', 'keepalive', 'env']) assert.equal(isWholeLineDirective(d), false, d);
});

test('lexer: a directive without value gives an entry with no tokens', () => {
  assert.deepEqual(lex('keepalive\n'), [['keepalive', [], 1]]);
});
