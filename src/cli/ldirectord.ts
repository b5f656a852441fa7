// `hbd ldirectord CONFIG start|stop|status|reload|check`: the built-in
// ldirectord used on its own, like ldirectord's own CLI.

import { HbdError } from '../errors';

export const LDIRECTORD_ACTIONS = ['start', 'stop', 'status', 'reload', 'check'] as const;
export type LdirectordAction = (typeof LDIRECTORD_ACTIONS)[number];

export interface LdirectordOptions {
  readonly stateDir?: string;
  readonly foreground?: boolean;
}

export function isLdirectordAction(s: string): s is LdirectordAction {
  return (LDIRECTORD_ACTIONS as readonly string[]).includes(s);
}

export async function ldirectordCommand(config: string, action: string, _opts: LdirectordOptions): Promise<number> {
  if (!isLdirectordAction(action)) {
    throw new HbdError('BAD_ARGUMENT', `unknown ldirectord action '${action}': expected ${LDIRECTORD_ACTIONS.join('|')}`);
  }
  throw new HbdError('NOT_SUPPORTED', `ldirectord ${action} ${config}: IPVS management is not part of this build yet`);
}
