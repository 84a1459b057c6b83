// One case on its own: a replayed generated case (`seed:index:path`), or a datagram given as hex.
// Same report as the suite, with at most one counterexample.
import type { KeymapEntry } from '../spec/contract.ts';
import { CONTRACT_VERSION } from '../spec/contract.ts';
import { RULE_IDS } from '../spec/rules.ts';
import { linuxVerdict, KERNEL_VERSION } from '../oracles/index.ts';
import type { Adapter } from './adapters/types.ts';
import { ImplementationError } from './adapters/types.ts';
import type { CaseSpace } from './case-space.ts';
import { blameBatch, fieldBlame } from './blame.ts';
import { diffAnswers } from './compare.ts';
import type { Report, RuleRow } from './report.ts';
import { RequestIds, type Oracle } from './suite.ts';
import { toHex } from './hex.ts';

export interface SingleCase<T> {
  readonly caseId: string;
  readonly packet: Uint8Array;
  readonly keymap: readonly KeymapEntry[];
  /** The structured case, when there is one: it allows blame by neutralizers and a description. */
  readonly value?: T;
}

export async function runSingle<T>(
  adapter: Adapter, space: CaseSpace<T> | undefined, c: SingleCase<T>,
  opts: { readonly replayCommand: (caseId: string) => string; readonly oracle?: Oracle; readonly seed?: number },
): Promise<Report> {
  const started = Date.now();
  const oracle = opts.oracle ?? linuxVerdict;
  const ids = new RequestIds();
  const verdict = oracle(c.packet, { keymap: c.keymap });
  const rows: RuleRow[] = RULE_IDS.map((r) => ({ rule: r, vectors: 0, vectorFailures: 0, cases: 0, failures: 0 }));
  const base = {
    implementation: adapter.description, contract: CONTRACT_VERSION, kernel: KERNEL_VERSION,
    seed: opts.seed ?? 0, runs: 1, rows,
  };
  let actual;
  try {
    [actual] = await adapter.answer([ids.request(c.packet, c.keymap)]);
  } catch (e) {
    if (!(e instanceof ImplementationError)) throw e;
    return {
      ...base, durationMs: Date.now() - started, counterexamples: [],
      totals: { vectors: 0, vectorFailures: 0, cases: 0, failures: 0, skipped: 0 },
      harnessFailure: {
        kind: e.failure.kind, message: e.failure.message, caseId: c.caseId, packet: toHex(c.packet), keymap: c.keymap,
        replay: opts.replayCommand(c.caseId), ...(e.failure.detail !== undefined ? { detail: e.failure.detail } : {}),
      },
    };
  }
  const diff = diffAnswers(verdict.tuple, actual!);
  const exercised = [...new Set(verdict.rules)];
  // A replayed generated case counts as one; a datagram given as hex or a saved failure counts
  // as a vector (a datagram with a known answer), as capture datagrams do in `replay FILE`.
  const generated = c.value !== undefined;
  for (const r of exercised) rows.find((x) => x.rule === r)![generated ? 'cases' : 'vectors']++;
  const counterexamples = [];
  if (diff.length > 0) {
    const blamed = space && c.value !== undefined
      ? (await blameBatch(adapter, ids, space, oracle, [{ value: c.value, verdict, actual: actual! }]))[0]!
      : fieldBlame(verdict, actual!);
    rows.find((x) => x.rule === blamed.rule)![generated ? 'failures' : 'vectorFailures']++;
    counterexamples.push({
      rule: blamed.rule, phase: 'replay' as const, caseId: c.caseId, packet: toHex(c.packet), keymap: c.keymap,
      expected: verdict.tuple, actual: actual!, diff, outcome: verdict.outcome, reason: verdict.reason,
      rulesExercised: exercised, blame: blamed.how,
      ...(space?.describe && c.value !== undefined ? { description: space.describe(c.value) } : {}),
      replay: opts.replayCommand(c.caseId),
    });
  }
  return {
    ...base, durationMs: Date.now() - started, counterexamples,
    totals: generated
      ? { vectors: 0, vectorFailures: 0, cases: 1, failures: diff.length > 0 ? 1 : 0, skipped: 0 }
      : { vectors: 1, vectorFailures: diff.length > 0 ? 1 : 0, cases: 0, failures: 0, skipped: 0 },
  };
}
