// What nf_ct_frag6_gather (net/ipv6/netfilter/nf_conntrack_reasm.c, Linux 6.18) does with one
// datagram arriving alone (the contract's input is a datagram after reassembly, so no other
// fragment of it is queued): pass it on unchanged, reassemble it at once (an atomic fragment),
// queue it, or drop it.
import { be16, readable } from './bytes.ts';
import { NOT_SEEN, R, type Decision, type Why } from './decision.ts';
import { isExtHeader, skipExtHeaders } from './ipv6-exthdr.ts';

/**
 * The end of the datagram conntrack goes on with, or -1 when it is queued or dropped (then
 * `d` holds the not-seen decision). L3-7 is added whenever a Fragment header is handled. The
 * bytes to go on with are d.bytes: the datagram (set by the caller), or for an atomic fragment
 * its reassembled copy in d.scratch.
 */
export function ipv6Defrag(b: Uint8Array, end: number, d: Decision): number {
  const plen = be16(b, 4, end);
  if (plen === 0) return end; // jumbo payload inhibits the Fragment header
  const fhoff = findFragmentHeader(b, end, d);
  if (fhoff < 0) return end;
  const nhoff = d.fragPrevOff;
  const x = d.explain;
  d.add(R['L3-7']);
  // A first fragment that holds no byte past its headers (ipv6frag_thdr_truncated) is passed unchanged.
  if (firstFragmentTruncated(b, fhoff, end, d)) return end;
  if (!readable(fhoff, 8, end)) return held(d, x && `Fragment header at byte ${fhoff} is cut short: dropped`);
  const fo = be16(b, fhoff + 2, end);
  const offset = fo & 0xfff8;
  const more = (fo & 1) !== 0;
  const fragEnd = offset + (plen - (fhoff + 8 - 40));
  if (fragEnd > 65535) return held(d, x && `fragment ends at ${fragEnd} > 65535: dropped`);
  // An M=1 fragment whose end is not a multiple of 8 fails with -EPROTO: passed unchanged.
  if (more && (fragEnd & 7) !== 0) return end;
  if (fragEnd === offset) return held(d, x && 'fragment carries no data: dropped');
  if (!more && offset === 0) return removeFragmentHeader(b, end, fhoff, nhoff, d);
  return held(d, x && `fragment (offset ${offset}, M=${more ? 1 : 0}) is held for reassembly`);
}

function held(d: Decision, why: Why): number {
  d.settle(NOT_SEEN, R['L3-7'], why);
  d.seenLength = 0;
  return -1;
}

/**
 * find_prev_fhdr: the Fragment header's offset, or -1; d.fragPrevOff gets the offset of the
 * header whose next-header byte names it.
 */
function findFragmentHeader(b: Uint8Array, end: number, d: Decision): number {
  let nh = b[6]!;
  let nhoff = 6;
  let start = 40;
  let left = end - 40;
  while (nh !== 44) {
    if (!isExtHeader(nh) || nh === 59) return -1;
    if (left < 2) return -1;
    const hdrlen = nh === 51 ? (b[start + 1]! + 2) << 2 : (b[start + 1]! + 1) << 3;
    nhoff = start;
    nh = b[start]!;
    left -= hdrlen;
    start += hdrlen;
  }
  if (left < 0) return -1;
  d.fragPrevOff = nhoff;
  return start;
}

/** ipv6frag_thdr_truncated (include/net/ipv6_frag.h): RFC 8200 section 4.5 for first fragments. */
function firstFragmentTruncated(b: Uint8Array, fhoff: number, end: number, d: Decision): boolean {
  if (skipExtHeaders(b, fhoff, 44, end, d, false) >= 0 || (d.extFragOff & 0xfff8) !== 0) return false;
  const nh = d.extNexthdr;
  const upper = nh === 6 ? 20 : nh === 17 || nh === 58 ? 8 : 1;
  return d.extOffset + upper > end;
}

/**
 * nf_ct_frag6_reasm for a single atomic fragment: the Fragment header goes away and the header
 * before it takes over its next-header value. find_prev_fhdr keeps that header's offset in a u8,
 * so when it lies at byte 256 or later the write lands at offset mod 256 instead, and the real
 * next-header byte still says Fragment (44). Ported as the kernel does it. The copy goes to
 * d.scratch (reused, so the common path allocates nothing); returns its length.
 */
function removeFragmentHeader(b: Uint8Array, end: number, fhoff: number, nhoff: number, d: Decision): number {
  const n = end - 8;
  if (d.scratch.length < n) d.scratch = new Uint8Array(Math.max(n, 2 * d.scratch.length, 2048));
  const out = d.scratch;
  out.set(b.subarray(0, fhoff), 0);
  out.set(b.subarray(fhoff + 8, end), fhoff);
  out[nhoff & 0xff] = b[fhoff]!;
  const plen = n - 40;
  out[4] = plen >> 8;
  out[5] = plen & 0xff;
  d.bytes = out;
  return n;
}
