// uid/gid of a user name, through NSS (getent), as Heartbeat's getpwnam()
// would see it, with /etc/passwd as the fallback where getent is missing.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface UserIds {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** One passwd(5) line `name:pw:uid:gid:gecos:home:shell`. */
export function parsePasswdLine(line: string): UserIds | null {
  const f = line.split(':');
  if (f.length < 7) return null;
  const [name = '', , uid = '', gid = '', , home = ''] = f;
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) return null;
  return { name, uid: Number(uid), gid: Number(gid), home };
}

function viaGetent(name: string): UserIds | null | undefined {
  try {
    const out = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return parsePasswdLine(out.trim().split('\n')[0] ?? '');
  } catch (e) {
    // Exit code 2 = no such user; anything else (no getent) = ask /etc/passwd.
    return (e as { status?: number }).status === 2 ? null : undefined;
  }
}

function viaPasswdFile(name: string): UserIds | null {
  const text = fs.readFileSync('/etc/passwd', 'utf8');
  for (const line of text.split('\n')) {
    const u = parsePasswdLine(line);
    if (u !== null && u.name === name) return u;
  }
  return null;
}

/** Null when there is no such user. */
export function lookupUser(name: string): UserIds | null {
  const found = viaGetent(name);
  return found === undefined ? viaPasswdFile(name) : found;
}
