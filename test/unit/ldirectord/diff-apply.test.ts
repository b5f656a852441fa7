import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IpvsService } from '../../../src/ipvs/types';
import { applyOps, readActual } from '../../../src/ldirectord/apply';
import { type DesiredService, desiredTable } from '../../../src/ldirectord/desired';
import { type IpvsOp, describeOp, diffTable } from '../../../src/ldirectord/diff';
import type { LdirectordConfig } from '../../../src/ldirectord/model';
import { serviceKeyText } from '../../../src/ldirectord/ipvs-text';
import { FakeIpvs } from './fakes';
import { valid } from './helpers';

const CONFIG = [
  'quiescent=yes',
  'virtual=192.0.2.100:80',
  '\treal=192.0.2.11:80 gate 3',
  '\treal=192.0.2.12:80 gate 1',
  '\tscheduler=wlc',
  'virtual=192.0.2.100:443',
  '\treal=192.0.2.11:443 masq',
  '\tchecktype=connect',
  '',
].join('\n');

function table(config: LdirectordConfig, up: (address: string) => boolean = () => true): DesiredService[] {
  return desiredTable({
    virtuals: config.virtuals,
    server: (_v, r) => ({ state: up(r.address) ? 'up' : 'down', maintenance: false }),
    addMissingQuiescent: true,
  });
}

function managedOf(desired: readonly DesiredService[]): Set<string> {
  return new Set(desired.map((d) => serviceKeyText(d.service)));
}

/** Diff against the fake kernel, apply, return the operations. */
async function sync(ipvs: FakeIpvs, desired: readonly DesiredService[], managed = managedOf(desired)): Promise<IpvsOp[]> {
  const actual = await readActual(ipvs, new Set([...managedOf(desired), ...managed]));
  const ops = diffTable(desired, actual, managed);
  const report = await applyOps(ipvs, ops);
  assert.deepEqual(report.failed, []);
  return ops;
}

test('from an empty table: services first, then destinations', async () => {
  const ipvs = new FakeIpvs();
  const ops = await sync(ipvs, table(valid(CONFIG)));
  assert.deepEqual(ops.map(describeOp), [
    'add service tcp 192.0.2.100:80 (scheduler wlc)',
    'add service tcp 192.0.2.100:443 (scheduler wrr)',
    'add real server 192.0.2.11:80 in tcp 192.0.2.100:80 (route, weight 3)',
    'add real server 192.0.2.12:80 in tcp 192.0.2.100:80 (route, weight 1)',
    'add real server 192.0.2.11:443 in tcp 192.0.2.100:443 (masq, weight 1)',
  ]);
  assert.deepEqual((await ipvs.snapshot()), {
    'tcp 192.0.2.100:443': ['192.0.2.11:443 w1'],
    'tcp 192.0.2.100:80': ['192.0.2.11:80 w3', '192.0.2.12:80 w1'],
  });
  assert.deepEqual(await sync(ipvs, table(valid(CONFIG))), [], 'a second round changes nothing');
});

test('a reload that changes one weight is exactly one edit', async () => {
  const ipvs = new FakeIpvs();
  await sync(ipvs, table(valid(CONFIG)));
  ipvs.calls.length = 0;
  const ops = await sync(ipvs, table(valid(CONFIG.replace('192.0.2.12:80 gate 1', '192.0.2.12:80 gate 4'))));
  assert.deepEqual(ops.map(describeOp), ['edit real server 192.0.2.12:80 in tcp 192.0.2.100:80 (route, weight 4)']);
  assert.deepEqual(ipvs.calls, ['editDest tcp 192.0.2.100:80 192.0.2.12:80 w4']);
});

test('a failed server becomes one weight-0 edit (quiescent) or one delete; scheduler change is one service edit', async () => {
  const ipvs = new FakeIpvs();
  await sync(ipvs, table(valid(CONFIG)));
  ipvs.calls.length = 0;
  await sync(ipvs, table(valid(CONFIG), (a) => a !== '192.0.2.12'));
  assert.deepEqual(ipvs.calls, ['editDest tcp 192.0.2.100:80 192.0.2.12:80 w0']);
  ipvs.calls.length = 0;
  await sync(ipvs, table(valid(CONFIG.replace('quiescent=yes', 'quiescent=no')), (a) => a !== '192.0.2.12'));
  assert.deepEqual(ipvs.calls, ['deleteDest tcp 192.0.2.100:80 192.0.2.12:80']);
  ipvs.calls.length = 0;
  await sync(ipvs, table(valid(CONFIG.replace('scheduler=wlc', 'scheduler=rr').replace('quiescent=yes', 'quiescent=no')), (a) => a !== '192.0.2.12'));
  assert.deepEqual(ipvs.calls, ['editService tcp 192.0.2.100:80']);
});

