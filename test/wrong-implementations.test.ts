// The suite at default settings catches an implementation that gets a single rule of the
// catalogue wrong, names that rule first (most failures), and passes one that differs only in
// IPv6 spelling. Each fixture in test/fixtures/wrong/ exports toTuple and wrongRule.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../runner/suite.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { vectorCases } from '../spec/vectors.ts';
import { exitCodeOf, type Report } from '../runner/report.ts';
import type { ToTuple } from '../spec/contract.ts';

const DIR = new URL('./fixtures/wrong/', import.meta.url);
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.mjs') && !f.startsWith('_')).sort();

async function run(file: string, seed: number, vectors: boolean): Promise<{ report: Report; wrongRule: string | null }> {
  const m = (await import(new URL(file, DIR).href)) as { toTuple: ToTuple; wrongRule: string | null };
  const report = await runSuite(inProcessAdapter(m.toTuple), defaultSpace, {
    seed, runs: 10000, vectors: vectors ? vectorCases() : [], replayCommand: (id) => id,
  });
  return { report, wrongRule: m.wrongRule };
}

const topRule = (r: Report) => [...r.rows].sort((a, b) => b.failures + b.vectorFailures - (a.failures + a.vectorFailures))[0]!;

describe('deliberately wrong implementations', () => {
  it('there is one for most rules of the catalogue', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(FIXTURES)('%s: caught by the generated cases alone, its rule first, with a shrunk counterexample', async (file) => {
    const { report, wrongRule } = await run(file, 20261124, false);
    if (wrongRule === null) {
      expect(exitCodeOf(report), JSON.stringify(report.counterexamples[0])).toBe(0);
      return;
    }
    expect(exitCodeOf(report)).toBe(1);
    expect(topRule(report).rule).toBe(wrongRule);
    const ce = report.counterexamples.find((c) => c.rule === wrongRule && c.phase === 'property');
    expect(ce, `no generated counterexample under ${wrongRule}`).toBeDefined();
    expect(ce!.packet.length / 2).toBeLessThanOrEqual(ce!.shrink!.fromBytes);
  });

  it.each(FIXTURES)('%s: the catalogue vectors alone catch it, with a failing vector that cites its rule', async (file) => {
    const m = (await import(new URL(file, DIR).href)) as { toTuple: ToTuple; wrongRule: string | null };
    const cases = vectorCases();
    const seen: { id: string; rules: readonly string[] }[] = [];
    // Every vector on its own, so each failing one is known (a report keeps one per rule).
    for (const v of cases) {
      const r = await runSuite(inProcessAdapter(m.toTuple), defaultSpace, { seed: 1, runs: 0, vectors: [v], replayCommand: (id) => id });
      if (exitCodeOf(r) !== 0) seen.push(v);
    }
    if (m.wrongRule === null) { expect(seen).toEqual([]); return; }
    expect(seen.length, 'no vector fails').toBeGreaterThan(0);
    expect(seen.filter((v) => v.rules.includes(m.wrongRule!)).map((v) => v.id), JSON.stringify(seen.map((v) => v.id))).not.toEqual([]);
  });
});
