import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { decodeMessage, elementLength, encodeBaseSearch, encodeBind } from '../../../src/checks/ldap-codec';
import { tempDir } from '../../helpers/tmp';
import { check, closedPort, LOCAL, spec, tcpServer } from './helpers';

// ---- a scripted LDAP server (BER built by hand, independently of the codec's encoders)

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 128 ? Buffer.from([n]) : Buffer.from([0x82, n >> 8, n & 255]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const str = (tag: number, s: string): Buffer => tlv(tag, Buffer.from(s));
const int = (tag: number, n: number): Buffer => tlv(tag, Buffer.from([n]));
const msg = (id: number, op: Buffer): Buffer => tlv(0x30, Buffer.concat([int(0x02, id), op]));
const result = (tag: number, code: number, diag = ''): Buffer => tlv(tag, Buffer.concat([int(0x0a, code), str(0x04, ''), str(0x04, diag)]));

/** The fields of a request we care about: id, op tag, and its first two strings. */
function parseRequest(buf: Buffer): { id: number; op: number; strings: string[] } {
  const idLen = buf[3] ?? 0;
  const id = buf.readUIntBE(4, idLen);
  let off = 4 + idLen;
  const op = buf[off] ?? 0;
  const opLen = elementLength(buf.subarray(off)) ?? 0;
  const end = off + opLen;
  off += (buf[off + 1] ?? 0) < 0x80 ? 2 : 2 + ((buf[off + 1] ?? 0) & 0x7f);
  const strings: string[] = [];
  while (off < end) {
    const total = elementLength(buf.subarray(off)) ?? 2;
    const head = (buf[off + 1] ?? 0) < 0x80 ? 2 : 2 + ((buf[off + 1] ?? 0) & 0x7f);
    if (buf[off] === 0x04 || buf[off] === 0x80) strings.push(buf.toString('utf8', off + head, off + total));
    off += total;
  }
  return { id, op, strings };
}

interface Directory {
  readonly entries: Readonly<Record<string, number>>; // base -> how many entries a base search returns
  readonly users: Readonly<Record<string, string>>;
}

async function ldapServer(t: TestContext, dir: Directory, log: string[] = []): Promise<number> {
  return tcpServer(t, (s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let len = elementLength(buf); len !== undefined && buf.length >= len; len = elementLength(buf)) {
        const req = parseRequest(buf.subarray(0, len));
        buf = buf.subarray(len);
        if (req.op === 0x60) {
          const [name = '', password = ''] = req.strings;
          log.push(`bind ${name || '(anonymous)'}`);
          const ok = name === '' || dir.users[name] === password;
          s.write(msg(req.id, result(0x61, ok ? 0 : 49, ok ? '' : 'bad password')));
        } else if (req.op === 0x63) {
          const base = req.strings[0] ?? '';
          log.push(`search ${base || '(root DSE)'}`);
          const n = dir.entries[base];
          for (let i = 0; i < (n ?? 0); i++) s.write(msg(req.id, tlv(0x64, Buffer.concat([str(0x04, base), tlv(0x30, Buffer.alloc(0))]))));
          s.write(msg(req.id, result(0x65, n === undefined ? 32 : 0)));
        } else if (req.op === 0x42) {
          log.push('unbind');
          s.end();
        }
      }
    });
  });
}

const DIRECTORY: Directory = {
  entries: { '': 1, 'dc=example,dc=org': 1, 'ou=twins,dc=example,dc=org': 2 },
  users: { 'cn=monitor,dc=example,dc=org': 'pw' },
};

test('ldap codec: our requests decode as what they say', () => {
  const bind = parseRequest(encodeBind(1, 'cn=a', 'pw'));
  assert.deepEqual(bind, { id: 1, op: 0x60, strings: ['cn=a', 'pw'] });
  const search = parseRequest(encodeBaseSearch(300, 'dc=example,dc=org'));
  assert.deepEqual([search.id, search.op, search.strings[0]], [300, 0x63, 'dc=example,dc=org']);
  const entry = decodeMessage(msg(2, tlv(0x64, Buffer.concat([str(0x04, 'dc=x'), tlv(0x30, Buffer.alloc(0))]))));
  assert.deepEqual(entry, { id: 2, op: 0x64, dn: 'dc=x' });
  const done = decodeMessage(msg(2, result(0x65, 32, 'no such object')));
  assert.deepEqual(done, { id: 2, op: 0x65, resultCode: 32, diagnostic: 'no such object' });
  assert.throws(() => decodeMessage(Buffer.from([0x30, 0x05, 0x02])));
});

