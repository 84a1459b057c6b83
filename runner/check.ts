// The library entry for users' own test suites: run the suite in-process against a function.
// checkConformance returns the report as data; assertConformance throws with the text report.
import type { ToTuple } from '../spec/contract.ts';
import type { RuleId } from '../spec/rules.ts';
import { vectorCases } from '../spec/vectors.ts';
import { formatText } from '../report/text.ts';
import { inProcessAdapter } from './in-process.ts';
import { runSuite } from './suite.ts';
import { defaultSpace } from './default-space.ts';
import { exitCodeOf, type Report } from './report.ts';
import type { CaseSpace } from './case-space.ts';
import { caseOfId, CaseIdError, type CaseOfId } from './case-of-id.ts';
import { runSingle } from './single.ts';

export interface CheckOptions<T = unknown> {
  readonly runs?: number;
  readonly seed?: number;
  readonly rules?: readonly RuleId[];
  readonly exclude?: readonly RuleId[];
  /** Run the catalogue's vectors first (default true). */
  readonly vectors?: boolean;
  /** Generate from another case space than the project's generators. */
  readonly space?: CaseSpace<T>;
  /** Run only this case, as a report names it: `seed:index[:path]` (the CLI's --replay). */
  readonly replay?: string;
}

export async function checkConformance<T>(toTuple: ToTuple, options: CheckOptions<T> = {}): Promise<Report> {
  const seed = options.seed ?? (Math.random() * 2 ** 31) | 0;
  const adapter = inProcessAdapter(toTuple);
  const space = (options.space ?? defaultSpace) as CaseSpace<unknown>;
  const replayCommand = (id: string) => `checkConformance(toTuple, { replay: '${id}' })`;
  if (options.replay !== undefined) {
    let c: CaseOfId<unknown>;
    try {
      c = caseOfId(space, options.replay);
    } catch (e) {
      throw e instanceof CaseIdError ? new TypeError(`replay: ${e.message}`) : e;
    }
    return runSingle(adapter, space, { caseId: options.replay, packet: c.packet, keymap: c.keymap, value: c.value }, { replayCommand, seed: c.ref.seed });
  }
  return runSuite(adapter, space, {
    seed,
    runs: options.runs ?? 10000,
    rules: options.rules ?? [],
    exclude: options.exclude ?? [],
    vectors: options.vectors === false ? [] : vectorCases(),
    replayCommand,
  });
}

export class ConformanceError extends Error {
  override name = 'ConformanceError';
  constructor(readonly report: Report) {
    super('\n' + formatText(report, { color: false, quiet: true }));
  }
}

export async function assertConformance<T>(toTuple: ToTuple, options: CheckOptions<T> = {}): Promise<Report> {
  const report = await checkConformance(toTuple, options);
  if (exitCodeOf(report) !== 0) throw new ConformanceError(report);
  return report;
}
