// The resource layer: what the daemon and the ownership layer import.
// See docs/resources.md.

export * from './types';
export { ResourceGroupRunner, type GroupRunnerOptions } from './group-runner';
export { createResourceGroups, type ResourceLayerOptions } from './layer';
export { createAgent, agentFactory, DEFAULT_ANNOUNCE, type AgentDeps, type AnnouncingResource } from './create-agent';
export { heartbeatEnv, messageEnv } from './script-env';
export { ScriptAgent, DEFAULT_SCRIPT_TIMEOUTS, type ScriptTimeouts } from './script-agent';
export { judgeStatus, heartbeatGlob, type StatusVerdict } from './status-judgement';
export { DirectorPool, type DirectorFactory, type DirectorHandle } from './director-pool';
export { AliasLabels } from './ip/alias-labels';
export type { AnnounceParams, RefreshParams } from './ip/announcer';
export { resourceId } from './resource-id';
