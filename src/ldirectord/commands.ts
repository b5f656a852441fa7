// Running the configuration's commands: fallbackcommand
// (`CMD start|stop VIP:PORT PROTOCOL`) and callback (`CMD CONFIGFILE`).
// ldirectord hands them to the shell (Perl's system with one string), so a
// command may carry its own arguments; hbd does the same and passes the
// arguments separately ("$@") so addresses are never re-parsed by the shell.

import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Exit code, or null when killed or not started. */
  readonly code: number | null;
  /** Last lines of stdout+stderr, or why it did not run. */
  readonly output: string;
}

export type CommandRunner = (command: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

const OUTPUT_KEPT = 500;

export const shellCommandRunner: CommandRunner = (command, args, timeoutMs) =>
  new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', `${command} "$@"`, 'sh', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, output: e.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim() });
    });
  });
