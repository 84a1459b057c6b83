// The text reporter: a row per rule, then each rule's first (shrunk) counterexample with a hex
// dump, a field-by-field decode, expected against actual with the differing fields marked, the
// rule's source, and the command that replays it. Plain text when color is off (NO_COLOR, CI).
import { RULES } from '../spec/rules.ts';
import type { Answer } from '../spec/contract.ts';
import { linuxVerdict } from '../oracles/index.ts';
import type { Counterexample, HarnessFailure, Report } from '../runner/report.ts';
import { exitCodeOf, unexpectedFailures } from '../runner/report.ts';
import type { TupleField } from '../runner/compare.ts';
import { fromHex } from '../runner/hex.ts';
import { decodeDatagram, hexDump } from './decode.ts';

export interface TextOptions {
  readonly color: boolean;
  readonly quiet?: boolean;
  /** Rows of rules no case touched are hidden unless verbose. */
  readonly verbose?: boolean;
}

export function paint(color: boolean) {
  const wrap = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: wrap('31'), green: wrap('32'), yellow: wrap('33'), bold: wrap('1'), dim: wrap('2') };
}

export function formatAnswer(a: Answer, diff: readonly TupleField[] = [], mark: (s: string) => string = (s) => s): string {
  if (a === null) return diff.includes('answer') ? mark('null') : 'null';
  const f = (k: TupleField, s: string) => (diff.includes(k) || diff.includes('answer') ? mark(s) : s);
  return [
    f('proto', a.proto === 47 ? 'gre' : `proto ${a.proto}`),
    f('src', `src=${a.src}`), f('dst', `dst=${a.dst}`),
    f('srckey', `srckey=0x${a.srckey.toString(16)}`), f('dstkey', `dstkey=0x${a.dstkey.toString(16)}`),
  ].join(' ');
}

