// Runs the suite against one implementation: phase 1 the catalogue's vectors, phase 2 generated
// cases in batches. Returns a Report; prints nothing. The oracle decides every expected answer;
// a failure is put on a rule by blame.ts and the first failure of each rule is shrunk.
import type fc from 'fast-check';
import type { Answer, KeymapEntry } from '../spec/contract.ts';
import { CONTRACT_VERSION } from '../spec/contract.ts';
import { RULE_IDS, type RuleId } from '../spec/rules.ts';
import {
  linuxVerdict, linuxDecide, parseKeymap, decisionAgrees, Decision, inOracleScope, KERNEL_VERSION, PROFILES, type KernelProfile, type Verdict,
} from '../oracles/index.ts';
import type { Adapter, CaseRequest } from './adapters/types.ts';
import { ImplementationError } from './adapters/types.ts';
import type { CaseSpace } from './case-space.ts';
import { formatCaseId, generateCase, type CaseRef } from './case-id.ts';
import { generatorsFingerprint } from './generators-fingerprint.ts';
import { inThreadSource, workerSource, type CaseChunk, type CaseSource } from './case-source.ts';
import { diffAnswers } from './compare.ts';
import { blameBatch, fieldBlame, type Blamed } from './blame.ts';
import { shrinkFailure } from './shrink.ts';
import type { Counterexample, HarnessFailure, ProfileResult, Report, RuleRow } from './report.ts';
import { toHex } from './hex.ts';

export type Oracle = (packet: Uint8Array, context: { keymap: readonly KeymapEntry[] }) => Verdict;

/** A fixed case of phase 1: a catalogue vector, or a record of a capture. */
export interface SuiteVector {
  readonly id: string;
  readonly rules: readonly RuleId[];
  /** The datagram as hex; `bytes`, when given, is used instead of parsing it. */
  readonly packet: string;
  readonly bytes?: Uint8Array;
  readonly keymap?: readonly KeymapEntry[];
  /** A pinned expected answer; when absent the oracle decides. */
  readonly expect?: Answer;
  /** How reports name the case (default `vector:<id>`), e.g. `capture.pcap#17`. */
  readonly caseId?: string;
}

export interface Progress {
  readonly phase: 'vectors' | 'properties' | 'shrinking';
  readonly done: number;
  readonly total: number;
  readonly failures: number;
}

export interface SuiteOptions {
  readonly seed: number;
  readonly runs: number;
  /** Only cases that exercise one of these rules run (vectors likewise). */
  readonly rules?: readonly RuleId[];
  /** Cases that exercise any of these rules are not run. */
  readonly exclude?: readonly RuleId[];
  readonly vectors?: readonly SuiteVector[];
  readonly batchSize?: number;
  /** Adapter evaluations one shrink may spend. */
  readonly maxShrinkEvaluations?: number;
  readonly oracle?: Oracle;
  /** The command that replays a case, given its id (`seed:index:path` or `vector:<id>`). */
  readonly replayCommand: (caseId: string) => string;
  readonly onProgress?: (p: Progress) => void;
  /** Stop generating once this many failures were seen (the report still has every rule's first). */
  readonly stopAfterFailures?: number;
  /** Stop generating after this many milliseconds (fuzz mode). */
  readonly deadlineMs?: number;
  /** Stop generating once failures were blamed on this many distinct rules (fuzz mode). */
  readonly stopAfterDistinctRules?: number;
  /** The kernel generation of the expected answers (default current); `oracle` overrides it. */
  readonly profile?: KernelProfile;
  /**
   * Worker threads drawing and encoding generated cases ahead of this thread (default 0: drawn
   * here). Used only when the case space names its workerModule.
   */
  readonly generationWorkers?: number;
}

// A generated case waiting for its answer. Its fast-check Value (about 10 KB with the shrink
// context) is not kept: a batch of them outlived the young generation and made garbage
// collection most of a run's time. The few failing cases regenerate it from (seed, index).
interface Pending {
  readonly ref: CaseRef;
  readonly packet: Uint8Array;
  readonly keymap: readonly KeymapEntry[];
  /** The full verdict: built at once with a custom oracle, otherwise only when the case fails. */
  verdict: Verdict | undefined;
}

