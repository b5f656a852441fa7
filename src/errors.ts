// Errors with stable codes. Code branches on `code`, never on message text.
// Native errors arrive with `code` = the errno name (EPERM, ENODEV, ...) and
// `syscall`/`op` saying what was being done.

export type HbdErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'STATE_DIR'
  | 'CONTROL_NOT_RUNNING'
  | 'CONTROL_PROTOCOL'
  | 'CONTROL_TIMEOUT'
  | 'NATIVE_UNAVAILABLE'
  | 'BAD_ARGUMENT'
  | 'ALREADY_RUNNING'
  | 'NOT_SUPPORTED';

export class HbdError extends Error {
  readonly code: HbdErrorCode;

  constructor(code: HbdErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HbdError';
    this.code = code;
  }
}

/** An error from the C core: errno name in `code`, the failing operation in `op`. */
export interface NativeError extends Error {
  code: string;
  errno?: number;
  op?: string;
}

export function isNativeError(e: unknown): e is NativeError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string';
}

export function errorCode(e: unknown): string | undefined {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
