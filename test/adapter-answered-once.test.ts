// Shrinking asks the implementation about each datagram once (runner/adapters/answered-once.ts):
// repeats, within a batch or across batches, are answered from memory, in order; the same
// datagram with another keymap is another question; and a whole shrink sends no datagram twice.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { Answer, KeymapEntry, ToTuple } from '../spec/contract.ts';
import type { Adapter, CaseRequest } from '../runner/adapters/types.ts';
import { AnsweredOnce } from '../runner/adapters/answered-once.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import { RequestIds } from '../runner/suite.ts';
import { shrinkFailure } from '../runner/shrink.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { linuxVerdict } from '../oracles/index.ts';
import { parseCase } from '../generators/index.ts';

/** An implementation that records what it is asked and answers with the packet's first byte as dstkey. */
function recording(inner?: Adapter): Adapter & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    description: 'recording', asked,
    async answer(batch: readonly CaseRequest[]): Promise<Answer[]> {
      for (const r of batch) asked.push(Buffer.from(r.packet).toString('hex') + ' ' + JSON.stringify(r.keymap));
      if (inner) return inner.answer(batch);
      return batch.map((r) => ({ src: '192.0.2.1', dst: '192.0.2.2', proto: 47, srckey: r.keymap.length, dstkey: r.packet[0]! }));
    },
    async close() {},
  };
}

const ids = new RequestIds();
const req = (bytes: number[], keymap: KeymapEntry[] = []) => ids.request(Uint8Array.from(bytes), keymap);
const ENTRY: KeymapEntry = { src: '192.0.2.1', dst: '192.0.2.2', dstkey: 1, srckey: 2 };

describe('answered once', () => {
  it('asks each datagram once, within a batch and across batches, and answers every request in order', async () => {
    const impl = recording();
    const a = new AnsweredOnce(impl);
    const first = await a.answer([req([1]), req([2]), req([1])]);
    expect(first.map((x) => x?.dstkey)).toEqual([1, 2, 1]);
    const second = await a.answer([req([2]), req([3]), req([1])]);
    expect(second.map((x) => x?.dstkey)).toEqual([2, 3, 1]);
    expect(impl.asked).toEqual(['01 []', '02 []', '03 []']);
    expect(a.asked).toBe(3);
  });

  it('takes the same datagram with another keymap for another question', async () => {
    const impl = recording();
    const a = new AnsweredOnce(impl);
    const answers = await a.answer([req([1]), req([1], [ENTRY]), req([1], [ENTRY])]);
    expect(answers.map((x) => x?.srckey)).toEqual([0, 1, 1]);
    expect(impl.asked).toHaveLength(2);
  });

  it('a whole shrink, candidates and blame probes, sends no datagram twice and counts what it sent', async () => {
    // Reads GRE at byte 20 whatever the IHL says (L3-4), from a 32-byte datagram with options.
    const { toTuple } = (await import(new URL('./fixtures/wrong/l3-4-fixed-ipv4-header.mjs', import.meta.url).href)) as { toTuple: ToTuple };
    const impl = recording(inProcessAdapter(toTuple));
    const start = parseCase(Uint8Array.from(Buffer.from('4600002000000000402ff4acc0000201c0000201010000002001880b00000001', 'hex')));
    const s = await shrinkFailure(impl, new RequestIds(), defaultSpace, linuxVerdict, new fc.Value(start, undefined), 'L3-4', 2000);
    expect(s).toBeDefined();
    expect(impl.asked.length).toBeGreaterThan(10);
    expect(new Set(impl.asked).size).toBe(impl.asked.length);
    expect(s!.evaluations).toBe(impl.asked.length);
  });
});
