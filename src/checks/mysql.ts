// mysql: log in and run `request`; at least one row means up (ldirectord's
// DBI check). mysql2 speaks the protocol (auth plugins included) over a
// socket we connect and hand it: its own destroy() only half-closes, and a
// hung server would keep that socket open; ours is destroyed at the end.

import { createConnection, type QueryResult } from 'mysql2';
import type { ServiceCheck } from './service-check';
import { rowsOrFail, sqlFailure, sqlLogin } from './sql';
import { connectSocket } from './stream-conn';

export const checkMysql: ServiceCheck = async (attempt, spec, target) => {
  const login = sqlLogin(spec, 'MySQL');
  const socket = await connectSocket(attempt, { host: target.address, port: target.port });
  attempt.phase = 'logging in';
  const conn = createConnection({
    stream: socket,
    user: login.user,
    password: login.password,
    ...(login.database ? { database: login.database } : {}),
    connectTimeout: 0, // the attempt's deadline rules
  });
  conn.on('error', () => undefined); // the query callback reports it
  conn.once('connect', () => { attempt.phase = 'waiting for query result'; });
  const result = await attempt.race(
    new Promise<QueryResult>((resolve, reject) => {
      conn.query<QueryResult>(login.query, (err, res) => (err ? reject(sqlFailure(err, 'MySQL', attempt.phase)) : resolve(res)));
    }),
  );
  conn.end(() => undefined);
  const rows = Array.isArray(result) ? result.length : 'affectedRows' in result ? result.affectedRows : 0;
  return rowsOrFail(rows, 'MySQL');
};
