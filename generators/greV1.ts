// GRE version 1 headers: the enhanced GRE of PPTP, RFC 2637 section 4.1 (K S A bits, payload
// length, call id, sequence, acknowledgment, protocol 0x880B). Conntrack reads the call id at
// bytes 6-7 whatever K says (GRE-5), checks the protocol (GRE-4) and ignores the rest (GRE-7).
import fc from 'fast-check';
import type { GreHeader, PptpKey } from './model.ts';
import { choose, mapExact, pick, rec, sharedBy, u16, u32, w } from './_internals/arb.ts';
import { fullGre, pptpKey, protocolOf, type FlagWeights } from './_internals/greArbs.ts';

export interface GreV1Constraints {
  /** The protocol field (default: 0x880B mostly, any value sometimes). */
  readonly protocol?: fc.Arbitrary<number>;
  /** Allow headers that lie: fields the flags do not announce (or missing ones), wrong checksums and payload lengths (default true). */
  readonly lies?: boolean;
}

const K_FLAGS = { c: false, r: false, k: true, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 1 } as const;

// Module constants, so that greFlags and v1Key give every greV1 the same objects (sharedBy).
const V1_FLAG_WEIGHTS: FlagWeights = { version: fc.constant(1), c: 30, r: 40, k: -12, s: 1, strict: 40, a: 3, odd: 1 };
const v1Key = sharedBy((lies: boolean) => choose<number | PptpKey>(w(12, pptpKey(lies)), w(1, u32)));

export function greV1(c: GreV1Constraints = {}): fc.Arbitrary<GreHeader> {
  const lies = c.lies ?? true;
  // The 8-byte header RFC 2637 allows (K set, S and A clear), or 12 with a sequence number.
  const plain = mapExact(
    rec<{ callId: number; seq: number | null }>({ callId: u16, seq: fc.option(u32, { freq: 2 }) }),
    (p): GreHeader => {
      const key = { payloadLength: 'auto', callId: p.callId } as const;
      if (p.seq === null) return { flags: K_FLAGS, protocol: 0x880b, key };
      return { flags: { ...K_FLAGS, s: true }, protocol: 0x880b, key, seq: p.seq };
    },
    (v) => {
      const h = v as GreHeader;
      return { callId: (h.key as PptpKey).callId, seq: h.seq ?? null };
    },
  );
  const full = fullGre({
    flags: V1_FLAG_WEIGHTS,
    protocol: c.protocol ?? protocolOf(0x880b),
    key: v1Key(lies),
    lies,
  });
  return pick(w(1, plain), w(2, full));
}
