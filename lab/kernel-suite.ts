// The property suite with the live kernel answering (`gre-conformance kernel`): runSuite over
// a keymap-free case space, the KernelAdapter in place of an implementation. Returns data: the
// suite's Report, the throughput and which rules the run covered; the CLI prints.
import { release } from 'node:os';
import { greCase, encodeCase, describeCase, NEUTRALIZERS, type GreCase } from '../generators/index.ts';
import type { CaseSpace } from '../runner/case-space.ts';
import { caseOfId, CaseIdError, type CaseOfId } from '../runner/case-of-id.ts';
import { runSuite, type Progress } from '../runner/suite.ts';
import { runSingle } from '../runner/single.ts';
import type { Report } from '../runner/report.ts';
import { RULE_IDS, type RuleId } from '../spec/rules.ts';
import { vectorCases } from '../spec/vectors.ts';
import { KernelAdapter } from './kernel-adapter.ts';
import { openLab } from './lab.ts';
import { LabError, type LabStats } from './types.ts';

/**
 * The generators without keymaps: the lab's kernel has an empty PPTP keymap (the helper alone
 * fills it), so the cases that need one cannot be asked of it.
 */
export const kernelSpace: CaseSpace<GreCase> = {
  arbitrary: greCase({ keymap: false }),
  encode: encodeCase,
  describe: describeCase,
  neutralizers: NEUTRALIZERS,
};

/** Rules no keymap-free case can exercise: the keymap lookup (GRE-6, KM-2, KM-3), and CT-1 (the reply tuple, not part of the answer). */
export const KEYMAP_RULES: readonly RuleId[] = ['GRE-6', 'KM-2', 'KM-3'];
export const NOT_IN_ANSWER: readonly RuleId[] = ['CT-1'];

export interface KernelSuiteOptions {
  readonly seed: number;
  readonly runs: number;
  readonly rules?: readonly RuleId[];
  readonly exclude?: readonly RuleId[];
  /** Run the catalogue's vectors first (those without a keymap). Default true. */
  readonly vectors?: boolean;
  /** Datagrams per kernel batch (default 4096). */
  readonly batchSize?: number;
  /** One case instead of the suite: `seed:index[:path]` of kernelSpace, or a datagram. */
  readonly single?: { caseId: string } | { packet: Uint8Array };
  readonly onProgress?: (p: Progress) => void;
  /** How to name the command that replays a case, given its id (or `packet:<hex>`). */
  readonly replayCommand: (caseId: string) => string;
}

export interface KernelSuiteResult {
  readonly report: Report;
  readonly kernel: string;
  /** Datagrams the kernel answered (vectors, generated cases, blame and shrink probes). */
  readonly packets: number;
  /** Generated and vector cases compared with the oracle. */
  readonly verified: number;
  readonly wallMs: number;
  /** Time inside the lab (inject, wait, read back). */
  readonly kernelMs: number;
  readonly lab: LabStats;
  readonly anomalies: readonly string[];
  /** Rules the run was to exercise and did not (keymap rules and CT-1 aside). */
  readonly uncovered: readonly RuleId[];
}

/** Vectors of the catalogue the lab's kernel can answer: those without a keymap. */
export function kernelVectors() {
  return vectorCases().filter((v) => !v.keymap || v.keymap.length === 0);
}

export async function runKernelSuite(o: KernelSuiteOptions): Promise<KernelSuiteResult> {
  const started = performance.now();
  const lab = await openLab(o.batchSize !== undefined ? { batchSize: o.batchSize } : {});
  const kernel = release();
  const adapter = new KernelAdapter(lab, kernel);
  let report: Report;
  try {
    if (o.single) {
      if ('packet' in o.single) {
        report = await runSingle(adapter, undefined, { caseId: 'packet', packet: o.single.packet, keymap: [] }, { replayCommand: o.replayCommand });
      } else {
        let c: CaseOfId<GreCase>;
        try {
          c = caseOfId(kernelSpace, o.single.caseId);
        } catch (e) {
          throw e instanceof CaseIdError ? new LabError(`--replay: ${e.message}`) : e;
        }
        report = await runSingle(adapter, kernelSpace, { caseId: o.single.caseId, packet: c.packet, keymap: c.keymap, value: c.value }, { replayCommand: o.replayCommand, seed: c.ref.seed });
      }
    } else {
      report = await runSuite(adapter, kernelSpace, {
        seed: o.seed, runs: o.runs, batchSize: o.batchSize ?? 4096,
        rules: o.rules ?? [], exclude: o.exclude ?? [],
        vectors: o.vectors === false ? [] : kernelVectors(),
        replayCommand: o.replayCommand,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
    }
  } finally {
    await adapter.close();
  }
  const excluded = new Set<RuleId>([...KEYMAP_RULES, ...NOT_IN_ANSWER, ...(o.exclude ?? [])]);
  const only = o.rules && o.rules.length > 0 ? new Set(o.rules) : undefined;
  const uncovered = o.single ? [] : report.rows
    .filter((r) => !excluded.has(r.rule) && (!only || only.has(r.rule)) && r.cases === 0 && r.vectors === 0)
    .map((r) => r.rule)
    .sort((a, b) => RULE_IDS.indexOf(a) - RULE_IDS.indexOf(b));
  return {
    report, kernel,
    packets: adapter.stats.packets,
    verified: report.totals.cases + report.totals.vectors,
    wallMs: performance.now() - started,
    kernelMs: adapter.stats.ms,
    lab: { ...lab.stats },
    anomalies: [...lab.anomalies],
    uncovered,
  };
}
