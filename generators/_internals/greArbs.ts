// Shared machinery of greV0, greV1 and greOtherVersion: a full GRE header whose optional fields
// are present as its flags say (RFC 1701 2.1, RFC 2637 4.1), or, for a header that lies,
// present or absent whatever the flags say.
import fc from 'fast-check';
import type { AutoNumber, GreFlags, GreHeader, PptpKey, Sre } from '../model.ts';
import { arrayUpTo, autoOr, bool, bytes, mapExact, mostly, pick, rarely, rec, sharedBy, u16, u32, u8, w } from './arb.ts';

/** RFC 1701 section 2.2: the NULL SRE that ends a routing list. */
export const NULL_SRE: Sre = { family: 0, offset: 0, length: 'auto', info: new Uint8Array(0) };

/** 'auto', or with lies sometimes an explicit value (once in 1 + `autoWeight`). */
function maybeLie(lies: boolean, explicit: fc.Arbitrary<number>, autoWeight: number): fc.Arbitrary<AutoNumber> {
  return lies ? autoOr(explicit, autoWeight) : fc.constant('auto');
}

/** A routing list: up to 2 SREs (IPv4 addresses 0x0800, AS numbers 0xFFFE) and the NULL SRE. */
export const sreList = sharedBy((lies: boolean): fc.Arbitrary<Sre[]> => {
  const sre = rec<Sre>({
    family: fc.oneof(w(8, fc.constantFrom(0x0800, 0xfffe)), w(1, u16)),
    offset: fc.oneof(w(4, fc.constant(0)), w(1, u8)),
    length: maybeLie(lies, u8, 8),
    info: fc.oneof(w(8, bytes(12)), w(1, bytes(255))),
  });
  return mapExact(
    arrayUpTo(sre, 2, 32),
    (l) => [...l, NULL_SRE],
    (v) => {
      if (!Array.isArray(v) || v.length === 0) throw new Error('not an SRE list');
      return (v as Sre[]).slice(0, -1);
    },
  );
});

/** RFC 2637 key: payload length (computed, or with lies anything) and call id. */
export const pptpKey = sharedBy((lies: boolean): fc.Arbitrary<PptpKey> =>
  rec<PptpKey>({ payloadLength: maybeLie(lies, fc.integer({ min: 0, max: 0xffff }), 12), callId: u16 }));

/** Checksum (right, or with lies sometimes wrong) and the RFC 1701 Offset / RFC 2784 Reserved1 word. */
export const checksumField = sharedBy((lies: boolean): fc.Arbitrary<{ value: AutoNumber; offset: number }> =>
  rec<{ value: AutoNumber; offset: number }>({ value: maybeLie(lies, u16, 4), offset: fc.oneof(w(6, fc.constant(0)), w(1, u16)) }));

export interface FlagWeights {
  readonly version: fc.Arbitrary<number>;
  /** For each bit, how many times more often it is clear than set (0: never set). */
  readonly c: number; readonly r: number; readonly k: number; readonly s: number;
  readonly strict: number; readonly a: number;
  /** Weight of a non-zero recursion count and reserved flags against 20 (0: never). */
  readonly odd: number;
}

function bit(clearWeight: number): fc.Arbitrary<boolean> {
  return clearWeight === 0 ? fc.constant(false) : clearWeight < 0 ? mostly(-clearWeight) : rarely(clearWeight);
}

/** The flags of `fw` (one object per FlagWeights object: the versions' weights are module constants). */
export const greFlags = sharedBy((fw: FlagWeights): fc.Arbitrary<GreFlags> =>
  rec<GreFlags>({
    c: bit(fw.c), r: bit(fw.r), k: bit(fw.k), s: bit(fw.s), strict: bit(fw.strict),
    recursion: fc.oneof(w(20, fc.constant(0)), w(fw.odd, fc.integer({ min: 1, max: 7 }))),
    a: bit(fw.a),
    reserved: fc.oneof(w(20, fc.constant(0)), w(fw.odd, fc.integer({ min: 1, max: 15 }))),
    version: fw.version,
  }));

