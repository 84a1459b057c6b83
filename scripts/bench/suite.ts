// 2. In-process conformance throughput: a full default run (the catalogue's vectors, then
// generated cases; runSuite with inProcessAdapter over examples/js/correct.mjs) against bare
// fast-check on the same arbitrary with a property that does nothing, and the worker-thread
// module adapter (the CLI's default path for a module). Runs are interleaved, so each ratio is
// taken between runs made moments apart, and the median of those ratios is shown.
import fc from 'fast-check';
import type { ToTuple } from '../../spec/contract.ts';
import { vectorCases } from '../../spec/vectors.ts';
import { runSuite } from '../../runner/suite.ts';
import { inProcessAdapter } from '../../runner/in-process.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { openAdapter } from '../../runner/adapters/open.ts';
import { defaultGenerationWorkers } from '../../runner/case-source.ts';
import type { Adapter } from '../../runner/adapters/types.ts';
import { progress, projectPath, since, type PartOptions } from './options.ts';
import { median, type Row } from './table.ts';

const PART = 'suite';

/** Cases per second of one default run, and what went wrong if anything did. */
export async function suiteRun(adapter: Adapter, runs: number, seed: number, generationWorkers = defaultGenerationWorkers(runs)): Promise<{ rate: number; trouble?: string }> {
  const t0 = performance.now();
  const r = await runSuite(adapter, defaultSpace, { seed, runs, vectors: vectorCases(), replayCommand: (id) => id, generationWorkers });
  const rate = (r.totals.cases + r.totals.skipped) / since(t0);
  const trouble = r.harnessFailure ? r.harnessFailure.message : r.totals.failures + r.totals.vectorFailures > 0 ? `${r.totals.failures + r.totals.vectorFailures} wrong answers` : undefined;
  return trouble ? { rate, trouble } : { rate };
}

export async function loadCorrect(): Promise<ToTuple> {
  return ((await import(projectPath('examples/js/correct.mjs'))) as { toTuple: ToTuple }).toTuple;
}

export async function run(o: PartOptions): Promise<Row[]> {
  const n = o.suiteCases;
  const toTuple = await loadCorrect();
  const worker = await openAdapter({ path: projectPath('examples/js/correct.mjs') }, { timeoutMs: 2000 });
  const bare: number[] = [], inproc: number[] = [], here: number[] = [], inWorker: number[] = [];
  const jobs = defaultGenerationWorkers(n);
  const troubles = new Set<string>();
  try {
    // Untimed warm-up, so the first timed run is not the one that compiles everything.
    const warm = Math.ceil(n / 10);
    fc.assert(fc.property(defaultSpace.arbitrary, () => true), { numRuns: warm, seed: o.seed - 1 });
    await suiteRun(inProcessAdapter(toTuple), warm, o.seed - 1);
    await suiteRun(worker, warm, o.seed - 1);
    for (let r = 0; r < o.runs; r++) {
      const seed = o.seed + r;
      const t0 = performance.now();
      fc.assert(fc.property(defaultSpace.arbitrary, () => true), { numRuns: n, seed });
      bare.push(n / since(t0));
      const a = await suiteRun(inProcessAdapter(toTuple), n, seed);
      inproc.push(a.rate);
      if (a.trouble) troubles.add(`in-process: ${a.trouble}`);
      here.push((await suiteRun(inProcessAdapter(toTuple), n, seed, 1)).rate);
      const b = await suiteRun(worker, n, seed);
      inWorker.push(b.rate);
      if (b.trouble) troubles.add(`worker: ${b.trouble}`);
      progress(`run ${r + 1}: bare fast-check ${Math.round(bare[r]!)}/s, in-process ${Math.round(inproc[r]!)}/s (1 generation worker ${Math.round(here[r]!)}/s), worker thread ${Math.round(inWorker[r]!)}/s`);
    }
  } finally {
    await worker.close();
  }
  const share = inproc.map((v, i) => (100 * v) / bare[i]!);
  const note = troubles.size ? [...troubles].join('; ') : undefined;
  const cases = n.toLocaleString('en-US');
  return [
    { part: PART, name: `suite: bare fast-check, fc.assert(greCase(), () => true), ${cases} runs`, unit: '/s', values: bare },
    {
      part: PART, name: `suite: in-process, correct.mjs, ${cases} cases + vectors, ${jobs === 0 ? 'drawn in the suite\'s thread' : `${jobs} generation workers`} (default)`, unit: '/s', values: inproc,
      target: { op: '>=', value: 100_000 }, ratio: `${median(share).toFixed(0)}% of bare fast-check`, note,
    },
    {
      part: PART, name: 'suite: in-process, cases drawn by 1 generation worker (--jobs 1, start-up included)', unit: '/s', values: here,
      ratio: `${median(here.map((v, i) => (100 * v) / bare[i]!)).toFixed(0)}% of bare fast-check`,
    },
    { part: PART, name: 'suite: in-process share of bare fast-check (paired runs)', unit: '%', values: share, target: { op: '>=', value: 40 } },
    {
      part: PART, name: 'suite: worker-thread module adapter (CLI default), same run', unit: '/s', values: inWorker,
      ratio: `${median(inWorker.map((v, i) => (100 * v) / inproc[i]!)).toFixed(0)}% of in-process`,
    },
  ];
}
