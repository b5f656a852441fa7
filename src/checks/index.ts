// The real-server health checks library: what the director imports.

export type { CheckResult, CheckRunner, CheckService, CheckSpec, CheckTarget, CheckType, Pinger } from './types';
export { createCheckRunner, DefaultCheckRunner, type CheckRunnerOptions } from './runner';
export { NoIcmpPinger, PingUnavailableError } from './ping';
export { runAll, type CheckJob } from './run-all';
export { checkSpecProblems, unsupportedServices } from './spec-problems';
