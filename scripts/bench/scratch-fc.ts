import fc from 'fast-check';
import { greCase, encodeCase } from '../../generators/index.ts';
import { generateCase } from '../../runner/case-id.ts';
const N = Number(process.argv[2] ?? 100000);
const arb = greCase();
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  fc.assert(fc.property(arb, () => true), { numRuns: N, seed: r });
  const a = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < N; i++) generateCase(arb, r, i);
  const b = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < N; i++) encodeCase(generateCase(arb, r, i).value);
  const c = performance.now() - t;
  console.log('fc.assert', (N / a * 1000) | 0, 'generateCase', (N / b * 1000) | 0, 'gen+encode', (N / c * 1000) | 0);
}
