// Writing a report through every reporter the command line asked for, and the report of an
// implementation that could not even be loaded (exit 2, not a usage error).
import { writeFile } from 'node:fs/promises';
import type { ImplementationError } from '../runner/adapters/types.ts';
import type { Report } from '../runner/report.ts';
import { CONTRACT_VERSION } from '../spec/contract.ts';
import { KERNEL_VERSION } from '../oracles/index.ts';
import { renderReport } from '../report/render.ts';
import { UsageError, type RunArgs } from './args.ts';
import { useColor } from './terminal.ts';

export async function writeReports(a: RunArgs, report: Report, quiet = a.quiet): Promise<void> {
  for (const r of a.reporters) {
    const text = renderReport(r.name, report, { color: r.file === undefined && useColor(process.stdout), quiet, verbose: a.verbose });
    if (r.file === undefined) process.stdout.write(text + '\n');
    else {
      try { await writeFile(r.file, text + '\n'); } catch (e) { throw new UsageError(`cannot write the ${r.name} report to ${r.file}: ${(e as Error).message}`); }
    }
  }
}

export function loadFailureReport(a: RunArgs, e: ImplementationError): Report {
  return {
    implementation: 'path' in a.target ? a.target.path : a.target.cmd, contract: CONTRACT_VERSION, kernel: KERNEL_VERSION,
    seed: a.seed ?? 0, runs: 0, durationMs: 0, rows: [], counterexamples: [],
    totals: { vectors: 0, vectorFailures: 0, cases: 0, failures: 0, skipped: 0 },
    harnessFailure: { kind: e.failure.kind, message: e.failure.message, ...(e.failure.detail !== undefined ? { detail: e.failure.detail } : {}) },
  };
}
