// Which rule a wrong answer is put on. For each rule the case exercised that has a neutralizer,
// the same case without that rule's feature is asked again. A probe is evidence only when the
// kernel's answer, and the rule that decides it, stay the same without the feature (otherwise
// the probe asks a different question); if the implementation then answers right,
// that feature is what it gets wrong. Removing one feature can hide another (fewer bytes left for
// GRE, say), so of several such rules the one latest in the kernel's order, nearest the decision,
// is blamed. When no probe passes, the rule that decided the expected answer is blamed.
import type { RuleId } from '../spec/rules.ts';
import type { Adapter } from './adapters/types.ts';
import type { CaseSpace } from './case-space.ts';
import type { Oracle, RequestIds } from './suite.ts';
import type { Verdict } from '../oracles/index.ts';
import { inOracleScope } from '../oracles/index.ts';
import { answersAgree, diffAnswers } from './compare.ts';
import type { Answer, KeymapEntry } from '../spec/contract.ts';

export interface Blamed {
  readonly rule: RuleId;
  /** Why, in words, for the report. */
  readonly how: string;
}

export interface Failing<T> {
  readonly value: T;
  readonly verdict: Verdict;
  /** The implementation's wrong answer, for blaming by field when no probe settles it. */
  readonly actual?: Answer;
}

export async function blameBatch<T>(
  adapter: Adapter, ids: RequestIds, space: CaseSpace<T>, oracle: Oracle, failing: readonly Failing<T>[],
): Promise<Blamed[]> {
  const neutral = space.neutralizers ?? {};
  type Probe = { owner: number; rule: RuleId; order: number; verdict: Verdict; packet: Uint8Array; keymap: readonly KeymapEntry[] };
  // A probe asks the same question as the failing case only if the kernel's answer and the rule
  // deciding it are unchanged. GRE-8's probe moves the GRE into IPv4, so there the addresses differ.
  const probeOf = (f: Failing<T>, rule: RuleId, value: T, owner: number, order: number): Probe | undefined => {
    const { packet, keymap } = space.encode(value);
    const verdict = oracle(packet, { keymap });
    if (!inOracleScope(verdict.l4proto) || verdict.decidedBy !== f.verdict.decidedBy) return undefined;
    const same = rule === 'GRE-8' ? sameKeys(f.verdict.tuple, verdict.tuple) : answersAgree(f.verdict.tuple, verdict.tuple);
    return same ? { owner, rule, order, verdict, packet, keymap } : undefined;
  };
  const ask = async (probes: Probe[]) => probes.length > 0 ? adapter.answer(probes.map((p) => ids.request(p.packet, p.keymap))) : [];
  const rulesOf = (f: Failing<T>) => [...new Set(f.verdict.rules)].filter((r) => neutral[r] !== undefined);

  // Stage 1: each feature removed on its own; of those that fix the answer, the latest rule.
  const single: Probe[] = [];
  failing.forEach((f, owner) => rulesOf(f).forEach((rule, order) => {
    const v2 = neutral[rule]!(f.value);
    const p = v2 === undefined ? undefined : probeOf(f, rule, v2, owner, order);
    if (p) single.push(p);
  }));
  const answers = await ask(single);
  const chosen: (Probe | undefined)[] = failing.map(() => undefined);
  single.forEach((p, i) => {
    if (!answersAgree(p.verdict.tuple, answers[i]!)) return;
    const cur = chosen[p.owner];
    if (cur === undefined || p.order > cur.order) chosen[p.owner] = p;
  });
  const out: (Blamed | undefined)[] = chosen.map((p) => p && {
    rule: p.rule, how: `the same case without what ${p.rule} is about gets the right answer (${p.rule} neutralized; the kernel's answer is unchanged)`,
  });

  // Stage 2: for the rest, features removed one after another in kernel order; the rule whose
  // removal first makes the answer right is blamed (a mistake may need two features to show,
  // e.g. extension headers not skipped at all, when the chain has several kinds).
  const cumulative: Probe[] = [];
  failing.forEach((f, owner) => {
    if (out[owner] !== undefined) return;
    let cur = f.value;
    rulesOf(f).forEach((rule, order) => {
      const v2 = neutral[rule]!(cur);
      const p = v2 === undefined ? undefined : probeOf(f, rule, v2, owner, order);
      if (!p) return;
      cur = v2!;
      cumulative.push(p);
    });
  });
  const answers2 = await ask(cumulative);
  cumulative.forEach((p, i) => {
    if (out[p.owner] !== undefined || !answersAgree(p.verdict.tuple, answers2[i]!)) return;
    out[p.owner] = { rule: p.rule, how: `the answer is right once the features up to ${p.rule} are removed in kernel order (${p.rule} the last)` };
  });
  return out.map((b, i) => b ?? fieldBlame(failing[i]!.verdict, failing[i]!.actual));
}

function sameKeys(a: Answer, b: Answer): boolean {
  if (a === null || b === null) return a === b;
  return a.proto === b.proto && a.srckey === b.srckey && a.dstkey === b.dstkey;
}

/**
 * The rule that owns the field the implementation got wrong: a null where a tuple was due (or
 * the reverse) belongs to the rule that decided the outcome; a wrong dstkey to the rule that
 * set it; a wrong srckey to the keymap rules (ignored: GRE-6; a later match: KM-3; a near miss
 * taken for a match: KM-2); wrong addresses to L3-9; a wrong protocol to the rule that skips the
 * extension header given as the protocol (L3-8, L3-8A, L3-8F), else to L3-8O.
 */
/** ipv6_skip_exthdr's headers, by next-header value, and the rule that skips each. */
const EXT_HEADER_RULE: Readonly<Record<number, RuleId>> = { 0: 'L3-8', 43: 'L3-8', 60: 'L3-8', 51: 'L3-8A', 44: 'L3-8F' };

export function fieldBlame(verdict: Verdict, actual: Answer | undefined): Blamed {
  const expected = verdict.tuple;
  const by = (rule: RuleId, how: string): Blamed => ({ rule, how });
  if (actual === undefined || expected === null || actual === null) return by(verdict.decidedBy, `${verdict.decidedBy} decided the expected answer`);
  const diff = diffAnswers(expected, actual);
  const has = (r: RuleId) => verdict.rules.includes(r);
  if (diff.includes('proto')) {
    // An extension header the kernel walked past, given as the protocol: that header was not
    // skipped, whatever decided the rest (L3-8E, when the header also runs past the end).
    const skipped: RuleId | undefined = EXT_HEADER_RULE[actual.proto];
    if (skipped !== undefined && has(skipped)) return by(skipped, `the protocol differs: ${actual.proto} is an extension header the kernel skips`);
    return by(has('L3-8O') ? 'L3-8O' : verdict.decidedBy, 'the protocol differs');
  }
  if (diff.includes('src') || diff.includes('dst')) return by('L3-9', 'the addresses differ');
  if (diff.includes('dstkey')) {
    const rule = has('GRE-5') ? 'GRE-5' : verdict.decidedBy;
    return by(rule, `the dstkey differs, and ${rule} sets it`);
  }
  if (has('KM-3') && actual.srckey !== 0) return by('KM-3', 'the srckey differs: another matching keymap entry than the first');
  if (has('KM-2') && actual.srckey !== 0) return by('KM-2', 'the srckey differs: a keymap entry that does not match on family, src, dst and dstkey');
  return by(has('GRE-6') ? 'GRE-6' : verdict.decidedBy, 'the srckey differs: the keymap lookup');
}
