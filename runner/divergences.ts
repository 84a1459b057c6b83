// Known divergences: rule IDs an implementation deliberately does not follow (e.g. a NAT that
// keys v0 tunnels on purpose). Failures under them are expected; a rule that was exercised and
// passed anyway is an unexpected pass, reported so the file does not go stale (as WPT does).
//
// File format: one rule per line, `RULE-ID  free text reason`; `#` starts a comment.
import { isRuleId, type RuleId } from '../spec/rules.ts';
import type { DivergenceResult, Report } from './report.ts';

export interface Divergence {
  readonly rule: RuleId;
  readonly reason: string;
}

export class DivergenceFileError extends Error {
  override name = 'DivergenceFileError';
}

export function parseDivergences(text: string, file = 'divergences'): Divergence[] {
  const out: Divergence[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [id, ...rest] = line.split(/\s+/);
    if (!isRuleId(id!)) throw new DivergenceFileError(`${file}:${i + 1}: ${JSON.stringify(id)} is not a rule ID (see gre-conformance --list)`);
    if (out.some((d) => d.rule === id)) throw new DivergenceFileError(`${file}:${i + 1}: ${id} is listed twice`);
    out.push({ rule: id, reason: rest.join(' ') });
  });
  return out;
}

export function applyDivergences(report: Report, divergences: readonly Divergence[]): Report {
  if (divergences.length === 0) return report;
  const byRule = new Map(divergences.map((d) => [d.rule, d]));
  const rows = report.rows.map((r) => (byRule.has(r.rule) ? { ...r, expectedToFail: true } : r));
  const results: DivergenceResult[] = divergences.map((d) => {
    const r = report.rows.find((x) => x.rule === d.rule)!;
    const n = r.failures + r.vectorFailures;
    const status = n > 0 ? 'expected-fail' : r.cases + r.vectors > 0 ? 'unexpected-pass' : 'not-exercised';
    return { rule: d.rule, reason: d.reason, status };
  });
  return { ...report, rows, divergences: results };
}
