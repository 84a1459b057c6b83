import fc from 'fast-check';
import { openLab, compareWithOracle } from '../lab/index.ts';
import { labSamplePacket } from '../lab/sample-packets.ts';
import { inOracleScope } from '../oracles/index.ts';
const n = Number(process.argv[2] ?? 2000), seed = Number(process.argv[3] ?? 1);
const pk = fc.sample(labSamplePacket(), { seed, numRuns: n });
const lab = await openLab({ batchSize: 4096 });
try {
  const t0 = performance.now();
  const obs = await lab.observe(pk.map((packet) => ({ packet })));
  const ms = performance.now() - t0;
  const counts: Record<string, number> = {};
  let contract = 0, outcome = 0;
  const shown = new Set<string>();
  for (const o of obs) {
    counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
    const d = compareWithOracle(o);
    if (!d) continue;
    if (d.fields.length) contract++; else outcome++;
    const sig = `${d.fields.join(',')}|${d.oracle.outcome}|${d.kernel.outcome}|${d.oracle.decidedBy}`;
    if (shown.has(sig)) continue; shown.add(sig);
    console.log('DIFF', sig, Buffer.from(o.sentPacket).toString('hex'), 'oracle:', d.oracle.reason, JSON.stringify(d.oracle.tuple), 'kernel:', JSON.stringify(o.tuple), o.detail?.slice(0, 100), 'scope', inOracleScope(d.oracle.l4proto));
  }
  console.log(`${n} in ${ms.toFixed(0)} ms = ${(n / ms * 1000).toFixed(0)}/s`, counts, 'contract diffs', contract, 'outcome-only diffs', outcome, lab.stats, lab.anomalies.slice(0, 5));
} finally { await lab.close(); }
