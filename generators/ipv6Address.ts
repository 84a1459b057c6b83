// IPv6 addresses as RFC 5952 text: mostly a few documentation addresses (RFC 3849,
// 2001:db8::/32), sometimes the ones ip6_rcv_core treats specially (RFC 4291 2.5.3 loopback,
// 2.7 multicast of each scope), sometimes anything.
import fc from 'fast-check';
import { formatIPv6, parseIPv6 } from '../spec/address.ts';
import { w } from './_internals/arb.ts';

/** Two plain hosts and two that embed 192.0.2.1 and .2 in their low 32 bits (where keymap references look). */
export const IPV6_POOL = ['2001:db8::1', '2001:db8::2', '2001:db8::c000:201', '2001:db8::c000:202'] as const;

export interface Ipv6AddressConstraints {
  /** Weight of ::1 (default 0). */
  readonly loopbackWeight?: number;
  /** Weight of multicast addresses ff<flags><scope>::..., every scope 0..15 (default 0). */
  readonly multicastWeight?: number;
  /** Weight of any 128-bit address (default 1, against the pool's 12). */
  readonly anyWeight?: number;
}

function fromWords(words: readonly number[]): string {
  const b = new Uint8Array(16);
  words.forEach((x, i) => { b[2 * i] = x >>> 8; b[2 * i + 1] = x & 0xff; });
  return formatIPv6(b, 0);
}

function toWords(s: unknown, n: number): number[] {
  const b = typeof s === 'string' ? parseIPv6(s) : undefined;
  if (!b || formatIPv6(b, 0) !== s) throw new Error('not a canonical IPv6 address');
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  return words.slice(8 - n);
}

const word = fc.integer({ min: 0, max: 0xffff });

/** ff<flags><scope>::<group>, RFC 4291 section 2.7. */
export const multicastIpv6 = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), word).map(
  ([scope, flags, group]) => fromWords([0xff00 | (flags << 4) | scope, 0, 0, 0, 0, 0, 0, group]),
  (s) => {
    const words = toWords(s, 8);
    if (words[0]! >>> 8 !== 0xff || words.slice(1, 7).some((x) => x !== 0)) throw new Error('not ffXX::group');
    return [words[0]! & 0xf, (words[0]! >>> 4) & 0xf, words[7]!];
  },
);

const anyIpv6 = fc.array(word, { minLength: 8, maxLength: 8 }).map(fromWords, (s) => toWords(s, 8));

export function ipv6Address(c: Ipv6AddressConstraints = {}): fc.Arbitrary<string> {
  return fc.oneof(
    w(12, fc.constantFrom(...IPV6_POOL)),
    w(c.loopbackWeight ?? 0, fc.constant('::1')),
    w(c.multicastWeight ?? 0, multicastIpv6),
    w(c.anyWeight ?? 1, anyIpv6),
  );
}
