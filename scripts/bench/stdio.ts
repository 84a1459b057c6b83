// 3. Stdio throughput: the same default run against examples/c/gre_tuple (built here with
// cc -O2 into the temporary folder) over NDJSON, pipelined by the process adapter, interleaved
// with in-process runs for the ratio.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inProcessAdapter } from '../../runner/in-process.ts';
import { openAdapter } from '../../runner/adapters/open.ts';
import { progress, projectPath, type PartOptions } from './options.ts';
import { loadCorrect, suiteRun } from './suite.ts';
import { median, type Row } from './table.ts';

const PART = 'stdio';

export async function run(o: PartOptions): Promise<Row[]> {
  const exe = join(o.tmp, 'gre_tuple');
  try {
    execFileSync('cc', ['-O2', '-o', exe, projectPath('examples/c/gre_tuple.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    return [{ part: PART, name: 'stdio: examples/c/gre_tuple over NDJSON', unit: '/s', values: [], skipped: `cc failed: ${(e as Error).message.split('\n')[0]}` }];
  }
  const toTuple = await loadCorrect();
  const stdio = await openAdapter({ path: exe }, { timeoutMs: 2000 });
  const rates: number[] = [], inproc: number[] = [];
  const troubles = new Set<string>();
  try {
    const warm = Math.ceil(o.suiteCases / 10);
    await suiteRun(stdio, warm, o.seed - 1);
    await suiteRun(inProcessAdapter(toTuple), warm, o.seed - 1);
    for (let r = 0; r < o.runs; r++) {
      const a = await suiteRun(stdio, o.suiteCases, o.seed + r);
      rates.push(a.rate);
      if (a.trouble) troubles.add(a.trouble);
      inproc.push((await suiteRun(inProcessAdapter(toTuple), o.suiteCases, o.seed + r)).rate);
      progress(`run ${r + 1}: stdio ${Math.round(rates[r]!)}/s, in-process ${Math.round(inproc[r]!)}/s`);
    }
  } finally {
    await stdio.close();
  }
  return [{
    part: PART, name: `stdio: examples/c/gre_tuple over NDJSON, ${o.suiteCases.toLocaleString('en-US')} cases + vectors`, unit: '/s', values: rates,
    target: { op: '>=', value: 100_000 }, ratio: `${median(rates.map((v, i) => (100 * v) / inproc[i]!)).toFixed(0)}% of in-process`,
    ...(troubles.size ? { note: [...troubles].join('; ') } : {}),
  }];
}
