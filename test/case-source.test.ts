// Generated cases drawn in worker threads are the cases drawn in the suite's thread: same
// packets, same keymaps, same verdicts; and a worker that fails says which cases it was drawing.
import { describe, expect, it } from 'vitest';
import { inThreadSource, workerSource } from '../runner/case-source.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { runSuite } from '../runner/suite.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import { throwingSpace } from './fixtures/spaces/throwing-space.ts';
import type { ToTuple } from '../spec/contract.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('case sources', () => {
  it('worker threads hand out the same cases, in index order, as this thread', async () => {
    const here = inThreadSource(defaultSpace, 77, 300);
    const there = await workerSource(defaultSpace, 77, { workers: 2, chunkSize: 300 });
    try {
      for (let k = 0; k < 4; k++) {
        const a = await here.next(), b = await there.next();
        expect(b.start).toBe(a.start);
        expect(b.packets.map(hex)).toEqual(a.packets.map(hex));
        expect(b.keymaps).toEqual(a.keymaps);
      }
    } finally {
      await there.close();
    }
  });

  it('a run with generation workers reports what a run without them reports', async () => {
    const { toTuple }: { toTuple: ToTuple } = await import(new URL('../examples/js/buggy.mjs', import.meta.url).href);
    const run = (generationWorkers: number) => runSuite(inProcessAdapter(toTuple), defaultSpace, {
      seed: 4242, runs: 3000, replayCommand: (id) => id, generationWorkers,
    });
    const [a, b] = [await run(0), await run(1)];
    expect(a.totals.failures).toBeGreaterThan(0);
    expect(b.totals).toEqual(a.totals);
    expect(b.rows).toEqual(a.rows);
    expect(b.counterexamples.map((c) => [c.rule, c.caseId, c.packet])).toEqual(a.counterexamples.map((c) => [c.rule, c.caseId, c.packet]));
  });

  it('a failing generator is reported with the cases it was drawing', async () => {
    const src = await workerSource(throwingSpace, 3, { workers: 1, chunkSize: 64 });
    try {
      await expect(src.next()).rejects.toThrow(/generating cases 3:0\.\.63: .*cannot write 7/s);
    } finally {
      await src.close();
    }
  });

  it('a space a worker cannot load is refused with its name', async () => {
    const broken = { ...throwingSpace, workerModule: { url: throwingSpace.workerModule!.url, exportName: 'noSuchSpace' } };
    await expect(workerSource(broken, 3, { workers: 1 })).rejects.toThrow(/no case space named noSuchSpace/);
  });
});

describe('how many generation workers by default', () => {
  it('none on two CPUs or for short runs; CPUs beyond two for long runs and fuzzing', async () => {
    const { defaultGenerationWorkers } = await import('../runner/case-source.ts');
    expect(defaultGenerationWorkers(10_000_000, true, 2)).toBe(0);
    expect(defaultGenerationWorkers(100_000, false, 16)).toBe(0);
    expect(defaultGenerationWorkers(1_000_000, false, 3)).toBe(1);
    expect(defaultGenerationWorkers(100, true, 4)).toBe(2);
    expect(defaultGenerationWorkers(1_000_000, false, 64)).toBe(4);
  });
});
