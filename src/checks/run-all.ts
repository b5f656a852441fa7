// Runs many checks at once with a concurrency cap: each check has its own
// deadline, so a hung server only holds its own slot, never the others.

import type { CheckResult, CheckRunner, CheckSpec, CheckTarget } from './types';

export interface CheckJob {
  readonly spec: CheckSpec;
  readonly target: CheckTarget;
}

/** Results in the order of `jobs`. `concurrency` below 1 counts as 1. */
export async function runAll(
  runner: CheckRunner,
  jobs: readonly CheckJob[],
  concurrency: number,
  signal?: AbortSignal,
): Promise<CheckResult[]> {
  const results = new Array<CheckResult>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      if (job) results[i] = await runner.run(job.spec, job.target, signal);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, jobs.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
