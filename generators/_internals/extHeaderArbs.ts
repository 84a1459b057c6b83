// One IPv6 extension header of each kind ipv6_skip_exthdr (net/ipv6/exthdrs_core.c) walks:
// Hop-by-Hop, Routing, Destination Options ((len+1)*8 bytes), Fragment (8), AH ((len+2)*4,
// RFC 4302 section 2.2). Lengths are 'auto' but, with lies, sometimes wrong (the walk trusts
// them, L3-8E); next headers sometimes promise a header that is not there.
import fc from 'fast-check';
import type { AutoNumber, Ipv6ExtHeader, Ipv6Option } from '../model.ts';
import { arrayUpTo, autoOr, bool, bytes, choose, rec, u16, u32, u8, w, zeroBytes } from './arb.ts';
import { destinationOption, hopByHopOption } from './ipv6OptionArbs.ts';
import { anyGenericProtocol } from './protocols.ts';

/** Next header of one extension header: 'auto' (the chain goes on, or GRE), else something that ends it or promises more. */
function extNextHeader(lies: boolean): fc.Arbitrary<AutoNumber> {
  return choose<AutoNumber>(
    w(40, fc.constant('auto')),
    w(3, fc.constantFrom(50, 135)), // ESP, Mobility: the generic tracker's tuple (L3-8O)
    w(2, fc.constant(59)), // No Next Header (L3-8N)
    w(lies ? 2 : 0, fc.constantFrom(60, 0, 43, 44, 51)), // promises one more header: GRE's bytes play it (or L3-8S)
    w(1, anyGenericProtocol),
  );
}

function extLength(lies: boolean): fc.Arbitrary<AutoNumber> {
  return lies ? autoOr(fc.integer({ min: 0, max: 255 }), 14) : fc.constant('auto');
}

type OptHdr = Extract<Ipv6ExtHeader, { kind: 'hop-by-hop' | 'destination' }>;
type Routing = Extract<Ipv6ExtHeader, { kind: 'routing' }>;
type Fragment = Extract<Ipv6ExtHeader, { kind: 'fragment' }>;
type Ah = Extract<Ipv6ExtHeader, { kind: 'ah' }>;

export interface ExtHeaderArbs {
  readonly hopByHop: fc.Arbitrary<Ipv6ExtHeader>;
  readonly destination: fc.Arbitrary<Ipv6ExtHeader>;
  readonly routing: fc.Arbitrary<Ipv6ExtHeader>;
  readonly fragment: fc.Arbitrary<Ipv6ExtHeader>;
  readonly ah: fc.Arbitrary<Ipv6ExtHeader>;
}

export function extHeaderArbs(lies: boolean): ExtHeaderArbs {
  const nextHeader = extNextHeader(lies);
  const length = extLength(lies);
  const optionsHeader = (kind: OptHdr['kind'], option: fc.Arbitrary<Ipv6Option>) =>
    rec<OptHdr>({ kind: fc.constant(kind), nextHeader, length, options: arrayUpTo(option, 3, 1024) });
  return {
    hopByHop: optionsHeader('hop-by-hop', hopByHopOption),
    destination: optionsHeader('destination', destinationOption),
    // Routing types 0 (RFC 5095, deprecated), 2 (RFC 6275), 3 (RFC 6554), 4 (RFC 8754) and experimental 253.
    routing: rec<Routing>({
      kind: fc.constant('routing'),
      nextHeader,
      length,
      routingType: fc.oneof(w(8, fc.constantFrom(2, 0, 3, 4, 253)), w(1, u8)),
      segmentsLeft: fc.integer({ min: 0, max: 3 }),
      data: fc.oneof(w(4, zeroBytes(fc.constantFrom(4, 20))), w(2, bytes(20)), w(1, bytes(2048))),
    }),
    // Atomic (offset 0, M=0), first (offset 0, M=1) and later fragments, RFC 8200 section 4.5.
    fragment: rec<Fragment>({
      kind: fc.constant('fragment'),
      nextHeader,
      reserved: fc.oneof(w(10, fc.constant(0)), w(1, u8)),
      offset: fc.oneof(w(3, fc.constant(0)), w(1, fc.integer({ min: 1, max: 0x1fff }))),
      res: fc.oneof(w(10, fc.constant(0)), w(1, fc.integer({ min: 1, max: 3 }))),
      more: bool,
      id: u32,
    }),
    // AH with no ICV (the shrink target: 12 bytes) or one of 4..16 bytes (HMAC-96 is 12): 12 to 28 bytes.
    ah: rec<Ah>({
      kind: fc.constant('ah'),
      nextHeader,
      length,
      reserved: fc.oneof(w(10, fc.constant(0)), w(1, u16)),
      spi: fc.oneof(w(3, fc.constant(0x100)), w(1, u32)),
      seq: fc.oneof(w(3, fc.constant(1)), w(1, u32)),
      icv: fc.oneof(w(6, zeroBytes(fc.constantFrom(0, 12, 4, 8, 16))), w(2, bytes(16)), w(1, bytes(1024))),
    }),
  };
}
