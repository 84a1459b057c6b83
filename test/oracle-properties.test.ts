// Properties of the Linux oracle, each tied to a rule, checked with fast-check on small local
// arbitraries (well-formed IPv4/IPv6 GRE datagrams built here, independent of generators/).
// Every property is a factory over the oracle it checks, so the last block can run each one
// against a deliberately broken wrapper and require fast-check to find the failure.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { invertTuple, linuxVerdict } from '../oracles/index.ts';
import type { Context, KeymapEntry, Tuple } from '../spec/contract.ts';
import { formatIPv4, formatIPv6 } from '../spec/address.ts';
import { answerShapeError } from '../spec/answer-shape.ts';

// ---------------------------------------------------------------------------------------------
// The shape a property needs from an oracle.

interface Seen {
  readonly outcome: string;
  readonly tuple: Tuple | null;
  readonly dataoff?: number | undefined;
}
type Oracle = (packet: Uint8Array, context: Context) => Seen;
type Invert = (t: Tuple) => Tuple;

const linux: Oracle = (p, c) => linuxVerdict(p, c);
const answer = (s: Seen) => ({ outcome: s.outcome, tuple: s.tuple });

// ---------------------------------------------------------------------------------------------
// A small model of the datagrams the properties need, and its encoder.

interface ExtHeader {
  /** 43 Routing, 51 AH, 60 Destination Options: the headers the walk skips by length. */
  readonly type: 43 | 51 | 60;
  readonly len: number;
  readonly body: Uint8Array;
}

interface Ipv4Case { readonly family: 4; readonly src: Uint8Array; readonly dst: Uint8Array; readonly options: Uint8Array; readonly gre: Uint8Array }
interface Ipv6Case { readonly family: 6; readonly src: Uint8Array; readonly dst: Uint8Array; readonly hopByHop: boolean; readonly ext: readonly ExtHeader[]; readonly gre: Uint8Array }
type Case = Ipv4Case | Ipv6Case;

function extLength(e: ExtHeader): number {
  return e.type === 51 ? (e.len + 2) * 4 : (e.len + 1) * 8;
}

function ipv4HeaderChecksum(b: Uint8Array, hlen: number): number {
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) if (i !== 10) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function setChecksum(b: Uint8Array): void {
  const hlen = (b[0]! & 0x0f) * 4;
  if (b.length < hlen) return;
  const c = ipv4HeaderChecksum(b, hlen);
  b[10] = c >> 8;
  b[11] = c & 0xff;
}

function encode(c: Case): Uint8Array {
  if (c.family === 4) {
    const hlen = 20 + c.options.length;
    const b = new Uint8Array(hlen + c.gre.length);
    b[0] = 0x40 | (hlen / 4);
    b[2] = b.length >> 8; b[3] = b.length & 0xff;
    b[4] = 0x12; b[5] = 0x34; b[8] = 64; b[9] = 47;
    b.set(c.src, 12); b.set(c.dst, 16); b.set(c.options, 20); b.set(c.gre, hlen);
    setChecksum(b);
    return b;
  }
  const chain: Uint8Array[] = [];
  const types = [...(c.hopByHop ? [0] : []), ...c.ext.map((e) => e.type)];
  const next = (i: number) => types[i + 1] ?? 47;
  let i = 0;
  if (c.hopByHop) chain.push(Uint8Array.from([next(i++), 0, 1, 4, 0, 0, 0, 0])); // a PadN of 4 zero bytes
  for (const e of c.ext) chain.push(Uint8Array.from([next(i++), e.len, ...e.body]));
  const payload = chain.reduce((n, h) => n + h.length, 0) + c.gre.length;
  const b = new Uint8Array(40 + payload);
  b[0] = 0x60; b[4] = payload >> 8; b[5] = payload & 0xff; b[6] = types[0] ?? 47; b[7] = 64;
  b.set(c.src, 8); b.set(c.dst, 24);
  let off = 40;
  for (const h of chain) { b.set(h, off); off += h.length; }
  b.set(c.gre, off);
  return b;
}

function textOf(addr: Uint8Array): string {
  return addr.length === 4 ? formatIPv4(addr, 0) : formatIPv6(addr, 0);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries: named factories with a constraints object.

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const ipv4Address = () => bytes(4);
/** 2001:db8::/32, so never loopback nor multicast (which ip6_rcv_core would drop). */
const ipv6Address = () => bytes(12).map((low) => Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...low]));

