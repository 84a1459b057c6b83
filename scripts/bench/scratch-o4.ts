import { greCase, encodeCase } from '../../generators/index.ts';
import { generateCase } from '../../runner/case-id.ts';
import { linuxVerdict } from '../../oracles/index.ts';
const N = Number(process.argv[2] ?? 100000);
const R = Number(process.argv[3] ?? 20);
const arb = greCase();
const pk: Uint8Array[] = [], km: any[] = [];
for (let i = 0; i < N; i++) { const v = generateCase(arb, 1, i); const e = encodeCase(v.value); pk.push(e.packet); km.push({ keymap: e.keymap }); }
if (process.argv[4] === 'pack') { let tot = 0; for (const p of pk) tot += p.length; const big = new Uint8Array(tot); let o = 0; for (let i = 0; i < N; i++) { big.set(pk[i]!, o); pk[i] = big.subarray(o, o + pk[i]!.length); o += pk[i]!.length; } }
for (let round = 0; round < 3; round++) {
  const t1 = performance.now();
  let x = 0;
  for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) { const v = linuxVerdict(pk[i]!, km[i]); x += v.seenLength; }
  console.log('oracle', (N * R / (performance.now() - t1) * 1000) | 0);
}
