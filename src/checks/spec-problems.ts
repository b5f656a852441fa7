// Problems the config layer can report at load time (with file:line)
// instead of every check failing at run time.

import { receiveSyntaxError } from './receive';
import { requestText } from './service-check';
import type { CheckService, CheckSpec } from './types';

const UNSUPPORTED: ReadonlyMap<CheckService, string> = new Map([
  ['oracle', 'service oracle is not supported (it needs Oracle client libraries); use checktype connect or external'],
]);

/** Services that negotiate checks cannot speak, each with the reason to show. */
export function unsupportedServices(): ReadonlyMap<CheckService, string> {
  return UNSUPPORTED;
}

/** Everything wrong with a spec, as short sentences; empty when it can run. */
export function checkSpecProblems(spec: CheckSpec): string[] {
  const problems: string[] = [];
  if (!(spec.timeoutMs > 0)) problems.push('timeout must be more than 0 ms');
  if (spec.type === 'connect' && spec.protocol === 'sctp') problems.push('connect checks over sctp are not supported; use checktype ping or external');
  if (spec.type !== 'negotiate') return problems;

  const unsupported = UNSUPPORTED.get(spec.service);
  if (unsupported) problems.push(unsupported);
  const regexError = receiveSyntaxError(spec.receive);
  if (regexError) problems.push(regexError);
  const request = requestText(spec);
  switch (spec.service) {
    case 'mysql':
    case 'pgsql':
      if (!spec.login || request === '') problems.push(`${spec.service} checks need login and request (a SELECT)`);
      break;
    case 'http_proxy':
      if (!/^http:\/\//i.test(request)) problems.push('http_proxy checks need request as an absolute http:// URI');
      break;
    case 'dns':
      if (request === '') problems.push('dns checks need request (a name or address to look up)');
      break;
    case 'ftp':
      if (spec.receive && (spec.request ?? '/') === '/') problems.push('ftp receive needs request (a file to RETR)');
      break;
    default:
      break;
  }
  return problems;
}
