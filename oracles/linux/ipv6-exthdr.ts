// ipv6_skip_exthdr (net/ipv6/exthdrs_core.c, Linux 6.18) as ipv6_get_l4proto uses it.
import { be16, readable } from './bytes.ts';
import { R, type Decision } from './decision.ts';

/** ipv6_ext_hdr: the next-header values the walk treats as extension headers. ESP (50) is not one. */
export function isExtHeader(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 51 || nh === 59 || nh === 60;
}

/**
 * Walks from `start` with next header `nh`. Returns -1 when the walk ends at an upper-layer
 * protocol: d.extOffset is where, d.extNexthdr which, d.extFragOff the offset field of the last
 * Fragment header met (0 if none). Otherwise returns the rule that ends it in error (L3-8N,
 * L3-8S), not yet added to `d`. With `record`, every header kind skipped is added to `d`, and
 * an error's reason written; without, `d` only carries the results (ipv6frag_thdr_truncated's
 * look-ahead). Lengths are not checked against `end` (L3-8E): only the 2 bytes of each
 * header, and a Fragment header's offset field, must be readable.
 */
export function skipExtHeaders(b: Uint8Array, start: number, nh: number, end: number, d: Decision, record: boolean): number {
  const x = record && d.explain;
  let off = start;
  let fragOff = 0;
  while (isExtHeader(nh)) {
    if (nh === 59) {
      if (x) d.reason = `No Next Header (59) at byte ${off}`;
      return R['L3-8N'];
    }
    if (!readable(off, 2, end)) {
      if (x) d.reason = `extension header ${nh} at byte ${off} has fewer than 2 readable bytes`;
      return R['L3-8S'];
    }
    let hdrlen: number;
    if (nh === 44) {
      const fo = be16(b, off + 2, end);
      if (fo < 0) {
        if (x) d.reason = `Fragment header at byte ${off} has no readable offset field`;
        return R['L3-8S'];
      }
      fragOff = fo;
      if (record) d.add(R['L3-8F']);
      if ((fo & 0xfff8) !== 0) break; // a non-first fragment: the walk stops on the Fragment header
      hdrlen = 8;
    } else if (nh === 51) {
      hdrlen = (b[off + 1]! + 2) << 2;
      if (record) d.add(R['L3-8A']);
    } else {
      hdrlen = (b[off + 1]! + 1) << 3;
      if (record) d.add(R['L3-8']);
    }
    nh = b[off]!;
    off += hdrlen;
  }
  d.extOffset = off;
  d.extNexthdr = nh;
  d.extFragOff = fragOff;
  return -1;
}