/** Which optional fields the flags announce: C or R a checksum+offset, K a key, S a sequence, R routing, A (version 1) an ack. */
export function announced(f: GreFlags): { checksum: boolean; key: boolean; seq: boolean; ack: boolean; routing: boolean } {
  return { checksum: f.c || f.r, key: f.k, seq: f.s, ack: f.a && f.version === 1, routing: f.r };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** True when the header has exactly the optional fields its flags announce. */
export function isHonest(h: GreHeader): boolean {
  const want = announced(h.flags);
  return want.checksum === (h.checksum !== undefined) && want.key === (h.key !== undefined) && want.seq === (h.seq !== undefined) &&
    want.ack === (h.ack !== undefined) && want.routing === (h.routing !== undefined);
}

export interface FullGreSpec {
  readonly flags: FlagWeights;
  readonly protocol: fc.Arbitrary<number>;
  readonly key: fc.Arbitrary<number | PptpKey>;
  /** Allow headers whose fields disagree with their flags, wrong checksums and payload lengths. */
  readonly lies: boolean;
}

type Presence = { checksum: boolean; key: boolean; seq: boolean; ack: boolean; routing: boolean };
type Parts = [GreFlags, number, { value: AutoNumber; offset: number }, number | PptpKey, number, number, Sre[], 'flags' | Presence];

const FIELDS = ['checksum', 'key', 'seq', 'ack', 'routing'] as const;

// Which fields a lying header writes, whatever its flags say (one object for every fullGre).
const presenceMask = rec<Presence>({ checksum: rarely(2), key: bool, seq: rarely(1), ack: rarely(2), routing: rarely(4) });

/**
 * Any header of the spec's flags. Every field's value is drawn; which fields are written is what
 * the flags announce ('flags', the shrink target) or, for a header that lies, a mask of its own.
 */
export function fullGre(spec: FullGreSpec): fc.Arbitrary<GreHeader> {
  const parts = fc.tuple(
    greFlags(spec.flags), spec.protocol, checksumField(spec.lies), spec.key, u32, u32, sreList(spec.lies),
    fc.oneof(w<'flags' | Presence>(12, fc.constant('flags')), w<'flags' | Presence>(spec.lies ? 2 : 0, presenceMask)),
  );
  return mapExact(
    parts,
    ([flags, protocol, checksum, key, seq, ack, routing, presence]: Parts): GreHeader => {
      const on = presence === 'flags' ? announced(flags) : presence;
      const h: Mutable<GreHeader> = { flags, protocol };
      if (on.checksum) h.checksum = checksum;
      if (on.key) h.key = key;
      if (on.seq) h.seq = seq;
      if (on.ack) h.ack = ack;
      if (on.routing) h.routing = routing;
      return h;
    },
    (v): Parts => {
      const h = v as GreHeader;
      const presence: 'flags' | Presence = isHonest(h) ? 'flags'
        : Object.fromEntries(FIELDS.map((f) => [f, h[f] !== undefined])) as Presence;
      return [
        h.flags, h.protocol, h.checksum ?? { value: 'auto', offset: 0 }, h.key ?? 0, h.seq ?? 0, h.ack ?? 0,
        (h.routing ?? [NULL_SRE]) as Sre[], presence,
      ];
    },
  );
}

/** A protocol: `preferred` most of the time (the shrink target), else any 16-bit value. */
export function protocolOf(preferred: number, otherWeight = 1): fc.Arbitrary<number> {
  return protocolArb(preferred, otherWeight);
}

const protocolArb = sharedBy((preferred: number, otherWeight: number): fc.Arbitrary<number> =>
  pick(w(12, fc.constant(preferred)), w(otherWeight, u16)));
