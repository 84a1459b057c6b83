// `gre-conformance <impl>`: open the implementation, run the suite (or one case), print the
// report, return the exit code.
import { randomInt } from 'node:crypto';
import { openAdapter } from '../runner/adapters/open.ts';
import { ImplementationError, type Adapter } from '../runner/adapters/types.ts';
import { runSuite } from '../runner/suite.ts';
import { defaultGenerationWorkers } from '../runner/case-source.ts';
import { runSingle } from '../runner/single.ts';
import { runMetamorphic } from '../runner/metamorphic.ts';
import { loadSavedFailures, saveFailures } from '../corpus-tools/index.ts';
import { caseOfId, CaseIdError, type CaseOfId } from '../runner/case-of-id.ts';
import type { CaseRef } from '../runner/case-id.ts';
import { defaultSpace } from '../runner/default-space.ts';
import type { GreCase } from '../generators/index.ts';
import { exitCodeOf, type ExitCode, type Report } from '../runner/report.ts';
import { fromHex } from '../runner/hex.ts';
import { VECTORS, vectorCases } from '../spec/vectors.ts';
import { keymapShapeError } from '../spec/answer-shape.ts';
import type { KeymapEntry } from '../spec/contract.ts';
import { linuxVerdict, profileOfVersion } from '../oracles/index.ts';
import { applyDivergences } from '../runner/divergences.ts';
import { UsageError, type RunArgs } from './args.ts';
import { readDivergences } from './divergences-file.ts';
import { loadFailureReport, writeReports } from './write-reports.ts';
import { progressLine, shellQuote } from './terminal.ts';

export async function runCommand(a: RunArgs): Promise<ExitCode> {
  const targetArgs = 'cmd' in a.target ? ['--cmd', a.target.cmd] : [a.target.path];
  const replayCommand = (caseId: string) =>
    ['npx', 'gre-conformance', ...targetArgs, ...(caseId.startsWith('saved:') && a.saveFailures !== undefined ? ['--save-failures', a.saveFailures] : []),
      caseId.startsWith('packet') ? '' : `--replay`, caseId.startsWith('packet') ? '' : caseId]
      .filter(Boolean).map(shellQuote).join(' ');
  const seed = a.seed ?? randomInt(0, 2 ** 31 - 1);
  const single = await singleCaseOf(a);
  const divergences = await readDivergences(a.divergencesFile);
  const profile = a.kernel !== undefined ? profileOfVersion(a.kernel) : undefined;
  if (a.kernel !== undefined && !profile) throw new UsageError(`--kernel ${a.kernel}: not a kernel version this suite knows`);
  let adapter: Adapter;
  try {
    adapter = await openAdapter(a.target, { timeoutMs: a.timeoutMs });
  } catch (e) {
    // A module that throws while loading, or has no toTuple, is the implementation's fault (exit 2).
    if (e instanceof ImplementationError) return reportLoadFailure(a, e);
    throw new UsageError((e as Error).message);
  }
  const progress = progressLine(process.stderr);
  const startedAt = Date.now();
  let report: Report;
  try {
    if (a.metamorphic) {
      // The tier's cases are generated ones, not shrunk: a replay is seed:index@generators.
      const ref = single?.kind === 'case' ? single.ref : undefined;
      if (single && (!ref || ref.path.length > 0)) throw new UsageError('--metamorphic replays a case of its own report (--replay seed:index@generators); vectors, saved failures, shrunk cases and --packet belong to the oracle tier');
      report = await runMetamorphic(adapter, {
        seed: ref?.seed ?? seed, runs: ref ? 1 : a.runs, ...(ref ? { first: ref.index } : {}),
        arbitrary: defaultSpace.arbitrary, replayCommand: (id) => `${replayCommand(id)} --metamorphic`,
      });
    } else if (single?.kind === 'case') {
      const packetReplay = single.caseId === 'packet'
        ? () => ['npx', 'gre-conformance', ...targetArgs, '--packet', Buffer.from(single.packet).toString('hex'), ...(single.keymap.length ? ['--keymap', JSON.stringify(single.keymap)] : [])].map(shellQuote).join(' ')
        : replayCommand;
      report = await runSingle(adapter, defaultSpace, single, {
        replayCommand: packetReplay, seed: single.ref?.seed,
        ...(profile && profile !== 'current' ? { oracle: (p: Uint8Array, c: { keymap: readonly KeymapEntry[] }) => linuxVerdict(p, c, { profile }) } : {}),
      });
    } else {
      const fuzz = a.mode === 'fuzz';
      // Saved failures first (a fuzzer's crash corpus): their expected answers follow the oracle.
      const saved = a.saveFailures !== undefined && single === undefined ? await loadSaved(a.saveFailures) : [];
      const catalogue = !a.vectors && single?.kind !== 'vector' ? [] : vectorCases().filter((v) => single?.kind !== 'vector' || v.id === single.id);
      report = await runSuite(adapter, defaultSpace, {
        seed, runs: single?.kind === 'vector' ? 0 : a.runs, rules: a.rules, exclude: a.exclude,
        vectors: [...saved, ...catalogue],
        replayCommand,
        ...(profile ? { profile } : {}),
        ...(fuzz ? { deadlineMs: a.durationMs!, stopAfterDistinctRules: a.maxFailures } : {}),
        generationWorkers: generationWorkers(a),
        onProgress: (p) => progress(fuzz && p.phase === 'properties'
          ? `fuzzing: ${p.done} cases, ${p.failures} failures, ${((Date.now() - startedAt) / 1000).toFixed(0)}/${(a.durationMs! / 1000).toFixed(0)} s`
          : `${p.phase} ${p.done}/${p.total}, ${p.failures} failures`),
      });
    }
  } finally {
    progress.clear();
    await adapter.close();
  }
  report = applyDivergences(report, divergences);
  if (a.saveFailures !== undefined && !a.metamorphic) {
    const fresh = report.counterexamples.filter((c) => c.phase !== 'vector' || c.caseId.startsWith('saved:'));
    try { await saveFailures(a.saveFailures, fresh); } catch (e) { throw new UsageError(`--save-failures ${a.saveFailures}: ${(e as Error).message}`); }
  }
  await writeReports(a, report);
  return exitCodeOf(report);
}

