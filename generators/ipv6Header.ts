// IPv6 fixed headers (RFC 8200 section 3): mostly plain, sometimes with the addresses
// ip6_rcv_core (net/ipv6/ip6_input.c) drops (loopback, multicast source, multicast destination
// of scope 0 or 1) or keeps (other multicast scopes), and payload lengths that lie (0, short, long).
import fc from 'fast-check';
import type { Ipv6Header } from './model.ts';
import { autoOr, mapExact, pick, rec, u16, u8, w } from './_internals/arb.ts';
import { ipv6Address } from './ipv6Address.ts';
import { GENERIC_PROTOCOLS, anyGenericProtocol } from './_internals/protocols.ts';

export interface Ipv6HeaderConstraints {
  /** Allow wrong versions, payload lengths and next headers (default true). */
  readonly lies?: boolean;
  /** Allow ::1 and multicast addresses (default true). */
  readonly specialAddresses?: boolean;
}

/** Next headers that end a chain without GRE (L3-8N, L3-8O), or that promise a header GRE's bytes must then play. */
export const IPV6_OTHER_NEXT_HEADERS = [50, 135, 59, 60, 0, 43, 44, 51, ...GENERIC_PROTOCOLS.filter((p) => p !== 50 && p !== 135)] as const;

export function ipv6Header(c: Ipv6HeaderConstraints = {}): fc.Arbitrary<Ipv6Header> {
  const lies = c.lies ?? true;
  const special = c.specialAddresses ?? true;
  const pool = ipv6Address();
  const plain = mapExact(
    rec<{ src: string; dst: string }>({ src: pool, dst: pool }),
    // Written out, not spread from a constant: the spread cost more than drawing the header.
    (p): Ipv6Header => ({ family: 6, version: 6, trafficClass: 0, flowLabel: 0, payloadLength: 'auto', nextHeader: 'auto', hopLimit: 64, src: p.src, dst: p.dst }),
    (v) => ({ src: (v as Ipv6Header).src, dst: (v as Ipv6Header).dst }),
  );
  const src = special ? ipv6Address({ loopbackWeight: 1, multicastWeight: 1 }) : pool;
  const dst = special ? ipv6Address({ loopbackWeight: 1, multicastWeight: 3 }) : pool;
  const full = rec<Ipv6Header>({
    family: fc.constant(6),
    version: lies ? fc.oneof(w(80, fc.constant(6)), w(1, fc.integer({ min: 0, max: 15 }))) : fc.constant(6),
    trafficClass: fc.oneof(w(4, fc.constant(0)), w(1, u8)),
    flowLabel: fc.oneof(w(2, fc.constant(0)), w(1, fc.integer({ min: 0, max: 0xfffff }))),
    payloadLength: lies
      ? fc.oneof(w<'auto' | number>(240, fc.constant('auto')), w<'auto' | number>(20, fc.constant(0)), w<'auto' | number>(9, fc.integer({ min: 0, max: 120 })), w<'auto' | number>(1, u16))
      : fc.constant('auto'),
    nextHeader: lies ? autoOr(fc.oneof(w(9, fc.constantFrom(...IPV6_OTHER_NEXT_HEADERS)), w(1, anyGenericProtocol)), 20) : fc.constant('auto'),
    hopLimit: fc.oneof(w(4, fc.constant(64)), w(1, u8)),
    src: fc.oneof(w(18, pool), w(1, src)),
    dst: fc.oneof(w(18, pool), w(1, dst)),
  });
  return pick(w(3, plain), w(2, full));
}
