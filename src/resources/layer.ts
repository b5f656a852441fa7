// The resource layer as the daemon builds it from a configuration: script
// lookup and HA_* environment from the config, built-ins over the daemon's
// NetOps / IpvsBackend / directors, escalation as the daemon decides.

import type { HbdConfig } from '../config/model';
import { type AgentDeps, agentFactory } from './create-agent';
import { ResourceGroupRunner } from './group-runner';
import { heartbeatEnv } from './script-env';

export interface ResourceLayerOptions extends Omit<AgentDeps, 'haDir' | 'initDir' | 'baseEnv'> {
  /** A stop failed for good and the resource still runs (Heartbeat reboots). */
  readonly escalate: (reason: string) => void;
  readonly stopRetries?: number;
  readonly stopRetryDelayMs?: number;
}

export function createResourceGroups(config: HbdConfig, nodeName: string, opts: ResourceLayerOptions): ResourceGroupRunner {
  const { escalate, stopRetries, stopRetryDelayMs, ...deps } = opts;
  return new ResourceGroupRunner({
    agentFor: agentFactory({ ...deps, haDir: config.origin.haDir, initDir: config.origin.initDir, baseEnv: heartbeatEnv(config, nodeName) }),
    escalate,
    ...(stopRetries !== undefined ? { stopRetries } : {}),
    ...(stopRetryDelayMs !== undefined ? { stopRetryDelayMs } : {}),
  });
}
