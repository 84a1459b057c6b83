// GRE headers with versions 2..7: not defined by any RFC; conntrack gives them keys 0/0 (GRE-2,
// flags & 7 != 1) and gre_rcv drops them. Laid out like version 1 so that bytes 6-7 still look
// like a call id to an implementation that forgets the version check.
import fc from 'fast-check';
import type { GreHeader, PptpKey } from './model.ts';
import { choose, u32, w } from './_internals/arb.ts';
import { fullGre, pptpKey, protocolOf, type FlagWeights } from './_internals/greArbs.ts';

export interface GreOtherVersionConstraints {
  /** The protocol field (default: 0x880B mostly, any value sometimes). */
  readonly protocol?: fc.Arbitrary<number>;
  /** Allow headers that lie: fields the flags do not announce (or missing ones), wrong checksums and payload lengths (default true). */
  readonly lies?: boolean;
}

const OTHER_FLAG_WEIGHTS: FlagWeights = { version: fc.integer({ min: 2, max: 7 }), c: 10, r: 20, k: -3, s: 2, strict: 20, a: 3, odd: 1 };

export function greOtherVersion(c: GreOtherVersionConstraints = {}): fc.Arbitrary<GreHeader> {
  const lies = c.lies ?? true;
  return fullGre({
    flags: OTHER_FLAG_WEIGHTS,
    protocol: c.protocol ?? protocolOf(0x880b, 2),
    key: choose<number | PptpKey>(w(3, pptpKey(lies)), w(1, u32)),
    lies,
  });
}
