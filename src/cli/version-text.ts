// `hbd version`: the package version and the native core's, if it is built.

import { loadNative } from '../native/binding';
import { VERSION } from '../version';

export function versionText(): string {
  let core: string;
  try {
    core = loadNative().coreVersion;
  } catch (e) {
    core = `not built (${(e as Error).message})`;
  }
  return `hbd ${VERSION}\nnative core ${core}\nnode ${process.versions.node} (N-API ${process.versions.napi})\n`;
}
