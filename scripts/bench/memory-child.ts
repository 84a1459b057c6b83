// A measured process of the memory part (memory.ts), so its peak RSS is its own:
//   memory-child.ts suite CASES SEED   a run of CASES generated cases, in-process, correct.mjs
//   memory-child.ts capture FILE       readCapture over FILE
// Prints one JSON line: RSS (MB) at start, at checkpoints, and the peak (getrusage maxrss). Run
// with --expose-gc, the suite mode also collects garbage at each checkpoint and reports the live
// heap then: what the run keeps, whatever the collector's timing.
import { readCapture } from '../../capture/index.ts';
import { runSuite } from '../../runner/suite.ts';
import { inProcessAdapter } from '../../runner/in-process.ts';
import { defaultSpace } from '../../runner/default-space.ts';
import { projectPath } from './options.ts';
import type { ToTuple } from '../../spec/contract.ts';

const MB = 1024 * 1024;
const rss = () => process.memoryUsage.rss() / MB;
const gc = (globalThis as { gc?: () => void }).gc;
const liveHeap = () => {
  gc?.();
  return process.memoryUsage().heapUsed / MB;
};
const peak = () => process.resourceUsage().maxRSS / 1024;
const [mode, arg, seedText] = process.argv.slice(2);

if (mode === 'suite') {
  const n = Number(arg);
  const { toTuple } = (await import(projectPath('examples/js/correct.mjs'))) as { toTuple: ToTuple };
  const checkpoints = [Math.round(n / 10), Math.round(n / 2)];
  const at: { cases: number; rss: number; heap: number }[] = [];
  const start = rss();
  const t0 = performance.now();
  const report = await runSuite(inProcessAdapter(toTuple), defaultSpace, {
    seed: Number(seedText ?? 1), runs: n, vectors: [], replayCommand: (id) => id,
    onProgress: (p) => {
      if (p.phase === 'properties' && at.length < checkpoints.length && p.done >= checkpoints[at.length]!) at.push({ cases: p.done, rss: rss(), heap: liveHeap() });
    },
  });
  at.push({ cases: report.totals.cases + report.totals.skipped, rss: rss(), heap: liveHeap() });
  process.stdout.write(JSON.stringify({ start, at, peak: peak(), seconds: (performance.now() - t0) / 1000, failures: report.totals.failures }) + '\n');
} else if (mode === 'capture') {
  const start = rss();
  let records = 0, bytes = 0;
  const t0 = performance.now();
  for await (const r of readCapture(arg!)) {
    records++;
    bytes += r.data.length;
  }
  process.stdout.write(JSON.stringify({ start, at: [{ records, rss: rss() }], peak: peak(), seconds: (performance.now() - t0) / 1000, bytes }) + '\n');
} else {
  process.stderr.write('usage: memory-child.ts suite CASES SEED | capture FILE\n');
  process.exit(3);
}
