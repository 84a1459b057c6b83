// PPTP keymaps relative to the packet: entries that match it, that almost match it (another
// dstkey, another source, the REPLY-direction entry the helper adds with addresses swapped,
// KM-2), and two matches with different srckeys (first match wins, KM-3). Addresses resolve to
// IPv4 whatever the packet (nf_conntrack_pptp only adds IPv4 entries).
import fc from 'fast-check';
import type { AddressRef, KeyRef, KeymapSpec } from './model.ts';
import { arrayUpTo, choose, constantOf, mapExact, pick, rec, u16, w } from './_internals/arb.ts';
import { ipv4Address } from './ipv4Address.ts';

export interface KeymapSpecsConstraints {
  /** Weight of an empty keymap against 1 non-empty (default 2; 0 never empty). */
  readonly emptyWeight?: number;
  /** Most entries (default 3). */
  readonly maxEntries?: number;
}

const key = fc.oneof(w(3, fc.integer({ min: 0, max: 0x20 })), w(2, u16));

/** Builds an entry from the two fields that vary. */
function entry(
  fields: { src?: AddressRef; dst?: AddressRef; dstkey?: KeyRef; srckey?: KeyRef },
  vary: { src?: fc.Arbitrary<string>; dstkey?: fc.Arbitrary<number>; srckey?: fc.Arbitrary<number> },
): fc.Arbitrary<KeymapSpec> {
  const model = {
    src: vary.src ?? fc.constant(fields.src!),
    dst: fc.constant(fields.dst!),
    dstkey: vary.dstkey ?? fc.constant(fields.dstkey!),
    srckey: vary.srckey ?? fc.constant(fields.srckey!),
  };
  return rec<KeymapSpec>(model as { [K in keyof KeymapSpec]: fc.Arbitrary<KeymapSpec[K]> });
}

/** The ORIGINAL-direction entry for this packet: src, dst and call id match. */
const matching = entry({ src: 'packet-src', dst: 'packet-dst', dstkey: 'packet-callid' }, { srckey: key });
/** The REPLY-direction entry: addresses swapped, the packet's call id as srckey. */
const reply = entry({ src: 'packet-dst', dst: 'packet-src', srckey: 'packet-callid' }, { dstkey: key });
/** Same addresses, another call id. */
const otherKey = entry({ src: 'packet-src', dst: 'packet-dst' }, { dstkey: key, srckey: key });
/** Same call id and destination, another source. */
const otherSrc = entry({ dst: 'packet-dst', dstkey: 'packet-callid' }, { src: ipv4Address(), srckey: key });

const addressRef: fc.Arbitrary<AddressRef> = choose<AddressRef>(w(1, fc.constantFrom('packet-src', 'packet-dst')), w(2, ipv4Address()));
const keyRef: fc.Arbitrary<KeyRef> = choose<KeyRef>(w(1, fc.constant('packet-callid')), w(2, key));
/** Anything: the domain parsed keymaps land in. */
const anyEntry = rec<KeymapSpec>({ src: addressRef, dst: addressRef, dstkey: keyRef, srckey: keyRef });

export const keymapEntry: fc.Arbitrary<KeymapSpec> = pick(
  w(4, matching), w(2, reply), w(2, otherKey), w(2, otherSrc), w(1, anyEntry),
);

export function keymapSpecs(c: KeymapSpecsConstraints = {}): fc.Arbitrary<KeymapSpec[]> {
  const max = c.maxEntries ?? 3;
  return pick(
    w(6 * (c.emptyWeight ?? 2), constantOf<KeymapSpec[]>([])),
    w(5, mapExact(arrayUpTo(keymapEntry, max, 64), (l) => l, (v) => {
      if (!Array.isArray(v) || v.length === 0) throw new Error('empty');
      return v as KeymapSpec[];
    })),
    // Two sessions mapping the same call id: only the first entry's srckey counts (KM-3).
    w(1, fc.array(matching, { minLength: 2, maxLength: Math.max(2, max), size: 'max' })),
  );
}
