// Where the configuration comes from (`--config-dir` ha.d files or
// `--config` YAML) and how its diagnostics are printed. Shared by `run` and
// `check-config` so both report exactly the same problems.

import * as os from 'node:os';
import * as path from 'node:path';
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from '../config/diagnostics';
import { type LoadResult, loadHaDirectory, loadYamlConfig } from '../config/load';
import { HbdError } from '../errors';

export const DEFAULT_CONFIG_DIR = '/etc/ha.d';

export interface ConfigSourceOptions {
  readonly configDir?: string;
  readonly config?: string;
  readonly nodeName?: string;
  readonly filesystemChecks?: boolean;
}

/** `uname -n`, lowercased as Heartbeat compares node names. */
export function defaultNodeName(): string {
  return os.hostname().toLowerCase();
}

export function loadConfigFrom(opts: ConfigSourceOptions): LoadResult {
  if (opts.configDir && opts.config) {
    throw new HbdError('BAD_ARGUMENT', '--config-dir and --config are alternatives: give one of them');
  }
  const loadOpts = {
    nodeName: (opts.nodeName ?? defaultNodeName()).toLowerCase(),
    checkFilesystem: opts.filesystemChecks ?? true,
  };
  // Absolute paths: resource scripts and ldirectord configs are found from
  // them later, whatever the working directory is then.
  return opts.config
    ? loadYamlConfig(path.resolve(opts.config), loadOpts)
    : loadHaDirectory(path.resolve(opts.configDir ?? DEFAULT_CONFIG_DIR), loadOpts);
}

export function printDiagnostics(list: readonly Diagnostic[], out: NodeJS.WritableStream = process.stderr): void {
  for (const d of sortDiagnostics(list)) out.write(`${formatDiagnostic(d)}\n`);
}
