// What the parser needs from outside the file: name lookups, whether to look
// at this machine's filesystem, and the host name for ldirectord's default
// ftp/sip logins.

import type { Resolver } from './addresses';

export interface ParseContext {
  readonly resolver: Resolver;
  /** Check programs, the maintenance directory and monitor files on this machine. */
  readonly checkFilesystem: boolean;
  /** `uname -n`, for `ldirectord@HOST` logins. */
  readonly hostname: string;
}
