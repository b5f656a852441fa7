import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { follow, request } from '../../../src/control/client';
import { controlSocketPath, parseRequest } from '../../../src/control/protocol';
import { ControlServer } from '../../../src/control/server';
import { EventStream } from '../../../src/daemon/events';
import { errorCode } from '../../../src/errors';
import { tempDir } from '../../helpers/tmp';

function rawExchange(socketPath: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let data = '';
    sock.on('data', (c) => {
      data += c.toString();
      if (data.includes('\n')) {
        sock.destroy();
        resolve(data.trim());
      }
    });
    sock.on('error', reject);
    sock.write(line);
  });
}

test('parseRequest accepts only well-formed requests', () => {
  assert.deepEqual(parseRequest({ cmd: 'status' }), { cmd: 'status' });
  assert.deepEqual(parseRequest({ cmd: 'standby', set: 'foreign' }), { cmd: 'standby', set: 'foreign' });
  assert.equal(parseRequest({ cmd: 'standby', set: 'everything' }), null);
  assert.equal(parseRequest({ cmd: 'rm -rf' }), null);
  assert.equal(parseRequest('status'), null);
  assert.equal(parseRequest(null), null);
});

test('request/reply, malformed input, follow, and stale sockets', async (t) => {
  const stateDir = tempDir(t);
  const events = new EventStream();
  const server = new ControlServer(controlSocketPath(stateDir), {
    handle: (req) => (req.cmd === 'status' ? { ok: true, node: 'n1' } : { ok: false, code: 'X', message: req.cmd }),
    follow: (send) => events.subscribe((e) => send({ ...e })),
  });
  await server.listen();
  t.after(() => server.close());

  assert.deepEqual(await request(stateDir, { cmd: 'status' }), { ok: true, node: 'n1' });
  assert.deepEqual(await request(stateDir, { cmd: 'takeover', set: 'all' }), { ok: false, code: 'X', message: 'takeover' });
  const bad = JSON.parse(await rawExchange(controlSocketPath(stateDir), '{nonsense\n')) as { code: string };
  assert.equal(bad.code, 'CONTROL_PROTOCOL');

  const seen: unknown[] = [];
  const stream = await follow(stateDir, (e) => seen.push(e.type));
  await new Promise((r) => setTimeout(r, 50));
  events.emit('node dead', { node: 'n2' });
  events.emit('takeover');
  await new Promise((r) => setTimeout(r, 50));
  stream.stop();
  await stream.done;
  assert.deepEqual(seen, ['node dead', 'takeover']);

  // A second server on the same live socket must refuse to start.
  const second = new ControlServer(controlSocketPath(stateDir), { handle: () => ({ ok: true }), follow: () => () => {} });
  await assert.rejects(second.listen(), (e) => errorCode(e) === 'ALREADY_RUNNING');
});

test('a stale socket file is replaced; a missing daemon is reported as not running', async (t) => {
  const stateDir = tempDir(t);
  await assert.rejects(request(stateDir, { cmd: 'status' }), (e) => errorCode(e) === 'CONTROL_NOT_RUNNING');
  fs.writeFileSync(path.join(stateDir, 'hbd.sock'), '');
  await assert.rejects(request(stateDir, { cmd: 'status' }), (e) => errorCode(e) === 'CONTROL_NOT_RUNNING');
  const server = new ControlServer(controlSocketPath(stateDir), { handle: () => ({ ok: true }), follow: () => () => {} });
  await server.listen();
  t.after(() => server.close());
  assert.deepEqual(await request(stateDir, { cmd: 'status' }), { ok: true });
});