test('ldap: anonymous bind and the root DSE by default; simple bind with login and passwd', async (t) => {
  const log: string[] = [];
  const port = await ldapServer(t, DIRECTORY, log);
  const root = await check(spec({ service: 'ldap', request: '/' }), port);
  assert.deepEqual([root.ok, root.message], [true, 'LDAP anonymous bind, entry ""']);
  assert.deepEqual(log, ['bind (anonymous)', 'search (root DSE)', 'unbind']);

  const base = await check(spec({ service: 'ldap', request: '/dc=example,dc=org', receive: '^dc=example', login: 'cn=monitor,dc=example,dc=org', password: 'pw' }), port);
  assert.deepEqual([base.ok, base.message], [true, 'LDAP simple bind, entry "dc=example,dc=org"']);
  const miss = await check(spec({ service: 'ldap', request: '/dc=example,dc=org', receive: 'dc=com$' }), port);
  assert.deepEqual([miss.ok, miss.message], [false, 'receive /dc=com$/ did not match the DN "dc=example,dc=org"']);
});

test('ldap: bad credentials, missing base and two entries are down', async (t) => {
  const port = await ldapServer(t, DIRECTORY);
  const bad = await check(spec({ service: 'ldap', login: 'cn=monitor,dc=example,dc=org', password: 'nope' }), port);
  assert.deepEqual([bad.ok, bad.message], [false, 'LDAP bind failed: 49 (invalidCredentials): bad password']);
  const missing = await check(spec({ service: 'ldap', request: '/dc=nowhere' }), port);
  assert.deepEqual([missing.ok, missing.message], [false, 'LDAP search of "dc=nowhere" failed: 32 (noSuchObject)']);
  const twins = await check(spec({ service: 'ldap', request: '/ou=twins,dc=example,dc=org' }), port);
  assert.deepEqual([twins.ok, twins.message], [false, 'LDAP search of "ou=twins,dc=example,dc=org" returned 2 entries, not 1']);
  const silent = await tcpServer(t, () => undefined);
  const hung = await check(spec({ service: 'ldap', timeoutMs: 300 }), silent);
  assert.deepEqual([hung.ok, hung.message], [false, 'timeout after 300 ms (waiting for bind reply)']);
});

// ---- a real slapd, when the machine has one (Debian: slapd)

const SLAPD = '/usr/sbin/slapd';

async function startSlapd(t: TestContext): Promise<number> {
  const dir = tempDir(t, 'hbd-slapd-');
  fs.mkdirSync(path.join(dir, 'db'));
  const conf = path.join(dir, 'slapd.conf');
  fs.writeFileSync(conf, [
    'include /etc/ldap/schema/core.schema',
    `pidfile ${dir}/slapd.pid`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    'suffix "dc=example,dc=org"',
    'rootdn "cn=admin,dc=example,dc=org"',
    'rootpw s3cret',
    `directory ${dir}/db`,
    '',
  ].join('\n'));
  const ldif = path.join(dir, 'base.ldif');
  fs.writeFileSync(ldif, 'dn: dc=example,dc=org\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n');
  const add = spawnSync('/usr/sbin/slapadd', ['-f', conf, '-l', ldif], { encoding: 'utf8' });
  assert.equal(add.status, 0, add.stderr);
  const port = await closedPort();
  const slapd = spawn(SLAPD, ['-f', conf, '-h', `ldap://${LOCAL}:${port}/`, '-d', '0'], { stdio: 'ignore' });
  t.after(() => new Promise<void>((resolve) => {
    if (slapd.exitCode !== null) return resolve();
    slapd.once('exit', () => resolve());
    slapd.kill('SIGTERM');
  }));
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, LOCAL, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) return port;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('slapd did not start');
}

test('ldap against a real slapd', { skip: !fs.existsSync(SLAPD) && 'slapd not installed' }, async (t) => {
  const port = await startSlapd(t);
  const root = await check(spec({ service: 'ldap', request: '/' }), port);
  assert.deepEqual([root.ok, root.message], [true, 'LDAP anonymous bind, entry ""']);
  const base = await check(spec({ service: 'ldap', request: '/dc=example,dc=org', receive: '^dc=example,dc=org$', login: 'cn=admin,dc=example,dc=org', password: 's3cret' }), port);
  assert.deepEqual([base.ok, base.message], [true, 'LDAP simple bind, entry "dc=example,dc=org"']);
  const bad = await check(spec({ service: 'ldap', login: 'cn=admin,dc=example,dc=org', password: 'wrong' }), port);
  assert.deepEqual([bad.ok, bad.message], [false, 'LDAP bind failed: 49 (invalidCredentials)']);
  const missing = await check(spec({ service: 'ldap', request: '/ou=nowhere,dc=example,dc=org' }), port);
  assert.deepEqual([missing.ok, missing.message], [false, 'LDAP search of "ou=nowhere,dc=example,dc=org" failed: 32 (noSuchObject)']);
});
