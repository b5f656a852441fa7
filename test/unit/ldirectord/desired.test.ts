import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DesiredService, type ServerView, desiredService } from '../../../src/ldirectord/desired';
import type { HealthState } from '../../../src/ldirectord/health';
import type { RealServer, VirtualService } from '../../../src/ldirectord/model';
import { onlyVirtual, service, valid } from './helpers';

const REALS = ['real=192.0.2.11:80 gate 3', 'real=192.0.2.12:80 masq 1 l:5 u:50'];

function virtual(lines: readonly string[], globals: readonly string[] = []): VirtualService {
  return onlyVirtual(valid(service(lines, undefined, globals)));
}

function desired(v: VirtualService, states: Record<string, HealthState | 'maint'>, addMissingQuiescent = false): DesiredService {
  const server = (_v: VirtualService, r: RealServer): ServerView => {
    const s = states[r.address] ?? 'unknown';
    return s === 'maint' ? { state: 'down', maintenance: true } : { state: s, maintenance: false };
  };
  return desiredService(v, { virtuals: [v], server, addMissingQuiescent });
}

/** `address:port weight role [optional]` per destination. */
function dests(d: DesiredService): string[] {
  return d.dests.map((x) => `${x.dest.address}:${x.dest.port} ${x.dest.forward} w${x.dest.weight} ${x.role}${x.addIfMissing ? '' : ' optional'}`);
}

test('up servers get their weight, forward method and thresholds; the service its settings', () => {
  const v = virtual([...REALS, 'scheduler=wlc', 'persistent=60']);
  const d = desired(v, { '192.0.2.11': 'up', '192.0.2.12': 'up' });
  assert.deepEqual(d.service, { af: 'inet', protocol: 'tcp', address: '192.0.2.100', port: 80, scheduler: 'wlc', persistentTimeout: 60 });
  assert.deepEqual(d.dests.map((x) => x.dest), [
    { af: 'inet', address: '192.0.2.11', port: 80, forward: 'route', weight: 3, lowerThreshold: 0, upperThreshold: 0 },
    { af: 'inet', address: '192.0.2.12', port: 80, forward: 'masq', weight: 1, lowerThreshold: 5, upperThreshold: 50 },
  ]);
  assert.deepEqual([d.upCount, d.settled, d.fallbackActive], [2, true, false]);
});

test('quiescent = no (default): a failed server is removed', () => {
  const d = desired(virtual(REALS), { '192.0.2.11': 'up', '192.0.2.12': 'down' });
  assert.deepEqual(dests(d), ['192.0.2.11:80 route w3 real']);
});

test('quiescent = yes: a failed server stays with weight 0, added only at start/reload or with readdquiescent', () => {
  const v = virtual([...REALS, 'quiescent=yes']);
  assert.deepEqual(dests(desired(v, { '192.0.2.11': 'up', '192.0.2.12': 'down' })), ['192.0.2.11:80 route w3 real', '192.0.2.12:80 masq w0 real optional']);
  assert.deepEqual(dests(desired(v, { '192.0.2.11': 'up', '192.0.2.12': 'down' }, true)), ['192.0.2.11:80 route w3 real', '192.0.2.12:80 masq w0 real']);
});

test('fallback: added when no real server is up, once all are checked; removed when one comes back', () => {
  const v = virtual([...REALS, 'fallback=127.0.0.1:80 gate']);
  const unchecked = desired(v, { '192.0.2.11': 'down' });
  assert.deepEqual([unchecked.settled, unchecked.fallbackActive, dests(unchecked)], [false, false, []], 'no sorry page while the first checks run');
  const allDown = desired(v, { '192.0.2.11': 'down', '192.0.2.12': 'down' });
  assert.deepEqual([allDown.fallbackActive, dests(allDown)], [true, ['127.0.0.1:80 route w1 fallback']]);
  const oneUp = desired(v, { '192.0.2.11': 'down', '192.0.2.12': 'up' });
  assert.deepEqual([oneUp.fallbackActive, dests(oneUp)], [false, ['192.0.2.12:80 masq w1 real']]);
  const quiescent = desired(virtual([...REALS, 'fallback=127.0.0.1:80 gate', 'quiescent=yes']), { '192.0.2.11': 'down', '192.0.2.12': 'down' }, true);
  assert.deepEqual(dests(quiescent), ['192.0.2.11:80 route w0 real', '192.0.2.12:80 masq w0 real', '127.0.0.1:80 route w1 fallback']);
  const none = desired(virtual(['fallback=127.0.0.1:80']), {});
  assert.deepEqual([none.settled, dests(none)], [true, ['127.0.0.1:80 route w1 fallback']], 'a service without real servers serves the fallback');
});

test('a fallback that is also a real server takes over its entry', () => {
  const v = virtual(['real=127.0.0.1:80 masq 5', 'fallback=127.0.0.1:80 masq', 'quiescent=yes']);
  assert.deepEqual(dests(desired(v, { '127.0.0.1': 'down' }, true)), ['127.0.0.1:80 masq w1 fallback']);
  assert.deepEqual(dests(desired(v, { '127.0.0.1': 'up' }, true)), ['127.0.0.1:80 masq w5 real']);
});

test('maintenancedir drains a server whatever its checks say', () => {
  const v = virtual([...REALS, 'fallback=127.0.0.1:80']);
  const d = desired(v, { '192.0.2.11': 'maint', '192.0.2.12': 'up' });
  assert.deepEqual(dests(d), ['192.0.2.12:80 masq w1 real']);
  assert.deepEqual(dests(desired(virtual([...REALS, 'quiescent=yes']), { '192.0.2.11': 'maint', '192.0.2.12': 'up' })), ['192.0.2.11:80 route w0 real optional', '192.0.2.12:80 masq w1 real']);
  const allMaint = desired(v, { '192.0.2.11': 'maint', '192.0.2.12': 'maint' });
  assert.deepEqual([allMaint.settled, dests(allMaint)], [true, ['127.0.0.1:80 route w1 fallback']]);
});

test('checktype off: the service only; checktype on: every server up (unless in maintenance)', () => {
  const off = desired(virtual([...REALS, 'fallback=127.0.0.1:80', 'checktype=off']), { '192.0.2.11': 'up', '192.0.2.12': 'up' });
  assert.deepEqual([dests(off), off.fallbackActive, off.settled], [[], false, true]);
  const on = desired(virtual([...REALS, 'fallback=127.0.0.1:80', 'checktype=on']), {});
  assert.deepEqual(dests(on), ['192.0.2.11:80 route w3 real', '192.0.2.12:80 masq w1 real']);
  const onMaint = desired(virtual([...REALS, 'checktype=on']), { '192.0.2.12': 'maint' });
  assert.deepEqual(dests(onMaint), ['192.0.2.11:80 route w3 real']);
});

test('fwmark and IPv6 services', () => {
  const fwm = desired(onlyVirtual(valid(service(['real=192.0.2.11 ipip', 'checkport=80'], 'virtual=7'))), { '192.0.2.11': 'up' });
  assert.deepEqual([fwm.service, dests(fwm)], [{ af: 'inet', fwmark: 7, scheduler: 'wrr' }, ['192.0.2.11:0 tunnel w1 real']]);
  const v6 = desired(onlyVirtual(valid(service(['real6=[2001:db8::11] gate'], 'virtual6=[2001:db8::5]:443'))), { '2001:db8::11': 'up' });
  assert.deepEqual(v6.dests[0]?.dest, { af: 'inet6', address: '2001:db8::11', port: 443, forward: 'route', weight: 1, lowerThreshold: 0, upperThreshold: 0 });
});
