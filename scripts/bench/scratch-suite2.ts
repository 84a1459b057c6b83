import { runSuite } from '../../runner/suite.ts';
import { inProcessAdapter } from '../../runner/in-process.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { vectorCases } from '../../spec/vectors.ts';
import { toTuple } from '../../examples/js/correct.mjs';
const N = Number(process.argv[2] ?? 100000);
const t = performance.now();
const rep = await runSuite(inProcessAdapter(toTuple), defaultSpace, { seed: 1, runs: N, vectors: vectorCases(), replayCommand: (id) => id, batchSize: Number(process.argv[3] ?? 512) });
console.log('suite', (N / (performance.now() - t) * 1000) | 0);
