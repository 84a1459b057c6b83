// The metamorphic tier: no oracle, only relations between an implementation's own answers
// (generators/relations.ts). Each generated case is sent together with its edited twins; a
// twin whose answer breaks the relation is a failure under the relation's rule.
import type { Answer } from '../spec/contract.ts';
import { CONTRACT_VERSION } from '../spec/contract.ts';
import { RULE_IDS, type RuleId } from '../spec/rules.ts';
import { KERNEL_VERSION, invertTuple, linuxVerdict } from '../oracles/index.ts';
import { RELATIONS, type Relation } from '../generators/relations.ts';
import { encodeCase, describeCase, type GreCase } from '../generators/index.ts';
import type fc from 'fast-check';
import type { Adapter } from './adapters/types.ts';
import { ImplementationError } from './adapters/types.ts';
import { drawCase, formatCaseId } from './case-id.ts';
import { generatorsFingerprint } from './generators-fingerprint.ts';
import { diffAnswers } from './compare.ts';
import { toHex } from './hex.ts';
import type { Counterexample, Report, RuleRow } from './report.ts';
import { RequestIds } from './suite.ts';

export interface MetamorphicOptions {
  readonly seed: number;
  readonly runs: number;
  /** Index of the first case (default 0): a replay runs the one case a report names. */
  readonly first?: number;
  readonly arbitrary: fc.Arbitrary<GreCase>;
  readonly replayCommand: (caseId: string) => string;
  readonly batchSize?: number;
  readonly relations?: readonly Relation[];
}

export async function runMetamorphic(adapter: Adapter, opts: MetamorphicOptions): Promise<Report> {
  const started = Date.now();
  const relations = opts.relations ?? RELATIONS;
  const ids = new RequestIds();
  const rows = new Map<RuleId, RuleRow>(RULE_IDS.map((r) => [r, { rule: r, vectors: 0, vectorFailures: 0, cases: 0, failures: 0 }]));
  const counterexamples: Counterexample[] = [];
  let cases = 0, failures = 0;
  const batchSize = opts.batchSize ?? 256;
  const generators = generatorsFingerprint({ arbitrary: opts.arbitrary, encode: encodeCase });
  const report = (harnessFailure?: Report['harnessFailure']): Report => ({
    tier: 'metamorphic', implementation: adapter.description, contract: CONTRACT_VERSION, kernel: KERNEL_VERSION,
    seed: opts.seed, generators, runs: opts.runs, durationMs: Date.now() - started, rows: [...rows.values()], counterexamples,
    totals: { vectors: 0, vectorFailures: 0, cases, failures, skipped: 0 },
    ...(harnessFailure ? { harnessFailure } : {}),
  });
  const end = (opts.first ?? 0) + opts.runs;
  for (let index = opts.first ?? 0; index < end; ) {
    type Pair = { index: number; base: GreCase; twin: GreCase; relation: Relation };
    const pairs: Pair[] = [];
    const bases = new Map<number, GreCase>();
    for (; index < end && pairs.length < batchSize; index++) {
      const base = drawCase(opts.arbitrary, opts.seed, index);
      for (const relation of relations) {
        const twin = relation.apply(base);
        if (twin !== undefined) { pairs.push({ index, base, twin, relation }); bases.set(index, base); }
      }
    }
    if (pairs.length === 0) continue;
    const baseIndexes = [...bases.keys()];
    const baseEnc = new Map(baseIndexes.map((i) => [i, encodeCase(bases.get(i)!)]));
    const twinEnc = pairs.map((p) => encodeCase(p.twin));
    const reqs = [...baseIndexes.map((i) => ids.request(baseEnc.get(i)!.packet, baseEnc.get(i)!.keymap)), ...twinEnc.map((e) => ids.request(e.packet, e.keymap))];
    let answers: Answer[];
    try {
      answers = await adapter.answer(reqs);
    } catch (e) {
      if (!(e instanceof ImplementationError)) throw e;
      const req = e.failure.request;
      return report({
        kind: e.failure.kind, message: e.failure.message,
        ...(req ? { packet: toHex(req.packet), keymap: req.keymap } : {}),
        ...(e.failure.detail !== undefined ? { detail: e.failure.detail } : {}),
      });
    }
    const baseAnswer = new Map(baseIndexes.map((i, k) => [i, answers[k]!]));
    pairs.forEach((p, k) => {
      const row = rows.get(p.relation.rule)!;
      row.cases++;
      cases++;
      const a = baseAnswer.get(p.index)!;
      const expected = p.relation.expect === 'inverted' && a !== null ? invertTuple(a) : a;
      const actual = answers[baseIndexes.length + k]!;
      const diff = diffAnswers(expected, actual);
      if (diff.length === 0) return;
      row.failures++;
      failures++;
      if (counterexamples.some((c) => c.rule === p.relation.rule)) return;
      const caseId = formatCaseId({ seed: opts.seed, index: p.index, path: [], generators });
      const enc = twinEnc[k]!;
      const verdict = linuxVerdict(enc.packet, { keymap: enc.keymap });
      counterexamples.push({
        rule: p.relation.rule, phase: 'property', caseId, packet: toHex(enc.packet), keymap: enc.keymap,
        expected, actual, diff, outcome: verdict.outcome,
        reason: `relation ${p.relation.id}: ${p.relation.statement}; the implementation answered ${JSON.stringify(a)} for the original ${toHex(baseEnc.get(p.index)!.packet)}`,
        rulesExercised: [p.relation.rule], description: `${describeCase(p.twin)} (twin of ${describeCase(p.base)})`,
        blame: `metamorphic relation ${p.relation.id}`, replay: opts.replayCommand(caseId),
      });
    });
  }
  return report();
}
