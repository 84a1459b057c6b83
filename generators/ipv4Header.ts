// IPv4 headers (RFC 791 section 3.1): mostly plain, sometimes with options, fragment bits, and
// fields that lie the ways ip_rcv_core (net/ipv4/ip_input.c) checks: version, IHL, total
// length, checksum.
import fc from 'fast-check';
import type { Ipv4Header, Ipv4Option } from './model.ts';
import { autoOr, bool, constantOf, mapExact, pick, rarely, rec, u16, u8, w } from './_internals/arb.ts';
import { ipv4Address } from './ipv4Address.ts';
import { ipv4Options } from './ipv4Options.ts';
import { GENERIC_PROTOCOLS, anyGenericProtocol } from './_internals/protocols.ts';

export { GENERIC_PROTOCOLS } from './_internals/protocols.ts';

export interface Ipv4HeaderConstraints {
  /** Allow wrong versions, IHLs, total lengths and checksums (default true). */
  readonly lies?: boolean;
  /** Allow MF and fragment offsets (default true). */
  readonly fragments?: boolean;
  /** Allow options (default true). */
  readonly options?: boolean;
  /** Protocols other than GRE for the IPv4 protocol field (default: a few with no tracker of their own). */
  readonly otherProtocols?: readonly number[];
}

type Plain = { src: string; dst: string; id: number };

/** A header with every field at its plain value but the addresses and id. */
const plainHeader = (addr: fc.Arbitrary<string>): fc.Arbitrary<Ipv4Header> =>
  mapExact(
    rec<Plain>({ src: addr, dst: addr, id: u16 }),
    // Written out, not spread from a constant: the spread cost more than drawing the header.
    (p): Ipv4Header => ({
      family: 4, version: 4, ihl: 'auto', tos: 0, totalLength: 'auto', id: p.id, reservedFlag: false, df: false, mf: false,
      fragmentOffset: 0, ttl: 64, protocol: 'auto', checksum: 'auto', src: p.src, dst: p.dst, options: [],
    }),
    (v) => {
      const h = v as Ipv4Header;
      return { src: h.src, dst: h.dst, id: h.id };
    },
  );

export function ipv4Header(c: Ipv4HeaderConstraints = {}): fc.Arbitrary<Ipv4Header> {
  const lies = c.lies ?? true;
  const lie = (n: number) => (lies ? n : 0);
  const addr = ipv4Address();
  const frag = c.fragments ?? true;
  const full = rec<Ipv4Header>({
    family: fc.constant(4),
    version: fc.oneof(w(60, fc.constant(4)), w(lie(1), fc.integer({ min: 0, max: 15 }))),
    ihl: lies ? autoOr(fc.integer({ min: 0, max: 15 }), 30) : fc.constant('auto'),
    tos: fc.oneof(w(6, fc.constant(0)), w(1, u8)),
    totalLength: lies ? autoOr(fc.oneof(w(20, fc.integer({ min: 0, max: 160 })), w(1, u16)), 14) : fc.constant('auto'),
    id: u16,
    reservedFlag: rarely(20),
    df: bool,
    mf: frag ? rarely(16) : fc.constant(false),
    fragmentOffset: frag ? fc.oneof(w(20, fc.constant(0)), w(1, fc.integer({ min: 1, max: 0x1fff }))) : fc.constant(0),
    ttl: fc.oneof(w(4, fc.constant(64)), w(1, u8)),
    protocol: fc.oneof(
      w<'auto' | number>(300, fc.constant('auto')),
      w<'auto' | number>(9, fc.constantFrom(...(c.otherProtocols ?? GENERIC_PROTOCOLS))),
      w<'auto' | number>(1, anyGenericProtocol),
    ),
    checksum: lies ? autoOr(u16, 25) : fc.constant('auto'),
    src: addr,
    dst: addr,
    options: c.options ?? true ? fc.oneof(w(1, constantOf<Ipv4Option[]>([])), w(3, ipv4Options())) : constantOf<Ipv4Option[]>([]),
  });
  return pick(w(3, plainHeader(addr)), w(2, full));
}
