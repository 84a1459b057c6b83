// For blame: the same case without one rule's feature, everything else kept (undefined when the
// case does not have it). The runner asks an implementation again with the neutralized case; if
// it now answers right, that rule's feature is what it gets wrong. Explicit fields that held the
// computed value become 'auto' first (withAutoFields), so lengths and checksums follow the edit;
// lies the feature does not need stay (an explicit length is shifted by the bytes removed).
import type { RuleId } from '../spec/rules.ts';
import type { GreCase, Ipv4Header } from './model.ts';
import { withAutoFields } from './_internals/autoFields.ts';
import { endAtTotalLength, noOptions, nopOptions, notAFragment, validIpHeader } from './_internals/neutralizeIpv4.ts';
import {
  acceptedHopByHop, acceptedIpv6Header, dropExt, endAtPayloadLength, endsAtGre, honestChain, noNoNextHeader,
} from './_internals/neutralizeIpv6.ts';
import { cutAfterByte7, firstMatchOnly, noNearMisses, plainFlags, pppProtocol, uncut } from './_internals/neutralizeGre.ts';

export const NEUTRALIZERS: { readonly [R in RuleId]?: (c: GreCase) => GreCase | undefined } = {
  /** A header ip_rcv_core accepts: version, IHL, total length and checksum computed; no cut inside the header. */
  'L3-2': validIpHeader,
  /** No bytes past the total length: the packet ends there (the trailer goes, or what the kernel keeps of it stays). */
  'L3-2T': endAtTotalLength,
  /** Not a fragment: MF clear, offset 0. */
  'L3-3': notAFragment,
  /** No IPv4 options: IHL 5. */
  'L3-4': noOptions,
  /** Options well-formed: the same number of bytes, all NOPs (no source route either). */
  'L3-5': nopOptions,
  /** An IPv6 header ip6_rcv_core accepts: version 6, unicast addresses, a payload length that fits. */
  'L3-6': acceptedIpv6Header,
  /** No bytes past 40 + payload length (40 for payload length 0 without Hop-by-Hop): the packet ends there. */
  'L3-6T': endAtPayloadLength,
  /** A leading Hop-by-Hop header whose options and length Linux accepts (same size). */
  'L3-6H': acceptedHopByHop,
  /** No Fragment header (so nothing for nf_ct_frag6_gather), nor a next header that promises one. */
  'L3-7': dropExt(['fragment']),
  /** No Hop-by-Hop, Routing or Destination Options headers, nor next headers that promise one. */
  'L3-8': dropExt(['hop-by-hop', 'routing', 'destination']),
  /** No AH, nor a next header that promises one. */
  'L3-8A': dropExt(['ah']),
  /** No Fragment header, nor a next header that promises one. */
  'L3-8F': dropExt(['fragment']),
  /** No Next Header (59) replaced by what the chain would say (the next header, or GRE). */
  'L3-8N': noNoNextHeader,
  /** Every header readable to its second byte: the chain made honest (next headers, lengths, no cut before GRE). */
  'L3-8S': honestChain,
  /** A chain (or IPv4 protocol) that ends at GRE: every explicit next header computed instead. */
  'L3-8O': endsAtGre,
  /** A walk that ends inside the datagram: the chain made honest. */
  'L3-8E': honestChain,
  /** The whole GRE header: a cut that left fewer than 4 GRE bytes is undone. */
  'GRE-1': uncut(0, 4),
  /** Plain flags: version 2..7 becomes 0 with no other bit; version 1 loses A and the reserved bits (0x00F8); fields stay. */
  'GRE-2': plainFlags,
  /** Version 1 with its 8 bytes: a cut that left 4..7 GRE bytes is undone. */
  'GRE-3': uncut(4, 8, 1),
  /** Version 1 with protocol 0x880B (PPP). */
  'GRE-4': pppProtocol,
  /** An empty keymap. */
  'GRE-6': (c) => (c.keymap.length === 0 ? undefined : { ...c, keymap: [] }),
  /** GRE cut after its byte 7 (header and payload alike). */
  'GRE-7': cutAfterByte7,
  /** Keymap entries that almost match the packet removed; full matches and strangers stay. */
  'KM-2': noNearMisses,
  /** Only the first of several matching entries kept. */
  'KM-3': firstMatchOnly,
  /** The same GRE header, payload and cut carried by a plain IPv4 header instead (IPv6 keymap entries never match: none kept). */
  'GRE-8': asIpv4,
};

/**
 * GRE-8's probe: does the implementation get these GRE bytes right when IPv4 carries them? Only
 * for a plain IPv6 datagram (no extension headers, no bytes past the payload length, honest
 * lengths): otherwise the move would also remove what other rules are about.
 */
function asIpv4(c0: GreCase): GreCase | undefined {
  if (c0.ip.family !== 6 || c0.ext.length > 0 || c0.trailer.length > 0) return undefined;
  const c = withAutoFields(c0);
  if (c.ip.family !== 6 || c.ip.payloadLength !== 'auto' || c.ip.nextHeader !== 'auto' || c.ip.version !== 6) return undefined;
  const ip: Ipv4Header = {
    family: 4, version: 4, ihl: 'auto', tos: 0, totalLength: 'auto', id: 0, reservedFlag: false, df: false, mf: false,
    fragmentOffset: 0, ttl: 64, protocol: 'auto', checksum: 'auto', src: '192.0.2.1', dst: '192.0.2.2', options: [],
  };
  const cut = c.truncate && c.truncate.from === 'gre' && c.truncate.keep >= 0 ? { ...c.truncate, lengths: 'after' as const } : null;
  return { ...c, ip, ext: [], truncate: cut, trailer: new Uint8Array(0), keymap: [] };
}
