// IPv6 extension header chains (RFC 8200 section 4.1): an optional leading Hop-by-Hop header,
// then up to `maxLength` Routing, Destination Options, Fragment and AH headers in any order (the
// walk accepts any order and repeats). The chain may end at ESP (50), Mobility (135) or No Next
// Header (59) instead of GRE; never at TCP, UDP, ICMP(v6), SCTP, DCCP or UDP-Lite.
import fc from 'fast-check';
import type { Ipv6ExtHeader } from './model.ts';
import { arrayUpTo, choose, mapExact, pick, w } from './_internals/arb.ts';
import { extHeaderArbs } from './_internals/extHeaderArbs.ts';

export interface Ipv6ExtensionChainConstraints {
  /** Most headers after the leading Hop-by-Hop one (default 2). */
  readonly maxLength?: number;
  /** Allow lengths that lie and next headers that promise a header that is not there (default true). */
  readonly lies?: boolean;
}

export function ipv6ExtensionChain(c: Ipv6ExtensionChainConstraints = {}): fc.Arbitrary<Ipv6ExtHeader[]> {
  const max = c.maxLength ?? 2;
  const { hopByHop, destination, fragment, routing, ah } = extHeaderArbs(c.lies ?? true);
  const later = choose<Ipv6ExtHeader>(w(3, destination), w(3, fragment), w(2, routing), w(2, ah), w(1, hopByHop));
  return mapExact(
    fc.tuple(pick<Ipv6ExtHeader | null>(w(3, fc.constant(null)), w(1, hopByHop)), arrayUpTo(later, max, 64)),
    ([first, rest]) => (first === null ? rest : [first, ...rest]),
    (v): [Ipv6ExtHeader | null, Ipv6ExtHeader[]] => {
      if (!Array.isArray(v)) throw new Error('not a chain');
      const chain = v as Ipv6ExtHeader[];
      return chain[0]?.kind === 'hop-by-hop' ? [chain[0], chain.slice(1)] : [null, chain];
    },
  );
}
