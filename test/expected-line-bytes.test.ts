// corpus generate writes its expected lines as bytes (corpus-tools/expected-line-bytes.ts); they
// must be exactly formatExpectedLine's text, or a generated file would read differently from a
// pinned or saved one.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatExpectedLine, type ExpectedLine } from '../corpus-tools/expected-file.ts';
import { ExpectedLineBytes, type ExpectedLineOfBytes } from '../corpus-tools/expected-line-bytes.ts';
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
