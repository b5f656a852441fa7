// The control protocol between the CLI and a running daemon: one JSON object
// per line over a unix stream socket in the state directory. A request gets
// exactly one reply line, except `follow`, which streams event lines until the
// client hangs up.

import * as path from 'node:path';

export const CONTROL_SOCKET_NAME = 'hbd.sock';
export const PID_FILE_NAME = 'hbd.pid';

export function controlSocketPath(stateDir: string): string {
  return path.join(stateDir, CONTROL_SOCKET_NAME);
}

export function pidFilePath(stateDir: string): string {
  return path.join(stateDir, PID_FILE_NAME);
}

export type ResourceSet = 'all' | 'local' | 'foreign' | 'failback';
export const RESOURCE_SETS: readonly ResourceSet[] = ['all', 'local', 'foreign', 'failback'];

export type ControlRequest =
  | { readonly cmd: 'status' }
  | { readonly cmd: 'standby'; readonly set: ResourceSet }
  | { readonly cmd: 'takeover'; readonly set: ResourceSet }
  | { readonly cmd: 'follow' }
  | { readonly cmd: 'shutdown' };

export interface ControlReplyOk {
  readonly ok: true;
  readonly [key: string]: unknown;
}
export interface ControlReplyError {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}
export type ControlReply = ControlReplyOk | ControlReplyError;

export function isResourceSet(s: string): s is ResourceSet {
  return (RESOURCE_SETS as readonly string[]).includes(s);
}

/** Validates an untrusted parsed line; returns null when it is not a request. */
export function parseRequest(value: unknown): ControlRequest | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  switch (v.cmd) {
    case 'status':
    case 'follow':
    case 'shutdown':
      return { cmd: v.cmd };
    case 'standby':
    case 'takeover':
      return typeof v.set === 'string' && isResourceSet(v.set) ? { cmd: v.cmd, set: v.set } : null;
    default:
      return null;
  }
}
