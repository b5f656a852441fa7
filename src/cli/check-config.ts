// `hbd check-config`: validate everything before anything starts. Prints each
// problem as FILE:LINE: error|warning: message; exit 0 when valid (warnings
// allowed), 1 on any error.

import { configToYaml } from '../config/load';
import { type ConfigSourceOptions, loadConfigFrom, printDiagnostics } from './config-source';

export interface CheckConfigOptions extends ConfigSourceOptions {
  readonly printYaml?: boolean;
  readonly json?: boolean;
}

export function checkConfig(opts: CheckConfigOptions): number {
  const result = loadConfigFrom(opts);
  const diagnostics = result.diagnostics.all;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ valid: result.config !== null, diagnostics }, null, 2)}\n`);
    return result.config ? 0 : 1;
  }
  printDiagnostics(diagnostics);
  if (!result.config) {
    const n = result.diagnostics.errors.length;
    process.stderr.write(`configuration is invalid: ${n} error${n === 1 ? '' : 's'}\n`);
    return 1;
  }
  if (opts.printYaml) {
    process.stdout.write(configToYaml(result.config));
  } else {
    const c = result.config;
    const warnings = diagnostics.length;
    process.stdout.write(
      `configuration OK (${c.origin.kind} ${c.origin.path}): ${c.nodes.length} nodes, ${c.media.length} media, ` +
        `${c.resourceGroups.length} resource groups${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`,
    );
  }
  return 0;
}
