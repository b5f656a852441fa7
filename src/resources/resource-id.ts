// How a haresources item is named in logs, events and GroupOutcome steps:
// the canonical `name::arg1::arg2` form ResourceManager would run (a bare
// `10.0.0.1/24` is shown as `IPaddr::10.0.0.1/24`, as Heartbeat canonicalises it).

import type { ResourceRef } from '../config/model';

export function resourceId(ref: ResourceRef): string {
  return ref.args.length === 0 ? ref.name : `${ref.name}::${ref.args.join('::')}`;
}
