import fc from 'fast-check';
import { greCase, encodeCase } from '../../generators/index.ts';
import { linuxVerdict } from '../../oracles/index.ts';
import { generateCase } from '../../runner/case-id.ts';
const N = Number(process.argv[2] ?? 200000);
const arb = greCase();
let t0 = performance.now();
const pk: Uint8Array[] = [], km: any[] = [];
for (let i = 0; i < N; i++) { const v = generateCase(arb, 1, i); const e = encodeCase(v.value); pk.push(e.packet); km.push({ keymap: e.keymap }); }
console.log('gen', (N / (performance.now() - t0) * 1000) | 0, '/s');
for (let r = 0; r < 5; r++) {
  t0 = performance.now();
  let x = 0;
  for (let i = 0; i < N; i++) { const v = linuxVerdict(pk[i]!, km[i]); x += v.seenLength; }
  console.log('oracle', (N / (performance.now() - t0) * 1000) | 0, '/s', x);
}
