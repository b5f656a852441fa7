// Every directive ldirectord 4.12 knows (features.md §2.2, §2.3), where it may
// be written and what hbd does with it. docs/ldirectord.md lists the same
// table; test/unit/ldirectord/docs.test.ts keeps the two in step.

/** global: top level only; virtual: inside a virtual service only; both: a global default a service may override. */
export type DirectiveScope = 'global' | 'virtual' | 'both';

/**
 * supported: implemented; ignored: accepted (value checked) with a warning
 * that hbd does nothing with it; rejected: an error, as in ldirectord;
 * extension: hbd only.
 */
export type DirectiveStatus = 'supported' | 'ignored' | 'rejected' | 'extension';

export interface DirectiveInfo {
  readonly scope: DirectiveScope;
  readonly status: DirectiveStatus;
  /** May appear several times (every occurrence counts); others warn and the last one wins. */
  readonly repeatable?: boolean;
}

const d = (scope: DirectiveScope, status: DirectiveStatus = 'supported', repeatable = false): DirectiveInfo => ({ scope, status, repeatable });

export const DIRECTIVES: ReadonlyMap<string, DirectiveInfo> = new Map([
  // global only
  ['autoreload', d('global')],
  ['callback', d('global')],
  ['logfile', d('global')],
  ['execute', d('global', 'ignored', true)],
  ['fork', d('global')],
  ['supervised', d('global')],
  ['readdquiescent', d('global')],
  ['emailalertfrom', d('global')],
  ['maintenancedir', d('global')],
  // global defaults a virtual service may override
  ['checktimeout', d('both')],
  ['negotiatetimeout', d('both')],
  ['checkinterval', d('both')],
  ['checkcount', d('both')],
  ['failurecount', d('both')],
  ['rise', d('both', 'extension')],
  ['fallback', d('both')],
  ['fallback6', d('both')],
  ['fallbackcommand', d('both')],
  ['quiescent', d('both')],
  ['emailalert', d('both')],
  ['emailalertfreq', d('both')],
  ['emailalertstatus', d('both')],
  ['cleanstop', d('both')],
  ['smtp', d('both')],
  ['connecttimeout', d('both', 'rejected')],
  ['timeout', d('both', 'rejected')],
  // virtual service only
  ['real', d('virtual', 'supported', true)],
  ['real6', d('virtual', 'supported', true)],
  ['request', d('virtual')],
  ['receive', d('virtual')],
  ['checktype', d('virtual')],
  ['checkcommand', d('virtual')],
  ['checkport', d('virtual')],
  ['login', d('virtual')],
  ['passwd', d('virtual')],
  ['database', d('virtual')],
  ['secret', d('virtual')],
  ['load', d('virtual', 'ignored')],
  ['scheduler', d('virtual')],
  ['persistent', d('virtual')],
  ['schedflags', d('virtual')],
  ['netmask', d('virtual')],
  ['protocol', d('virtual')],
  ['ops', d('virtual')],
  ['service', d('virtual')],
  ['httpmethod', d('virtual')],
  ['virtualhost', d('virtual')],
  ['monitorfile', d('virtual')],
  ['servicename', d('virtual')],
  ['comment', d('virtual')],
]);

export function directiveInfo(name: string): DirectiveInfo | undefined {
  return DIRECTIVES.get(name);
}
