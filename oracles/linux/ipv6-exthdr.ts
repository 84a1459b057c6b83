// ipv6_skip_exthdr (net/ipv6/exthdrs_core.c, Linux 6.18) as ipv6_get_l4proto uses it.
import { be16, readable } from './bytes.ts';
import type { RuleId } from '../../spec/rules.ts';

/** ipv6_ext_hdr: the next-header values the walk treats as extension headers. ESP (50) is not one. */
export function isExtHeader(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 51 || nh === 59 || nh === 60;
}

export type Walk =
  | { readonly kind: 'error'; readonly rule: 'L3-8N' | 'L3-8S'; readonly reason: string }
  | { readonly kind: 'end'; readonly offset: number; readonly nexthdr: number; readonly fragOff: number };

/**
 * Walks from `start` with next header `nh`. `rules` collects the header kinds skipped.
 * Lengths are not checked against `end` (L3-8E): only the 2 bytes of each header, and a
 * Fragment header's offset field, must be readable.
 */
export function skipExtHeaders(b: Uint8Array, start: number, nh: number, end: number, rules?: RuleId[]): Walk {
  let off = start;
  let fragOff = 0;
  while (isExtHeader(nh)) {
    if (nh === 59) return { kind: 'error', rule: 'L3-8N', reason: `No Next Header (59) at byte ${off}` };
    if (!readable(off, 2, end)) return { kind: 'error', rule: 'L3-8S', reason: `extension header ${nh} at byte ${off} has fewer than 2 readable bytes` };
    let hdrlen: number;
    if (nh === 44) {
      const fo = be16(b, off + 2, end);
      if (fo === undefined) return { kind: 'error', rule: 'L3-8S', reason: `Fragment header at byte ${off} has no readable offset field` };
      fragOff = fo;
      rules?.push('L3-8F');
      if ((fo & 0xfff8) !== 0) break; // a non-first fragment: the walk stops on the Fragment header
      hdrlen = 8;
    } else if (nh === 51) {
      hdrlen = (b[off + 1]! + 2) << 2;
      rules?.push('L3-8A');
    } else {
      hdrlen = (b[off + 1]! + 1) << 3;
      rules?.push('L3-8');
    }
    nh = b[off]!;
    off += hdrlen;
  }
  return { kind: 'end', offset: off, nexthdr: nh, fragOff };
}
