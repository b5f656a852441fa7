import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test, type TestContext } from 'node:test';
import { check, dialogue, LOCAL, spec } from './helpers';

interface FtpOptions {
  readonly files: Readonly<Record<string, string>>;
  readonly epsv: boolean;
  readonly password?: string;
}

/** A small FTP server: USER/PASS, TYPE, EPSV or PASV, RETR, QUIT. */
async function ftpServer(t: TestContext, opts: FtpOptions, log: string[] = []): Promise<number> {
  let pending: Promise<net.Socket> | undefined;
  const dataServers: net.Server[] = [];
  t.after(() => dataServers.forEach((s) => s.close()));
  const openData = async (): Promise<number> => {
    const server = net.createServer();
    dataServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, LOCAL, resolve));
    pending = new Promise((resolve) => server.once('connection', resolve));
    return (server.address() as net.AddressInfo).port;
  };
  return dialogue(t, '220-Welcome\r\n220 FTP ready\r\n', (line, control) => {
    const [cmd = '', arg = ''] = line.split(/ (.*)/);
    log.push(cmd === 'PASS' ? 'PASS ***' : line);
    switch (cmd) {
      case 'USER':
        return '331 password please\r\n';
      case 'PASS':
        return !opts.password || arg === opts.password ? '230 logged in\r\n' : '530 Login incorrect.\r\n';
      case 'TYPE':
        return '200 binary\r\n';
      case 'EPSV':
        if (!opts.epsv) return '500 EPSV not understood\r\n';
        void openData().then((port) => control.write(`229 Entering Extended Passive Mode (|||${port}|)\r\n`));
        return undefined;
      case 'PASV':
        // Names a bogus address: the client must use the control connection's peer.
        void openData().then((port) => control.write(`227 Entering Passive Mode (10,9,8,7,${port >> 8},${port & 255})\r\n`));
        return undefined;
      case 'RETR': {
        const content = opts.files[arg];
        if (content === undefined) return '550 No such file\r\n';
        void pending?.then((data) => {
          control.write('150 Opening BINARY mode data connection\r\n');
          data.end(content, () => control.write('226 Transfer complete\r\n'));
        });
        return undefined;
      }
      case 'QUIT':
        control.write('221 Goodbye\r\n');
        return null;
      default:
        return '502 not implemented\r\n';
    }
  });
}

test('ftp: anonymous login by default, no transfer without request', async (t) => {
  const log: string[] = [];
  const port = await ftpServer(t, { files: {}, epsv: true }, log);
  const r = await check(spec({ service: 'ftp' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'FTP login 230']);
  assert.deepEqual(log, ['USER anonymous', 'PASS ***', 'QUIT']);
});

test('ftp: RETR of request over EPSV, receive matched against the file', async (t) => {
  const log: string[] = [];
  const port = await ftpServer(t, { files: { '/health.txt': 'status: green\n' }, epsv: true }, log);
  const r = await check(spec({ service: 'ftp', request: '/health.txt', receive: '^status: green$' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'FTP RETR /health.txt: 14 bytes']);
  assert.deepEqual(log, ['USER anonymous', 'PASS ***', 'TYPE I', 'EPSV', 'RETR /health.txt', 'QUIT']);
  const miss = await check(spec({ service: 'ftp', request: '/health.txt', receive: 'red' }), port);
  assert.deepEqual([miss.ok, miss.message], [false, 'receive /red/ did not match the file /health.txt']);
});

test('ftp: PASV fallback uses the control peer, not the address in the reply', async (t) => {
  const port = await ftpServer(t, { files: { 'f': 'x' }, epsv: false });
  const r = await check(spec({ service: 'ftp', request: 'f', receive: 'x' }), port);
  assert.deepEqual([r.ok, r.message], [true, 'FTP RETR f: 1 bytes']);
});

test('ftp: bad login, missing file and receive without request are down', async (t) => {
  const port = await ftpServer(t, { files: {}, epsv: true, password: 'right' });
  const bad = await check(spec({ service: 'ftp', login: 'web', password: 'wrong' }), port);
  assert.deepEqual([bad.ok, bad.message], [false, 'FTP login failed: 530 Login incorrect.']);
  const good = await check(spec({ service: 'ftp', login: 'web', password: 'right', request: '/nope' }), port);
  assert.deepEqual([good.ok, good.message], [false, 'FTP RETR /nope failed: 550 No such file']);
  const norequest = await check(spec({ service: 'ftp', receive: 'x' }), port);
  assert.deepEqual([norequest.ok, norequest.message], [false, 'ftp receive needs request (a file to RETR)']);
});
