// 1. Oracle throughput: linuxDecide (the allocation-free core) over a pre-generated mix, against
// examples/c's gre_core compiled with -O2 running the same packets (oracle_bench.c), and whether
// both answer alike; linuxVerdict (the same core explaining itself, tuples and reasons as text)
// as a second row for reference.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decision, linuxDecide, linuxVerdict, parseKeymap, type ParsedKeymapEntry } from '../../oracles/index.ts';
import { describeMix, generateCases, writeCasesFile, type CaseSet } from './cases.ts';
import { progress, projectPath, since, type PartOptions } from './options.ts';
import { median, type Row } from './table.ts';

const PART = 'oracle';

/** The fast path: keymaps parsed before the clock starts (C gets them as bytes), one Decision reused. */
function decideRun(set: CaseSet, keymaps: readonly (readonly ParsedKeymapEntry[])[], d: Decision): number {
  const { packets } = set;
  const n = packets.length;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += linuxDecide(packets[i]!, keymaps[i]!, d).seenLength;
  const s = since(t0);
  if (sink === -1) progress('');
  return n / s;
}

/** linuxVerdict as a caller without the fast path sees it: keymap text in, Verdict objects out. */
function verdictRun(set: CaseSet): number {
  const { packets, contexts } = set;
  const n = packets.length;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += linuxVerdict(packets[i]!, contexts[i]!).seenLength;
  const s = since(t0);
  if (sink === -1) progress('');
  return n / s;
}

/** Cases where the C core and the oracle's Decision differ (null vs tuple, or any field), compared as bytes. */
function disagreements(set: CaseSet, keymaps: readonly (readonly ParsedKeymapEntry[])[], results: Uint8Array): { count: number; first: string[] } {
  const dv = new DataView(results.buffer, results.byteOffset, results.byteLength);
  const d = new Decision();
  let count = 0;
  const first: string[] = [];
  for (let i = 0; i < set.packets.length; i++) {
    linuxDecide(set.packets[i]!, keymaps[i]!, d);
    const o = i * 40;
    let same = d.hasTuple === (results[o] === 1);
    if (same && d.hasTuple) {
      same = d.alen === (results[o + 1] === 4 ? 4 : 16) && d.proto === results[o + 2] &&
        d.srckey === dv.getUint16(o + 4, true) && d.dstkey === dv.getUint16(o + 6, true);
      for (let k = 0; same && k < d.alen; k++) {
        same = d.bytes[d.srcOff + k] === results[o + 8 + k] && d.bytes[d.dstOff + k] === results[o + 24 + k];
      }
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

  // linuxVerdict first, before the keymaps are parsed up front: a million parsed keymaps kept
  // alive teach V8 that parseKeymap's allocations live long (allocation-site pretenuring), after
  // which the keymaps linuxVerdict parses per call go straight to the old space and every
  // scavenge promotes megabytes (half linuxVerdict's speed). linuxDecide allocates nothing, so it
  // does not care; it runs second, with the type feedback linuxVerdict left (the explaining
  // branches seen), as in a process that uses both.
  progress('oracle: linuxVerdict (full text), after a warm-up pass');
  verdictRun(set);
  const full: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    full.push(verdictRun(set));
    progress(`  linuxVerdict run ${r + 1}: ${Math.round(full[r]!).toLocaleString('en-US')}/s`);
  }
  const keymaps = set.contexts.map((ctx) => parseKeymap(ctx.keymap));
  progress('oracle: linuxDecide warm-up pass, and agreement with C');
  const agree = c ? disagreements(set, keymaps, new Uint8Array(readFileSync(resultsFile))) : undefined;
  const d = new Decision();
  const fast: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    fast.push(decideRun(set, keymaps, d));
    progress(`  linuxDecide run ${r + 1}: ${Math.round(fast[r]!).toLocaleString('en-US')}/s`);
  }

  const n = o.oracleCases.toLocaleString('en-US');
  const rows: Row[] = [];
  const cMedian = c ? median(c.rates) : NaN;
  rows.push({
    part: PART, name: `oracle: linuxDecide, ${n}-case mix`, unit: '/s', values: fast, target: { op: '>=', value: 5_000_000 },
    ratio: c ? `C is ${(cMedian / median(fast)).toFixed(1)}x faster (target <= 10x)` : undefined,
    pass: c ? median(fast) >= 5_000_000 && cMedian / median(fast) <= 10 : undefined,
    note: `mix: ${describeMix(set.mix)}; keymaps parsed before timing (C gets them as bytes), one Decision reused, no text built`,
  });
  rows.push({
    part: PART, name: `oracle: linuxVerdict (tuple and reason text), ${n}-case mix`, unit: '/s', values: full,
    ratio: c ? `C is ${(cMedian / median(full)).toFixed(1)}x faster` : undefined,
    note: 'for reference: parses each keymap\'s text on every call and builds a Verdict with address text, rules and reason',
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