test('unmanaged services and their destinations are never touched; managed ones that left the config are deleted', async () => {
  const ipvs = new FakeIpvs();
  const foreign: IpvsService = { af: 'inet', protocol: 'tcp', address: '203.0.113.1', port: 22, scheduler: 'rr' };
  await ipvs.addService(foreign);
  await ipvs.addDest(foreign, { address: '203.0.113.10', port: 22, forward: 'route', weight: 1 });
  await sync(ipvs, table(valid(CONFIG)));
  ipvs.calls.length = 0;
  const smaller = valid(['virtual=192.0.2.100:80', '\treal=192.0.2.11:80 gate 3', '\treal=192.0.2.12:80 gate 1', '\tscheduler=wlc', ''].join('\n'));
  const managed = new Set(['tcp 192.0.2.100:80', 'tcp 192.0.2.100:443']);
  await sync(ipvs, table(smaller), managed);
  assert.deepEqual(ipvs.calls, ['deleteService tcp 192.0.2.100:443']);
  assert.deepEqual((await ipvs.snapshot())['tcp 203.0.113.1:22'], ['203.0.113.10:22 w1']);
});

test('servers in a managed service that the configuration does not list are purged (ldirectord does the same at start)', async () => {
  const ipvs = new FakeIpvs();
  await sync(ipvs, table(valid(CONFIG)));
  await ipvs.addDest({ af: 'inet', protocol: 'tcp', address: '192.0.2.100', port: 80 }, { address: '192.0.2.99', port: 80, forward: 'route', weight: 1 });
  ipvs.calls.length = 0;
  await sync(ipvs, table(valid(CONFIG)));
  assert.deepEqual(ipvs.calls, ['deleteDest tcp 192.0.2.100:80 192.0.2.99:80']);
});

test('a replaced server: the new one is added before the old one is deleted', async () => {
  const ipvs = new FakeIpvs();
  await sync(ipvs, table(valid(CONFIG)));
  ipvs.calls.length = 0;
  await sync(ipvs, table(valid(CONFIG.replace('192.0.2.12:80 gate 1', '192.0.2.13:80 gate 1'))));
  assert.deepEqual(ipvs.calls, ['addDest tcp 192.0.2.100:80 192.0.2.13:80 w1', 'deleteDest tcp 192.0.2.100:80 192.0.2.12:80']);
});

test('IPVS marks local addresses LOCALNODE: that matches any forward method (no edit loop)', async () => {
  const ipvs = new FakeIpvs();
  await sync(ipvs, table(valid(CONFIG)));
  ipvs.localAddresses.add('192.0.2.11');
  ipvs.calls.length = 0;
  assert.deepEqual(await sync(ipvs, table(valid(CONFIG))), []);
});

test('apply: failures are reported with their errno, dependants skipped, and the next round retries', async () => {
  const ipvs = new FakeIpvs();
  ipvs.failNext('addService', 'ENOMEM', 1, '192.0.2.100:80');
  ipvs.failNext('addDest', 'EPERM', 1, '192.0.2.11:443');
  const desired = table(valid(CONFIG));
  const ops = diffTable(desired, await readActual(ipvs, managedOf(desired)), managedOf(desired));
  const report = await applyOps(ipvs, ops);
  assert.deepEqual(report.failed.map((f) => [f.description, f.code]), [
    ['add service tcp 192.0.2.100:80 (scheduler wlc)', 'ENOMEM'],
    ['add real server 192.0.2.11:443 in tcp 192.0.2.100:443 (masq, weight 1)', 'EPERM'],
  ]);
  assert.deepEqual(report.skipped.map(describeOp), [
    'add real server 192.0.2.11:80 in tcp 192.0.2.100:80 (route, weight 3)',
    'add real server 192.0.2.12:80 in tcp 192.0.2.100:80 (route, weight 1)',
  ]);
  assert.deepEqual((await ipvs.snapshot()), { 'tcp 192.0.2.100:443': [] }, 'state is what was applied, nothing more');
  const retry = await sync(ipvs, desired);
  assert.equal(retry.length, 4);
  assert.deepEqual((await ipvs.snapshot()), { 'tcp 192.0.2.100:443': ['192.0.2.11:443 w1'], 'tcp 192.0.2.100:80': ['192.0.2.11:80 w3', '192.0.2.12:80 w1'] });
});

test('apply: deleting something already gone counts as done', async () => {
  const ipvs = new FakeIpvs();
  const key = { af: 'inet', protocol: 'tcp', address: '192.0.2.100', port: 80 } as const;
  const report = await applyOps(ipvs, [
    { op: 'delete-dest', key, dest: { address: '192.0.2.11', port: 80 } },
    { op: 'delete-service', key },
  ]);
  assert.deepEqual([report.applied.length, report.failed.length], [2, 0]);
});