function generationWorkers(a: RunArgs): number {
  return a.jobs === 'auto' ? defaultGenerationWorkers(a.runs, a.mode === 'fuzz') : a.jobs;
}

async function reportLoadFailure(a: RunArgs, e: ImplementationError): Promise<ExitCode> {
  const report = loadFailureReport(a, e);
  await writeReports(a, report, true);
  return exitCodeOf(report);
}

async function loadSaved(dir: string) {
  try { return await loadSavedFailures(dir, { expect: 'oracle' }); } catch (e) {
    throw new UsageError(`--save-failures ${dir}: ${(e as Error).message}`);
  }
}

type Single =
  | { kind: 'vector'; id: string }
  | { kind: 'case'; caseId: string; packet: Uint8Array; keymap: KeymapEntry[]; value?: ReturnType<typeof defaultSpace.arbitrary.generate>['value']; ref?: CaseRef };

async function singleCaseOf(a: RunArgs): Promise<Single | undefined> {
  if (a.packet !== undefined) {
    const packet = fromHex(a.packet);
    if (!packet) throw new UsageError('--packet takes the datagram as hex (e.g. 4500001c...)');
    let keymap: KeymapEntry[] = [];
    if (a.keymap !== undefined) {
      try { keymap = JSON.parse(a.keymap); } catch (e) { throw new UsageError(`--keymap is not JSON: ${(e as Error).message}`); }
      const err = keymapShapeError(keymap);
      if (err) throw new UsageError(`--keymap: ${err}`);
    }
    return { kind: 'case', caseId: 'packet', packet, keymap };
  }
  if (a.replay === undefined) return undefined;
  if (a.replay.startsWith('saved:')) {
    if (a.saveFailures === undefined) throw new UsageError('--replay saved:<name> needs --save-failures DIR (the folder it was saved in)');
    const v = (await loadSaved(a.saveFailures)).find((x) => x.caseId === a.replay);
    if (!v) throw new UsageError(`no saved failure ${a.replay.slice(6)} in ${a.saveFailures}`);
    return { kind: 'case', caseId: a.replay, packet: v.bytes ?? Uint8Array.from(Buffer.from(v.packet, 'hex')), keymap: [...(v.keymap ?? [])] };
  }
  if (a.replay.startsWith('vector:')) {
    const id = a.replay.slice('vector:'.length);
    if (!VECTORS.some((v) => v.id === id)) throw new UsageError(`no vector ${JSON.stringify(id)} in the catalogue (see spec/vectors.ts)`);
    return { kind: 'vector', id };
  }
  let c: CaseOfId<GreCase>;
  try {
    c = caseOfId(defaultSpace, a.replay);
  } catch (e) {
    if (e instanceof CaseIdError) throw new UsageError(`--replay: ${e.message}`);
    throw e;
  }
  return { kind: 'case', caseId: a.replay, packet: c.packet, keymap: c.keymap, value: c.value, ref: c.ref };
}
