// The Linux oracle: which original-direction tuple nf_conntrack_in builds for one datagram.
// Follows Linux 6.18 (checked live on 6.18.44): the IP layer (ip_rcv_core / ip6_rcv_core),
// defragmentation, the L3 walk (ipv4_get_l4proto / ipv6_get_l4proto), nf_ct_get_tuple and
// gre_pkt_to_tuple. Pure: no I/O, bounds-checked reads only.
import type { Context, Tuple } from '../../spec/contract.ts';
import { formatIPv4, formatIPv6 } from '../../spec/address.ts';
import type { RuleId } from '../../spec/rules.ts';
import { ipv4Stage } from './ipv4.ts';
import { checkIpv4Options } from './ipv4-options.ts';
import { ipv6Stage } from './ipv6.ts';
import { ipv6Defrag } from './ipv6-defrag.ts';
import { skipExtHeaders } from './ipv6-exthdr.ts';
import { greKeys } from './gre.ts';
import { parseKeymap } from './keymap.ts';
import type { Outcome, Verdict } from './verdict.ts';
import type { KernelProfile } from './kernel-profile.ts';

export const KERNEL_VERSION = '6.18';

/** L4 protocols with a tracker of their own; anything else not GRE goes to the generic tracker. */
const OWN_TRACKERS = new Set([1, 6, 17, 33, 58, 132, 136]);

/** True when the oracle's tuple for this protocol is exact: GRE, or a protocol of the generic tracker. */
export function inOracleScope(l4proto: number | undefined): boolean {
  return l4proto === undefined || !OWN_TRACKERS.has(l4proto);
}

function verdict(
  outcome: Outcome, tuple: Tuple | null, rules: RuleId[], decidedBy: RuleId, reason: string,
  family: 4 | 6 | undefined, seenLength: number, dataoff?: number, l4proto?: number,
): Verdict {
  return { outcome, tuple, rules, decidedBy, reason, family, seenLength, dataoff, l4proto };
}

export interface LinuxOptions {
  /** Which kernel generation's semantics to follow (kernel-profile.ts); default 'current'. */
  readonly profile?: KernelProfile;
}

export function linuxVerdict(packet: Uint8Array, context: Context = { keymap: [] }, options: LinuxOptions = {}): Verdict {
  const keymap = parseKeymap(context.keymap);
  const rules: RuleId[] = [];
  const version = packet.length > 0 ? packet[0]! >> 4 : -1;
  if (version === 4) return ipv4Verdict(packet, keymap, rules);
  if (version === 6) return ipv6Verdict(packet, keymap, rules, options.profile ?? 'current');
  rules.push('L3-2');
  const why = packet.length === 0 ? 'empty datagram' : `IP version ${version} is neither 4 nor 6`;
  return verdict('not-seen', null, rules, 'L3-2', why, undefined, 0);
}

/** The contract's answer: the tuple, or null when conntrack counts the packet invalid or never sees it. */
export function linuxTuple(packet: Uint8Array, context: Context = { keymap: [] }, options: LinuxOptions = {}): Tuple | null {
  return linuxVerdict(packet, context, options).tuple;
}

