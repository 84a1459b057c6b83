// GitHub Actions workflow commands: an ::error annotation per failing rule (its first
// counterexample), one for a misbehaving implementation, and a ::notice summary.
import type { Report } from '../runner/report.ts';
import { exitCodeOf } from '../runner/report.ts';
import { formatAnswer } from './text.ts';

// Workflow command data escapes %, CR and LF; properties also escape ':' and ','.
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(report: Report): string {
  const out: string[] = [];
  for (const ce of report.counterexamples) {
    const row = report.rows.find((r) => r.rule === ce.rule);
    if (row?.expectedToFail) continue;
    const msg = [
      `${ce.rule}: expected ${formatAnswer(ce.expected)}, got ${formatAnswer(ce.actual)} (${ce.diff.join(', ')} ${ce.diff.length === 1 ? 'differs' : 'differ'})`,
      `${ce.outcome}: ${ce.reason}`, `case ${ce.caseId}, packet ${ce.packet}`, `replay: ${ce.replay}`,
    ].join('\n');
    out.push(`::error title=${prop(`gre-conformance ${ce.rule}`)}::${data(msg)}`);
  }
  if (report.harnessFailure) {
    const f = report.harnessFailure;
    out.push(`::error title=${prop(`gre-conformance: implementation ${f.kind}`)}::${data([f.message, f.caseId ? `case ${f.caseId}` : '', f.packet ? `packet ${f.packet}` : '', f.replay ? `replay: ${f.replay}` : ''].filter(Boolean).join('\n'))}`);
  }
  const t = report.totals;
  const verdict = ['conformant', 'wrong answers', 'implementation misbehaved', 'error'][exitCodeOf(report)];
  out.push(`::notice title=gre-conformance::${data(`${verdict}: ${t.vectors} vectors, ${t.cases} generated cases, ${t.failures + t.vectorFailures} failures, seed ${report.seed}`)}`);
  return out.join('\n');
}
