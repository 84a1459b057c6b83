// GRE version 0 headers: RFC 1701 (C R K S s bits, recursion, offset, routing SREs), RFC 2784
// (checksum + Reserved1), RFC 2890 (key, sequence). Conntrack gives every one of them keys 0/0
// (gre_pkt_to_tuple, GRE-2), keyed or not; the fields are there for implementations that read them.
import fc from 'fast-check';
import type { GreHeader, PptpKey } from './model.ts';
import { choose, mapExact, pick, rec, sharedBy, u32, w } from './_internals/arb.ts';
import { fullGre, pptpKey, protocolOf, type FlagWeights } from './_internals/greArbs.ts';

export interface GreV0Constraints {
  /** The protocol field (default: 0x0800 mostly, any value sometimes). */
  readonly protocol?: fc.Arbitrary<number>;
  /** Allow headers that lie: fields the flags do not announce (or missing ones), wrong checksums and payload lengths (default true). */
  readonly lies?: boolean;
}

const ZERO_FLAGS = { c: false, r: false, k: false, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 0 } as const;

// Module constants, so that greFlags and v0Key give every greV0 the same objects (sharedBy).
const V0_FLAG_WEIGHTS: FlagWeights = { version: fc.constant(0), c: 3, r: 10, k: -1, s: 2, strict: 20, a: 20, odd: 1 };
const v0Key = sharedBy((lies: boolean) => choose<number | PptpKey>(w(8, u32), w(1, pptpKey(lies))));

export function greV0(c: GreV0Constraints = {}): fc.Arbitrary<GreHeader> {
  const lies = c.lies ?? true;
  const protocol = c.protocol ?? protocolOf(0x0800);
  // RFC 2784 plain: 4 bytes, nothing announced.
  const plain = mapExact(
    rec<{ protocol: number }>({ protocol }),
    (p): GreHeader => ({ flags: ZERO_FLAGS, protocol: p.protocol }),
    (v) => ({ protocol: (v as GreHeader).protocol }),
  );
  // RFC 2890 keyed: K and a 32-bit key, the common tunnel header.
  const keyed = mapExact(
    rec<{ protocol: number; key: number }>({ protocol, key: u32 }),
    (p): GreHeader => ({ flags: { ...ZERO_FLAGS, k: true }, protocol: p.protocol, key: p.key }),
    (v) => ({ protocol: (v as GreHeader).protocol, key: (v as GreHeader).key as number }),
  );
  const full = fullGre({
    flags: V0_FLAG_WEIGHTS,
    protocol,
    key: v0Key(lies),
    lies,
  });
  return pick(w(3, plain), w(3, keyed), w(4, full));
}