function ipv4Verdict(b: Uint8Array, keymap: ReturnType<typeof parseKeymap>, rules: RuleId[]): Verdict {
  const st = ipv4Stage(b);
  if (st.kind === 'drop') {
    rules.push(st.rule);
    return verdict('not-seen', null, rules, st.rule, st.reason, 4, 0);
  }
  if (st.trimmed) rules.push('L3-2T');
  if (st.dataoff > 20) rules.push('L3-4');
  rules.push('L3-9');
  const src = formatIPv4(b, 12);
  const dst = formatIPv4(b, 16);
  let outcome: Outcome = 'tracked';
  let note = '';
  if (st.dataoff > 20) {
    const opts = checkIpv4Options(b, st.dataoff);
    if (!opts.ok) {
      rules.push('L3-5');
      outcome = 'built-unconfirmed';
      note = `; the entry is never confirmed: ${opts.reason}`;
    }
  }
  if (st.protocol !== 47) {
    rules.push('L3-8O');
    const t: Tuple = { src, dst, proto: st.protocol, srckey: 0, dstkey: 0 };
    return verdict(outcome, t, rules, 'L3-8O', `IPv4 protocol ${st.protocol} is not GRE: generic tuple${note}`, 4, st.end, st.dataoff, st.protocol);
  }
  const g = greKeys(b, st.dataoff, st.end, 12, 16, 4, keymap, rules);
  if (g.kind === 'invalid') return verdict('invalid', null, rules, g.decidedBy, g.reason, 4, st.end, st.dataoff, 47);
  // L3-5 only keeps the entry from being confirmed; the tuple is still decided by GRE.
  return verdict(outcome, { src, dst, proto: 47, srckey: g.srckey, dstkey: g.dstkey }, rules, g.decidedBy, g.reason + note, 4, st.end, st.dataoff, 47);
}

function ipv6Verdict(input: Uint8Array, keymap: ReturnType<typeof parseKeymap>, rules: RuleId[], profile: KernelProfile): Verdict {
  const st = ipv6Stage(input);
  if (st.kind === 'drop') {
    rules.push(st.rule);
    return verdict('not-seen', null, rules, st.rule, st.reason, 6, 0);
  }
  if (st.trimmed) rules.push('L3-6T');
  let b = input;
  let end = st.end;
  const df = ipv6Defrag(b, end);
  if (df.kind !== 'none') rules.push('L3-7');
  if (df.kind === 'held') return verdict('not-seen', null, rules, 'L3-7', df.reason, 6, 0);
  if (df.kind === 'reassembled') { b = df.bytes; end = b.length; }
  const walk = skipExtHeaders(b, 40, b[6]!, end, rules);
  if (walk.kind === 'error') {
    rules.push(walk.rule);
    return verdict('invalid', null, rules, walk.rule, walk.reason, 6, end);
  }
  if ((walk.fragOff & 0xfff8) !== 0) {
    return verdict('invalid', null, rules, 'L3-8F', `non-first fragment (offset ${walk.fragOff & 0xfff8}): no L4 header`, 6, end);
  }
  rules.push('L3-9');
  const src = formatIPv6(b, 8);
  const dst = formatIPv6(b, 24);
  if (walk.nexthdr !== 47) {
    rules.push('L3-8O');
    const t: Tuple = { src, dst, proto: walk.nexthdr, srckey: 0, dstkey: 0 };
    return verdict('tracked', t, rules, 'L3-8O', `extension header walk ends at protocol ${walk.nexthdr}, not GRE: generic tuple`, 6, end, walk.offset, walk.nexthdr);
  }
  if (walk.offset > end) rules.push('L3-8E');
  rules.push('GRE-8');
  if (profile === 'ipv4-only') {
    const t: Tuple = { src, dst, proto: 47, srckey: 0, dstkey: 0 };
    return verdict('tracked', t, rules, 'GRE-8', 'kernels before 5.1 track GRE only over IPv4: the generic tracker takes IPv6 GRE, keys 0/0', 6, end, walk.offset, 47);
  }
  const g = greKeys(b, walk.offset, end, 8, 24, 16, keymap, rules);
  if (g.kind === 'invalid') return verdict('invalid', null, rules, g.decidedBy, g.reason, 6, end, walk.offset, 47);
  if (profile === 'ipv6-invalid') {
    return verdict('invalid', null, rules, 'GRE-8', 'kernels 5.1-5.11 build the IPv6 GRE tuple, then nf_conntrack_gre_packet refuses non-IPv4: invalid', 6, end, walk.offset, 47);
  }
  const decidedBy = walk.offset > end ? 'L3-8E' : g.decidedBy;
  return verdict('tracked', { src, dst, proto: 47, srckey: g.srckey, dstkey: g.dstkey }, rules, decidedBy, g.reason, 6, end, walk.offset, 47);
}
