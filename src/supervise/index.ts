// Processes and devices kept alive beside the cluster engine: ha.cf respawn /
// failfast programs and the watchdog device.

export { RespawnSupervisor, NO_RESPAWN_EXIT_CODE, isIpfail, type RespawnOptions, type BackoffOptions, type ChildState } from './respawn';
export { Watchdog, type WatchdogOptions } from './watchdog';
export { lookupUser, type UserIds } from './user-ids';
