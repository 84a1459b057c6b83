// TAP version 14: one test point per rule; failures carry a YAML diagnostic block.
import { RULES } from '../spec/rules.ts';
import type { Report } from '../runner/report.ts';
import { formatAnswer } from './text.ts';

const yamlStr = (s: string) => JSON.stringify(s);

export function formatTap(report: Report): string {
  const rows = report.rows;
  const out = ['TAP version 14', `1..${rows.length + (report.harnessFailure ? 1 : 0)}`];
  rows.forEach((r, i) => {
    const n = r.failures + r.vectorFailures;
    const desc = `${r.rule}: ${RULES[r.rule].statement}`;
    if (r.excluded) { out.push(`ok ${i + 1} - ${desc} # SKIP excluded`); return; }
    if (r.cases + r.vectors === 0) { out.push(`ok ${i + 1} - ${desc} # SKIP no case exercised this rule`); return; }
    if (n === 0) { out.push(`ok ${i + 1} - ${desc} # cases=${r.cases} vectors=${r.vectors}`); return; }
    out.push(`not ok ${i + 1} - ${desc}${r.expectedToFail ? ' # TODO known divergence' : ''}`);
    const ce = report.counterexamples.find((c) => c.rule === r.rule);
    out.push('  ---', `  failures: ${n}`, `  cases: ${r.cases}`, `  vectors: ${r.vectors}`);
    if (ce) {
      out.push(`  case: ${yamlStr(ce.caseId)}`, `  packet: ${yamlStr(ce.packet)}`,
        `  expected: ${yamlStr(formatAnswer(ce.expected))}`, `  actual: ${yamlStr(formatAnswer(ce.actual))}`,
        `  reason: ${yamlStr(ce.reason)}`, `  replay: ${yamlStr(ce.replay)}`);
    }
    out.push('  ...');
  });
  if (report.harnessFailure) {
    const f = report.harnessFailure;
    out.push(`not ok ${rows.length + 1} - implementation behaves`, '  ---', `  kind: ${f.kind}`, `  message: ${yamlStr(f.message)}`);
    if (f.caseId) out.push(`  case: ${yamlStr(f.caseId)}`);
    if (f.packet) out.push(`  packet: ${yamlStr(f.packet)}`);
    if (f.replay) out.push(`  replay: ${yamlStr(f.replay)}`);
    out.push('  ...');
  }
  return out.join('\n');
}
