// One IPv4 option each (RFC 791 section 3.1, RFC 2113 Router Alert), well-formed or broken the
// ways __ip_options_compile (net/ipv4/ip_options.c) rejects: length < 2 or past the header,
// pointers below their minimum, no room left. CIPSO (134) is never produced (out of scope).
import fc from 'fast-check';
import type { Ipv4Option } from '../model.ts';
import { bytes, constantOf, mapExact, pick, rec, u8, w } from './arb.ts';

type Tlv = Extract<Ipv4Option, { kind: 'tlv' }>;

const tlv = (type: number, data: readonly number[], length: 'auto' | number = 'auto'): Tlv =>
  ({ kind: 'tlv', type, length, data: Uint8Array.from(data) });

function dataOf(o: unknown, type: number): Uint8Array {
  const t = o as Tlv;
  if (typeof o !== 'object' || o === null || t.kind !== 'tlv' || t.type !== type || !(t.data instanceof Uint8Array)) throw new Error('other option');
  return t.data;
}

export const nop: fc.Arbitrary<Ipv4Option> = constantOf({ kind: 'nop' } as const);
export const eol: fc.Arbitrary<Ipv4Option> = constantOf({ kind: 'eol' } as const);

/** Record Route (7): `slots` empty 4-byte slots after `filled` recorded ones; pointer 4 + 4*filled unless it lies. */
export const recordRoute: fc.Arbitrary<Ipv4Option> = mapExact(rec<{ slots: number; filled: number; pointer: 'auto' | number }>({
  slots: fc.integer({ min: 0, max: 2 }),
  filled: fc.integer({ min: 0, max: 2 }),
  pointer: fc.oneof(w<'auto' | number>(6, fc.constant('auto')), w<'auto' | number>(1, fc.integer({ min: 0, max: 3 }))),
}), ({ slots, filled, pointer }) => {
    const f = Math.min(filled, slots);
    const data = [pointer === 'auto' ? 4 + 4 * f : pointer];
    for (let i = 0; i < slots; i++) data.push(...(i < f ? [198, 51, 100, i + 1] : [0, 0, 0, 0]));
    return tlv(7, data);
  },
  (o): { slots: number; filled: number; pointer: 'auto' | number } => {
    const d = dataOf(o, 7);
    if ((o as Tlv).length !== 'auto' || d.length < 1 || (d.length - 1) % 4 !== 0) throw new Error('not RR');
    const slots = (d.length - 1) / 4;
    let filled = 0;
    while (filled < slots && d[1 + 4 * filled] === 198) filled++;
    const ptr = d[0]!;
    return { slots, filled, pointer: ptr === 4 + 4 * filled ? 'auto' : ptr };
  },
);

/** Timestamp (68), flag 0 (timestamps), 1 (address + timestamp) or 3 (prespecified), with an overflow count. */
export const timestamp: fc.Arbitrary<Ipv4Option> = mapExact(rec<{ flag: number; slots: number; filled: number; overflow: number; pointer: 'auto' | number }>({
  flag: fc.constantFrom(0, 1, 3),
  slots: fc.integer({ min: 1, max: 2 }),
  filled: fc.integer({ min: 0, max: 2 }),
  overflow: fc.oneof(w(8, fc.constant(0)), w(1, fc.integer({ min: 1, max: 15 }))),
  pointer: fc.oneof(w<'auto' | number>(6, fc.constant('auto')), w<'auto' | number>(1, fc.integer({ min: 0, max: 4 }))),
}), ({ flag, slots, filled, overflow, pointer }) => {
    const size = flag === 0 ? 4 : 8;
    const f = Math.min(filled, slots);
    const data = [pointer === 'auto' ? 5 + size * f : pointer, (overflow << 4) | flag];
    for (let i = 0; i < slots * size; i++) data.push(i < f * size ? 1 + (i % 7) : 0);
    return tlv(68, data);
  },
  (o): { flag: number; slots: number; filled: number; overflow: number; pointer: 'auto' | number } => {
    const d = dataOf(o, 68);
    if ((o as Tlv).length !== 'auto' || d.length < 2) throw new Error('not TS');
    const flag = d[1]! & 0xf;
    const size = flag === 0 ? 4 : 8;
    if ((flag !== 0 && flag !== 1 && flag !== 3) || (d.length - 2) % size !== 0) throw new Error('not TS');
    const slots = (d.length - 2) / size;
    let filled = 0;
    while (filled < slots && d[2 + size * filled] !== 0) filled++;
    const ptr = d[0]!;
    return { flag, slots, filled, overflow: d[1]! >> 4, pointer: ptr === 5 + size * filled ? 'auto' : ptr };
  },
);

