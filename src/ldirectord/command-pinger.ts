// ICMP echo for ping checks (and connect checks on UDP) through iputils'
// `ping`, until the native core offers an ICMP pinger: without one the
// checks library's default refuses every ping check, which would keep every
// such real server down. One process per check; bounded by the deadline.

import { execFile } from 'node:child_process';
import { isIPv6 } from 'node:net';
import { createCheckRunner } from '../checks';
import type { CheckRunner, Pinger } from '../checks/types';

export class CommandPinger implements Pinger {
  constructor(private readonly program = 'ping') {}

  ping(address: string, timeoutMs: number): Promise<boolean> {
    const seconds = Math.max(0.2, timeoutMs / 1000).toFixed(1);
    const args = [...(isIPv6(address) ? ['-6'] : []), '-n', '-q', '-c', '1', '-W', seconds, address];
    return new Promise((resolve, reject) => {
      execFile(this.program, args, { timeout: timeoutMs + 1000 }, (err) => {
        if (err === null) return resolve(true);
        const code = (err as NodeJS.ErrnoException).code;
        // Exit 1 = no reply; a missing program or a permission problem is not "down".
        if (typeof code === 'string') return reject(new Error(`${this.program}: ${err.message}`));
        resolve(false);
      });
    });
  }
}

/** The checks library with the best pinger this build has. */
export function createDirectorCheckRunner(): CheckRunner {
  return createCheckRunner({ pinger: new CommandPinger() });
}