interface GreConstraints {
  /** Versions to draw from (flags & 7); default any. */
  versions?: readonly number[];
  /** Force protocol 0x880B. */
  ppp?: boolean;
  minLength?: number;
  maxLength?: number;
}

function greBytes(c: GreConstraints = {}): fc.Arbitrary<Uint8Array> {
  const min = c.minLength ?? 0;
  const max = c.maxLength ?? 24;
  const version = c.versions ? fc.constantFrom(...c.versions) : fc.oneof(fc.constant(1), fc.constant(0), fc.integer({ min: 0, max: 7 }));
  const upper = fc.oneof(fc.constantFrom(0x0000, 0x2000, 0x3000, 0x3080, 0x8000, 0xb000, 0xfff8), fc.integer({ min: 0, max: 0xffff }));
  const proto = c.ppp ? fc.constant(0x880b) : fc.oneof(fc.constant(0x880b), fc.constantFrom(0x0800, 0x86dd, 0x6558, 0x0000), fc.integer({ min: 0, max: 0xffff }));
  return fc.record({ version, upper, proto, tail: bytes(Math.max(0, max - 4)), len: fc.integer({ min, max }) })
    .map(({ version: v, upper: u, proto: p, tail, len }) => {
      const flags = (u & ~7) | v;
      return Uint8Array.from([flags >> 8, flags & 0xff, p >> 8, p & 0xff, ...tail]).subarray(0, len);
    });
}

/** Options ip_options_compile accepts: NOP, Router Alert of length 4, unknown types; then EOL and any bytes. */
function ipv4Options(): fc.Arbitrary<Uint8Array> {
  const option = fc.oneof(
    fc.constant([1]),
    fc.constant([148, 4, 0, 0]),
    fc.record({ type: fc.constantFrom(0x1e, 0x5e, 0x9e, 0xde), data: fc.uint8Array({ maxLength: 6 }) })
      .map(({ type, data }) => [type, data.length + 2, ...data]),
  );
  return fc.record({ options: fc.array(option, { minLength: 1, maxLength: 8 }), junk: bytes(3) }).map(({ options, junk }) => {
    const flat: number[] = [];
    for (const o of options) if (flat.length + o.length <= 40) flat.push(...o);
    if (flat.length % 4 !== 0) flat.push(0, ...junk.subarray(0, 3 - (flat.length % 4)));
    return Uint8Array.from(flat.slice(0, 40));
  });
}

function extHeader(c: { types?: readonly (43 | 51 | 60)[] } = {}): fc.Arbitrary<ExtHeader> {
  return fc.record({ type: fc.constantFrom(...(c.types ?? [43, 51, 60] as const)), len: fc.integer({ min: 0, max: 3 }) })
    .chain(({ type, len }) => bytes(extLength({ type, len, body: new Uint8Array() }) - 2).map((body) => ({ type, len, body })));
}

interface CaseConstraints {
  family?: 4 | 6;
  gre?: GreConstraints;
  /** IPv4 options, IPv6 Hop-by-Hop and extension headers; default true. */
  headers?: boolean;
}

function ipv4Case(c: CaseConstraints = {}): fc.Arbitrary<Ipv4Case> {
  const options = c.headers === false ? fc.constant(new Uint8Array()) : fc.oneof(fc.constant(new Uint8Array()), ipv4Options());
  return fc.record({ src: ipv4Address(), dst: ipv4Address(), options, gre: greBytes(c.gre) }).map((r) => ({ family: 4 as const, ...r }));
}

function ipv6Case(c: CaseConstraints = {}): fc.Arbitrary<Ipv6Case> {
  const hdrs = c.headers !== false;
  return fc.record({
    src: ipv6Address(), dst: ipv6Address(),
    hopByHop: hdrs ? fc.boolean() : fc.constant(false),
    ext: hdrs ? fc.array(extHeader(), { maxLength: 3 }) : fc.constant([]),
    gre: greBytes(c.gre),
  }).map((r) => ({ family: 6 as const, ...r }));
}

function greCase(c: CaseConstraints = {}): fc.Arbitrary<Case> {
  if (c.family === 4) return ipv4Case(c);
  if (c.family === 6) return ipv6Case(c);
  return fc.oneof(ipv4Case(c), ipv6Case(c));
}

