// mysql and pgsql checks: against real servers started here when the
// machine has them (Debian: postgresql, mariadb-server), and against hung
// and closed ports always.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { tempDir } from '../../helpers/tmp';
import { check, closedPort, LOCAL, spec, tcpServer } from './helpers';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const MARIADBD = '/usr/sbin/mariadbd';
const MARIADB_INSTALL = '/usr/bin/mariadb-install-db';

async function waitForPort(port: number, server: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (server.exitCode !== null) throw new Error(`${what} exited with ${server.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, LOCAL, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not start`);
}

function stopOnExit(t: TestContext, server: ChildProcess): void {
  t.after(() => new Promise<void>((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) return resolve();
    server.once('exit', () => resolve());
    server.kill('SIGTERM');
  }));
}

/** An unprivileged account to run a database server as (they refuse root). */
function account(name: string): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout), gid: Number(g.stdout) } : undefined;
}

const pgUser = account('postgres');
const havePostgres = fs.existsSync(path.join(PG_BIN, 'initdb')) && pgUser !== undefined;

async function startPostgres(t: TestContext): Promise<number> {
  const user = pgUser ?? { uid: 0, gid: 0 };
  const dir = tempDir(t, 'hbd-pg-');
  fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, 'pw\n');
  fs.chownSync(pwfile, user.uid, user.gid);
  const init = spawnSync(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'probe', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8'], {
    ...user, encoding: 'utf8', cwd: dir, env: { PATH: process.env['PATH'] ?? '' },
  });
  assert.equal(init.status, 0, init.stderr);
  const port = await closedPort();
  const server = spawn(path.join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', `listen_addresses=${LOCAL}`], {
    ...user, cwd: dir, stdio: 'ignore',
  });
  stopOnExit(t, server);
  await waitForPort(port, server, 'postgres');
  return port;
}

test('pgsql against a real PostgreSQL (SCRAM login, query rows)', { skip: !havePostgres && 'PostgreSQL not installed' }, async (t) => {
  const port = await startPostgres(t);
  const login = { service: 'pgsql', login: 'probe', password: 'pw', database: 'postgres' } as const;
  // The port opens before recovery ends ("the database system is starting up": down, rightly).
  let up = await check(spec({ ...login, request: '/SELECT 1' }), port);
  for (let i = 0; i < 100 && /starting up/.test(up.message); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    up = await check(spec({ ...login, request: '/SELECT 1' }), port);
  }
  assert.deepEqual([up.ok, up.message], [true, 'PostgreSQL query returned 1 row']);
  const none = await check(spec({ ...login, request: 'SELECT 1 WHERE false' }), port);
  assert.deepEqual([none.ok, none.message], [false, 'PostgreSQL query returned no rows']);
  const badPw = await check(spec({ ...login, password: 'nope', request: 'SELECT 1' }), port);
  assert.deepEqual([badPw.ok, badPw.message], [false, 'PostgreSQL: password authentication failed for user "probe"']);
  const badSql = await check(spec({ ...login, request: 'SELECT * FROM nowhere' }), port);
  assert.deepEqual([badSql.ok, badSql.message], [false, 'PostgreSQL: relation "nowhere" does not exist']);
  const noDb = await check(spec({ ...login, database: 'missing', request: 'SELECT 1' }), port);
  assert.deepEqual([noDb.ok, noDb.message], [false, 'PostgreSQL: database "missing" does not exist']);
});

const mysqlUser = account('mysql');
const haveMariadb = fs.existsSync(MARIADBD) && fs.existsSync(MARIADB_INSTALL) && mysqlUser !== undefined;

async function startMariadb(t: TestContext): Promise<number> {
  const user = mysqlUser ?? { uid: 0, gid: 0 };
  const dir = tempDir(t, 'hbd-mariadb-');
  fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const install = spawnSync(MARIADB_INSTALL, ['--no-defaults', `--datadir=${data}`, '--user=mysql', '--skip-test-db', '--auth-root-authentication-method=socket'], { encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  const initFile = path.join(dir, 'init.sql');
  fs.writeFileSync(initFile, [
    "CREATE USER IF NOT EXISTS 'probe'@'%' IDENTIFIED BY 'pw';",
    'CREATE DATABASE IF NOT EXISTS lvs;',
    'CREATE TABLE IF NOT EXISTS lvs.pool (name VARCHAR(20), enabled INT);',
    "INSERT INTO lvs.pool VALUES ('web1', 1), ('web2', 0);",
    "GRANT SELECT ON lvs.* TO 'probe'@'%';",
    '',
  ].join('\n'));
  const port = await closedPort();
  const server = spawn(MARIADBD, ['--no-defaults', `--datadir=${data}`, `--port=${port}`, `--bind-address=${LOCAL}`, `--socket=${dir}/sock`,
    `--pid-file=${dir}/pid`, '--user=mysql', `--init-file=${initFile}`, '--skip-name-resolve', '--skip-log-bin', '--innodb-buffer-pool-size=16M'], {
    stdio: 'ignore',
  });
  stopOnExit(t, server);
  await waitForPort(port, server, 'mariadbd');
  return port;
}

test('mysql against a real MariaDB (login, query rows)', { skip: !haveMariadb && 'MariaDB not installed' }, async (t) => {
  const port = await startMariadb(t);
  const login = { service: 'mysql', login: 'probe', password: 'pw', database: 'lvs' } as const;
  const up = await check(spec({ ...login, request: '/SELECT * FROM pool WHERE enabled = 1' }), port);
  assert.deepEqual([up.ok, up.message], [true, 'MySQL query returned 1 row']);
  const none = await check(spec({ ...login, request: "SELECT * FROM pool WHERE name = 'web9'" }), port);
  assert.deepEqual([none.ok, none.message], [false, 'MySQL query returned no rows']);
  const badPw = await check(spec({ ...login, password: 'nope', request: 'SELECT 1' }), port);
  assert.equal(badPw.ok, false);
  assert.match(badPw.message, /^MySQL: Access denied for user 'probe'@'127\.0\.0\.1'/);
  const badSql = await check(spec({ ...login, request: 'SELECT * FROM nowhere' }), port);
  assert.deepEqual([badSql.ok, badSql.message], [false, "MySQL: Table 'lvs.nowhere' doesn't exist"]);
});

test('mysql and pgsql: login and request are required', async () => {
  for (const service of ['mysql', 'pgsql'] as const) {
    const r = await check(spec({ service, request: 'SELECT 1' }), 1);
    assert.equal(r.ok, false);
    assert.match(r.message, /check needs login and request \(a SELECT\)$/);
  }
});

test('mysql and pgsql: a hung server times out, a closed port is refused', async (t) => {
  const silent = await tcpServer(t, () => undefined);
  const closed = await closedPort();
  for (const service of ['mysql', 'pgsql'] as const) {
    const hung = await check(spec({ service, login: 'u', request: 'SELECT 1', timeoutMs: 300 }), silent);
    assert.deepEqual([hung.ok, hung.message], [false, `timeout after 300 ms (${service === 'mysql' ? 'logging in' : 'connecting'})`], service);
    const refused = await check(spec({ service, login: 'u', request: 'SELECT 1' }), closed);
    assert.deepEqual([refused.ok, refused.message], [false, 'connect refused'], service);
  }
  assert.deepEqual(process.getActiveResourcesInfo().filter((r) => r === 'Timeout'), []);
});
