// What every part of the benchmark is told, and where the project and its temporary files are.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PARTS = ['oracle', 'suite', 'stdio', 'capture', 'lab', 'memory', 'ttf'] as const;
export type PartName = (typeof PARTS)[number];

export interface PartOptions {
  /** Timed runs per measurement (medians are over these). */
  readonly runs: number;
  readonly seed: number;
  readonly quick: boolean;
  /** Cases of the oracle's pre-generated mix. */
  readonly oracleCases: number;
  /** Generated cases per suite or stdio run. */
  readonly suiteCases: number;
  /** Cases of the memory run (RSS is read at 10% and 50% of it, and at the end). */
  readonly memoryCases: number;
  /** Bytes of the capture read for MB/s, and of the one read for memory. */
  readonly captureBytes: number;
  readonly bigCaptureBytes: number;
  /** Packets per corpus-generate run and per lab run. */
  readonly corpusCases: number;
  readonly labCases: number;
  /** Seeds per wrong implementation for the time to first failure. */
  readonly ttfSeeds: number;
  /** Where temporary files go (deleted at the end). */
  readonly tmp: string;
}

/** The project's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function projectPath(rel: string): string {
  return join(ROOT, rel);
}

export function newTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gre-bench-'));
}

/** Seconds since `t0` (a performance.now() value). */
export function since(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Writes a progress line to stderr (the table goes to stdout). */
export function progress(text: string): void {
  process.stderr.write(`  ${text}\n`);
}