/** Keymaps that often hold an entry matching the case's addresses and bytes 6-7 of its GRE header. */
function keymapFor(k: Case): fc.Arbitrary<KeymapEntry[]> {
  const callId = k.gre.length >= 8 ? (k.gre[6]! << 8) | k.gre[7]! : 0;
  const matching = fc.integer({ min: 1, max: 0xffff }).map((srckey) => ({ src: textOf(k.src), dst: textOf(k.dst), dstkey: callId, srckey }));
  const other = fc.record({ src: ipv4Address(), dst: ipv4Address(), dstkey: fc.integer({ min: 0, max: 0xffff }), srckey: fc.integer({ min: 0, max: 0xffff }) })
    .map((e) => ({ ...e, src: textOf(e.src), dst: textOf(e.dst) }));
  return fc.array(fc.oneof(matching, other), { maxLength: 3 });
}

const withKeymap = (cases: fc.Arbitrary<Case>) => cases.chain((k) => keymapFor(k).map((keymap) => ({ k, keymap })));

function tupleArb(): fc.Arbitrary<Tuple> {
  const key = fc.integer({ min: 0, max: 0xffff });
  const pair = fc.oneof(
    fc.tuple(ipv4Address(), ipv4Address()),
    fc.tuple(ipv6Address(), ipv6Address()),
  ).map(([s, d]) => [textOf(s), textOf(d)] as const);
  return fc.record({ pair, proto: fc.constantFrom(47, 50, 135), srckey: key, dstkey: key })
    .map(({ pair: [src, dst], proto, srckey, dstkey }) => ({ src, dst, proto, srckey, dstkey }));
}

/** Datagrams meant to hurt: random bytes, IP-looking headers, and well-formed cases mutated and cut. */
function hostileDatagram(): fc.Arbitrary<Uint8Array> {
  const random = fc.uint8Array({ maxLength: 200 });
  const ipLooking = fc.record({ first: fc.constantFrom(0x45, 0x46, 0x4f, 0x60, 0x6f), rest: fc.uint8Array({ maxLength: 199 }) })
    .map(({ first, rest }) => Uint8Array.from([first, ...rest]));
  const mutated = fc.record({
    k: greCase(),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    cut: fc.nat(),
    fixSum: fc.boolean(),
  }).map(({ k, edits, cut, fixSum }) => {
    const b = encode(k);
    for (const [at, v] of edits) if (b.length > 0) b[at % b.length] = v;
    if (fixSum && b[0]! >> 4 === 4) setChecksum(b);
    return b.subarray(0, b.length - (cut % (b.length + 1)));
  });
  return fc.oneof(random, ipLooking, mutated);
}

// ---------------------------------------------------------------------------------------------
// The properties, each over the oracle (or invert) it checks.

/** CT-1: the reply of the reply is the original tuple, and the reply swaps addresses and keys. */
function invertTwiceIsIdentity(invert: Invert) {
  return fc.property(tupleArb(), (t) => {
    expect(invert(invert(t))).toEqual(t);
    const r = invert(t);
    expect([r.src, r.dst, r.srckey, r.dstkey, r.proto]).toEqual([t.dst, t.src, t.dstkey, t.srckey, t.proto]);
  });
}

/** GRE-2: version 0 never has keys, whatever the K bit, key field and keymap say. */
function v0HasNoKeys(oracle: Oracle) {
  return fc.property(withKeymap(greCase({ gre: { versions: [0], minLength: 4 } })), ({ k, keymap }) => {
    const s = oracle(encode(k), { keymap });
    expect(s.outcome).toBe('tracked');
    expect([s.tuple?.srckey, s.tuple?.dstkey]).toEqual([0, 0]);
  });
}

/** GRE-5: v1, protocol 0x880B, 8+ bytes, empty keymap: dstkey is bytes 6-7, srckey 0. */
function v1CallIdIsDstkey(oracle: Oracle) {
  return fc.property(greCase({ gre: { versions: [1], ppp: true, minLength: 8 } }), (k) => {
    const s = oracle(encode(k), { keymap: [] });
    expect(s.outcome).toBe('tracked');
    expect([s.tuple?.srckey, s.tuple?.dstkey]).toEqual([0, (k.gre[6]! << 8) | k.gre[7]!]);
  });
}

/** L3-4: well-formed IPv4 options move the GRE offset by their length and change nothing else. */
function ipv4OptionsMoveOnlyTheOffset(oracle: Oracle) {
  return fc.property(ipv4Case({ headers: false }), ipv4Options(), (k, options) => {
    const plain = oracle(encode(k), { keymap: [] });
    const withOptions = oracle(encode({ ...k, options }), { keymap: [] });
    expect(answer(withOptions)).toEqual(answer(plain));
    expect(withOptions.dataoff).toBe(plain.dataoff! + options.length);
  });
}

