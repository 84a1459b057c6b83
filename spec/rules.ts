// The rule catalogue: every rule that decides the answer, with one stable ID each.
// IDs follow ../shared/reference/linux-gre-conntrack.md where that sheet has one; a letter
// suffix marks a rule we split out of a broader sheet rule (the `ref` field names it).
// The registry is `as const`, so a mistyped ID is a compile error wherever RuleId is used.

export interface RuleSource {
  /** Kernel file (torvalds/linux) or RFC. */
  readonly file: string;
  /** Kernel function, or RFC section. */
  readonly where: string;
}

export interface RuleInfo {
  /** One-line statement of what the kernel does. */
  readonly statement: string;
  /** Sheet ID in ../shared/reference/linux-gre-conntrack.md this rule comes from. */
  readonly ref: string;
  readonly sources: readonly RuleSource[];
  /** Answer when this rule alone decides it. */
  readonly decides: 'null' | 'tuple' | 'keys' | 'path';
}

const ipInput = { file: 'net/ipv4/ip_input.c', where: 'ip_rcv_core' } as const;
const ip6Input = { file: 'net/ipv6/ip6_input.c', where: 'ip6_rcv_core' } as const;
const ctCore4 = { file: 'net/netfilter/nf_conntrack_core.c', where: 'ipv4_get_l4proto' } as const;
const ctCore6 = { file: 'net/netfilter/nf_conntrack_core.c', where: 'ipv6_get_l4proto' } as const;
const skipExt = { file: 'net/ipv6/exthdrs_core.c', where: 'ipv6_skip_exthdr' } as const;
const greTuple = { file: 'net/netfilter/nf_conntrack_proto_gre.c', where: 'gre_pkt_to_tuple' } as const;
const keymapLookup = { file: 'net/netfilter/nf_conntrack_proto_gre.c', where: 'gre_keymap_lookup, gre_key_cmpfn' } as const;

