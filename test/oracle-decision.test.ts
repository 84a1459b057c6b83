// The allocation-free oracle core (linuxDecide into a reused Decision) against linuxVerdict:
// both are one implementation, so they must agree on every datagram and every kernel profile,
// and a reused Decision must carry nothing over from the datagram before.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Decision, OUTCOMES, decisionAgrees, decisionRules, decisionTuple, decisionVerdict, linuxDecide, linuxTuple,
  linuxVerdict, parseKeymap, type KernelProfile,
} from '../oracles/index.ts';
import { ipv4Checksum } from '../oracles/linux/ipv4.ts';
import { RULE_IDS } from '../spec/rules.ts';
import { VECTORS, vectorBytes } from '../spec/vectors.ts';
import { formatIPv4, formatIPv6 } from '../spec/address.ts';
import type { KeymapEntry, Tuple } from '../spec/contract.ts';
import { encodeCase, greCase } from '../generators/index.ts';

const PROFILES: readonly KernelProfile[] = ['ipv4-only', 'ipv6-invalid', 'current'];

// One Decision for the whole file, as a loop over many datagrams uses it.
const reused = new Decision();

function dedup<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** linuxDecide (fast, reused) and linuxVerdict agree on one datagram under every profile. */
function agreeOn(packet: Uint8Array, keymap: readonly KeymapEntry[]): void {
  const parsed = parseKeymap(keymap);
  for (const profile of PROFILES) {
    const v = linuxVerdict(packet, { keymap }, { profile });
    const d = linuxDecide(packet, parsed, reused, { profile });
    expect(OUTCOMES[d.outcome], profile).toBe(v.outcome);
    expect(RULE_IDS[d.decidedBy], profile).toBe(v.decidedBy);
    expect(decisionRules(d), profile).toEqual(dedup(v.rules));
    expect(d.hasTuple).toBe(v.tuple !== null);
    expect(decisionTuple(d), profile).toEqual(v.tuple);
    expect(d.family === 0 ? undefined : d.family).toBe(v.family);
    expect(d.seenLength).toBe(v.seenLength);
    expect(d.dataoff < 0 ? undefined : d.dataoff).toBe(v.dataoff);
    expect(d.l4proto < 0 ? undefined : d.l4proto).toBe(v.l4proto);
    expect(d.reason).toBe('');
    expect(decisionAgrees(d, v.tuple)).toBe(true);
    expect(decisionAgrees(d, null)).toBe(v.tuple === null);
    if (v.tuple) expect(decisionAgrees(d, { ...v.tuple, dstkey: v.tuple.dstkey ^ 1 })).toBe(false);
    expect(linuxTuple(packet, { keymap }, { profile })).toEqual(v.tuple);
    // Explaining, the same core gives linuxVerdict's Verdict itself.
    expect(decisionVerdict(linuxDecide(packet, parsed, new Decision(true), { profile }))).toStrictEqual(v);
  }
}

/** Every field a caller can read, the tuple as text (a reassembled copy lives in scratch). */
function observable(d: Decision): unknown {
  return {
    outcome: d.outcome, decidedBy: d.decidedBy, ruleMask: d.ruleMask, rules: [...d.ruleOrder.subarray(0, d.ruleCount)],
    trail: [...d.trail], reason: d.reason, family: d.family, seenLength: d.seenLength, dataoff: d.dataoff,
    l4proto: d.l4proto, hasTuple: d.hasTuple, proto: d.proto, srckey: d.srckey, dstkey: d.dstkey,
    srcOff: d.srcOff, dstOff: d.dstOff, alen: d.alen, tuple: decisionTuple(d),
  };
}

/** Deciding `b` after `a` in one Decision gives what a fresh Decision gives for `b`. */
function noCarryOver(a: Uint8Array, ka: readonly KeymapEntry[], b: Uint8Array, kb: readonly KeymapEntry[], explain: boolean): void {
  const d = new Decision(explain);
  linuxDecide(a, parseKeymap(ka), d);
  linuxDecide(b, parseKeymap(kb), d);
  expect(observable(d)).toEqual(observable(linuxDecide(b, parseKeymap(kb), new Decision(explain))));
}

// ---------------------------------------------------------------------------------------------
// Datagrams: hand-made, generated, and raw.

const A = [192, 0, 2, 1], B = [192, 0, 2, 2];

/** IPv4 GRE v1 PPP from A to B with call id `callId`, checksum set. */
function pptpV4(callId: number): Uint8Array {
  const p = new Uint8Array([
    0x45, 0, 0, 32, 0x12, 0x34, 0, 0, 64, 47, 0, 0, ...A, ...B,
    0x30, 0x01, 0x88, 0x0b, 0, 0, callId >> 8, callId & 0xff, 0, 0, 0, 1,
  ]);
  const c = ipv4Checksum(p, 20);
  p[10] = c >> 8;
  p[11] = c & 0xff;
  return p;
}

const KEYED: readonly KeymapEntry[] = [
  { src: '192.0.2.1', dst: '192.0.2.2', dstkey: 0x0b0b, srckey: 0x0a0a },
  { src: '192.0.2.1', dst: '192.0.2.2', dstkey: 0x0b0b, srckey: 0x0c0c },
];

