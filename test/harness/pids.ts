// Telling our processes from strangers that reuse their pids. With pid_max
// at 32768 a long run wraps around within minutes, so a pid remembered from
// a pid file or a reaped child, or a namespace identified only by its inode
// number, may by now name another test's daemon: signal it only after proof.
import * as fs from 'node:fs';

/** Is `pid` a live process (not a zombie) with `marker` in one of its arguments (or as one, `exact`)? */
export function cmdlineHas(pid: number, marker: string, exact = false): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => (exact ? arg === marker : arg.includes(marker)));
  } catch {
    return false;
  }
}

/** No such process, or only a zombie (a killed orphan waits for PID 1 to reap it). */
export function goneOrZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Every live process whose mount namespace is `link` (a readlink of /proc/PID/ns/mnt). */
export function pidsInMountNs(link: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/mnt`) === link && !goneOrZombie(Number(entry))) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/**
 * A mount namespace held open: while the descriptor is open the kernel keeps
 * the namespace, so its inode number cannot pass to a new namespace and
 * comparing readlinks stays a comparison with this one.
 */
export class PinnedMountNs {
  private constructor(
    readonly link: string,
    private fd: number | null,
  ) {}

  /** Pins the mount namespace of `pid`, or null if it is gone or changed meanwhile. */
  static of(pid: number): PinnedMountNs | null {
    let fd: number | null = null;
    try {
      const before = fs.readlinkSync(`/proc/${pid}/ns/mnt`);
      fd = fs.openSync(`/proc/${pid}/ns/mnt`, 'r');
      // The same namespace through the descriptor: pid did not change hands in between.
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) !== before) throw new Error('changed');
      return new PinnedMountNs(before, fd);
    } catch {
      if (fd !== null) fs.closeSync(fd);
      return null;
    }
  }

  pids(): number[] {
    return this.fd === null ? [] : pidsInMountNs(this.link);
  }

  release(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
