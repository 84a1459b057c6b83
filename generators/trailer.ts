// Bytes after the datagram: Ethernet padding (zeros up to the 46-byte minimum payload, IEEE
// 802.3 clause 3.2.7) or anything a capture keeps past the IP length. ip_rcv_core and
// ip6_rcv_core trim them (L3-2T, L3-6T); an implementation that reads them is wrong.
import fc from 'fast-check';
import { bytes, pick, w, zeroBytes } from './_internals/arb.ts';

export interface TrailerConstraints {
  /** Weight of an empty trailer against 2 non-empty (default 18). */
  readonly emptyWeight?: number;
}

export function trailer(c: TrailerConstraints = {}): fc.Arbitrary<Uint8Array> {
  return pick(
    w(c.emptyWeight ?? 18, zeroBytes(fc.constant(0))),
    w(1, zeroBytes(fc.integer({ min: 0, max: 18 }))),
    w(1, bytes(2048)),
  );
}
