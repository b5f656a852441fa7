// Socket and TLS errors as short reasons an operator can act on.

import { errorCode } from '../errors';
import { CheckFailure } from './attempt';

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connect refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  ETIMEDOUT: 'connect timed out (kernel)',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

/** Turns any error seen while `phase` into a CheckFailure with a short reason. */
export function socketFailure(e: unknown, phase: string): CheckFailure {
  if (e instanceof CheckFailure) return e;
  const code = errorCode(e) ?? '';
  const known = REASONS[code];
  if (known) return new CheckFailure(known);
  if (code === 'ECONNRESET') return new CheckFailure(`connection reset by server (${phase})`);
  if (code === 'EPIPE') return new CheckFailure(`connection closed by server (${phase})`);
  const text = e instanceof Error ? e.message : String(e);
  if (phase === 'TLS handshake' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return new CheckFailure(`TLS handshake failed: ${text}`);
  }
  return new CheckFailure(`${text} (${phase})`);
}
