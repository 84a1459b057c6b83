import { greCase, encodeCase } from '../../generators/index.ts';
import { generateCase } from '../../runner/case-id.ts';
const N = Number(process.argv[2] ?? 100000);
const R = Number(process.argv[3] ?? 20);
const mods = process.argv.slice(4);
const arb = greCase();
const pk: Uint8Array[] = [], km: any[] = [];
for (let i = 0; i < N; i++) { const v = generateCase(arb, 1, i); const e = encodeCase(v.value); pk.push(e.packet); km.push({ keymap: e.keymap }); }
const fns = await Promise.all(mods.map(async (m) => (await import(m)).linuxVerdict));
for (let round = 0; round < 3; round++) for (let k = 0; k < fns.length; k++) {
  const f = fns[k];
  const t1 = performance.now(); const c1 = process.cpuUsage();
  let x = 0;
  for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) { const v = f(pk[i]!, km[i]); x += v.seenLength; }
  const c = process.cpuUsage(c1); console.log(mods[k].padEnd(50), 'wall', (N * R / (performance.now() - t1) * 1000) | 0, 'cpu', (N * R / ((c.user + c.system) / 1000) * 1000) | 0);
}
