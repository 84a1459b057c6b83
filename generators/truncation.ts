// Truncated datagrams: GRE cut to each length 0..11 (GRE-1 under 4 bytes, GRE-3 at 4..7 for
// version 1), with IP length fields that agree (a datagram that was sent short) or that still
// count the cut bytes (a capture cut by its snap length: ip_rcv_core / ip6_rcv_core drop it),
// and sometimes cut before GRE, inside the extension chain (L3-8S) or the IP header.
import fc from 'fast-check';
import type { Truncation } from './model.ts';
import { choose, rec, w } from './_internals/arb.ts';

export interface TruncationConstraints {
  /** Allow 'before' lengths (default true). */
  readonly staleLengths?: boolean;
}

export function truncation(c: TruncationConstraints = {}): fc.Arbitrary<Truncation> {
  const lengths = fc.oneof(w<'after' | 'before'>(5, fc.constant('after')), w<'after' | 'before'>(c.staleLengths ?? true ? 1 : 0, fc.constant('before')));
  return choose(
    w(100, rec<Truncation>({ from: fc.constant('gre'), keep: fc.integer({ min: 0, max: 11 }), lengths })),
    w(30, rec<Truncation>({ from: fc.constant('gre'), keep: fc.integer({ min: -12, max: -1 }), lengths })),
    // Any cut: rare, and the domain parseCase's cuts land in.
    w(1, rec<Truncation>({ from: fc.constant('gre'), keep: fc.integer({ min: -0xffff, max: 0xffff }), lengths })),
  );
}
