// Oracle against the live kernel over random datagrams, with the throughput:
//   npx tsx scripts/lab-check.ts [count=20000] [seed=1] [batchSize=4096] [generator=lab|gre]
// `gre` uses the suite's generators (greCase/encodeCase) when generators/index.ts exists, with
// empty keymaps: the lab's kernel has none. Needs root on Linux (lab/README.md).
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { compareWithOracle, labAvailable, openLab } from '../lab/index.ts';
import { labSamplePacket } from '../lab/sample-packets.ts';

const [count = 20000, seed = 1, batchSize = 4096] = process.argv.slice(2, 5).map(Number);
const generator = process.argv[5] ?? 'lab';

async function packets(): Promise<Uint8Array[]> {
  if (generator === 'gre') {
    const url = new URL('../generators/index.ts', import.meta.url);
    if (!existsSync(url)) throw new Error('generators/index.ts does not exist yet');
    const g = await import(url.href);
    return fc.sample(g.greCase({ keymap: false }), { seed, numRuns: count }).map((c: unknown) => g.encodeCase(c).packet as Uint8Array);
  }
  return fc.sample(labSamplePacket(), { seed, numRuns: count });
}

const avail = await labAvailable();
if (!avail.ok) {
  console.error(`kernel lab unavailable: ${avail.reason}\n${avail.install}`);
  process.exit(3);
}
const list = await packets();
const lab = await openLab({ batchSize });
try {
  const t0 = performance.now();
  const obs = await lab.observe(list.map((packet) => ({ packet })));
  const ms = performance.now() - t0;
  const outcomes: Record<string, number> = {};
  let answers = 0, outcomesOnly = 0, expected = 0;
  const shown = new Set<string>();
  for (const o of obs) {
    outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
    const d = compareWithOracle(o);
    if (!d) continue;
    if (d.expected) { expected++; continue; }
    if (d.kind === 'answer') answers++;
    else outcomesOnly++;
    const sig = `${d.kind} ${d.oracle.decidedBy} oracle=${d.oracle.outcome} kernel=${o.outcome}`;
    if (shown.has(sig)) continue;
    shown.add(sig);
    console.log(`DISAGREE ${sig}\n  packet ${Buffer.from(o.sentPacket).toString('hex')}\n  oracle ${JSON.stringify(d.oracle.tuple)}: ${d.oracle.reason}\n  kernel ${JSON.stringify(o.tuple)}: ${o.detail ?? ''}`);
  }
  console.log(JSON.stringify({ count: list.length, ms: Math.round(ms), perSecond: Math.round(list.length / ms * 1000), outcomes, answers, outcomesOnly, expected, stats: lab.stats, anomalies: lab.anomalies.slice(0, 5) }));
  process.exitCode = answers + outcomesOnly > 0 ? 1 : 0;
} finally {
  await lab.close();
}
