// The library API as users call it (issue 5, item 5). The example test users copy,
// examples/vitest/conformance.test.ts, runs here as it is: it imports the package by its name,
// so the exports map and the types it declares are what is tested. Then a wrong implementation:
// checkConformance gives the report as data, assertConformance throws it.
import { describe, expect, it } from 'vitest';
import { assertConformance, checkConformance, ConformanceError, exitCodeOf, type ToTuple } from 'gre-conformance';
import '../examples/vitest/conformance.test.ts';

// examples/js/buggy.mjs believes the v0 Key field (RFC 2890) goes into the tuple; GRE-2 says no.
const { toTuple: buggy }: { toTuple: ToTuple } = await import(new URL('../examples/js/buggy.mjs', import.meta.url).href);

describe('GRE-2: the library reports the buggy example', () => {
  it('checkConformance returns a report with exit code 1 and a GRE-2 counterexample', async () => {
    const report = await checkConformance(buggy, { runs: 300, seed: 1 });
    expect(exitCodeOf(report)).toBe(1);
    expect(report.harnessFailure).toBeUndefined();
    const gre2 = report.counterexamples.filter((c) => c.rule === 'GRE-2');
    expect(gre2.length).toBeGreaterThan(0);
    for (const c of gre2) {
      expect(c.diff).toContain('dstkey');
      expect(c.expected).toMatchObject({ proto: 47, srckey: 0, dstkey: 0 });
    }
    const row = report.rows.find((r) => r.rule === 'GRE-2');
    expect(row!.vectorFailures + row!.failures).toBeGreaterThan(0);
    // Counts add up: every wrong answer sits in exactly one rule's row.
    const rowTotal = report.rows.reduce((n, r) => n + r.failures + r.vectorFailures, 0);
    expect(rowTotal).toBe(report.totals.failures + report.totals.vectorFailures);
  });

  it('assertConformance throws a ConformanceError carrying the report and its text', async () => {
    const e = await assertConformance(buggy, { runs: 300, seed: 1 }).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(ConformanceError);
    const err = e as ConformanceError;
    expect(exitCodeOf(err.report)).toBe(1);
    expect(err.message).toContain('FAIL GRE-2');
    expect(err.message).toContain('seed 1');
  });

  it('the same seed gives the same report', async () => {
    const a = await checkConformance(buggy, { runs: 300, seed: 7 });
    const b = await checkConformance(buggy, { runs: 300, seed: 7 });
    expect(b.counterexamples.map((c) => [c.rule, c.caseId, c.packet])).toEqual(a.counterexamples.map((c) => [c.rule, c.caseId, c.packet]));
  });
});
