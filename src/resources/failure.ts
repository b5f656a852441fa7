// Turning whatever an operation threw into the contract's ResourceError, so
// the group runner and the ownership layer only ever see stable codes.

import { ResourceError, type ResourceErrorCode } from './types';

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Keeps a ResourceError as it is; wraps anything else with `code`. */
export function asResourceError(e: unknown, code: ResourceErrorCode, resource: string, what: string): ResourceError {
  if (e instanceof ResourceError) return e;
  return new ResourceError(code, `${what}: ${errorText(e)}`, resource, { cause: e });
}

/** The errno name of a NetOps/IPVS error (`EEXIST`, `ENODEV`, ...), if any. */
export function errnoCode(e: unknown): string | undefined {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
