// npm run readme:update [-- --check]: the command outputs README.md and examples/README.md show
// (the buggy example's report), run again and written back, so what the docs show is what the
// commands print today (case ids carry the generators' fingerprint, so any change to the
// generators changes them). Exit 0 when they are current, 1 with a unified diff (written unless
// --check), 3 when it could not run. Durations are not compared.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unifiedDiff } from '../corpus-tools/unified-diff.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');

function run(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/gre-conformance.mjs'), ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000,
  });
  if (r.status !== 1) throw new Error(`gre-conformance ${args.join(' ')}: exit ${r.status} (expected 1)\n${r.stderr}`);
  return r.stdout.replace(/\n+$/, '');
}

/** The text between the fence that follows `marker` and its closing fence, replaced by `body`. */
function replaceBlock(doc: string, marker: string, body: (old: string) => string, file: string): string {
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`${file}: no "${marker}"`);
  const open = doc.indexOf('```\n', at);
  const close = doc.indexOf('\n```', open + 4);
  if (open < 0 || close < 0) throw new Error(`${file}: no code block after "${marker}"`);
  return doc.slice(0, open + 4) + body(doc.slice(open + 4, close)) + doc.slice(close);
}

/** The generated-case section of a quiet report and its closing line. */
function generatedSection(quiet: string): string {
  const lines = quiet.split('\n');
  const from = lines.findIndex((l) => l.startsWith('FAIL GRE-2 - generated case'));
  const to = lines.findIndex((l) => l.startsWith('FAIL: '));
  if (from < 0 || to < from) throw new Error('the quiet report has no generated GRE-2 counterexample');
  return lines.slice(from, to + 1).join('\n');
}

const maskDurations = (s: string) => s.replace(/(generated cases \(\d+ skipped\)), [\d.]+ s$/gm, '$1, _ s');

try {
  const files: [string, (doc: string) => string][] = [
    ['README.md', (doc) => replaceBlock(doc, '`npx gre-conformance examples/js/buggy.mjs --seed 1 --quiet`', () => generatedSection(run('examples/js/buggy.mjs', '--seed', '1', '--quiet')), 'README.md')],
    ['examples/README.md', (doc) => replaceBlock(doc, '`npx gre-conformance examples/js/buggy.mjs --seed 1`, with', () => `$ npx gre-conformance examples/js/buggy.mjs --seed 1\n${run('examples/js/buggy.mjs', '--seed', '1')}`, 'examples/README.md')],
  ];
  let stale = 0;
  for (const [file, update] of files) {
    const path = join(ROOT, file);
    const now = readFileSync(path, 'utf8');
    const next = update(now);
    if (maskDurations(now) === maskDurations(next)) continue;
    stale++;
    process.stdout.write(unifiedDiff(now, next, `a/${file}`, `b/${file}`));
    if (!check) writeFileSync(path, next);
  }
  if (stale === 0) process.stdout.write('README outputs are current\n');
  else process.stderr.write(`${stale} file${stale === 1 ? '' : 's'} ${check ? 'out of date (--check: nothing written); run npm run readme:update' : 'updated: review the diff above, then commit'}\n`);
  process.exitCode = stale === 0 ? 0 : 1;
} catch (e) {
  process.stderr.write(`readme:update: ${(e as Error).message}\n`);
  process.exitCode = 3;
}
