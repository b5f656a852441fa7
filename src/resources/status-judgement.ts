// Is a script's resource running, judged from what `script args status`
// printed? Heartbeat's ResourceManager (we_own_resource) looks at stdout
// only and ignores the exit code:
//
//   *[Nn][Oo][Tt]\ *[Rr]unning*   -> not owned
//   *[Rr]unning* | *OK*            -> owned
//   anything else                  -> not owned
//
// hbd keeps exactly that for stdout. It adds one rule for the case where
// stdout is empty: a zero exit code together with the "running" pattern on
// stderr counts as running. That is what
// `ldirectord status` does (it prints "ldirectord for X is running with pid"
// to stderr and exits 0), which Heartbeat always misread as "stopped"
// (features.md §7 trap 6). The exit code is deliberately not trusted on its
// own: old Heartbeat scripts (LVSSyncDaemonSwap 2.1.3) exit 3 when running
// and 0 when stopped, and init scripts without a status action exit 0
// silently; trusting `exit 0` would skip their start, or reboot the node
// after a failed stop. See docs/resources.md.

import type { RscStatus } from './types';

export type StatusBasis = 'stdout-not-running' | 'stdout-running' | 'stderr-running' | 'no-verdict';

export interface StatusVerdict {
  readonly status: RscStatus;
  /** Which rule decided, for logs and tests. */
  readonly basis: StatusBasis;
}

// Shell globs are anchored at both ends and `*` matches newlines too, so a
// plain unanchored search over the whole text is the same test.
const NOT_RUNNING = /[Nn][Oo][Tt] .*[Rr]unning/s;
const RUNNING = /[Rr]unning|OK/;

/** Heartbeat's glob rules over one text: 'running', 'stopped', or null when neither pattern matches. */
export function heartbeatGlob(text: string): RscStatus | null {
  if (NOT_RUNNING.test(text)) return 'stopped';
  if (RUNNING.test(text)) return 'running';
  return null;
}

export function judgeStatus(stdout: string, stderr: string, exitCode: number | null): StatusVerdict {
  const fromStdout = heartbeatGlob(stdout);
  if (fromStdout === 'stopped') return { status: 'stopped', basis: 'stdout-not-running' };
  if (fromStdout === 'running') return { status: 'running', basis: 'stdout-running' };
  if (stdout.trim() === '' && exitCode === 0 && heartbeatGlob(stderr) === 'running') return { status: 'running', basis: 'stderr-running' };
  return { status: 'stopped', basis: 'no-verdict' };
}
