// What nf_ct_frag6_gather (net/ipv6/netfilter/nf_conntrack_reasm.c, Linux 6.18) does with one
// datagram arriving alone (the contract's input is a datagram after reassembly, so no other
// fragment of it is queued): pass it on unchanged, reassemble it at once (an atomic fragment),
// queue it, or drop it.
import { be16, readable } from './bytes.ts';
import { isExtHeader, skipExtHeaders } from './ipv6-exthdr.ts';

export type Defrag =
  | { readonly kind: 'none' }
  | { readonly kind: 'pass'; readonly reason: string }
  | { readonly kind: 'reassembled'; readonly bytes: Uint8Array }
  | { readonly kind: 'held'; readonly reason: string };

const NONE: Defrag = { kind: 'none' };

export function ipv6Defrag(b: Uint8Array, end: number): Defrag {
  const plen = be16(b, 4, end)!;
  if (plen === 0) return NONE; // jumbo payload inhibits the Fragment header
  const found = findFragmentHeader(b, end);
  if (!found) return NONE;
  const { fhoff, nhoff } = found;
  if (firstFragmentTruncated(b, fhoff, end)) {
    return { kind: 'pass', reason: 'first fragment holds no byte past its headers (ipv6frag_thdr_truncated): passed unchanged' };
  }
  if (!readable(fhoff, 8, end)) return { kind: 'held', reason: `Fragment header at byte ${fhoff} is cut short: dropped` };
  const fo = be16(b, fhoff + 2, end)!;
  const offset = fo & 0xfff8;
  const more = (fo & 1) !== 0;
  const fragEnd = offset + (plen - (fhoff + 8 - 40));
  if (fragEnd > 65535) return { kind: 'held', reason: `fragment ends at ${fragEnd} > 65535: dropped` };
  if (more && (fragEnd & 7) !== 0) {
    return { kind: 'pass', reason: `M=1 fragment ending at ${fragEnd}, not a multiple of 8 (-EPROTO): passed unchanged` };
  }
  if (fragEnd === offset) return { kind: 'held', reason: 'fragment carries no data: dropped' };
  if (!more && offset === 0) return { kind: 'reassembled', bytes: removeFragmentHeader(b, end, fhoff, nhoff) };
  return { kind: 'held', reason: `fragment (offset ${offset}, M=${more ? 1 : 0}) is held for reassembly` };
}

/** find_prev_fhdr: the Fragment header's offset and the offset of the next-header byte that names it. */
function findFragmentHeader(b: Uint8Array, end: number): { fhoff: number; nhoff: number } | undefined {
  let nh = b[6]!;
  let nhoff = 6;
  let start = 40;
  let left = end - 40;
  while (nh !== 44) {
    if (!isExtHeader(nh) || nh === 59) return undefined;
    if (left < 2) return undefined;
    const hdrlen = nh === 51 ? (b[start + 1]! + 2) << 2 : (b[start + 1]! + 1) << 3;
    nhoff = start;
    nh = b[start]!;
    left -= hdrlen;
    start += hdrlen;
  }
  if (left < 0) return undefined;
  return { fhoff: start, nhoff };
}

/** ipv6frag_thdr_truncated (include/net/ipv6_frag.h): RFC 8200 section 4.5 for first fragments. */
function firstFragmentTruncated(b: Uint8Array, fhoff: number, end: number): boolean {
  const walk = skipExtHeaders(b, fhoff, 44, end);
  if (walk.kind !== 'end' || (walk.fragOff & 0xfff8) !== 0) return false;
  const upper = walk.nexthdr === 6 ? 20 : walk.nexthdr === 17 || walk.nexthdr === 58 ? 8 : 1;
  return walk.offset + upper > end;
}

/**
 * nf_ct_frag6_reasm for a single atomic fragment: the Fragment header goes away and the header
 * before it takes over its next-header value. find_prev_fhdr keeps that header's offset in a u8,
 * so when it lies at byte 256 or later the write lands at offset mod 256 instead, and the real
 * next-header byte still says Fragment (44). Ported as the kernel does it.
 */
function removeFragmentHeader(b: Uint8Array, end: number, fhoff: number, nhoff: number): Uint8Array {
  const out = new Uint8Array(end - 8);
  out.set(b.subarray(0, fhoff), 0);
  out.set(b.subarray(fhoff + 8, end), fhoff);
  out[nhoff & 0xff] = b[fhoff]!;
  const plen = end - 8 - 40;
  out[4] = plen >> 8;
  out[5] = plen & 0xff;
  return out;
}
