// The suite decides generated cases with linuxDecide (no text) unless given an oracle of its
// own; the report must be the one the full linuxVerdict path gives: totals, every rule's row,
// the per-kernel-profile tallies and the counterexamples.
import { describe, expect, it } from 'vitest';
import { runSuite, type SuiteOptions } from '../runner/suite.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { linuxVerdict } from '../oracles/index.ts';
import type { Report } from '../runner/report.ts';
import type { ToTuple } from '../spec/contract.ts';

const load = async (name: string): Promise<ToTuple> =>
  ((await import(new URL(name, import.meta.url).href)) as { toTuple: ToTuple }).toTuple;

const comparable = (r: Report) => ({ ...r, durationMs: 0 });

async function bothPaths(toTuple: ToTuple, o: Partial<SuiteOptions>): Promise<[Report, Report]> {
  const base: SuiteOptions = { seed: 31337, runs: 4000, replayCommand: (id) => id, ...o };
  const decided = await runSuite(inProcessAdapter(toTuple), defaultSpace, base);
  const profile = o.profile ?? 'current';
  const verdicts = await runSuite(inProcessAdapter(toTuple), defaultSpace, { ...base, oracle: (p, c) => linuxVerdict(p, c, { profile }) });
  return [decided, verdicts];
}

describe('linuxDecide in the suite', () => {
  it('reports a wrong implementation exactly as the linuxVerdict path does', async () => {
    const [a, b] = await bothPaths(await load('../examples/js/buggy.mjs'), {});
    expect(a.totals.failures).toBeGreaterThan(0);
    expect(comparable(a)).toEqual(comparable(b));
  });

  it('counts kernel-profile disagreements alike (an implementation of 5.10 semantics)', async () => {
    const [a, b] = await bothPaths(await load('../examples/js/correct.mjs'), { profile: 'ipv6-invalid' });
    expect(a.totals.failures).toBeGreaterThan(0);
    expect(a.profiles!.find((p) => p.profile === 'ipv6-invalid')!.disagreements).toBeGreaterThan(0);
    expect(comparable(a)).toEqual(comparable(b));
  });

  it('selects cases by rule alike (--rule and --exclude)', async () => {
    const wrong = await load('./fixtures/wrong/km-2-dstkey-only.mjs');
    const [a, b] = await bothPaths(wrong, { rules: ['GRE-6', 'KM-2'], exclude: ['L3-8'] });
    expect(a.totals.cases).toBeGreaterThan(0);
    expect(comparable(a)).toEqual(comparable(b));
  });
});
