// Directives + authkeys entries + haresources lines -> one validated,
// deep-frozen HbdConfig. Both loaders (ha.d files and YAML) end here, so the
// same input gives the same model and the same diagnostics either way.

import type { DiagnosticSink } from './diagnostics';
import type { AuthkeysEntry } from './authkeys';
import type { DirectiveEntry } from './hacf';
import type { ResourceLine } from './haresources';
import type { AuthConfig, ConfigOrigin, HbdConfig } from './model';
import { buildAuth } from './authkeys';
import { Code } from './codes';
import { applyDirectives } from './directives';
import { buildResourceGroups } from './haresources';
import { finishHaCf } from './settings';
import { createHaCfState } from './state';

/** How messages name things, which differs between ha.d files and YAML. */
export interface Terms {
  /** "ha.cf's node list" / "the `nodes` list" */
  readonly nodeList: string;
  /** "a node in ha.cf" / "in the `nodes` list" */
  readonly isNodeIn: string;
  /** "haresources" / "`resources`" */
  readonly resources: string;
}

export interface ConfigInputs {
  readonly origin: ConfigOrigin;
  /** ha.cf or the YAML file: where whole-file ha.cf diagnostics point. */
  readonly directivesFile: string;
  readonly directives: readonly DirectiveEntry[];
  /** null when there is no authkeys at all (already reported by the loader). */
  readonly authkeys: { readonly file: string; readonly entries: readonly AuthkeysEntry[] } | null;
  readonly resources: readonly ResourceLine[];
  readonly checkFilesystem: boolean;
  readonly nodeName?: string;
  readonly terms: Terms;
}

/** Builds the model; returns null when the sink holds errors (from this or earlier steps). */
export function buildConfig(inputs: ConfigInputs, sink: DiagnosticSink): HbdConfig | null {
  const state = createHaCfState(sink, inputs.directivesFile, inputs.checkFilesystem);
  applyDirectives(state, inputs.directives);
  const settings = finishHaCf(state, { nodeName: inputs.nodeName, nodeListName: inputs.terms.nodeList });

  const auth: AuthConfig | null = inputs.authkeys === null ? null : buildAuth(inputs.authkeys.entries, inputs.authkeys.file, sink);

  const resourceGroups = buildResourceGroups(inputs.resources, {
    sink,
    nodes: settings.nodes,
    haDir: inputs.origin.haDir,
    initDir: inputs.origin.initDir,
    checkFilesystem: inputs.checkFilesystem,
    resourcesName: inputs.terms.resources,
    nodeListName: inputs.terms.isNodeIn,
  });
  const [firstGroup] = resourceGroups;
  if (firstGroup !== undefined && settings.nodes.length > 2) {
    sink.warning(
      firstGroup.at,
      Code.HARES_MORE_THAN_TWO_NODES,
      `${inputs.terms.resources} resource management works between two nodes only (as in Heartbeat), but ${settings.nodes.length} nodes are listed`,
    );
  }

  if (sink.hasErrors() || auth === null) return null;
  return deepFreeze<HbdConfig>({ origin: inputs.origin, ...settings, auth, resourceGroups });
}

/** Freezes an object graph so a running configuration cannot be changed in place. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
