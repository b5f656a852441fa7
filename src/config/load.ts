// Entry points used by the CLI and the daemon: read the files, hand their
// contents to the pure parsers, build the model. Filesystem facts (file
// modes, script existence) are looked at here or through fsprobe.ts, and
// only when checkFilesystem is on.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticSink } from './diagnostics';
import type { HbdConfig } from './model';
import { authkeysModeProblem, lexAuthkeys } from './authkeys';
import { buildConfig, type Terms } from './build';
import { Code } from './codes';
import { lexHaCf } from './hacf';
import { lexHaresources } from './haresources';
import { DEFAULT_INIT_DIR } from './resources';
import { translateYaml, yamlHaDir } from './yaml';

export { configToYaml } from './yaml';

export interface LoadOptions {
  /** The local node (uname -n); when given it must be a member. */
  nodeName?: string;
  /** Default true: check resource scripts, ldirectord configs, respawn commands, serial ports and the authkeys mode. */
  checkFilesystem?: boolean;
  /** Default '/etc/init.d': searched for resource scripts after resource.d. */
  initDir?: string;
}

export interface LoadResult {
  /** null when there are errors. */
  config: HbdConfig | null;
  diagnostics: DiagnosticSink;
}

const HA_D_TERMS: Terms = { nodeList: "ha.cf's node list", isNodeIn: 'a node in ha.cf', resources: 'haresources' };
const YAML_TERMS: Terms = { nodeList: 'the `nodes` list', isNodeIn: 'in the `nodes` list', resources: '`resources`' };

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Reads DIR/ha.cf, DIR/authkeys and DIR/haresources (optional: no file = no resource groups). */
export function loadHaDirectory(dir: string, opts: LoadOptions = {}): LoadResult {
  const sink = new DiagnosticSink();
  const checkFilesystem = opts.checkFilesystem ?? true;
  const haCfFile = path.join(dir, 'ha.cf');
  const authFile = path.join(dir, 'authkeys');
  const resFile = path.join(dir, 'haresources');

  const haCfText = readText(haCfFile);
  if (haCfText === null) {
    sink.error({ file: haCfFile, line: 0 }, Code.HACF_FILE_MISSING, `cannot read ${haCfFile}: a Heartbeat ha.d directory needs ha.cf, authkeys and haresources`);
    return { config: null, diagnostics: sink };
  }

  const authText = readText(authFile);
  if (authText === null) {
    sink.error({ file: authFile, line: 0 }, Code.AUTHKEYS_FILE_MISSING, `cannot read ${authFile}: the authkeys file is required (e.g. \`auth 1\` and \`1 sha1 <secret>\`, mode 600)`);
  } else if (checkFilesystem) {
    const problem = authkeysModeProblem(fs.statSync(authFile).mode);
    if (problem !== null) sink.error({ file: authFile, line: 0 }, Code.AUTHKEYS_BAD_PERMISSIONS, problem);
  }

  const resText = readText(resFile);
  if (resText === null) {
    sink.warning(
      { file: resFile, line: 0 },
      Code.HARES_FILE_MISSING,
      `no ${resFile}: no resource groups are managed (Heartbeat 3.0.6 refuses to start without this file)`,
    );
  }

  const files = [haCfFile, ...(authText === null ? [] : [authFile]), ...(resText === null ? [] : [resFile])];
  const config = buildConfig(
    {
      origin: { kind: 'ha.d', path: dir, files, haDir: dir, initDir: opts.initDir ?? DEFAULT_INIT_DIR },
      directivesFile: haCfFile,
      directives: lexHaCf(haCfText, haCfFile),
      authkeys: authText === null ? null : { file: authFile, entries: lexAuthkeys(authText, authFile, sink) },
      resources: resText === null ? [] : lexHaresources(resText, resFile, sink),
      checkFilesystem,
      nodeName: opts.nodeName,
      terms: HA_D_TERMS,
    },
    sink,
  );
  return { config, diagnostics: sink };
}

/** Reads an hbd YAML configuration (see yaml.ts for the schema). */
export function loadYamlConfig(file: string, opts: LoadOptions = {}): LoadResult {
  const sink = new DiagnosticSink();
  const checkFilesystem = opts.checkFilesystem ?? true;
  const text = readText(file);
  if (text === null) {
    sink.error({ file, line: 0 }, Code.YAML_FILE_MISSING, `cannot read ${file}`);
    return { config: null, diagnostics: sink };
  }
  const yaml = translateYaml(text, file, sink);
  if (yaml === null) return { config: null, diagnostics: sink };

  const authEntries = yaml.authkeys;
  if (checkFilesystem && authEntries !== null) {
    const secret = authEntries.find((e) => e.kind === 'key' && e.method !== 'crc');
    const mode = fs.statSync(file).mode;
    if (secret !== undefined && (mode & 0o044) !== 0) {
      sink.warning(
        secret.at,
        Code.YAML_SECRETS_READABLE,
        `${file} holds authentication keys but is readable by group or others (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}): chmod 600 it`,
      );
    }
  }

  const config = buildConfig(
    {
      origin: {
        kind: 'yaml',
        path: file,
        files: [file],
        haDir: yamlHaDir(file, yaml.haDir),
        initDir: opts.initDir ?? DEFAULT_INIT_DIR,
      },
      directivesFile: file,
      directives: yaml.directives,
      authkeys: authEntries === null ? null : { file, entries: authEntries },
      resources: yaml.resources,
      checkFilesystem,
      nodeName: opts.nodeName,
      terms: YAML_TERMS,
    },
    sink,
  );
  return { config, diagnostics: sink };
}
