// `gre-conformance replay FILE <impl> [--expected FILE.expected.ndjson] [options]`: every GRE
// datagram of a capture through the implementation, as phase 1 of the suite (runSuite), so the
// report (text, json, junit, tap, github) is the suite's. Options are the main command's
// (--cmd, --timeout, --reporter, --rule, --exclude, --known-divergences, --kernel, --quiet,
// --verbose); --runs, --seed, --replay, --packet and --no-vectors do not apply.
import fc from 'fast-check';
import { openAdapter } from '../runner/adapters/open.ts';
import { ImplementationError, type Adapter } from '../runner/adapters/types.ts';
import { runSuite, type SuiteVector } from '../runner/suite.ts';
import type { CaseSpace } from '../runner/case-space.ts';
import { exitCodeOf, type ExitCode, type Report } from '../runner/report.ts';
import { applyDivergences } from '../runner/divergences.ts';
import { profileOfVersion } from '../oracles/index.ts';
import { CaptureError } from '../capture/index.ts';
import { captureVectors, CaptureVectorsError, type CaptureVectors } from '../corpus-tools/capture-vectors.ts';
import { ExpectedFileError } from '../corpus-tools/expected-file.ts';
import { parseCli, UsageError, type RunArgs } from './args.ts';
import { readDivergences } from './divergences-file.ts';
import { loadFailureReport, writeReports } from './write-reports.ts';
import { progressLine, shellQuote } from './terminal.ts';

export const REPLAY_USAGE = `Usage: gre-conformance replay FILE <impl> [--expected FILE.expected.ndjson] [options]
       gre-conformance replay FILE --cmd "<command>" [options]

Runs <impl> over every GRE datagram of the capture FILE (pcap or pcapng). Expected answers and
keymaps come from --expected, else from FILE's .expected.ndjson beside it (or its pinned file in
corpus/ for a capture of ../shared/captures), else from the oracle. Cases are named FILE#<record>.
Records the snapshot length cut before bytes the kernel reads are skipped: their answer cannot
be known. Options as for the main command: --cmd, --timeout, --reporter, --rule, --exclude,
--known-divergences, --kernel, --quiet, --verbose.`;

/** The space of phase 2, which replay never runs (runs: 0): the generators are not even loaded. */
const NO_GENERATED_CASES: CaseSpace<null> = {
  arbitrary: fc.constant(null),
  encode: () => { throw new Error('replay runs no generated cases'); },
};

const NOT_HERE = ['--runs', '--seed', '--replay', '--packet', '--keymap', '--no-vectors', '--duration', '--max-failures'];

function parseReplayArgs(argv: string[]): { file: string; expected: string | undefined; run: RunArgs } | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const [file, ...rest] = argv;
  if (file === undefined || file.startsWith('-')) throw new UsageError('replay: give the capture first: replay FILE <impl> [options]');
  let expected: string | undefined;
  const others: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--expected') {
      expected = rest[++i];
      if (expected === undefined) throw new UsageError('--expected takes a file');
    } else if (a.startsWith('--expected=')) expected = a.slice('--expected='.length);
    else {
      const name = a.split('=')[0]!;
      if (NOT_HERE.includes(name)) throw new UsageError(`replay: ${name} does not apply (the capture's datagrams are the cases)`);
      others.push(a);
    }
  }
  const run = parseCli(others);
  if (run.command !== 'run') throw new UsageError('replay: give an implementation: replay FILE <impl> or replay FILE --cmd "..."');
  if (run.mode !== 'suite') throw new UsageError('replay: "fuzz" does not apply');
  return { file, expected, run };
}