/** A case the suite evaluated: what the oracle expected and what came back. */
export interface Evaluated {
  readonly packet: Uint8Array;
  readonly keymap: readonly KeymapEntry[];
  readonly verdict: Verdict;
  readonly actual: Answer;
}

export class RequestIds {
  private next = 1;
  request(packet: Uint8Array, keymap: readonly KeymapEntry[]): CaseRequest {
    return { id: this.next++, packet, keymap };
  }
}

function uniqueRules(rules: readonly RuleId[]): RuleId[] {
  return rules.length < 2 ? [...rules] : [...new Set(rules)];
}

export async function runSuite<T>(adapter: Adapter, space: CaseSpace<T>, opts: SuiteOptions): Promise<Report> {
  const started = Date.now();
  const oracle: Oracle = opts.oracle ?? (opts.profile && opts.profile !== 'current'
    ? (p, c) => linuxVerdict(p, c, { profile: opts.profile! })
    : linuxVerdict);
  // Agreement with every kernel generation, counted on the cases whose answer depends on it.
  const profileNames = Object.keys(PROFILES) as KernelProfile[];
  const profileTally = new Map(profileNames.map((p) => [p, { cases: 0, disagreements: 0 }]));
  const ids = new RequestIds();
  const only = opts.rules && opts.rules.length > 0 ? new Set(opts.rules) : undefined;
  const excluded = new Set(opts.exclude ?? []);
  const rows = new Map<RuleId, RuleRow>(RULE_IDS.map((r) => [r, {
    rule: r, vectors: 0, vectorFailures: 0, cases: 0, failures: 0,
    ...(excluded.has(r) ? { excluded: true } : {}),
  }]));
  const row = (r: RuleId) => rows.get(r)!;
  const counterexamples: Counterexample[] = [];
  const firstFailure = new Map<RuleId, { pending: Pending; verdict: Verdict; value: fc.Value<T>; actual: Answer; blamed: Blamed }>();
  // Without a custom oracle, generated cases are decided by linuxDecide: numbers only, one
  // reused Decision, no text. A case is decided when its batch is built (scope and --rule) and
  // again when its answer is tallied, which costs less than keeping a result per case; a failing
  // case is then decided by linuxVerdict for its report.
  const fast = opts.oracle === undefined;
  const decision = new Decision();
  const profileDecisions = new Map(profileNames.map((p) => [p, new Decision()]));
  const decideOptions = { profile: opts.profile ?? 'current' } as const;
  const decide = (p: { packet: Uint8Array; keymap: readonly KeymapEntry[] }): Decision =>
    linuxDecide(p.packet, parseKeymap(p.keymap), decision, decideOptions);
  const rowAt = RULE_IDS.map((r) => rows.get(r)!);
  const maskOf = (rules: Iterable<RuleId>) => { let m = 0; for (const r of rules) m |= 1 << RULE_IDS.indexOf(r); return m; };
  const excludedMask = maskOf(excluded), onlyMask = only ? maskOf(only) : 0;
  const selectedMask = (m: number) => (m & excludedMask) === 0 && (only === undefined || (m & onlyMask) !== 0);
  const valueOf = (p: Pending): fc.Value<T> => generateCase(space.arbitrary, p.ref.seed, p.ref.index);
  let vectorCount = 0, vectorFailures = 0, cases = 0, failures = 0, skipped = 0;
  let harnessFailure: HarnessFailure | undefined;
  const selected = (rules: readonly RuleId[]) => selectedMask(maskOf(rules));

  const finish = (): Report => ({
    implementation: adapter.description,
    contract: CONTRACT_VERSION,
    kernel: opts.profile && opts.profile !== 'current' ? `${KERNEL_VERSION} code with the semantics of ${PROFILES[opts.profile].versions}` : KERNEL_VERSION,
    seed: opts.seed,
    ...generators,
    runs: opts.runs,
    durationMs: Date.now() - started,
    rows: [...rows.values()],
    counterexamples,
    totals: { vectors: vectorCount, vectorFailures, cases, failures, skipped },
    ...(harnessFailure ? { harnessFailure } : {}),
    profiles: profileNames.map((p): ProfileResult => ({ profile: p, versions: PROFILES[p].versions, ...profileTally.get(p)! })),
  });

  const harness = (e: unknown, caseIdOf: (req: CaseRequest | undefined) => string | undefined, keymapOf?: (req: CaseRequest) => readonly KeymapEntry[]): boolean => {
    if (!(e instanceof ImplementationError)) return false;
    const req = e.failure.request;
    const caseId = caseIdOf(req);
    harnessFailure = {
      kind: e.failure.kind,
      message: e.failure.message,
      ...(caseId !== undefined ? { caseId, replay: opts.replayCommand(caseId) } : {}),
      ...(req ? { packet: toHex(req.packet), keymap: keymapOf ? keymapOf(req) : req.keymap } : {}),
      ...(e.failure.detail !== undefined ? { detail: e.failure.detail } : {}),
    };
    return true;
  };

  // Phase 1: the catalogue's hand-written vectors (or a capture's records), in batches.
  const vectors = (opts.vectors ?? []).filter((v) => selected(v.rules));
  const batchSize = opts.batchSize ?? 512;
  for (let start = 0; start < vectors.length; start += batchSize) {
    const chunk = vectors.slice(start, start + batchSize);
    const reqs = chunk.map((v) => ids.request(v.bytes ?? Uint8Array.from(Buffer.from(v.packet, 'hex')), v.keymap ?? []));
    let answers: Answer[];
    try {
      answers = await adapter.answer(reqs);
    } catch (e) {
      const byId = new Map(reqs.map((r, i) => [r.id, chunk[i]!]));
      if (harness(e, (req) => { const v = req && byId.get(req.id); return v ? vectorCaseId(v) : undefined; })) {
        const partial = (e as ImplementationError).partial;
        partial.forEach((a, i) => tallyVector(chunk[i]!, reqs[i]!, a));
        return finish();
      }
      throw e;
    }
    answers.forEach((a, i) => tallyVector(chunk[i]!, reqs[i]!, a));
    opts.onProgress?.({ phase: 'vectors', done: Math.min(start + batchSize, vectors.length), total: vectors.length, failures: vectorFailures });
  }

  function tallyVector(v: SuiteVector, req: CaseRequest, actual: Answer): void {
    vectorCount++;
    const verdict = oracle(req.packet, { keymap: req.keymap });
    const expected = v.expect !== undefined ? v.expect : verdict.tuple;
    const diff = diffAnswers(expected, actual);
    for (const r of v.rules) row(r).vectors++;
    if (diff.length === 0) return;
    vectorFailures++;
    // A catalogue vector's (or saved failure's) first cited rule is the one it was written to
    // test (G13's flags 0xFFF9 test the version mask, though GRE-5 then decides the key). A
    // capture record's rules are just the oracle's, in kernel order: blame by field there.
    const curated = v.caseId === undefined || v.caseId.startsWith('saved:');
    const rule = curated && v.rules[0] !== undefined ? v.rules[0] : fieldBlame(verdict, actual).rule;
    row(rule).vectorFailures++;
    if (counterexamples.some((c) => c.rule === rule && c.phase === 'vector')) return;
    const caseId = vectorCaseId(v);
    const pinned = v.expect !== undefined && diffAnswers(v.expect, verdict.tuple).length > 0;
    counterexamples.push({
      rule, phase: 'vector', caseId, packet: toHex(req.packet), keymap: req.keymap,
      expected, actual, diff, outcome: verdict.outcome,
      reason: pinned ? `pinned answer (the oracle now says ${verdict.tuple === null ? 'null' : 'otherwise'}: ${verdict.reason})` : verdict.reason,
      rulesExercised: uniqueRules(verdict.rules), blame: v.rules.length ? `${v.id} cites ${v.rules.join(', ')}` : `${verdict.decidedBy} decided the expected answer`,
      replay: opts.replayCommand(caseId),
    });
  }

  function vectorCaseId(v: SuiteVector): string {
    return v.caseId ?? `vector:${v.id}`;
  }

  // Phase 2: generated cases, in batches.
  let index = 0;
  const deadline = opts.deadlineMs !== undefined ? started + opts.deadlineMs : Infinity;
  // --runs counts cases that run; with --rule most generated cases may be passed over, so the
  // attempts are capped (a rule the generators rarely reach ends the run early, with what it has).
  const maxAttempts = only ? opts.runs * 200 : opts.runs + opts.runs / 10 + 100;
  const workers = opts.generationWorkers ?? 0;
  // Generated case ids carry the generators' fingerprint, so replaying one with other generators
  // is refused rather than running another packet (runner/case-of-id.ts).
  const generators = opts.runs > 0 ? { generators: generatorsFingerprint(space) } : {};
  let source: CaseSource | undefined;
  let chunk: CaseChunk | undefined;
  let at = 0; // position in chunk
  try {
    while (cases < opts.runs && index < maxAttempts && Date.now() < deadline) {
      if (opts.stopAfterFailures !== undefined && failures >= opts.stopAfterFailures) break;
      if (opts.stopAfterDistinctRules !== undefined && firstFailure.size >= opts.stopAfterDistinctRules) break;
      // Opened on the first generated case, so runs with no generated case start no worker.
      source ??= workers > 0 && space.workerModule
        ? await workerSource(space, opts.seed, { workers })
        : inThreadSource(space, opts.seed);
      const batch: Pending[] = [];
      while (batch.length < batchSize && cases + batch.length < opts.runs && index < maxAttempts) {
        if (chunk === undefined || at === chunk.packets.length) { chunk = await source.next(); at = 0; }
        const ref: CaseRef = { seed: opts.seed, index, path: [], ...generators };
        index++;
        const packet = chunk.packets[at]!, keymap = chunk.keymaps[at]!;
        at++;
        if (fast) {
          const d = decide({ packet, keymap });
          if (!inOracleScope(d.l4proto < 0 ? undefined : d.l4proto) || !selectedMask(d.ruleMask)) { skipped++; continue; }
          batch.push({ ref, packet, keymap, verdict: undefined });
        } else {
          const verdict = oracle(packet, { keymap });
          if (!inOracleScope(verdict.l4proto) || !selected(verdict.rules)) { skipped++; continue; }
          batch.push({ ref, packet, keymap, verdict });
        }
      }
      if (batch.length === 0) continue;
      const reqs = batch.map((p) => ids.request(p.packet, p.keymap));
      let answers: Answer[];
      try {
        answers = await adapter.answer(reqs);
      } catch (e) {
        const byId = new Map(reqs.map((r, i) => [r.id, batch[i]!]));
        if (harness(e, (req) => { const p = req && byId.get(req.id); return p ? formatCaseId(p.ref) : undefined; })) {
          const partial = (e as ImplementationError).partial;
          await tallyBatch(batch.slice(0, partial.length), [...partial], false);
          return finish();
        }
        throw e;
      }
      try {
        await tallyBatch(batch, answers, true);
      } catch (e) {
        if (harness(e, () => undefined)) return finish();
        throw e;
      }
      opts.onProgress?.({ phase: 'properties', done: cases, total: opts.runs, failures });
    }
  } finally {
    await source?.close();
  }

  async function tallyBatch(batch: Pending[], answers: Answer[], canBlame: boolean): Promise<void> {
    const failing: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const p = batch[i]!;
      cases++;
      if (p.verdict === undefined) {
        const d = decide(p);
        for (let k = 0; k < d.ruleCount; k++) rowAt[d.ruleOrder[k]!]!.cases++;
        if (d.family === 6 && d.l4proto === 47) tallyProfiles(p, answers[i]!);
        if (!decisionAgrees(d, answers[i]!)) {
          p.verdict = oracle(p.packet, { keymap: p.keymap });
          failing.push(i);
        }
        continue;
      }
      const rules = uniqueRules(p.verdict.rules);
      for (const r of rules) row(r).cases++;
      if (diffAnswers(p.verdict.tuple, answers[i]!).length > 0) failing.push(i);
      if (p.verdict.family === 6 && p.verdict.l4proto === 47) tallyProfiles(p, answers[i]!);
    }
    if (failing.length === 0) return;
    const verdictOf = (i: number): Verdict => batch[i]!.verdict!;
    const values = new Map<number, fc.Value<T>>();
    const valueAt = (i: number): fc.Value<T> => {
      let v = values.get(i);
      if (v === undefined) values.set(i, (v = valueOf(batch[i]!)));
      return v;
    };
    const blamed = canBlame
      ? await blameBatch(adapter, ids, space, oracle, failing.map((i) => ({ value: valueAt(i).value, verdict: verdictOf(i), actual: answers[i]! })))
      : failing.map((i) => fieldBlame(verdictOf(i), answers[i]!));
    failing.forEach((i, k) => {
      const b = blamed[k]!;
      failures++;
      row(b.rule).failures++;
      if (!firstFailure.has(b.rule)) firstFailure.set(b.rule, { pending: batch[i]!, verdict: verdictOf(i), value: valueAt(i), actual: answers[i]!, blamed: b });
    });
  }

  function tallyProfiles(p: Pending, actual: Answer): void {
    const km = parseKeymap(p.keymap);
    const decided = profileNames.map((profile) => linuxDecide(p.packet, km, profileDecisions.get(profile)!, { profile }));
    if (decided.every((d) => sameTuple(d, decided[0]!))) return;
    profileNames.forEach((profile, k) => {
      const t = profileTally.get(profile)!;
      t.cases++;
      if (!decisionAgrees(decided[k]!, actual)) t.disagreements++;
    });
  }

  // Shrink the first failure of each rule, in pipeline order.
  const firsts = [...firstFailure.entries()].sort((a, b) => RULE_IDS.indexOf(a[0]) - RULE_IDS.indexOf(b[0]));
  let shrunkCount = 0;
  for (const [rule, f] of firsts) {
    opts.onProgress?.({ phase: 'shrinking', done: shrunkCount++, total: firsts.length, failures });
    let s;
    try {
      s = await shrinkFailure(adapter, ids, space, oracle, f.value, rule, opts.maxShrinkEvaluations ?? 2000);
    } catch (e) {
      if (harness(e, () => formatCaseId(f.pending.ref))) break;
      throw e;
    }
    const final = s ?? { value: f.value, path: [], evaluations: 0, evaluated: { packet: f.pending.packet, keymap: f.pending.keymap, verdict: f.verdict, actual: f.actual }, blamed: f.blamed };
    const ref: CaseRef = { ...f.pending.ref, path: final.path };
    const caseId = formatCaseId(ref);
    const ev = final.evaluated;
    counterexamples.push({
      rule, phase: 'property', caseId, packet: toHex(ev.packet), keymap: ev.keymap,
      expected: ev.verdict.tuple, actual: ev.actual, diff: diffAnswers(ev.verdict.tuple, ev.actual),
      outcome: ev.verdict.outcome, reason: ev.verdict.reason, rulesExercised: uniqueRules(ev.verdict.rules),
      ...(space.describe ? { description: space.describe(final.value.value) } : {}),
      blame: final.blamed.how,
      shrink: { steps: final.path.length, evaluations: final.evaluations, fromBytes: f.pending.packet.length },
      replay: opts.replayCommand(caseId),
    });
  }
  return finish();
}

/** Whether two decisions of the same datagram give the same contract answer. */
function sameTuple(a: Decision, b: Decision): boolean {
  if (a.hasTuple !== b.hasTuple) return false;
  if (!a.hasTuple) return true;
  if (a.proto !== b.proto || a.srckey !== b.srckey || a.dstkey !== b.dstkey || a.alen !== b.alen) return false;
  for (let i = 0; i < a.alen; i++) {
    if (a.bytes[a.srcOff + i] !== b.bytes[b.srcOff + i] || a.bytes[a.dstOff + i] !== b.bytes[b.dstOff + i]) return false;
  }
  return true;
}
