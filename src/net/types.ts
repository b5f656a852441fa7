// Virtual IP plumbing as the resource layer sees it: addresses over
// rtnetlink, the interface a VIP belongs on (from the routing table, never a
// guessed eth0), and gratuitous ARP / unsolicited neighbour advertisements
// from an AF_PACKET socket. Implemented by src/net/native-net.ts over the C
// core; an in-memory fake implements the same contract for policy tests.
// Errors are `Error`s with `code` = errno name and a message saying what failed.

export type Family = 'inet' | 'inet6';

export interface InterfaceAddress {
  readonly ifname: string;
  readonly family: Family;
  readonly address: string;
  readonly prefixLen: number;
  /** IPv4 broadcast, if set. */
  readonly broadcast?: string;
  /** IPv4 label (e.g. "eth0:0"); equals ifname when none. */
  readonly label?: string;
  /** IFA_F_* flags of interest. */
  readonly secondary?: boolean;
  readonly tentative?: boolean;
  readonly dadFailed?: boolean;
}

export interface AddressSpec {
  readonly ifname: string;
  readonly family: Family;
  readonly address: string;
  readonly prefixLen: number;
  readonly broadcast?: string;
  readonly label?: string;
  /** IPv6: add without duplicate address detection (the VIP must work at once). */
  readonly noDad?: boolean;
}

/** The interface and connected network a VIP belongs to (resource-agents' findif). */
export interface InterfaceMatch {
  readonly ifname: string;
  readonly prefixLen: number;
  /** IPv4: the broadcast address of that network. */
  readonly broadcast?: string;
  /**
   * findInterface() was given an interface and no connected route on it
   * covers the address: `ifname` is the computed interface instead (IPaddr
   * refuses that, "nic [x] Calculated nic: [y]"; the caller decides).
   */
  readonly differs?: boolean;
}

export interface LinkInfo {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: string;
  readonly up: boolean;
  readonly mtu: number;
}

/** send_arp's forms: an ARP request, an ARP reply, or (default, Heartbeat's) both per round. */
export type GarpMode = 'request' | 'reply' | 'both';

export interface AnnounceSpec {
  readonly ifname: string;
  readonly address: string;
  /** Rounds (send_arp -r). */
  readonly count: number;
  /** Milliseconds between rounds (send_arp -i). */
  readonly intervalMs: number;
  /** IPv4 only. */
  readonly mode?: GarpMode;
  /** IPv6 only: set the Router flag of the NA (keepalived does on a forwarding interface; IPv6addr never). */
  readonly router?: boolean;
  /** Stops the rounds not sent yet (IPaddr2 kills its send_arp on stop); the promise then rejects with the abort reason. */
  readonly signal?: AbortSignal;
}

export interface NetOps {
  listAddresses(ifname?: string): Promise<InterfaceAddress[]>;
  /** EEXIST when already present. */
  addAddress(spec: AddressSpec): Promise<void>;
  /** EADDRNOTAVAIL when absent. */
  deleteAddress(spec: AddressSpec): Promise<void>;
  /**
   * The interface whose connected (scope link) route in the main table
   * covers `address`, longest prefix then lowest metric, or null. With
   * `ifname` (an interface name, not an `eth0:0` label), that interface's
   * own covering route when it has one, else the computed one marked
   * `differs`. EINVAL for an IPv6 link-local address without `ifname`.
   */
  findInterface(address: string, ifname?: string): Promise<InterfaceMatch | null>;
  linkInfo(ifname: string): Promise<LinkInfo>;
  /** Gratuitous ARP (IPv4) or unsolicited NA (IPv6): the first round at once, the rest paced. */
  announce(spec: AnnounceSpec): Promise<void>;
}