export function formatText(report: Report, opts: TextOptions): string {
  const c = paint(opts.color);
  const out: string[] = [];
  const t = report.totals;
  const code = exitCodeOf(report);
  const meta = report.tier === 'metamorphic';
  out.push(c.bold(meta ? `gre-conformance: contract ${report.contract}, metamorphic tier (no oracle: answers must agree across edits that cannot change them)` : `gre-conformance: contract ${report.contract}, oracle Linux ${report.kernel}`));
  out.push(`implementation: ${report.implementation}`);
  out.push(`seed ${report.seed}${report.generators ? ` (generators ${report.generators})` : ''}, ${t.vectors} vectors, ${t.cases} generated cases (${t.skipped} skipped), ${(report.durationMs / 1000).toFixed(1)} s`);
  if (!opts.quiet) {
    out.push('');
    out.push(c.dim('rule    vectors   cases     failures  statement'));
    for (const r of report.rows) {
      if (!opts.verbose && r.vectors === 0 && r.cases === 0 && !r.excluded) continue;
      const failed = r.failures + r.vectorFailures > 0;
      const vec = r.vectors ? `${r.vectors - r.vectorFailures}/${r.vectors}` : '-';
      const fails = r.excluded ? 'excluded' : r.expectedToFail ? `${r.failures + r.vectorFailures} (expected)` : String(r.failures + r.vectorFailures);
      const mark = r.excluded ? c.dim : failed && !r.expectedToFail ? c.red : (s: string) => s;
      const statement = RULES[r.rule].statement;
      out.push(mark(`${r.rule.padEnd(7)} ${vec.padEnd(9)} ${String(r.cases).padEnd(9)} ${fails.padEnd(9)} `) + c.dim(statement.length > 70 ? statement.slice(0, 67) + '...' : statement));
    }
  }
  const profiles = (report.profiles ?? []).filter((p) => p.cases > 0);
  if (profiles.length > 0) {
    const matched = profiles.filter((p) => p.disagreements === 0).map((p) => p.versions);
    out.push('', `kernel versions matched (on ${profiles[0]!.cases} cases whose answer changed across kernel generations): ` +
      (matched.length ? matched.join('; ') : 'none'));
    for (const p of profiles) out.push(c.dim(`  ${p.versions.padEnd(62)} ${p.disagreements === 0 ? 'agrees' : `${p.disagreements} disagreements`}`));
  }
  for (const d of report.divergences ?? []) {
    const what = d.status === 'expected-fail' ? c.yellow('expected failure') : d.status === 'unexpected-pass' ? c.red('UNEXPECTED PASS (remove it from the divergences file)') : c.dim('not exercised');
    out.push(`known divergence ${d.rule}: ${what}${d.reason ? ` - ${d.reason}` : ''}`);
  }
  // Counterexamples in the same order: most failures first, a rule's vector before its generated case.
  const rank = (ce: Counterexample) => report.rows.find((r) => r.rule === ce.rule);
  const ordered = [...report.counterexamples].sort((a, b) => {
    const ra = rank(a), rb = rank(b);
    return (rb ? rb.failures + rb.vectorFailures : 0) - (ra ? ra.failures + ra.vectorFailures : 0);
  });
  for (const ce of ordered) out.push('', ...formatCounterexample(ce, report, opts));
  if (report.harnessFailure) out.push('', ...formatHarnessFailure(report.harnessFailure, opts));
  out.push('');
  // Rules with the most wrong answers first: the main culprit leads.
  const failRows = report.rows.filter((r) => r.failures + r.vectorFailures > 0 && !r.expectedToFail)
    .sort((a, b) => b.failures + b.vectorFailures - (a.failures + a.vectorFailures));
  const failRules = failRows.map((r) => `${r.rule} (${r.failures + r.vectorFailures})`);
  if (code === 0) out.push(c.green(meta ? `PASS: ${plural(t.cases, 'metamorphic pair')} agree` : `PASS: ${plural(t.vectors, 'vector')} and ${plural(t.cases, 'generated case')} agree with the oracle`));
  else if (code === 1 && unexpectedFailures(report) === 0) out.push(c.red('FAIL: a known divergence passed unexpectedly'));
  else if (code === 1) out.push(c.red(`FAIL: ${plural(t.failures + t.vectorFailures, 'wrong answer')} (${plural(t.vectorFailures, 'vector')}, ${t.failures} generated) under rule${failRules.length === 1 ? '' : 's'} ${failRules.join(', ')}`));
  else out.push(c.red(`BROKEN: the implementation misbehaved (${report.harnessFailure!.kind}); results before it are above`));
  return out.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function formatCounterexample(ce: Counterexample, report: Report | undefined, opts: TextOptions): string[] {
  const c = paint(opts.color);
  const row = report?.rows.find((r) => r.rule === ce.rule);
  const rule = RULES[ce.rule];
  const out: string[] = [];
  const count = row ? ` (${row.failures} of ${row.cases} generated cases, ${row.vectorFailures} of ${row.vectors} vectors)` : '';
  const kind = ce.phase === 'vector' ? ` - vector ${ce.caseId.replace(/^vector:/, '')}` : ce.phase === 'property' ? ' - generated case' : '';
  out.push(c.red(c.bold(`FAIL ${ce.rule}`)) + kind + count);
  out.push(`  rule: ${rule.statement}`);
  out.push(c.dim(`  source: ${rule.sources.map((s) => `${s.file} ${s.where}`).join('; ')}`));
  const shrunk = ce.shrink ? `, shrunk in ${ce.shrink.steps} steps from ${ce.shrink.fromBytes} bytes` : '';
  out.push(`  case ${ce.caseId}${shrunk}`);
  if (ce.description) out.push(`  ${ce.description}`);
  if (ce.keymap.length > 0) out.push(`  keymap: ${ce.keymap.map((e) => `{src=${e.src} dst=${e.dst} dstkey=0x${e.dstkey.toString(16)} srckey=0x${e.srckey.toString(16)}}`).join(', ')}`);
  out.push(`  expected: ${formatAnswer(ce.expected)}   [${ce.outcome}: ${ce.reason}]`);
  out.push(`  actual:   ${formatAnswer(ce.actual, ce.diff, (s) => c.red(c.bold(s)))}   ${c.red('<- ' + ce.diff.join(', ') + ' differ' + (ce.diff.length === 1 ? 's' : ''))}`);
  out.push(c.dim(`  blame: ${ce.blame}; rules exercised: ${ce.rulesExercised.join(', ')}`));
  out.push(...formatPacket(ce.packet, ce.keymap));
  out.push(`  replay: ${c.bold(ce.replay)}`);
  return out;
}

function formatPacket(hex: string, keymap: Counterexample['keymap']): string[] {
  const b = fromHex(hex) ?? new Uint8Array();
  const out: string[] = [];
  out.push(`  packet (${b.length} bytes): ${hex}`);
  let verdict;
  try { verdict = linuxVerdict(b, { keymap }); } catch { verdict = undefined; }
  const end = verdict && verdict.seenLength > 0 && verdict.seenLength < b.length ? verdict.seenLength : undefined;
  for (const l of hexDump(b, { ...(verdict?.dataoff !== undefined ? { greAt: verdict.dataoff } : {}), ...(end !== undefined ? { end } : {}) })) out.push(`    ${l}`);
  for (const l of decodeDatagram(b, verdict)) out.push(`    ${'  '.repeat(l.depth)}${l.text}`);
  return out;
}

export function formatHarnessFailure(f: HarnessFailure, opts: TextOptions): string[] {
  const c = paint(opts.color);
  const out = [c.red(c.bold(`IMPLEMENTATION FAILURE (${f.kind})`)) + `: ${f.message}`];
  if (f.caseId) out.push(`  while answering case ${f.caseId}`);
  if (f.packet !== undefined) out.push(...formatPacket(f.packet, f.keymap ?? []));
  if (f.detail) out.push(c.dim('  ' + f.detail.trim().split('\n').slice(-15).join('\n  ')));
  if (f.replay) out.push(`  replay: ${c.bold(f.replay)}`);
  return out;
}