/** L3-8: a Destination Options or Routing header inserted anywhere after a leading Hop-by-Hop moves the offset only. */
function ipv6HeaderMovesOnlyTheOffset(oracle: Oracle) {
  return fc.property(ipv6Case(), extHeader({ types: [43, 60] }), fc.nat(), (k, inserted, where) => {
    const at = where % (k.ext.length + 1);
    const longer: Ipv6Case = { ...k, ext: [...k.ext.slice(0, at), inserted, ...k.ext.slice(at)] };
    const before = oracle(encode(k), { keymap: [] });
    const after = oracle(encode(longer), { keymap: [] });
    expect(answer(after)).toEqual(answer(before));
    expect(after.dataoff).toBe(before.dataoff! + extLength(inserted));
  });
}

/** L3-2T, L3-6T: bytes after the IP length fields change nothing. */
function trailingBytesChangeNothing(oracle: Oracle) {
  return fc.property(withKeymap(greCase()), fc.uint8Array({ minLength: 1, maxLength: 32 }), ({ k, keymap }, trailing) => {
    const packet = encode(k);
    const padded = Uint8Array.from([...packet, ...trailing]);
    expect(answer(oracle(padded, { keymap }))).toEqual(answer(oracle(packet, { keymap })));
  });
}

/** GRE-7: no GRE byte past byte 7 changes the answer. */
function bytesPastSevenChangeNothing(oracle: Oracle) {
  return fc.property(withKeymap(greCase({ gre: { minLength: 9 } })), fc.nat(), fc.integer({ min: 0, max: 255 }), ({ k, keymap }, where, value) => {
    const at = 8 + (where % (k.gre.length - 8));
    const gre = k.gre.slice();
    gre[at] = value;
    expect(answer(oracle(encode({ ...k, gre }), { keymap }))).toEqual(answer(oracle(encode(k), { keymap })));
  });
}

/** Bounds: no datagram of 0..200 bytes makes the oracle throw, and the answer is always well formed. */
function neverThrows(oracle: Oracle) {
  const keymap = fc.array(fc.record({
    src: ipv4Address(), dst: ipv4Address(), dstkey: fc.integer({ min: 0, max: 0xffff }), srckey: fc.integer({ min: 0, max: 0xffff }),
  }).map((e) => ({ ...e, src: textOf(e.src), dst: textOf(e.dst) })), { maxLength: 2 });
  return fc.property(hostileDatagram(), keymap, (packet, km) => {
    const s = oracle(packet, { keymap: km });
    expect(['tracked', 'built-unconfirmed', 'invalid', 'not-seen']).toContain(s.outcome);
    expect(answerShapeError(s.tuple)).toBeUndefined();
  });
}

// ---------------------------------------------------------------------------------------------

describe('oracle properties', () => {
  it('CT-1: invert twice is the identity, and invert swaps addresses and keys', () => {
    fc.assert(invertTwiceIsIdentity(invertTuple));
  });
  it('GRE-2: a version 0 header never has keys', () => {
    fc.assert(v0HasNoKeys(linux));
  });
  it('GRE-5: v1 PPP with 8+ bytes and an empty keymap has dstkey = GRE bytes 6-7, srckey 0', () => {
    fc.assert(v1CallIdIsDstkey(linux));
  });
  it('L3-4: well-formed IPv4 options move the offset, not the answer', () => {
    fc.assert(ipv4OptionsMoveOnlyTheOffset(linux));
  });
  it('L3-8: an inserted Destination Options or Routing header moves the offset, not the answer', () => {
    fc.assert(ipv6HeaderMovesOnlyTheOffset(linux));
  });
  it('L3-2T, L3-6T: bytes past the IP length do not change the answer', () => {
    fc.assert(trailingBytesChangeNothing(linux));
  });
  it('GRE-7: changing a GRE byte past byte 7 does not change the answer', () => {
    fc.assert(bytesPastSevenChangeNothing(linux));
  });
  it('bounds: no datagram of 0..200 bytes makes the oracle throw', () => {
    fc.assert(neverThrows(linux), { numRuns: 500 });
  });
});

