// IPv4 addresses as dotted quads, mostly from a few documentation addresses (RFC 5737) so that
// keymap entries match, almost match and collide.
import fc from 'fast-check';
import { formatIPv4, parseIPv4 } from '../spec/address.ts';
import { w } from './_internals/arb.ts';

/** The pool: two hosts in each of 192.0.2.0/24 and 198.51.100.0/24 plus two strangers. */
export const IPV4_POOL = ['192.0.2.1', '192.0.2.2', '198.51.100.1', '198.51.100.2', '192.0.2.77', '198.51.100.254'] as const;

export interface Ipv4AddressConstraints {
  /** Weight of any 32-bit address against the pool's 9 (default 1; 0 for the pool only). */
  readonly anyWeight?: number;
}

const anyIpv4 = fc.integer({ min: 0, max: 0xffffffff }).map(
  (n) => `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`,
  (s) => {
    const b = typeof s === 'string' ? parseIPv4(s) : undefined;
    if (!b || formatIPv4(b, 0) !== s) throw new Error('not a canonical IPv4 address');
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  },
);

export function ipv4Address(c: Ipv4AddressConstraints = {}): fc.Arbitrary<string> {
  return fc.oneof(w(9, fc.constantFrom(...IPV4_POOL)), w(c.anyWeight ?? 1, anyIpv4));
}