/** Router Alert (148, RFC 2113): length 4, value 0; sometimes cut to length 2 or 3. */
export const routerAlert: fc.Arbitrary<Ipv4Option> = fc.oneof(
  w(6, fc.constant(null).map((): Ipv4Option => tlv(148, [0, 0]), (o) => {
    const d = dataOf(o, 148);
    if ((o as Tlv).length !== 'auto' || d.length !== 2 || d[0] !== 0 || d[1] !== 0) throw new Error('not RA');
    return null;
  })),
  w(1, fc.integer({ min: 0, max: 1 }).map((n): Ipv4Option => tlv(148, new Array<number>(n).fill(0)), (o) => {
    const d = dataOf(o, 148);
    if ((o as Tlv).length !== 'auto' || d.length > 1 || d.some((x) => x !== 0)) throw new Error('not short RA');
    return d.length;
  })),
);

/** Loose (131) or strict (137) source route with 1-2 addresses: always dropped after PREROUTING (L3-5). */
export const sourceRoute: fc.Arbitrary<Ipv4Option> = mapExact(rec<{ type: number; hops: number; pointer: number }>({
  type: fc.constantFrom(131, 137),
  hops: fc.integer({ min: 1, max: 2 }),
  pointer: fc.oneof(w(6, fc.constant(4)), w(1, fc.integer({ min: 0, max: 3 }))),
}), ({ type, hops, pointer }) => {
    const data = [pointer];
    for (let i = 0; i < hops; i++) data.push(192, 0, 2, i + 1);
    return tlv(type, data);
  },
  (o) => {
    const t = o as Tlv;
    const type = t?.type;
    if (type !== 131 && type !== 137) throw new Error('not SRR');
    const d = dataOf(o, type);
    if (t.length !== 'auto' || d.length < 5 || (d.length - 1) % 4 !== 0) throw new Error('not SRR');
    const hops = (d.length - 1) / 4;
    for (let i = 0; i < hops; i++) if (d[1 + 4 * i] !== 192 || d[2 + 4 * i] !== 0 || d[3 + 4 * i] !== 2 || d[4 + 4 * i] !== i + 1) throw new Error('not SRR');
    return { type, hops, pointer: d[0]! };
  },
);

/** Options ip_options_compile skips without reading: Security (130), Stream ID (136), experimental and unassigned ones. */
export const UNKNOWN_IPV4_OPTIONS = [130, 136, 82, 25, 30, 94, 158, 222, 15, 142] as const;

/** Any option type (CIPSO excluded) with any data, the length right or lying: the domain parsed options land in. */
export const anyTlv: fc.Arbitrary<Ipv4Option> = rec<{ kind: 'tlv'; type: number; length: 'auto' | number; data: Uint8Array }>({
  kind: fc.constant('tlv'),
  type: fc.oneof(w(4, fc.constantFrom(...UNKNOWN_IPV4_OPTIONS)), w(1, u8.filter((t) => t > 1 && t !== 134))),
  length: fc.oneof(w<'auto' | number>(5, fc.constant('auto')), w<'auto' | number>(1, fc.integer({ min: 0, max: 1 })), w<'auto' | number>(1, u8)),
  data: bytes(38),
});

export const rawOption: fc.Arbitrary<Ipv4Option> = rec<{ kind: 'raw'; bytes: Uint8Array }>({ kind: fc.constant('raw'), bytes: bytes(40) });

/** One option: NOP first (the shrink target), then the real ones, then the malformed generic ones. */
export const ipv4Option: fc.Arbitrary<Ipv4Option> = pick(
  w(4, nop), w(1, eol), w(2, recordRoute), w(2, timestamp), w(2, routerAlert), w(1, sourceRoute), w(2, anyTlv), w(1, rawOption),
);
