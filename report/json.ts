// The json reporter: the Report as it is, plus the exit code, for tools.
import type { Report } from '../runner/report.ts';
import { exitCodeOf } from '../runner/report.ts';

export function formatJson(report: Report): string {
  return JSON.stringify({ ...report, exitCode: exitCodeOf(report) }, null, 2);
}
