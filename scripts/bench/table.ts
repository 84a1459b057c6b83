// Rows of the benchmark table: per-run values, their median and range, a target, and how the
// median compares with it. Formatting only; nothing here measures.
import { availableParallelism, cpus, loadavg } from 'node:os';

export type Unit = '/s' | 'MB/s' | 'MB' | 's' | 'us' | 'x' | '%' | 'B';

export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface Row {
  readonly part: string;
  readonly name: string;
  readonly unit: Unit;
  /** One value per run; empty when the row was skipped. */
  readonly values: readonly number[];
  readonly target?: Target;
  /** Target written out when it is not just `op value unit` (e.g. "as small as the rule allows"). */
  readonly targetText?: string;
  /** The ratio that matters for this row, as text (e.g. "64% of bare fast-check"). */
  readonly ratio?: string;
  /** Overrides the pass/fail computed from the target (e.g. a size judged against a table). */
  readonly pass?: boolean;
  /** Why the row has no values. */
  readonly skipped?: string;
  readonly note?: string;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function format(v: number, unit: Unit): string {
  if (!Number.isFinite(v)) return '-';
  switch (unit) {
    case '/s': return `${Math.round(v).toLocaleString('en-US')}/s`;
    case 'MB/s': return `${v.toFixed(0)} MB/s`;
    case 'MB': return `${v.toFixed(1)} MB`;
    case 's': return `${v < 10 ? v.toFixed(3) : v.toFixed(1)} s`;
    case 'us': return `${v.toFixed(2)} µs`;
    case 'x': return `${v < 10 ? v.toFixed(2) : v.toFixed(1)}x`;
    case '%': return `${v.toFixed(0)}%`;
    case 'B': return `${Math.round(v)} B`;
  }
}

export function meets(v: number, t: Target): boolean {
  return t.op === '>=' ? v >= t.value : v <= t.value;
}

export interface Cells {
  readonly measurement: string;
  readonly median: string;
  readonly range: string;
  readonly target: string;
  readonly ratio: string;
  readonly result: string;
}

export function cellsOf(r: Row): Cells {
  const target = r.targetText ?? (r.target ? `${r.target.op === '>=' ? '>=' : '<='} ${format(r.target.value, r.unit)}` : '-');
  if (r.values.length === 0) {
    return { measurement: r.name, median: '-', range: '-', target, ratio: r.ratio ?? '-', result: `skip: ${r.skipped ?? 'no values'}` };
  }
  const m = median(r.values);
  const lo = Math.min(...r.values), hi = Math.max(...r.values);
  const pass = r.pass ?? (r.target ? meets(m, r.target) : undefined);
  return {
    measurement: r.name,
    median: format(m, r.unit),
    range: r.values.length > 1 ? `${format(lo, r.unit)}..${format(hi, r.unit)}` : '(1 run)',
    target,
    ratio: r.ratio ?? '-',
    result: pass === undefined ? 'info' : pass ? 'PASS' : 'FAIL',
  };
}

const HEAD: Cells = { measurement: 'measurement', median: 'median', range: 'min..max', target: 'target', ratio: 'ratio', result: 'result' };
const COLS = Object.keys(HEAD) as (keyof Cells)[];

export function textTable(rows: readonly Row[]): string {
  const cells = [HEAD, ...rows.map(cellsOf)];
  const width = COLS.map((c) => Math.max(...cells.map((r) => r[c].length)));
  return cells.map((r, i) => {
    const line = COLS.map((c, k) => r[c].padEnd(width[k]!)).join('  ').trimEnd();
    return i === 0 ? `${line}\n${width.map((n) => '-'.repeat(n)).join('  ')}` : line;
  }).join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${COLS.map((c) => HEAD[c]).join(' | ')} |`, `|${COLS.map(() => '---').join('|')}|`];
  for (const r of rows.map(cellsOf)) lines.push(`| ${COLS.map((c) => esc(r[c])).join(' | ')} |`);
  return lines.join('\n');
}

export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly node: string;
  readonly load: string;
}

export function machine(): Machine {
  const model = cpus()[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return { nproc: availableParallelism(), cpu: model, node: process.version, load: loadavg().map((l) => l.toFixed(2)).join(' ') };
}
