// The benchmark (issue 6): `npm run bench -- [--only oracle,suite,...] [--runs N] [--quick]
// [--seed S] [--memory-cases N] [--markdown]`. Each part runs in a process of its own
// (scripts/bench/part.ts) and returns rows; this prints them as one table of medians, with the
// machine and its load average. Prints figures only: nothing here fails a build.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PARTS, ROOT, newTempDir, projectPath, type PartName, type PartOptions } from './bench/options.ts';
import { machine, markdownTable, textTable, type Row } from './bench/table.ts';

const USAGE = `Usage: npm run bench -- [options]

  --only LIST          parts to run, comma-separated (default all): ${PARTS.join(', ')}
  --runs N             timed runs per measurement; tables show medians (default 5)
  --quick              small sizes for a smoke run (about a minute; medians of 2 runs)
  --seed S             seed of the generated cases (default 1)
  --memory-cases N     cases of the memory run (default 10,000,000; --quick 1,000,000)
  --markdown           print the table as Markdown too (for README.md)`;

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n\n${USAGE}\n`);
  process.exit(3);
}

const { values: a } = (() => {
  try {
    return parseArgs({
      options: {
        only: { type: 'string' }, runs: { type: 'string' }, quick: { type: 'boolean' }, seed: { type: 'string' },
        'memory-cases': { type: 'string' }, markdown: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return fail((e as Error).message);
  }
})();
if (a.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

function count(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < min) fail(`--${name} takes a whole number >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

const quick = a.quick ?? false;
const only = a.only === undefined ? [...PARTS] : a.only.split(',').map((s) => s.trim()).filter(Boolean);
for (const p of only) if (!PARTS.includes(p as PartName)) fail(`unknown part ${JSON.stringify(p)}`);
const tmp = newTempDir();
const opts: PartOptions = {
  runs: count('runs', a.runs, quick ? 2 : 5, 1),
  seed: count('seed', a.seed, 1, -(2 ** 31)),
  quick,
  oracleCases: quick ? 100_000 : 1_000_000,
  suiteCases: quick ? 20_000 : 100_000,
  memoryCases: count('memory-cases', a['memory-cases'], quick ? 1_000_000 : 10_000_000, 10),
  captureBytes: quick ? 50e6 : 500e6,
  bigCaptureBytes: quick ? 100e6 : 1.1e9,
  corpusCases: quick ? 20_000 : 1_000_000,
  labCases: quick ? 4_096 : 20_000,
  ttfSeeds: quick ? 2 : 5,
  tmp,
};

/** Runs one part in its own process; its rows, or one skipped row saying why it failed. */
function runPart(name: PartName): Promise<Row[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', projectPath('scripts/bench/part.ts'), name, JSON.stringify(opts)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errTail = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      process.stderr.write(s);
      errTail = (errTail + s).slice(-2000);
    });
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH-ROWS '));
      if (code === 0 && line) return resolve(JSON.parse(line.slice('BENCH-ROWS '.length)) as Row[]);
      const why = errTail.trim().split('\n').filter((l) => !/^npm warn/.test(l)).slice(-1)[0] ?? `exit code ${code}`;
      resolve([{ part: name, name: `${name}: part failed`, unit: 's', values: [], skipped: why.slice(0, 200) }]);
    });
  });
}

const before = machine();
const started = performance.now();
process.stderr.write(`bench: ${only.join(', ')}; ${opts.runs} runs each${quick ? ' (quick)' : ''}; ${before.nproc} CPUs, ${before.cpu}, node ${before.node}, load average ${before.load}\n`);
const rows: Row[] = [];
try {
  for (const p of only as PartName[]) {
    process.stderr.write(`[${p}]\n`);
    rows.push(...await runPart(p));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const after = machine();
const minutes = ((performance.now() - started) / 60000).toFixed(1);
const header = [
  `Machine: ${after.nproc} CPUs (nproc), ${after.cpu}; node ${after.node}.`,
  `Load average (1, 5, 15 min): ${before.load} at start, ${after.load} at the end. ${opts.runs} runs per figure; ${minutes} min in all.`,
];
const notes = rows.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
process.stdout.write(`\n${header.join('\n')}\n\n${textTable(rows)}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`);
if (a.markdown) process.stdout.write(`\n${header.join('\n')}\n\n${markdownTable(rows)}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`);
