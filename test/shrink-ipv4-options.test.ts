// Shrinking IPv4 options towards NOPs (smallerCases): the move that lets an implementation reading
// GRE at byte 20 whatever the IHL says (L3-4) shrink from the 32-byte local minimum, where the
// kernel reads a v1 call id at IHL*4 = 24 that the bug misses, to the 28-byte smallest datagram,
// where option bytes that read as a v1 header (NOP NOP) fool the bug and the kernel tracks 4
// bytes of GRE. And the move does not go round with the options' own shrinks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeCase, greCase, parseCase, type GreCase, type Ipv4Header, type Ipv4Option } from '../generators/index.ts';
import { caseSize, smallerCases } from '../generators/_internals/smallerCases.ts';
import { linuxVerdict } from '../oracles/index.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import { shrinkFailure } from '../runner/shrink.ts';
import { RequestIds } from '../runner/suite.ts';
import type { ToTuple } from '../spec/contract.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytesOf = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

/** IHL 6, options 01 00 00 00 (or 00 00 00 00), GRE v1 K proto 0x880b call 1: where L3-4 used to stop. */
const LONE_NOP = '4600002000000000402ff4acc0000201c0000201010000002001880b00000001';
const ZEROS = '4600002000000000402fb7aec000020100000000000000002001880b00000001';

const NOP: Ipv4Option = { kind: 'nop' };
const L3_4 = new URL('./fixtures/wrong/l3-4-fixed-ipv4-header.mjs', import.meta.url).href;

/** The parsed packet, with the options given (a generated case's [NOP] is one option and 3 bytes of EOL padding). */
function caseOf(packet: string, options?: Ipv4Option[]): GreCase {
  const c = parseCase(bytesOf(packet));
  return options ? { ...c, ip: { ...(c.ip as Ipv4Header), options } } : c;
}

const optionsOf = (c: GreCase) => (c.ip as Ipv4Header).options;

describe('IPv4 options made NOPs', () => {
  it.each([
    ['one NOP padded with EOLs (as generated)', LONE_NOP, [NOP]],
    ['EOLs (as parsed)', ZEROS, undefined],
  ] as const)('L3-4 shrinks from 32 bytes to the 28-byte smallest: %s', async (_what, packet, options) => {
    const { toTuple } = (await import(L3_4)) as { toTuple: ToTuple };
    const start = caseOf(packet, options && [...options]);
    expect(hex(encodeCase(start).packet)).toBe(packet);
    const s = await shrinkFailure(inProcessAdapter(toTuple), new RequestIds(), defaultSpace, linuxVerdict, new fc.Value(start, undefined), 'L3-4', 2000);
    expect(s).toBeDefined();
    const shrunk = encodeCase(s!.value.value).packet;
    expect(s!.blamed.rule).toBe('L3-4');
    expect(shrunk.length, hex(shrunk)).toBe(28);
    // A 24-byte header whose options read as GRE version 1 at byte 20.
    expect(shrunk[0]).toBe(0x46);
    expect(shrunk[21]! & 7).toBe(1);
  });

  it('a lone NOP padded with EOLs: offered with a cut (smaller), not on its own (same size)', () => {
    const c = caseOf(LONE_NOP, [NOP]);
    const moves = [...smallerCases(c)];
    const nops = moves.filter((m) => optionsOf(m).length === 4);
    expect(nops.length).toBeGreaterThan(0);
    for (const m of nops) {
      expect(optionsOf(m)).toEqual([NOP, NOP, NOP, NOP]);
      expect(caseSize(m)).toBeLessThan(caseSize(c));
    }
    expect(nops.map((m) => m.truncate?.keep)).toContain(4);
  });

  it('options other than NOPs: also offered on their own, the header as long', () => {
    const c = caseOf(ZEROS);
    const same = [...smallerCases(c)].filter((m) => caseSize(m) === caseSize(c) && optionsOf(m) !== optionsOf(c));
    expect(same.map(optionsOf)).toEqual([[NOP, NOP, NOP, NOP]]);
    const p = encodeCase(same[0]!).packet;
    expect(hex(p.subarray(20))).toBe('01010101' + ZEROS.slice(48));
  });

  it('NOPs offered on their own are not undone: no shrink of the same size brings back another option', () => {
    const arb = greCase();
    const filled = caseOf(ZEROS, [NOP, NOP, NOP, NOP]);
    const size = caseSize(filled);
    for (const s of arb.shrink(filled, undefined)) {
      if (caseSize(s.value) < size) continue;
      expect(optionsOf(s.value).every((o) => o.kind === 'nop')).toBe(true);
      // Nor does a move put NOPs back where a shrink took one away (shrinking would go round).
      for (const m of smallerCases(s.value)) {
        if (caseSize(m) === size) expect(optionsOf(m)).toBe(optionsOf(s.value));
      }
    }
  });
});
