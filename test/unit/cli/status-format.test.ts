import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CL_NORMAL_FAIL, CL_OK, CL_PARAMETER_ERROR, formatStatus } from '../../../src/cli/status-format';
import type { ControlReplyOk } from '../../../src/control/protocol';

const reply: ControlReplyOk = {
  ok: true,
  node: 'node1',
  version: '0.1.0',
  pid: 42,
  generation: 7,
  ownStatus: 'active',
  rscstatus: 'local',
  parameters: { keepalive: '100ms' },
  nodes: [
    { name: 'node1', type: 'normal', self: true, status: 'active', links: [{ name: 'eth0', status: 'up' }] },
    { name: 'node2', type: 'normal', self: false, status: 'dead', lastHeardAgoMs: 5000, deadtimeMs: 1000, links: [{ name: 'eth0', status: 'dead' }, { name: 'eth1', status: 'up' }] },
    { name: '10.0.0.254', type: 'ping', self: false, status: 'ping', links: [] },
  ],
};

const q = (...args: string[]) => formatStatus(reply, args);

test('nodestatus prints the bare status and exits like cl_status', () => {
  assert.deepEqual(q('nodestatus', 'node1'), { text: 'active\n', exitCode: CL_OK });
  assert.deepEqual(q('nodestatus', 'node2'), { text: 'dead\n', exitCode: CL_NORMAL_FAIL });
  assert.deepEqual(q('nodestatus', '10.0.0.254'), { text: 'ping\n', exitCode: CL_OK });
  assert.deepEqual(q('nodestatus', 'NODE1'), { text: 'active\n', exitCode: CL_OK }, 'node names are case-insensitive');
  assert.equal(q('nodestatus', 'nosuch').exitCode, CL_PARAMETER_ERROR);
  assert.equal(q('nodestatus', 'nosuch').error, 'Error. May be due to incorrect node name');
  assert.equal(q('nodestatus').error, 'Not enough parameters.');
  assert.equal(q('nodestatus', '-m', 'node1').text, 'The cluster node node1 is active\n');
});

test('listnodes, -n, -p and -m', () => {
  assert.equal(q('listnodes').text, 'node1\nnode2\n10.0.0.254\n');
  assert.equal(q('listnodes', '-n').text, 'node1\nnode2\n');
  assert.equal(q('listnodes', '-p').text, '10.0.0.254\n');
  assert.equal(q('listnodes', '-m', '-n').text, 'The nodes are as follow:\nnode1\nnode2\n');
});

test('listhblinks and hblinkstatus', () => {
  assert.equal(q('listhblinks', 'node2').text, '\teth0\n\teth1\n');
  assert.equal(q('listhblinks', '-v', 'node2').text, '\teth0\tdead\n\teth1\tup\n');
  assert.deepEqual(q('hblinkstatus', 'node2', 'eth1'), { text: 'up\n', exitCode: CL_OK });
  assert.deepEqual(q('hblinkstatus', 'node2', 'eth0'), { text: 'dead\n', exitCode: CL_NORMAL_FAIL });
  assert.equal(q('hblinkstatus', '-m', 'node2', 'eth0').text, "The node node2's heartbeat link eth0 is dead\n");
  assert.equal(q('hblinkstatus', 'node2').exitCode, CL_PARAMETER_ERROR);
});

test('hbstatus, nodetype, rscstatus, hbparameter', () => {
  assert.deepEqual(q('hbstatus'), { text: 'Heartbeat is running on this machine.\n', exitCode: CL_OK });
  assert.equal(q('nodetype', '10.0.0.254').text, 'ping\n');
  assert.equal(q('rscstatus').text, 'local\n');
  assert.equal(q('rscstatus', '-m').text, 'This node is holding local resources.\n');
  assert.equal(q('hbparameter', '-p', 'keepalive').text, '100ms\n');
});

test('the overview table shows every node with status, age and links', () => {
  const out = q();
  assert.equal(out.exitCode, CL_OK);
  assert.match(out.text, /^node node1: active/);
  assert.match(out.text, /node1 \(this node\)\s+normal\s+active/);
  assert.match(out.text, /node2\s+normal\s+dead\s+5000 ms ago\s+1000 ms\s+eth0:dead eth1:up/);
});

test('unknown queries are parameter errors', () => {
  assert.equal(q('frobnicate').exitCode, CL_PARAMETER_ERROR);
});

test('the overview lists resource groups, what this node holds, and each director', () => {
  const out = formatStatus(
    {
      ...reply,
      resourceGroups: [{ key: 'IPaddr2::10.0.0.100/24/eth0', owner: 'node1' }, { key: 'IPaddr2::10.0.0.101/24/eth0', owner: 'node2' }],
      resources: {
        held: ['IPaddr2::10.0.0.100/24/eth0'],
        directors: [
          {
            config: '/etc/ha.d/ldirectord.cf', phase: 'running', pid: 42, startedAt: null, autoreload: false, maintenanceDir: null,
            reloads: { ok: 0, failed: 0, lastErrors: [] }, pending: [], virtuals: [],
          },
        ],
      },
    },
    [],
  ).text;
  assert.match(out, /resources: local/);
  assert.match(out, /IPaddr2::10\.0\.0\.100\/24\/eth0\s+node1\s+held/);
  assert.match(out, /IPaddr2::10\.0\.0\.101\/24\/eth0\s+node2\s+-/);
  assert.match(out, /ldirectord \/etc\/ha\.d\/ldirectord\.cf: running/);
});
