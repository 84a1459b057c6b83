// The Linux oracle: which original-direction tuple nf_conntrack_in builds for one datagram.
// Follows Linux 6.18 (checked live on 6.18.44): the IP layer (ip_rcv_core / ip6_rcv_core),
// defragmentation, the L3 walk (ipv4_get_l4proto / ipv6_get_l4proto), nf_ct_get_tuple and
// gre_pkt_to_tuple. Pure: no I/O, bounds-checked reads only.
//
// linuxDecide is the one implementation: it fills a reusable Decision (decision.ts) with
// numbers and allocates nothing on the common paths. linuxVerdict is linuxDecide explaining
// itself, turned into a Verdict with address text.
import type { Context, Tuple } from '../../spec/contract.ts';
import { BUILT_UNCONFIRMED, Decision, INVALID, R, TRACKED, decisionVerdict } from './decision.ts';
import { ipv4Stage } from './ipv4.ts';
import { ipv4OptionsOk } from './ipv4-options.ts';
import { ipv6Stage } from './ipv6.ts';
import { ipv6Defrag } from './ipv6-defrag.ts';
import { skipExtHeaders } from './ipv6-exthdr.ts';
import { greKeys } from './gre.ts';
import { parseKeymap, type ParsedKeymapEntry } from './keymap.ts';
import type { Verdict } from './verdict.ts';
import type { KernelProfile } from './kernel-profile.ts';

export const KERNEL_VERSION = '6.18';

/** L4 protocols with a tracker of their own; anything else not GRE goes to the generic tracker. */
const OWN_TRACKERS = new Set([1, 6, 17, 33, 58, 132, 136]);

/** True when the oracle's tuple for this protocol is exact: GRE, or a protocol of the generic tracker. */
export function inOracleScope(l4proto: number | undefined): boolean {
  return l4proto === undefined || !OWN_TRACKERS.has(l4proto);
}

export interface LinuxOptions {
  /** Which kernel generation's semantics to follow (kernel-profile.ts); default 'current'. */
  readonly profile?: KernelProfile;
}

/**
 * Decides one datagram into `out` (every field of the previous decision is forgotten) and
 * returns it. `keymap` is parseKeymap's output, so a loop parses each keymap once. Reasons and
 * repeated rule applications are collected only when `out` was made with `explain`.
 */
export function linuxDecide(packet: Uint8Array, keymap: readonly ParsedKeymapEntry[], out: Decision, options?: LinuxOptions): Decision {
  out.reset();
  const version = packet.length > 0 ? packet[0]! >> 4 : -1;
  if (version === 4) decideIPv4(packet, keymap, out);
  else if (version === 6) decideIPv6(packet, keymap, out, options?.profile ?? 'current');
  else out.drop(R['L3-2'], out.explain && (packet.length === 0 ? 'empty datagram' : `IP version ${version} is neither 4 nor 6`));
  return out;
}

// linuxVerdict's record: decisions are synchronous and call nothing outside the oracle, so one
// shared Decision serves every call.
const EXPLAINED = new Decision(true);

export function linuxVerdict(packet: Uint8Array, context: Context = { keymap: [] }, options: LinuxOptions = {}): Verdict {
  return decisionVerdict(linuxDecide(packet, parseKeymap(context.keymap), EXPLAINED, options));
}

/** The contract's answer: the tuple, or null when conntrack counts the packet invalid or never sees it. */
export function linuxTuple(packet: Uint8Array, context: Context = { keymap: [] }, options: LinuxOptions = {}): Tuple | null {
  return linuxVerdict(packet, context, options).tuple;
}

function decideIPv4(b: Uint8Array, keymap: readonly ParsedKeymapEntry[], d: Decision): void {
  const x = d.explain;
  d.family = 4;
  if (!ipv4Stage(b, d)) return;
  const end = d.seenLength;
  const dataoff = d.dataoff;
  const protocol = d.l4proto;
  if (end < b.length) d.add(R['L3-2T']);
  if (dataoff > 20) d.add(R['L3-4']);
  d.add(R['L3-9']);
  d.addresses(b, 12, 16, 4);
  let outcome = TRACKED;
  let note = '';
  if (dataoff > 20 && !ipv4OptionsOk(b, dataoff, d)) {
    d.add(R['L3-5']);
    outcome = BUILT_UNCONFIRMED;
    if (x) note = `; the entry is never confirmed: ${d.reason}`;
  }
  // nf_ct_get_tuple: a protocol without a tracker of its own gets the generic tuple, keys 0.
  if (protocol !== 47) {
    d.add(R['L3-8O']);
    d.tuple(outcome, protocol, 0, 0, R['L3-8O'], x && `IPv4 protocol ${protocol} is not GRE: generic tuple${note}`);
    return;
  }
  if (!greKeys(b, dataoff, end, 12, 16, 4, keymap, d)) return;
  // L3-5 only keeps the entry from being confirmed; the tuple is still decided by GRE.
  d.tuple(outcome, 47, d.srckey, d.dstkey, d.decidedBy, x && d.reason + note);
}

function decideIPv6(input: Uint8Array, keymap: readonly ParsedKeymapEntry[], d: Decision, profile: KernelProfile): void {
  const x = d.explain;
  d.family = 6;
  const seen = ipv6Stage(input, d);
  if (seen < 0) return;
  if (seen < input.length) d.add(R['L3-6T']);
  d.bytes = input;
  const end = ipv6Defrag(input, seen, d);
  if (end < 0) return;
  const b = d.bytes;
  d.seenLength = end;
  const err = skipExtHeaders(b, 40, b[6]!, end, d, true);
  if (err >= 0) {
    d.add(err);
    d.settle(INVALID, err, false); // the walk wrote the reason
    return;
  }
  const offset = d.extOffset;
  const nexthdr = d.extNexthdr;
  // ipv6_get_l4proto: a walk that stopped on a non-first Fragment header has no L4 header.
  if ((d.extFragOff & 0xfff8) !== 0) {
    d.settle(INVALID, R['L3-8F'], x && `non-first fragment (offset ${d.extFragOff & 0xfff8}): no L4 header`);
    return;
  }
  d.add(R['L3-9']);
  d.addresses(b, 8, 24, 16);
  d.dataoff = offset;
  d.l4proto = nexthdr;
  if (nexthdr !== 47) {
    d.add(R['L3-8O']);
    d.tuple(TRACKED, nexthdr, 0, 0, R['L3-8O'], x && `extension header walk ends at protocol ${nexthdr}, not GRE: generic tuple`);
    return;
  }
  // ipv6_skip_exthdr never checks a header's length against the datagram: past the end, GRE
  // reads nothing and keys stay 0/0 (L3-8E).
  if (offset > end) d.add(R['L3-8E']);
  d.add(R['GRE-8']);
  if (profile === 'ipv4-only') {
    d.tuple(TRACKED, 47, 0, 0, R['GRE-8'], x && 'kernels before 5.1 track GRE only over IPv4: the generic tracker takes IPv6 GRE, keys 0/0');
    return;
  }
  if (!greKeys(b, offset, end, 8, 24, 16, keymap, d)) return;
  if (profile === 'ipv6-invalid') {
    d.settle(INVALID, R['GRE-8'], x && 'kernels 5.1-5.11 build the IPv6 GRE tuple, then nf_conntrack_gre_packet refuses non-IPv4: invalid');
    return;
  }
  d.tuple(TRACKED, 47, d.srckey, d.dstkey, offset > end ? R['L3-8E'] : d.decidedBy, false);
}
