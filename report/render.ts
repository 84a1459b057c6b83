// One entry for every reporter, so the CLI and library users pick by name.
import type { Report } from '../runner/report.ts';
import { formatText, type TextOptions } from './text.ts';
import { formatJson } from './json.ts';
import { formatJunit } from './junit.ts';
import { formatTap } from './tap.ts';
import { formatGithub } from './github.ts';

export type ReporterName = 'text' | 'json' | 'junit' | 'tap' | 'github';

export function renderReport(name: ReporterName, report: Report, text: TextOptions): string {
  switch (name) {
    case 'text': return formatText(report, text);
    case 'json': return formatJson(report);
    case 'junit': return formatJunit(report);
    case 'tap': return formatTap(report);
    case 'github': return formatGithub(report);
  }
}
