// JUnit XML: one <testcase> per rule, so CI dashboards show rules. A rule's failure carries its
// first counterexample; a misbehaving implementation is an <error> in its own test case.
import { RULES } from '../spec/rules.ts';
import type { Report } from '../runner/report.ts';
import { formatCounterexample, formatHarnessFailure } from './text.ts';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
  // XML 1.0 forbids most control characters even when escaped.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function formatJunit(report: Report): string {
  const plain = { color: false } as const;
  const cases: string[] = [];
  let failures = 0, errors = 0, skipped = 0;
  for (const r of report.rows) {
    const name = `${r.rule}: ${RULES[r.rule].statement}`;
    const n = r.failures + r.vectorFailures;
    let body = '';
    if (r.excluded) { body = '<skipped message="excluded"/>'; skipped++; }
    else if (r.cases + r.vectors === 0) { body = '<skipped message="no case exercised this rule"/>'; skipped++; }
    else if (n > 0 && r.expectedToFail) { body = `<skipped message="${n} failures, expected (known divergence)"/>`; skipped++; }
    else if (n > 0) {
      failures++;
      const ce = report.counterexamples.find((c) => c.rule === r.rule);
      const text = ce ? formatCounterexample(ce, report, plain).join('\n') : '';
      body = `<failure message="${esc(`${n} wrong answers of ${r.cases} cases and ${r.vectors} vectors`)}" type="wrong-answer">${esc(text)}</failure>`;
    }
    cases.push(`    <testcase classname="gre-conformance.${r.rule.split('-')[0]}" name="${esc(name)}" time="0">${body}</testcase>`);
  }
  if (report.harnessFailure) {
    errors++;
    const f = report.harnessFailure;
    cases.push(`    <testcase classname="gre-conformance.implementation" name="implementation behaves (answers every case in time, in order, well formed)" time="0"><error message="${esc(f.message)}" type="${esc(f.kind)}">${esc(formatHarnessFailure(f, plain).join('\n'))}</error></testcase>`);
  }
  const tests = cases.length;
  const time = (report.durationMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gre-conformance" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">`,
    `  <testsuite name="${esc(`gre-conformance ${report.implementation}`)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">`,
    `    <properties><property name="seed" value="${report.seed}"/><property name="contract" value="${esc(report.contract)}"/><property name="kernel" value="${esc(report.kernel)}"/><property name="cases" value="${report.totals.cases}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}
