import fc from 'fast-check';
import { runSuite } from '../../runner/suite.ts';
import { inProcessAdapter } from '../../runner/in-process.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { vectorCases } from '../../spec/vectors.ts';
import { toTuple } from '../../examples/js/correct.mjs';
const N = Number(process.argv[2] ?? 100000);
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  fc.assert(fc.property(defaultSpace.arbitrary, () => true), { numRuns: N, seed: r });
  const a = performance.now() - t;
  t = performance.now();
  const rep = await runSuite(inProcessAdapter(toTuple), defaultSpace, { seed: r, runs: N, vectors: vectorCases(), replayCommand: (id) => id });
  const b = performance.now() - t;
  console.log('fc.assert', (N / a * 1000) | 0, 'suite', (N / b * 1000) | 0, rep.totals);
}
