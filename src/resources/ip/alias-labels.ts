// IPaddr's alias labels. resource-agents' IPaddr (ifconfig based) always
// puts its address on an alias `iface:N` and picks N itself
// (find_free_interface): the first N in 0..511 that no address on the
// interface uses and that no other IPaddr instance has claimed (it claims
// with hard links in $HA_RSCTMP; one claim set per daemon here). A label in
// the haresources argument is ignored by IPaddr (the config parser warns).

/** IPaddr's limit: aliases `iface:0` .. `iface:511`. */
export const MAX_ALIAS = 512;

export class AliasLabels {
  private readonly claimed = new Set<string>();

  /** The first free `ifname:N`; null when all 512 are taken. */
  pick(ifname: string, labelsInUse: Iterable<string>): string | null {
    const used = new Set(labelsInUse);
    for (let n = 0; n < MAX_ALIAS; n++) {
      const label = `${ifname}:${n}`;
      if (!used.has(label) && !this.claimed.has(label)) return label;
    }
    return null;
  }

  claim(label: string): void {
    this.claimed.add(label);
  }

  release(label: string): void {
    this.claimed.delete(label);
  }
}
