// Case ids: `seed:index`, the shrink path (a step repeated n times written `pxn`), and the
// fingerprint of the generators that drew them (`@generators`), measured from what the generators
// draw, encode and shrink; replaying an id under other generators is refused instead of running
// another packet.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatCaseId, parseCaseId } from '../runner/case-id.ts';
import { generatorsFingerprint } from '../runner/generators-fingerprint.ts';
import { caseOfId, CaseIdError } from '../runner/case-of-id.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { greCase, encodeCase } from '../generators/index.ts';

const byte = fc.integer({ min: 0, max: 255 });
const encodeByte = (n: number) => ({ packet: Uint8Array.of(n), keymap: [] });

/** Draws exactly what `inner` draws, but offers no shrink. */
class NoShrink<T> extends fc.Arbitrary<T> {
  constructor(private readonly inner: fc.Arbitrary<T>) { super(); }
  generate(mrng: fc.Random, bias: number | undefined): fc.Value<T> { return new fc.Value(this.inner.generate(mrng, bias).value, undefined); }
  canShrinkWithoutContext(v: unknown): v is T { return this.inner.canShrinkWithoutContext(v); }
  shrink(): fc.Stream<fc.Value<T>> { return fc.Stream.nil(); }
}

describe('case ids', () => {
  it('read back as they were written, with or without the fingerprint', () => {
    for (const ref of [{ seed: 42, index: 7, path: [] }, { seed: -3, index: 0, path: [1, 0, 4] }, { seed: 1, index: 2, path: [3], generators: '0a1b2c3d' }]) {
      expect(parseCaseId(formatCaseId(ref))).toEqual(ref);
    }
    expect(formatCaseId({ seed: 1, index: 2, path: [3], generators: '0a1b2c3d' })).toBe('1:2:3@0a1b2c3d');
    fc.assert(fc.property(
      fc.record({ seed: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), index: fc.nat(), path: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 }) }),
      fc.option(fc.stringMatching(/^[0-9a-f]{8}$/), { nil: undefined }),
      (ref, generators) => {
        const r = generators === undefined ? ref : { ...ref, generators };
        expect(parseCaseId(formatCaseId(r))).toEqual(r);
      },
    ));
    for (const bad of ['1:2:3x0', '1:2:x3', '1:2:3x', '1:2:3x2000000', '1:-2', '1:2:-1', '1:2@', '1:2@0a1b2c3', '1:2@0A1B2C3D', '1:2@0a1b2c3d@0a1b2c3d', '1@0a1b2c3d', '@0a1b2c3d']) expect(parseCaseId(bad), bad).toBeUndefined();
  });

  it('write a shrink step repeated 3 or more times as pxn, and read the long form as the same case', () => {
    const path = [6, 6, 6, 6, 6, 8, 8, 7, 7, 7, 2];
    expect(formatCaseId({ seed: 1, index: 7, path })).toBe('1:7:6x5:8:8:7x3:2');
    expect(parseCaseId(`1:7:${path.join(':')}`)).toEqual({ seed: 1, index: 7, path });
  });

  it('end in the generators\' fingerprint: 8 hex digits, the same for the same generators built twice', () => {
    const fp = generatorsFingerprint(defaultSpace);
    expect(fp).toMatch(/^[0-9a-f]{8}$/);
    expect(generatorsFingerprint({ arbitrary: greCase(), encode: encodeCase })).toBe(fp);
  });

  it('get another fingerprint when what is drawn, how it is encoded, or how it shrinks changes', () => {
    const base = generatorsFingerprint({ arbitrary: byte, encode: encodeByte });
    expect(generatorsFingerprint({ arbitrary: fc.integer({ min: 0, max: 254 }), encode: encodeByte })).not.toBe(base);
    expect(generatorsFingerprint({ arbitrary: byte, encode: (n: number) => encodeByte(255 - n) })).not.toBe(base);
    expect(generatorsFingerprint({ arbitrary: new NoShrink(byte), encode: encodeByte })).not.toBe(base);
    expect(generatorsFingerprint({ arbitrary: greCase({ v0Weight: 8 }), encode: encodeCase })).not.toBe(generatorsFingerprint(defaultSpace));
  });

  it('are checked on replay: the same generators replay the case, others are refused with both fingerprints named', () => {
    const fp = generatorsFingerprint(defaultSpace);
    const plain = caseOfId(defaultSpace, '5:17');
    const checked = caseOfId(defaultSpace, `5:17@${fp}`);
    expect(checked.packet).toEqual(plain.packet);
    expect(checked.ref).toEqual({ seed: 5, index: 17, path: [], generators: fp });
    const other = fp === '00000000' ? '00000001' : '00000000';
    expect(() => caseOfId(defaultSpace, `5:17@${other}`)).toThrow(CaseIdError);
    expect(() => caseOfId(defaultSpace, `5:17@${other}`)).toThrow(`case 5:17@${other} was drawn by generators ${other}, these are ${fp}`);
    expect(() => caseOfId(defaultSpace, 'nonsense')).toThrow(/is not a case id/);
  });
});