// ---------------------------------------------------------------------------------------------
// Each property can fail: run it against a broken wrapper of the oracle and expect a counterexample.

/** Rewrites the IP length fields to cover every byte of the buffer, as an oracle that ignored them would read it. */
function untrimmed(p: Uint8Array): Uint8Array {
  const b = p.slice();
  if (b.length >= 20 && b[0]! >> 4 === 4) { b[2] = b.length >> 8; b[3] = b.length & 0xff; setChecksum(b); }
  if (b.length >= 40 && b[0]! >> 4 === 6) { b[4] = (b.length - 40) >> 8; b[5] = (b.length - 40) & 0xff; }
  return b;
}

const withTuple = (s: Seen, f: (t: Tuple) => Tuple): Seen => ({ ...s, tuple: s.tuple && f(s.tuple) });
const be16At = (p: Uint8Array, off: number | undefined) =>
  off !== undefined && off + 2 <= p.length ? (p[off]! << 8) | p[off + 1]! : undefined;

const BROKEN = {
  swapsReplyKeysOnly: ((t) => ({ ...t, src: t.dst, dst: t.src, srckey: t.dstkey, dstkey: t.dstkey })) as Invert,
  readsCallIdForAnyVersion: ((p, c) => {
    const s = linux(p, c);
    const callId = be16At(p, s.dataoff === undefined ? undefined : s.dataoff + 6);
    return callId === undefined ? s : withTuple(s, (t) => ({ ...t, dstkey: callId }));
  }) as Oracle,
  swapsKeys: ((p, c) => withTuple(linux(p, c), (t) => ({ ...t, srckey: t.dstkey, dstkey: t.srckey }))) as Oracle,
  readsGreAt20: ((p, c) => {
    if (p.length < 20 || p[0]! >> 4 !== 4 || (p[0]! & 0x0f) === 5) return linux(p, c);
    const b = p.slice();
    b[0] = 0x45;
    setChecksum(b);
    return linux(b, c);
  }) as Oracle,
  readsGreAt40: ((p, c) => {
    if (p.length < 40 || p[0]! >> 4 !== 6) return linux(p, c);
    const b = p.slice();
    b[6] = 47;
    return linux(b, c);
  }) as Oracle,
  ignoresIpLength: ((p, c) => linux(untrimmed(p), c)) as Oracle,
  mixesByte8IntoDstkey: ((p, c) => {
    const s = linux(p, c);
    const off = s.dataoff === undefined ? undefined : s.dataoff + 8;
    const extra = off !== undefined && off < p.length ? p[off]! : 0;
    return withTuple(s, (t) => ({ ...t, dstkey: t.dstkey ^ extra }));
  }) as Oracle,
  unboundedReads: ((p, c) => {
    // A port without bounds checks: reads the 20 bytes of an IPv4 header before looking at the length.
    for (let i = 0; i < 20; i++) if (p[i] === undefined) throw new RangeError(`read past the end at ${i}`);
    return linux(p, c);
  }) as Oracle,
};

describe('each property can fail', () => {
  const fails = <Ts extends unknown[]>(property: fc.IProperty<Ts>) => {
    const r = fc.check(property, { numRuns: 300 });
    expect(r.failed, 'fast-check should have found a counterexample').toBe(true);
  };
  it('CT-1 catches an invert that copies dstkey into both keys', () => fails(invertTwiceIsIdentity(BROKEN.swapsReplyKeysOnly)));
  it('GRE-2 catches reading a call id from version 0', () => fails(v0HasNoKeys(BROKEN.readsCallIdForAnyVersion)));
  it('GRE-5 catches swapped keys', () => fails(v1CallIdIsDstkey(BROKEN.swapsKeys)));
  it('L3-4 catches reading GRE at byte 20 whatever the IHL', () => fails(ipv4OptionsMoveOnlyTheOffset(BROKEN.readsGreAt20)));
  it('L3-8 catches reading GRE right after the IPv6 header', () => fails(ipv6HeaderMovesOnlyTheOffset(BROKEN.readsGreAt40)));
  it('L3-2T, L3-6T catch reading past the IP length', () => fails(trailingBytesChangeNothing(BROKEN.ignoresIpLength)));
  it('GRE-7 catches a dstkey that depends on byte 8', () => fails(bytesPastSevenChangeNothing(BROKEN.mixesByte8IntoDstkey)));
  it('bounds catch a reader without bounds checks', () => fails(neverThrows(BROKEN.unboundedReads)));
});
