// checktype external (and ldirectord's external-perl): run
// `checkcommand vip|fwmark vport rip rport` without a shell; exit 0 means
// up. The command runs in its own process group, and the whole group is
// killed when the attempt ends: at the deadline (ldirectord only sends TERM
// to the child and leaves grandchildren running) and after a normal exit
// (nothing a check started may outlive it).

import { spawn } from 'node:child_process';
import { CheckFailure } from './attempt';
import { errorCode } from '../errors';
import type { ServiceCheck } from './service-check';

/** ldirectord's default checkcommand. */
const DEFAULT_COMMAND = '/bin/true';
const STDERR_KEPT = 200;

export const checkExternal: ServiceCheck = async (attempt, spec, target) => {
  const command = spec.command || DEFAULT_COMMAND;
  const args = [target.virtualAddress, String(target.virtualPort), target.address, String(target.port)];
  attempt.phase = `running ${command}`;
  attempt.throwIfOver();

  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT); });
  child.stderr?.on('error', () => undefined);

  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e) => {
      exited = true;
      reject(spawnFailure(e, command));
    });
    child.once('exit', (code, signal) => {
      exited = true;
      killGroup(child.pid);
      resolve({ code, signal });
    });
  });
  exit.catch(() => undefined);
  // 'close' comes once the process is reaped and its pipe closed: only then
  // are no handles left (bounded by the attempt's cleanup grace).
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  attempt.defer(async () => {
    if (!exited) killGroup(child.pid);
    child.stderr?.destroy();
    await closed;
  });

  const { code, signal } = await attempt.race(exit);
  const why = stderr.trim() ? `: ${stderr.trim().split('\n').pop() ?? ''}` : '';
  if (code === 0) return `${command} exit 0`;
  if (signal) throw new CheckFailure(`${command} killed by ${signal}${why}`);
  throw new CheckFailure(`${command} exit ${code ?? '?'}${why}`);
};

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

function spawnFailure(e: Error, command: string): CheckFailure {
  const code = errorCode(e);
  if (code === 'ENOENT') return new CheckFailure(`checkcommand not found: ${command}`);
  if (code === 'EACCES') return new CheckFailure(`checkcommand not executable: ${command}`);
  return new CheckFailure(`checkcommand ${command} failed to start: ${e.message}`);
}
