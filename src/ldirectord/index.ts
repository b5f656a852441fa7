// The built-in ldirectord: what the CLI, the daemon and the resource layer
// (`ldirectord::CONFIG` in haresources) import. See docs/ldirectord.md.

export { Director, DirectorConfigError, type DirectorOptions, type ReloadResult } from './director';
export type { DirectorEvent, DirectorEventType, DirectorLogger } from './events';
export { type DirectorStatus, type VirtualStatus, type RealServerStatus, type PendingChange, formatDirectorStatus } from './status';
export { loadLdirectordConfig, locateConfig, configCandidates, parseLdirectordText, type LdLoadOptions, type LdLoadResult } from './load';
export type { LdirectordConfig, VirtualService, RealServer, FallbackServer, CheckSettings } from './model';
export { LdCode } from './codes';
export { openIpvsBackend, type BackendKind } from './backend-factory';
export { instanceDir, runStandalone } from './standalone';
