// What the director tells its owner: state changes worth a log line and a
// place on hbd's ordered event stream. Every event is a flat JSON object with
// a `type`, so the daemon can pass it straight to EventStream.emit.

export type DirectorEvent =
  | { readonly type: 'ldirectord-started'; readonly config: string; readonly virtuals: number }
  | { readonly type: 'ldirectord-stopped'; readonly config: string; readonly cleaned: readonly string[] }
  | { readonly type: 'real-up'; readonly virtual: string; readonly real: string; readonly message: string }
  | { readonly type: 'real-down'; readonly virtual: string; readonly real: string; readonly message: string; readonly maintenance: boolean }
  | { readonly type: 'fallback-on'; readonly virtual: string; readonly fallback: string }
  | { readonly type: 'fallback-off'; readonly virtual: string; readonly fallback: string }
  | { readonly type: 'reload-ok'; readonly config: string }
  | { readonly type: 'reload-failed'; readonly config: string; readonly diagnostics: readonly string[] }
  | { readonly type: 'ipvs-failed'; readonly operation: string; readonly code: string; readonly message: string }
  | { readonly type: 'ipvs-recovered'; readonly operation: string };

export type DirectorEventType = DirectorEvent['type'];

/** The subset of pino's logger the director uses; pino loggers fit it. */
export interface DirectorLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: DirectorLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
