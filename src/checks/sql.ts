// What the mysql and pgsql checks share, as ldirectord's check_sql: a login
// and a query are required; the query must run and return at least one row.

import { CheckFailure } from './attempt';
import { socketFailure } from './socket-errors';
import { requestText } from './service-check';
import type { CheckSpec } from './types';
import { errorCode } from '../errors';

export interface SqlLogin {
  readonly user: string;
  readonly password: string;
  readonly database: string | undefined;
  readonly query: string;
}

/** The login and query, or a CheckFailure naming what is missing. */
export function sqlLogin(spec: CheckSpec, what: string): SqlLogin {
  const query = requestText(spec);
  if (!spec.login || query === '') throw new CheckFailure(`${what} check needs login and request (a SELECT)`);
  return { user: spec.login, password: spec.password ?? '', database: spec.database || undefined, query };
}

export function rowsOrFail(rows: number, what: string): string {
  if (rows < 1) throw new CheckFailure(`${what} query returned no rows`);
  return `${what} query returned ${rows} row${rows === 1 ? '' : 's'}`;
}

/** A driver error as a short reason: socket errors as usual, server errors by their text. */
export function sqlFailure(e: unknown, what: string, phase: string): CheckFailure {
  if (e instanceof CheckFailure) return e;
  const code = errorCode(e) ?? '';
  if (/^E[A-Z]+$/.test(code)) return socketFailure(e, phase);
  const text = e instanceof Error ? e.message : String(e);
  return new CheckFailure(`${what}: ${text.split('\n', 1)[0] ?? text}`);
}
