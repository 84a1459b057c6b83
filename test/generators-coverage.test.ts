// Rule coverage of the default mix: a 10,000-case run of greCase(), judged by the Linux oracle,
// exercises every rule of the catalogue (CT-1 aside: the reply tuple is not part of the forward
// answer), each in at least 0.5% of the cases, and no single rule decides most answers.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeCase, greCase } from '../generators/index.ts';
import { linuxVerdict } from '../oracles/index.ts';
import { RULE_IDS, type RuleId } from '../spec/rules.ts';

const RUNS = 10_000;

describe('greCase() rule coverage', () => {
  const exercised = new Map<RuleId, number>();
  const decided = new Map<RuleId, number>();
  const outcomes = new Map<string, number>();
  for (const c of fc.sample(greCase(), { numRuns: RUNS, seed: 1 })) {
    const { packet, keymap } = encodeCase(c);
    const v = linuxVerdict(packet, { keymap });
    for (const r of new Set(v.rules)) exercised.set(r, (exercised.get(r) ?? 0) + 1);
    decided.set(v.decidedBy, (decided.get(v.decidedBy) ?? 0) + 1);
    outcomes.set(v.outcome, (outcomes.get(v.outcome) ?? 0) + 1);
  }
  const share = (m: Map<string, number>, k: string) => (m.get(k) ?? 0) / RUNS;

  it.each(RULE_IDS.filter((r) => r !== 'CT-1'))('%s is exercised in at least 0.5% of the cases', (rule) => {
    expect(share(exercised, rule)).toBeGreaterThanOrEqual(0.005);
  });

  it('no rule decides more than 40% of the answers', () => {
    for (const r of RULE_IDS) expect(share(decided, r), r).toBeLessThan(0.4);
  });

  it('most datagrams reach conntrack: tracked at least half, not seen under a quarter', () => {
    expect(share(outcomes, 'tracked')).toBeGreaterThan(0.5);
    expect(share(outcomes, 'not-seen')).toBeLessThan(0.25);
    expect(share(outcomes, 'invalid')).toBeGreaterThan(0.02);
  });
});
