// Options of Hop-by-Hop and Destination Options headers (RFC 8200 section 4.2): padding, Router
// Alert (RFC 2711) and unknown options of each action (the two high bits of the type). A leading
// Hop-by-Hop header is parsed before conntrack (ip6_parse_tlv, net/ipv6/exthdrs.c): an unknown
// option with action != 0, non-zero PadN bytes or a Router Alert whose length is not 2 drops
// the datagram. Never CALIPSO (0x07) or Jumbo (0xC2).
import fc from 'fast-check';
import type { Ipv6Option } from '../model.ts';
import { bytes, constantOf, mapExact, pick, rec, u8, w, zeroBytes } from './arb.ts';

type Tlv = Extract<Ipv6Option, { kind: 'tlv' }>;

export const pad1: fc.Arbitrary<Ipv6Option> = constantOf({ kind: 'pad1' } as const);

function tlvOf(type: number, data: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Ipv6Option> {
  return mapExact(
    data,
    (d): Ipv6Option => ({ kind: 'tlv', type, length: 'auto', data: d }),
    (v) => {
      const t = v as Tlv;
      if (t?.kind !== 'tlv' || t.type !== type || t.length !== 'auto') throw new Error('other option');
      return t.data;
    },
  );
}

/** PadN with 0..5 zero bytes. */
export const padN = tlvOf(1, zeroBytes(fc.integer({ min: 0, max: 5 })));
/** PadN carrying a non-zero byte (RFC 4942 2.1.9.5 says receivers may check; Linux drops). */
export const dirtyPadN = tlvOf(1, bytes(4, 1).filter((d) => d.some((x) => x !== 0)));

/** Router Alert with a value of RFC 2711 (MLD, RSVP, active networks). */
export const routerAlert = tlvOf(5, fc.integer({ min: 0, max: 2 }).map((v) => Uint8Array.of(0, v), (d) => {
  if (!(d instanceof Uint8Array) || d.length !== 2 || d[0] !== 0) throw new Error('not RA');
  return d[1]!;
}));
/** Router Alert whose length is not 2 (ipv6_hop_ra drops it). */
export const badRouterAlert = tlvOf(5, fc.constantFrom<number>(1, 3).map((n) => new Uint8Array(n), (d) => {
  if (!(d instanceof Uint8Array) || d.some((x) => x !== 0)) throw new Error('not a short RA');
  return d.length;
}));

/** Unassigned or experimental (RFC 4727) option types for each action 0..3. */
export const UNKNOWN_IPV6_OPTIONS = [[0x1e, 0x08, 0x0b], [0x5e, 0x4b], [0x9e, 0x8b], [0xde, 0xcb]] as const;

/** An unknown option: action 0 (skip) when `skipOnly`, else any action. */
export function unknownOption(skipOnly: boolean): fc.Arbitrary<Ipv6Option> {
  const types = skipOnly ? UNKNOWN_IPV6_OPTIONS[0] : UNKNOWN_IPV6_OPTIONS.slice(1).flat();
  return rec<{ kind: 'tlv'; type: number; length: 'auto'; data: Uint8Array }>({
    kind: fc.constant('tlv'), type: fc.constantFrom(...types), length: fc.constant('auto'), data: bytes(6),
  });
}

/** Any type but CALIPSO and Jumbo (IOAM 0x31 included), lengths that may lie: where parsed options land. */
export const anyOption: fc.Arbitrary<Ipv6Option> = rec<{ kind: 'tlv'; type: number; length: 'auto' | number; data: Uint8Array }>({
  kind: fc.constant('tlv'),
  type: u8.filter((t) => t !== 0x07 && t !== 0xc2),
  length: fc.oneof(w<'auto' | number>(4, fc.constant('auto')), w<'auto' | number>(1, u8)),
  data: bytes(64),
});

export const rawOption: fc.Arbitrary<Ipv6Option> = rec<{ kind: 'raw'; bytes: Uint8Array }>({ kind: fc.constant('raw'), bytes: bytes(2048) });

/** Options of a Hop-by-Hop header: mostly ones Linux accepts, about one in six it drops. */
export const hopByHopOption: fc.Arbitrary<Ipv6Option> = pick(
  w(8, padN), w(3, pad1), w(8, routerAlert), w(8, unknownOption(true)), w(2, unknownOption(false)),
  w(1, dirtyPadN), w(1, badRouterAlert), w(1, anyOption), w(1, rawOption),
);

/** Options of a Destination Options header: not read before conntrack, so any action goes. */
export const destinationOption: fc.Arbitrary<Ipv6Option> = pick(
  w(6, padN), w(2, pad1), w(4, unknownOption(true)), w(4, unknownOption(false)), w(1, anyOption), w(1, rawOption),
);
