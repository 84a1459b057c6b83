// corpus generate writes its expected lines as bytes (corpus-tools/expected-line-bytes.ts); they
// must be exactly formatExpectedLine's text, or a generated file would read differently from a
// pinned or saved one.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatExpectedLine, type ExpectedLine } from '../corpus-tools/expected-file.ts';
import { CaseIdBytes, DescriptionBytes, ExpectedLineBytes, type ExpectedLineOfBytes } from '../corpus-tools/expected-line-bytes.ts';
import { generatorsFingerprint } from '../runner/generators-fingerprint.ts';
import { generateChunk } from '../corpus-tools/generate-chunk.ts';
import type { CaseSpace } from '../runner/case-space.ts';
import type { GreCase } from '../generators/index.ts';
import { drawCase, formatCaseId } from '../runner/case-id.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { Decision, decisionRules, decisionTuple, linuxDecide, OUTCOMES, parseKeymap } from '../oracles/index.ts';
import { RULE_IDS } from '../spec/rules.ts';
import { toHex } from '../runner/hex.ts';

const asText = (l: ExpectedLineOfBytes): string => formatExpectedLine({ ...l, packet: toHex(l.packet) } as ExpectedLine) + '\n';

function bytesOf(lines: ExpectedLineOfBytes[], capacity?: number): string {
  const w = new ExpectedLineBytes(capacity);
  for (const l of lines) w.add(l);
  return new TextDecoder().decode(w.finish());
}