export async function replayFileCommand(argv: string[]): Promise<ExitCode> {
  const parsed = parseReplayArgs(argv);
  if (parsed === 'help') { process.stdout.write(REPLAY_USAGE + '\n'); return 0; }
  const { file, expected, run: a } = parsed;
  let cap: CaptureVectors;
  try {
    cap = await captureVectors(file, expected !== undefined ? { expectedFile: expected } : {});
  } catch (e) {
    if (e instanceof CaptureError || e instanceof CaptureVectorsError || e instanceof ExpectedFileError) throw new UsageError(e.message);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${file}: no such file`);
    throw e;
  }
  const profile = a.kernel !== undefined ? profileOfVersion(a.kernel) : undefined;
  if (a.kernel !== undefined && !profile) throw new UsageError(`--kernel ${a.kernel}: not a kernel version this suite knows`);
  const divergences = await readDivergences(a.divergencesFile);
  const targetArgs = 'cmd' in a.target ? ['--cmd', a.target.cmd] : [a.target.path];
  const byCase = new Map<string, SuiteVector>(cap.vectors.map((v) => [v.caseId!, v]));
  const replayCommand = (caseId: string) => {
    const v = byCase.get(caseId);
    const one = v ? ['--packet', v.packet, ...(v.keymap && v.keymap.length ? ['--keymap', JSON.stringify(v.keymap)] : [])] : [];
    return ['npx', 'gre-conformance', ...targetArgs, ...one].map(shellQuote).join(' ');
  };
  let adapter: Adapter;
  try {
    adapter = await openAdapter(a.target, { timeoutMs: a.timeoutMs });
  } catch (e) {
    if (e instanceof ImplementationError) {
      const report = withCapture(loadFailureReport(a, e), cap);
      await emit(a, report, cap);
      return exitCodeOf(report);
    }
    throw new UsageError((e as Error).message);
  }
  const progress = progressLine(process.stderr);
  let report: Report;
  try {
    report = await runSuite(adapter, NO_GENERATED_CASES, {
      seed: 0, runs: 0, rules: a.rules, exclude: a.exclude, vectors: cap.vectors, replayCommand,
      ...(profile ? { profile } : {}),
      onProgress: (p) => progress(`${file}: ${p.done}/${p.total} datagrams, ${p.failures} failures`),
    });
  } finally {
    progress.clear();
    await adapter.close();
  }
  report = withCapture(applyDivergences(report, divergences), cap);
  await emit(a, report, cap);
  return exitCodeOf(report);
}

/** What the capture held, for the reports: the json reporter carries it as `capture`. */
export interface CaptureSummaryOfRun {
  readonly file: string;
  readonly expectedFrom: string;
  readonly records: number;
  readonly ipDatagrams: number;
  readonly greDatagrams: number;
  readonly run: number;
  readonly unpinned: number;
  readonly unknown: CaptureVectors['unknown'];
}

function summaryOf(cap: CaptureVectors): CaptureSummaryOfRun {
  return {
    file: cap.file,
    expectedFrom: cap.expectedFile ?? 'oracle',
    records: cap.records, ipDatagrams: cap.ip,
    greDatagrams: cap.vectors.length + cap.unknown.length,
    run: cap.vectors.length, unpinned: cap.unpinned, unknown: cap.unknown,
  };
}

function withCapture(report: Report, cap: CaptureVectors): Report {
  return { ...report, capture: summaryOf(cap) } as Report;
}

export function formatCaptureSummary(cap: CaptureVectors): string {
  const s = summaryOf(cap);
  const out = [
    `capture ${s.file}: ${s.records} records, ${s.ipDatagrams} IP datagrams, ${s.greDatagrams} GRE datagrams; expected answers from ${s.expectedFrom === 'oracle' ? 'the oracle' : s.expectedFrom}` +
      (s.unpinned > 0 ? ` (${s.unpinned} not in it: the oracle decides those)` : ''),
  ];
  if (s.unknown.length > 0) {
    out.push(`${s.unknown.length} GRE datagram${s.unknown.length === 1 ? '' : 's'} skipped: the answer cannot be known (cut by the snapshot length)`);
    for (const u of s.unknown.slice(0, 10)) out.push(`  ${s.file}#${u.index} (offset ${u.offset}): ${u.reason}`);
    if (s.unknown.length > 10) out.push(`  ... and ${s.unknown.length - 10} more (--reporter json lists them all)`);
  }
  return out.join('\n');
}

async function emit(a: RunArgs, report: Report, cap: CaptureVectors): Promise<void> {
  const textToStdout = a.reporters.some((r) => r.name === 'text' && r.file === undefined);
  const summary = formatCaptureSummary(cap);
  if (textToStdout) process.stdout.write(summary + '\n\n');
  else process.stderr.write(summary + '\n');
  await writeReports(a, report);
}

