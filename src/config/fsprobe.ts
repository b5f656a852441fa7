// The few questions the validators ask the filesystem, only when the loader
// was told to check it (LoadOptions.checkFilesystem). Kept apart so the
// parsers stay pure and the checks are easy to find.

import * as fs from 'node:fs';

export type PathKind = 'file' | 'directory' | 'char-device' | 'other';

/** What `path` is (following symlinks), or null if it does not exist. */
export function pathKind(path: string): PathKind | null {
  try {
    const st = fs.statSync(path);
    if (st.isFile()) return 'file';
    if (st.isDirectory()) return 'directory';
    if (st.isCharacterDevice()) return 'char-device';
    return 'other';
  } catch {
    return null;
  }
}

/** A regular file this process may execute (the shell's `[ -f x -a -x x ]`). */
export function isExecutableFile(path: string): boolean {
  if (pathKind(path) !== 'file') return false;
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether /etc/passwd lists `user` (or it is numeric). Users that only NSS
 * knows (LDAP, ...) are not seen, so callers only warn on a miss. Returns
 * null when /etc/passwd cannot be read.
 */
export function userInPasswd(user: string, passwdFile = '/etc/passwd'): boolean | null {
  if (/^\d+$/.test(user)) return true;
  let text: string;
  try {
    text = fs.readFileSync(passwdFile, 'utf8');
  } catch {
    return null;
  }
  return text.split('\n').some((line) => line.split(':')[0] === user);
}
