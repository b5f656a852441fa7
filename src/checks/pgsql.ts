// pgsql: log in and run `request`; at least one row means up (ldirectord's
// DBI check). pg speaks the protocol (SCRAM included) over a socket we
// hand it, so the attempt can destroy that socket at the deadline.

import * as net from 'node:net';
import { Client } from 'pg';
import type { ServiceCheck } from './service-check';
import { rowsOrFail, sqlFailure, sqlLogin } from './sql';

export const checkPgsql: ServiceCheck = async (attempt, spec, target) => {
  const login = sqlLogin(spec, 'PostgreSQL');
  attempt.phase = 'connecting';
  const socket = new net.Socket();
  attempt.defer(() => { socket.destroy(); });
  const client = new Client({
    host: target.address,
    port: target.port,
    user: login.user,
    password: login.password,
    ...(login.database ? { database: login.database } : {}),
    ssl: false,
    stream: () => socket,
  });
  client.on('error', () => undefined); // connect() and query() report it
  try {
    await attempt.race(client.connect());
    attempt.phase = 'waiting for query result';
    const result = await attempt.race(client.query(login.query));
    client.end().catch(() => undefined);
    return rowsOrFail(result.rowCount ?? result.rows.length, 'PostgreSQL');
  } catch (e) {
    throw sqlFailure(e, 'PostgreSQL', attempt.phase);
  }
};
