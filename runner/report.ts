// The data a run produces. Only the CLI turns it into text and an exit code.
import type { Answer, KeymapEntry } from '../spec/contract.ts';
import type { RuleId } from '../spec/rules.ts';
import type { Outcome } from '../oracles/index.ts';
import type { FailureKind } from './adapters/types.ts';
import type { TupleField } from './compare.ts';

export interface RuleRow {
  readonly rule: RuleId;
  /** Vectors of phase 1 that cite this rule, and how many of them failed. */
  vectors: number;
  vectorFailures: number;
  /** Generated cases that exercised this rule, and the failures blamed on it. */
  cases: number;
  failures: number;
  /** Set when the rule was excluded with --exclude or left out by --rule. */
  excluded?: boolean;
  /** Set by a known-divergences file: failures here are expected. */
  expectedToFail?: boolean;
}

export interface Counterexample {
  readonly rule: RuleId;
  readonly phase: 'vector' | 'property' | 'replay';
  /** `vector:<id>`, `seed:index[:shrink path]`, or `packet`. */
  readonly caseId: string;
  readonly packet: string;
  readonly keymap: readonly KeymapEntry[];
  readonly expected: Answer;
  readonly actual: Answer;
  readonly diff: readonly TupleField[];
  readonly outcome: Outcome;
  /** The oracle's explanation of the expected answer. */
  readonly reason: string;
  readonly rulesExercised: readonly RuleId[];
  readonly description?: string;
  /** Why the failure was put on this rule. */
  readonly blame: string;
  readonly shrink?: { readonly steps: number; readonly evaluations: number; readonly fromBytes: number };
  readonly replay: string;
}

export interface HarnessFailure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly caseId?: string;
  readonly packet?: string;
  readonly keymap?: readonly KeymapEntry[];
  readonly detail?: string;
  readonly replay?: string;
}

export interface Report {
  /** oracle: answers compared with the oracle; metamorphic: answers compared with each other. */
  readonly tier?: 'oracle' | 'metamorphic';
  readonly implementation: string;
  readonly contract: string;
  readonly kernel: string;
  readonly seed: number;
  /**
   * Fingerprint of the generators that drew the generated cases (runner/generators-fingerprint.ts);
   * their case ids end in it (`seed:index:path@generators`).
   */
  readonly generators?: string;
  readonly runs: number;
  readonly durationMs: number;
  readonly rows: readonly RuleRow[];
  readonly counterexamples: readonly Counterexample[];
  readonly totals: {
    readonly vectors: number;
    readonly vectorFailures: number;
    readonly cases: number;
    readonly failures: number;
    /** Generated cases not run: out of the oracle's scope, or filtered by --rule/--exclude. */
    readonly skipped: number;
  };
  /** Set when the implementation misbehaved: the run stopped there; what came before is kept. */
  readonly harnessFailure?: HarnessFailure;
  /** Known divergences the run was given, and how each turned out. */
  readonly divergences?: readonly DivergenceResult[];
  /** Agreement with each kernel generation's semantics (see oracles/linux/kernel-profile.ts). */
  readonly profiles?: readonly ProfileResult[];
}

export interface DivergenceResult {
  readonly rule: RuleId;
  readonly reason: string;
  /** expected-fail: it failed, as declared; unexpected-pass: it was exercised and passed. */
  readonly status: 'expected-fail' | 'unexpected-pass' | 'not-exercised';
}

export interface ProfileResult {
  readonly profile: string;
  readonly versions: string;
  /** Cases whose expected answer differs between kernel generations (IPv6 GRE). */
  readonly cases: number;
  readonly disagreements: number;
}

export type ExitCode = 0 | 1 | 2 | 3;

/** Wrong answers that count: failures under rules not declared as known divergences. */
export function unexpectedFailures(report: Report): number {
  return report.rows.reduce((n, r) => n + (r.expectedToFail ? 0 : r.failures + r.vectorFailures), 0);
}

/** CONTRACT.md section 7. A declared divergence that passes is reported and fails the run (as in WPT). */
export function exitCodeOf(report: Report): ExitCode {
  if (report.harnessFailure) return 2;
  if (unexpectedFailures(report) > 0) return 1;
  return report.divergences?.some((d) => d.status === 'unexpected-pass') ? 1 : 0;
}
