// 1. Oracle throughput: linuxVerdict over a pre-generated mix, against examples/c's gre_core
// compiled with -O2 running the same packets (oracle_bench.c), and whether both answer alike.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linuxVerdict } from '../../oracles/index.ts';
import { parseAddress } from '../../spec/address.ts';
import { describeMix, generateCases, writeCasesFile, type CaseSet } from './cases.ts';
import { progress, projectPath, since, type PartOptions } from './options.ts';
import { median, type Row } from './table.ts';

const PART = 'oracle';

function jsRun(set: CaseSet, contexts: readonly { keymap: unknown[] }[]): number {
  const { packets } = set;
  const n = packets.length;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += linuxVerdict(packets[i]!, contexts[i] as never).seenLength;
  const s = since(t0);
  if (sink === -1) progress('');
  return n / s;
}

/** Cases where the C core and the oracle give different answers (null vs tuple, or any field). */
function disagreements(set: CaseSet, results: Uint8Array): { count: number; first: string[] } {
  const dv = new DataView(results.buffer, results.byteOffset, results.byteLength);
  let count = 0;
  const first: string[] = [];
  for (let i = 0; i < set.packets.length; i++) {
    const t = linuxVerdict(set.packets[i]!, set.contexts[i]!).tuple;
    const o = i * 40;
    const cHas = results[o] === 1;
    let same = (t !== null) === cHas;
    if (same && t !== null) {
      const alen = results[o + 1] === 4 ? 4 : 16;
      const src = parseAddress(t.src), dst = parseAddress(t.dst);
      same = t.proto === results[o + 2] && t.srckey === dv.getUint16(o + 4, true) && t.dstkey === dv.getUint16(o + 6, true) &&
        !!src && !!dst && src.length === alen && src.every((b, k) => b === results[o + 8 + k]) && dst.every((b, k) => b === results[o + 24 + k]);
    }
    if (!same) {
      count++;
      if (first.length < 3) first.push(Buffer.from(set.packets[i]!).toString('hex'));
    }
  }
  return { count, first };
}

export async function run(o: PartOptions): Promise<Row[]> {
  progress(`generating ${o.oracleCases.toLocaleString('en-US')} cases (greCase + encodeCase)`);
  let t0 = performance.now();
  const set = generateCases(o.oracleCases, o.seed);
  progress(`  ${since(t0).toFixed(1)} s; ${(set.bytes / 1e6).toFixed(1)} MB of packets; ${describeMix(set.mix)}`);

  const casesFile = join(o.tmp, 'oracle-cases.bin');
  const resultsFile = join(o.tmp, 'oracle-results.bin');
  const exe = join(o.tmp, 'oracle_bench');
  writeCasesFile(casesFile, set);
  progress('compiling examples/c/gre_core.c with scripts/bench/oracle_bench.c (cc -O2)');
  let c: { rates: number[] } | undefined;
  let cSkip: string | undefined;
  try {
    execFileSync('cc', ['-O2', '-I', projectPath('examples/c'), '-o', exe, projectPath('scripts/bench/oracle_bench.c'), projectPath('examples/c/gre_core.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
    c = JSON.parse(execFileSync(exe, [casesFile, String(o.runs), resultsFile], { encoding: 'utf8' })) as { rates: number[] };
  } catch (e) {
    cSkip = `the C harness did not run: ${(e as Error).message.split('\n')[0]}`;
  }

  progress('oracle: warm-up pass, and agreement with C');
  const agree = c ? disagreements(set, new Uint8Array(readFileSync(resultsFile))) : undefined;
  const js: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    js.push(jsRun(set, set.contexts));
    progress(`  run ${r + 1}: ${Math.round(js[r]!).toLocaleString('en-US')}/s`);
  }

  const n = o.oracleCases.toLocaleString('en-US');
  const rows: Row[] = [];
  const cMedian = c ? median(c.rates) : NaN;
  rows.push({
    part: PART, name: `oracle: linuxVerdict, ${n}-case mix`, unit: '/s', values: js, target: { op: '>=', value: 5_000_000 },
    ratio: c ? `C is ${(cMedian / median(js)).toFixed(1)}x faster (target <= 10x)` : undefined,
    pass: c ? median(js) >= 5_000_000 && cMedian / median(js) <= 10 : undefined,
    note: `mix: ${describeMix(set.mix)}; the oracle parses each keymap's text on every call, C gets them as bytes`,
  });
  rows.push(c
    ? {
        part: PART, name: 'oracle: examples/c gre_core, cc -O2, same packets', unit: '/s', values: c.rates,
        ratio: agree ? `${agree.count === 0 ? 'agrees on every case' : `disagrees on ${agree.count} cases`}` : undefined,
        note: agree && agree.count > 0 ? `first disagreements: ${agree.first.join(' ')}` : undefined,
      }
    : { part: PART, name: 'oracle: examples/c gre_core, cc -O2, same packets', unit: '/s', values: [], skipped: cSkip });
  return rows;
}