/** Keymaps built from a datagram's own addresses, so that raw bytes reach the lookup too. */
function keymapFor(p: Uint8Array, n: number, callId: number, swap: boolean): KeymapEntry[] {
  if (p.length < 40) return [];
  const v6 = p[0]! >> 4 === 6;
  const s = v6 ? formatIPv6(p, 8) : formatIPv4(p, 12);
  const t = v6 ? formatIPv6(p, 24) : formatIPv4(p, 16);
  return Array.from({ length: n }, (_, i) => ({ src: swap ? t : s, dst: swap ? s : t, dstkey: callId, srckey: 0x100 + i }));
}

const generated = greCase().map((c) => encodeCase(c));

/** Raw bytes, mostly with an IP version nibble of 4 or 6 (an IPv4 checksum fixed half the time). */
const raw = fc.tuple(fc.uint8Array({ maxLength: 160 }), fc.constantFrom(0x40, 0x60, -1), fc.boolean()).map(([bytes, v, fix]) => {
  const p = Uint8Array.from(bytes);
  if (p.length > 0 && v >= 0) p[0] = v | (p[0]! & 0x0f);
  if (fix && p.length >= 20 && p[0]! >> 4 === 4) {
    const hlen = (p[0]! & 0x0f) * 4;
    if (hlen >= 20 && hlen <= p.length) {
      const c = ipv4Checksum(p, hlen);
      p[10] = c >> 8;
      p[11] = c & 0xff;
    }
  }
  return p;
});

/** A generated datagram with a few bytes overwritten, with or without a keymap of its own addresses. */
const mutated = fc.tuple(generated, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat({ max: 3 }), fc.boolean())
  .map(([{ packet, keymap }, edits, n, swap]) => {
    const p = Uint8Array.from(packet);
    for (const [at, v] of edits) if (p.length > 0) p[at % p.length] = v;
    const callId = p.length >= 48 ? (p[p[0]! >> 4 === 6 ? 46 : 26]! << 8) | p[p[0]! >> 4 === 6 ? 47 : 27]! : 0;
    return { packet: p, keymap: n === 0 ? keymap : keymapFor(p, n, callId, swap) };
  });

const anyCase = fc.oneof(
  generated,
  raw.map((packet) => ({ packet, keymap: [] as KeymapEntry[] })),
  mutated,
);

// ---------------------------------------------------------------------------------------------

describe('linuxDecide agrees with linuxVerdict', () => {
  it('on every spec vector, under every profile', () => {
    for (const v of VECTORS) agreeOn(vectorBytes(v), v.keymap ?? []);
  });

  it('on generated cases (greCase + encodeCase)', () => {
    fc.assert(fc.property(generated, ({ packet, keymap }) => agreeOn(packet, keymap)), { numRuns: 1500 });
  });

  it('on raw random bytes', () => {
    fc.assert(fc.property(raw, (packet) => agreeOn(packet, [])), { numRuns: 3000 });
  });

  it('on mutated generated cases with keymaps of their own addresses', () => {
    fc.assert(fc.property(mutated, ({ packet, keymap }) => agreeOn(packet, keymap)), { numRuns: 1500 });
  });
});

describe('a reused Decision carries nothing over', () => {
  it('a keyed v1 datagram, then a short one', () => {
    const keyed = pptpV4(0x0b0b);
    const d = linuxDecide(keyed, parseKeymap(KEYED), new Decision(true));
    expect(decisionTuple(d)).toEqual({ src: '192.0.2.1', dst: '192.0.2.2', proto: 47, srckey: 0x0a0a, dstkey: 0x0b0b } satisfies Tuple);
    expect(RULE_IDS[d.decidedBy]).toBe('KM-3');
    for (const short of [new Uint8Array(0), Uint8Array.of(0x45), keyed.subarray(0, 19), Uint8Array.of(0x60, 0, 0, 0)]) {
      for (const explain of [false, true]) noCarryOver(keyed, KEYED, short, [], explain);
    }
    const s = linuxDecide(keyed.subarray(0, 10), [], d);
    expect(s.hasTuple).toBe(false);
    expect(s.srckey).toBe(0);
    expect(s.dstkey).toBe(0);
    expect(s.dataoff).toBe(-1);
    expect(decisionRules(s)).toEqual(['L3-2']);
    expect(s.trail).toEqual([RULE_IDS.indexOf('L3-2')]);
  });

  it('an IPv6 atomic fragment (reassembled into scratch), then a plain datagram', () => {
    const atomic = VECTORS.find((v) => v.id === 'ipv6-atomic-fragment-after-256-bytes-wraps-nhoff')!;
    const plain = VECTORS.find((v) => v.id === 'keymap-ipv6-never-matches-ipv4-entry')!;
    noCarryOver(vectorBytes(atomic), [], vectorBytes(plain), plain.keymap ?? [], false);
    noCarryOver(vectorBytes(plain), plain.keymap ?? [], vectorBytes(atomic), [], true);
  });

  it('for any two datagrams, explaining or not', () => {
    fc.assert(fc.property(anyCase, anyCase, fc.boolean(), (a, b, explain) => {
      noCarryOver(a.packet, a.keymap, b.packet, b.keymap, explain);
    }), { numRuns: 1500 });
  });
});