describe('expected lines written as bytes', () => {
  it('equal formatExpectedLine on 3,000 generated cases', () => {
    const d = new Decision();
    const lines: ExpectedLineOfBytes[] = [];
    for (let index = 0; index < 3000; index++) {
      const { packet, keymap, description } = defaultSpace.encodeDescribed!(drawCase(defaultSpace.arbitrary, 11, index));
      linuxDecide(packet, parseKeymap(keymap), d);
      lines.push({
        index, caseId: formatCaseId({ seed: 11, index, path: [], generators: 'feedf00d' }), packet, keymap,
        expected: decisionTuple(d), outcome: OUTCOMES[d.outcome]!, rules: decisionRules(d), decidedBy: RULE_IDS[d.decidedBy]!, description,
      });
    }
    // A small first buffer, so that it grows many times on the way.
    expect(bytesOf(lines, 64)).toBe(lines.map(asText).join(''));
  });

  it("addDecided (corpus generate's line, from the Decision) equals formatExpectedLine, IPv6 address forms and no-tuple answers included", () => {
    const d = new Decision();
    const fast = new ExpectedLineBytes(64);
    const expected: string[] = [];
    let ipv6 = 0, noTuple = 0, viaBytes = 0;
    const sink = new DescriptionBytes();
    // IPv6 sources the default space rarely draws: IPv4-mapped (dotted), zero runs to compress,
    // words at each count of hex digits' edge (100:10:1000:1::ffff:fff).
    const sources = [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], new Array(16).fill(0),
      [1, 0, 0, 0x10, 0x10, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0x0f, 0xff]];
    for (let index = 0; index < 3000; index++) {
      const e = defaultSpace.encodeDescribed!(drawCase(defaultSpace.arbitrary, 12, index));
      const packet = e.packet.slice();
      if (packet[0]! >> 4 === 6 && packet.length >= 24 && index % 4 === 0) packet.set(sources[(index >> 2) % sources.length]!, 8);
      linuxDecide(packet, parseKeymap(e.keymap), d);
      if (d.hasTuple && d.alen === 16) ipv6++;
      if (!d.hasTuple) noTuple++;
      const caseId = formatCaseId({ seed: 12, index, path: [], generators: 'feedf00d' });
      const description = index % 10 === 0 ? undefined : index % 10 === 1 ? `${e.description} "quoted" é` : e.description;
      // Every third line's description is given as bytes, written by the generators' describer.
      if (index % 3 === 0 && description === e.description) {
        sink.reset();
        defaultSpace.encodeDescribedInto!(drawCase(defaultSpace.arbitrary, 12, index), sink);
        fast.addDecided(index, caseId, packet, e.keymap, d, sink);
        viaBytes++;
      } else fast.addDecided(index, caseId, packet, e.keymap, d, description);
      expected.push(asText({
        index, caseId, packet, keymap: e.keymap, expected: decisionTuple(d), outcome: OUTCOMES[d.outcome]!, rules: decisionRules(d),
        decidedBy: RULE_IDS[d.decidedBy]!, ...(description === undefined ? {} : { description }),
      }));
    }
    expect(ipv6).toBeGreaterThan(300);
    expect(noTuple).toBeGreaterThan(100);
    expect(viaBytes).toBeGreaterThan(700);
    expect(new TextDecoder().decode(fast.finish())).toBe(expected.join(''));
  });

  it('a description written as bytes says when JSON would escape it, writes numbers as String() does, and grows', () => {
    const sink = new DescriptionBytes();
    const text = () => new TextDecoder().decode(sink.bytes.subarray(0, sink.length));
    for (const n of [0, 7, 10, 65535, 4294967295, 2 ** 53 - 1, -1, 0.5, 2 ** 53, -0]) {
      sink.reset();
      sink.num(n);
      expect(text()).toBe(String(n));
    }
    sink.reset();
    sink.text('GRE v1 | 12B PPP payload (is 40)');
    expect(sink.plain).toBe(true);
    for (const bad of ['"', '\\', '\n', '\u007f', 'é']) {
      sink.reset();
      sink.text(`ok ${bad}`);
      expect(sink.plain, JSON.stringify(bad)).toBe(false);
    }
    sink.reset();
    for (let i = 0; i < 300; i++) { sink.text('abc '); sink.num(i); }
    expect(text()).toBe(Array.from({ length: 300 }, (_, i) => `abc ${i}`).join(''));
    sink.reset();
    sink.text('"');
    expect(() => new ExpectedLineBytes().addDecided(0, '1:0', new Uint8Array(20), [], new Decision(), sink)).toThrow(/given as a string/);
  });

  it("the generators' parsed keymap (used instead of parseKeymap by generateChunk) is parseKeymap's, byte for byte", () => {
    const sink = new DescriptionBytes();
    let withKeymap = 0;
    for (let index = 0; index < 4000; index++) {
      sink.reset();
      const e = defaultSpace.encodeDescribedInto!(drawCase(defaultSpace.arbitrary, 13, index), sink);
      const parsed = parseKeymap(e.keymap);
      expect(e.parsedKeymap!.map((x) => ({ ...x, src: [...x.src], dst: [...x.dst] })), `case 13:${index}`)
        .toEqual(parsed.map((x) => ({ ...x, src: [...x.src], dst: [...x.dst] })));
      if (e.keymap.length > 0) withKeymap++;
    }
    expect(withKeymap).toBeGreaterThan(600);
  });

  it("generateChunk writes into shared buffers, into those of a chunk already written when they are big enough, with the same bytes", () => {
    const fresh = generateChunk(3, 500, 40, {}, defaultSpace);
    expect(fresh.records.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(fresh.lines.buffer).toBeInstanceOf(SharedArrayBuffer);
    // A chunk written before, its old bytes still in the buffers.
    const old = generateChunk(9, 0, 60, {}, defaultSpace);
    const reuse = { records: old.records.bytes.buffer as SharedArrayBuffer, lines: old.lines.buffer as SharedArrayBuffer };
    const again = generateChunk(3, 500, 40, {}, defaultSpace, reuse);
    expect(again.records.bytes.buffer).toBe(reuse.records);
    expect(again.lines.buffer).toBe(reuse.lines);
    expect(Buffer.from(again.records.bytes).equals(Buffer.from(fresh.records.bytes))).toBe(true);
    expect(Buffer.from(again.lines).equals(Buffer.from(fresh.lines))).toBe(true);
    // Too small for 40 cases: new buffers, the small ones untouched.
    const small = { records: new SharedArrayBuffer(16), lines: new SharedArrayBuffer(16) };
    const bigger = generateChunk(3, 500, 40, {}, defaultSpace, small);
    expect(bigger.records.bytes.buffer).not.toBe(small.records);
    expect(bigger.lines.buffer).not.toBe(small.lines);
    expect(new Uint8Array(small.lines).every((b) => b === 0)).toBe(true);
    expect(Buffer.from(bigger.lines).equals(Buffer.from(fresh.lines))).toBe(true);
  });

  it("generateChunk's case ids are formatCaseId's, negative seeds and indexes across a power of ten included; CaseIdBytes refuses text JSON escapes", () => {
    const generators = generatorsFingerprint(defaultSpace);
    for (const [seed, start] of [[-7, 999_995], [2 ** 31 - 1, 0], [0, 95]] as const) {
      const ids = new TextDecoder().decode(generateChunk(seed, start, 10, {}, defaultSpace).lines).trimEnd().split('\n')
        .map((l) => (JSON.parse(l) as { caseId: string }).caseId);
      expect(ids).toEqual(Array.from({ length: 10 }, (_, k) => formatCaseId({ seed, index: start + k, path: [], generators })));
    }
    expect(() => new CaseIdBytes('1:', '@"x')).toThrow(/not text JSON copies/);
    expect(() => new CaseIdBytes('é:', '')).toThrow(/not text JSON copies/);
  });

  it('generateChunk writes the same lines whether the space describes into bytes or as a string, and takes the string when JSON must escape', () => {
    const { encodeDescribedInto: _, ...asString } = defaultSpace;
    const a = generateChunk(21, 0, 1500, {}, defaultSpace);
    const b = generateChunk(21, 0, 1500, {}, asString);
    expect(new TextDecoder().decode(a.lines)).toBe(new TextDecoder().decode(b.lines));
    // A space whose descriptions hold a quote and a non-ASCII letter: written as JSON.stringify would.
    const odd: CaseSpace<GreCase> = {
      ...defaultSpace,
      encodeDescribedInto: (c, out) => { const e = defaultSpace.encodeDescribedInto!(c, out); out.text(' "é"'); return e; },
      encodeDescribed: (c) => { const e = defaultSpace.encodeDescribed!(c); return { ...e, description: `${e.description} "é"` }; },
    };
    const lines = new TextDecoder().decode(generateChunk(21, 0, 300, {}, odd).lines).trimEnd().split('\n');
    expect(lines).toHaveLength(300);
    for (const l of lines) expect((JSON.parse(l) as { description: string }).description).toMatch(/ "é"$/);
  });

  it('equal formatExpectedLine with every optional field, text JSON must escape, and odd numbers', () => {
    // Characters JSON escapes or that are not ASCII, often; any code point now and then.
    const tricky = fc.constantFrom('a', '.', ':', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', 'é', '\u2028', '😀', '\ud800');
    const text = fc.oneof(fc.string({ unit: tricky, maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
    const num = fc.oneof(fc.nat(), fc.integer({ min: -1e6, max: -1 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(2 ** 53));
    const entry = fc.record({ src: text, dst: text, dstkey: num, srckey: num });
    const line = fc.record({
      index: num, offset: num, caseId: text, rule: fc.constant('GRE-5' as const), l2: text, packet: fc.uint8Array({ maxLength: 300 }),
      wireLength: num, keymap: fc.array(entry, { maxLength: 12 }),
      expected: fc.option(fc.record({ src: text, dst: text, proto: num, srckey: num, dstkey: num })),
      outcome: fc.constantFrom(...OUTCOMES, 'unknown' as const), rules: fc.array(fc.constantFrom(...RULE_IDS), { maxLength: 20 }),
      decidedBy: fc.constantFrom(...RULE_IDS), reason: text, description: fc.string({ unit: 'grapheme', maxLength: 200 }),
    }, { requiredKeys: ['index', 'packet', 'keymap', 'outcome', 'rules'] });
    fc.assert(fc.property(fc.array(line, { maxLength: 5 }), (ls) => {
      const lines = ls as ExpectedLineOfBytes[];
      expect(bytesOf(lines, 16)).toBe(lines.map(asText).join(''));
    }), { numRuns: 400, seed: 3 });
  });

  it('hands over its buffer, so the lines can be transferred without a copy', () => {
    const w = new ExpectedLineBytes(4096);
    w.add({ index: 0, packet: Uint8Array.of(0x45), keymap: [], outcome: 'invalid', rules: ['L3-2'] });
    const b = w.finish();
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(4096);
    expect(new TextDecoder().decode(b)).toBe('{"index":0,"packet":"45","keymap":[],"outcome":"invalid","rules":["L3-2"]}\n');
  });
});
