// Which rule a wrong answer is put on. For each rule the case exercised (kernel order) that has
// a neutralizer, the same case without that rule's feature is asked again: if the implementation
// then answers right, that feature is what it gets wrong. When no neutralized case passes, the
// rule that decided the expected answer is blamed.
import type { RuleId } from '../spec/rules.ts';
import type { Adapter } from './adapters/types.ts';
import type { CaseSpace } from './case-space.ts';
import type { Oracle, RequestIds } from './suite.ts';
import type { Verdict } from '../oracles/index.ts';
import { inOracleScope } from '../oracles/index.ts';
import { answersAgree } from './compare.ts';

export interface Blamed {
  readonly rule: RuleId;
  /** Why, in words, for the report. */
  readonly how: string;
}

export interface Failing<T> {
  readonly value: T;
  readonly verdict: Verdict;
}

export async function blameBatch<T>(
  adapter: Adapter, ids: RequestIds, space: CaseSpace<T>, oracle: Oracle, failing: readonly Failing<T>[],
): Promise<Blamed[]> {
  const neutral = space.neutralizers ?? {};
  type Probe = { owner: number; rule: RuleId; verdict: Verdict; packet: Uint8Array; keymap: ReturnType<CaseSpace<T>['encode']>['keymap'] };
  const probes: Probe[] = [];
  failing.forEach((f, owner) => {
    const seen = new Set<RuleId>();
    for (const rule of f.verdict.rules) {
      if (seen.has(rule)) continue;
      seen.add(rule);
      const n = neutral[rule];
      const v2 = n?.(f.value);
      if (v2 === undefined) continue;
      const { packet, keymap } = space.encode(v2);
      const verdict = oracle(packet, { keymap });
      if (!inOracleScope(verdict.l4proto)) continue;
      probes.push({ owner, rule, verdict, packet, keymap });
    }
  });
  const answers = probes.length > 0 ? await adapter.answer(probes.map((p) => ids.request(p.packet, p.keymap))) : [];
  const out: (Blamed | undefined)[] = failing.map(() => undefined);
  probes.forEach((p, i) => {
    if (out[p.owner] === undefined && answersAgree(p.verdict.tuple, answers[i]!)) {
      out[p.owner] = { rule: p.rule, how: `the answer is right once this case loses what ${p.rule} is about (${p.rule} neutralized)` };
    }
  });
  return out.map((b, i) => b ?? { rule: failing[i]!.verdict.decidedBy, how: `${failing[i]!.verdict.decidedBy} decided the expected answer` });
}