export const RULES = {
  'L3-2': {
    statement: 'IPv4 is dropped before conntrack unless version is 4, IHL >= 5, the header checksum is right and IHL*4 <= total length <= datagram length',
    ref: 'L3-2', sources: [ipInput], decides: 'null',
  },
  'L3-2T': {
    statement: 'IPv4 bytes past the total length are trimmed: conntrack never sees them',
    ref: 'L3-2', sources: [ipInput], decides: 'path',
  },
  'L3-3': {
    statement: 'An IPv4 fragment (MF set or offset != 0) is queued by nf_defrag_ipv4; alone it never reaches conntrack',
    ref: 'L3-3', sources: [{ file: 'net/ipv4/netfilter/nf_defrag_ipv4.c', where: 'ipv4_conntrack_defrag' }, ctCore4], decides: 'null',
  },
  'L3-4': {
    statement: 'GRE starts at IHL*4: IPv4 options are skipped by length and their contents never parsed',
    ref: 'L3-4', sources: [ctCore4], decides: 'path',
  },
  'L3-5': {
    statement: 'Malformed IPv4 options are rejected after PREROUTING: the tuple is built but the entry is never confirmed',
    ref: 'L3-5', sources: [{ file: 'net/ipv4/ip_options.c', where: 'ip_options_compile' }, { file: 'net/ipv4/ip_input.c', where: 'ip_rcv_options' }], decides: 'tuple',
  },
  'L3-6': {
    statement: 'IPv6 is dropped before conntrack unless version is 6, 40 + payload length <= datagram length, and the addresses are allowed (no loopback, no multicast source, no multicast destination of scope 0 or 1)',
    ref: 'L3-6', sources: [ip6Input], decides: 'null',
  },
  'L3-6T': {
    statement: 'IPv6 is trimmed to 40 + payload length (payload length 0 trims to 40 unless a Hop-by-Hop header follows): later bytes do not exist for conntrack',
    ref: 'L3-6', sources: [ip6Input], decides: 'path',
  },
  'L3-6H': {
    statement: 'A leading Hop-by-Hop header is parsed before conntrack: bad padding, a bad length, too many options, a Jumbo option or an unknown option whose action is discard drops the datagram',
    ref: 'L3-6', sources: [{ file: 'net/ipv6/exthdrs.c', where: 'ipv6_parse_hopopts, ip6_parse_tlv' }], decides: 'null',
  },
  'L3-7': {
    statement: 'IPv6 fragments are queued by nf_ct_frag6_gather (never seen alone); an atomic fragment is reassembled at once; a fragment with M=1 whose end is not a multiple of 8, or a first fragment without a byte past its headers, passes unchanged',
    ref: 'L3-7', sources: [{ file: 'net/ipv6/netfilter/nf_conntrack_reasm.c', where: 'nf_ct_frag6_gather, nf_ct_frag6_queue' }, { file: 'include/net/ipv6_frag.h', where: 'ipv6frag_thdr_truncated' }], decides: 'null',
  },
  'L3-8': {
    statement: 'The IPv6 walk skips Hop-by-Hop (0), Routing (43) and Destination Options (60) headers of (len+1)*8 bytes, in any order and number',
    ref: 'L3-8', sources: [skipExt, ctCore6], decides: 'path',
  },
  'L3-8A': {
    statement: 'An Authentication Header (51) is (len+2)*4 bytes long',
    ref: 'L3-8', sources: [skipExt, { file: 'include/net/ipv6.h', where: 'ipv6_authlen' }], decides: 'path',
  },
  'L3-8F': {
    statement: 'A Fragment header (44) is 8 bytes; with a non-zero offset the walk stops and conntrack counts the packet invalid',
    ref: 'L3-8', sources: [skipExt, ctCore6], decides: 'null',
  },
  'L3-8N': {
    statement: 'No Next Header (59) in the walk makes the packet invalid',
    ref: 'L3-8', sources: [skipExt], decides: 'null',
  },
  'L3-8S': {
    statement: 'An extension header whose first 2 bytes (or a Fragment header whose offset field) cannot be read makes the packet invalid',
    ref: 'L3-8', sources: [skipExt], decides: 'null',
  },
  'L3-8O': {
    statement: 'A walk that ends at a protocol other than 47 is not GRE: the generic tracker builds the tuple with keys 0',
    ref: 'L3-8', sources: [skipExt, { file: 'net/netfilter/nf_conntrack_core.c', where: 'nf_ct_get_tuple' }], decides: 'tuple',
  },
  'L3-8E': {
    statement: 'Extension header lengths are not checked against the datagram: a walk that ends past the end is accepted and GRE then reads nothing',
    ref: 'L3-8', sources: [skipExt], decides: 'keys',
  },
  'L3-9': {
    statement: 'The tuple takes the addresses of the IP header and starts with both keys 0',
    ref: 'L3-9', sources: [{ file: 'net/netfilter/nf_conntrack_core.c', where: 'nf_ct_get_tuple' }], decides: 'tuple',
  },
  'GRE-1': {
    statement: 'Fewer than 4 GRE bytes: tracked with keys 0/0',
    ref: 'GRE-1', sources: [greTuple], decides: 'keys',
  },
  'GRE-2': {
    statement: 'The version is flags & 7; any version other than 1 is tracked with keys 0/0, whatever the other flag bits and fields (keyed v0 included)',
    ref: 'GRE-2', sources: [greTuple, { file: 'include/uapi/linux/if_tunnel.h', where: 'GRE_VERSION' }], decides: 'keys',
  },
  'GRE-3': {
    statement: 'Version 1 with 4 to 7 GRE bytes: tracked with keys 0/0, and the protocol is not checked',
    ref: 'GRE-3', sources: [greTuple], decides: 'keys',
  },
  'GRE-4': {
    statement: 'Version 1 with at least 8 GRE bytes and a protocol other than 0x880B: invalid',
    ref: 'GRE-4', sources: [greTuple], decides: 'null',
  },
  'GRE-5': {
    statement: 'Version 1 PPP: dstkey is the big-endian call id at GRE bytes 6-7, whatever the K bit says',
    ref: 'GRE-5', sources: [greTuple, { file: 'include/net/pptp.h', where: 'struct pptp_gre_header' }, { file: 'RFC 2637', where: '4.1' }], decides: 'keys',
  },
  'GRE-6': {
    statement: 'Version 1 PPP: srckey is the keymap lookup on (family, src, dst, dstkey), else 0',
    ref: 'GRE-6', sources: [greTuple, keymapLookup], decides: 'keys',
  },
  'GRE-7': {
    statement: 'Nothing past GRE byte 7 is read: checksum, sequence, ack, routing and payload never change the answer',
    ref: 'GRE-7', sources: [greTuple], decides: 'path',
  },
  'GRE-8': {
    statement: 'IPv6 GRE takes the same path as IPv4 (since Linux 5.12)',
    ref: 'GRE-8', sources: [greTuple, { file: 'commit 8b2030b43059', where: 'netfilter: conntrack: Fix gre tunneling over ipv6' }], decides: 'path',
  },
  'KM-2': {
    statement: 'A keymap entry matches on family, source, destination and dstkey only; its srckey is not compared',
    ref: 'KM-2', sources: [keymapLookup], decides: 'keys',
  },
  'KM-3': {
    statement: 'The keymap is walked in insertion order and the first match wins',
    ref: 'KM-3', sources: [keymapLookup], decides: 'keys',
  },
  'CT-1': {
    statement: 'The reply tuple swaps the addresses and the keys',
    ref: 'CT-1', sources: [{ file: 'net/netfilter/nf_conntrack_core.c', where: 'nf_ct_invert_tuple' }], decides: 'tuple',
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(s: string): s is RuleId {
  return Object.prototype.hasOwnProperty.call(RULES, s);
}

/** Pipeline order of the rules: L3 before GRE before keymap. Reports list rules in this order. */
export function ruleOrder(id: RuleId): number {
  return RULE_IDS.indexOf(id);
}
