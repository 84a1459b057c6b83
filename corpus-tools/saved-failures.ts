// Saved failures: each counterexample a run finds, kept as a one-packet pcap (raw IP, timestamp
// 0) and a one-line .expected.ndjson beside it, named `<rule>-<hash>` after the rule and the
// packet and keymap (sha256, 8 hex digits), so a file never changes once written and the same
// failure found again is not written twice: they live well in version control. Loaded back,
// they are phase-1 vectors the suite runs first, named `saved:<name>`.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CaptureWriter, LINKTYPE, readCapture, CaptureError } from '../capture/index.ts';
import type { KeymapEntry } from '../spec/contract.ts';
import type { RuleId } from '../spec/rules.ts';
import type { Counterexample } from '../runner/report.ts';
import type { SuiteVector } from '../runner/suite.ts';
import { fromHex, toHex } from '../runner/hex.ts';
import { formatExpectedFile, parseExpectedFile, ExpectedFileError, type ExpectedLine } from './expected-file.ts';

export interface SavedFailure {
  readonly name: string;
  readonly pcap: string;
  readonly expected: string;
  /** false: a file of that name was already there (the same failure, saved before) and was kept. */
  readonly written: boolean;
}

export class SavedFailureError extends Error {
  override readonly name = 'SavedFailureError';
}

/** `GRE-2-3f9a1c2e`: the rule, then 8 hex digits of sha256 over the packet and the keymap. */
export function savedFailureName(ce: { readonly rule: RuleId; readonly packet: string; readonly keymap: readonly KeymapEntry[] }): string {
  const keymap = ce.keymap.map((e) => [e.src, e.dst, e.dstkey, e.srckey]);
  const h = createHash('sha256').update(ce.packet.toLowerCase()).update('\n').update(JSON.stringify(keymap)).digest('hex');
  return `${ce.rule}-${h.slice(0, 8)}`;
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch { return false; }
}

/** The counterexample's pinned line: what the oracle expected, never what the implementation said. */
function lineOf(ce: Counterexample): ExpectedLine {
  return {
    index: 0, caseId: ce.caseId, rule: ce.rule, packet: ce.packet.toLowerCase(), keymap: ce.keymap,
    expected: ce.expected, outcome: ce.outcome, rules: [...new Set(ce.rulesExercised)], reason: ce.reason,
    ...(ce.description !== undefined ? { description: ce.description } : {}),
  };
}

/**
 * Writes each counterexample to `dir` (created if needed) as `<name>.pcap` + `<name>.expected.ndjson`.
 * Files already there are left alone. Files are written under a temporary name and renamed, so
 * an interrupted run leaves no half-written pair under a real name.
 */
export async function saveFailures(dir: string, counterexamples: readonly Counterexample[]): Promise<SavedFailure[]> {
  await mkdir(dir, { recursive: true });
  const out: SavedFailure[] = [];
  const done = new Set<string>();
  for (const ce of counterexamples) {
    const name = savedFailureName(ce);
    if (done.has(name)) continue;
    done.add(name);
    const pcap = join(dir, `${name}.pcap`);
    const expected = join(dir, `${name}.expected.ndjson`);
    if (await exists(pcap) && await exists(expected)) {
      out.push({ name, pcap, expected, written: false });
      continue;
    }
    const bytes = fromHex(ce.packet);
    if (!bytes) throw new SavedFailureError(`counterexample ${ce.caseId}: packet is not hex`);
    const tmp = `${pcap}.tmp-${process.pid}`;
    const w = new CaptureWriter(tmp, { format: 'pcap', linkType: LINKTYPE.RAW });
    await w.write(bytes, { timestamp: { seconds: 0, nanoseconds: 0 } });
    await w.close();
    await writeFile(`${expected}.tmp-${process.pid}`, formatExpectedFile([lineOf(ce)]));
    await rename(tmp, pcap);
    await rename(`${expected}.tmp-${process.pid}`, expected);
    out.push({ name, pcap, expected, written: true });
  }
  return out;
}

export interface LoadOptions {
  /**
   * 'pinned' (default): the expected answer saved with the failure; if the oracle has changed
   * since, the report says so ("pinned answer (the oracle now says ...)"). 'oracle': the oracle
   * decides, the saved answer is ignored.
   */
  readonly expect?: 'pinned' | 'oracle';
}

/**
 * The saved failures of `dir` as phase-1 vectors, in name order; [] when `dir` does not exist.
 * A pcap without an expected file is run with the oracle's answer and no keymap. Every problem
 * with a file is a SavedFailureError naming it.
 */
export async function loadSavedFailures(dir: string, opts: LoadOptions = {}): Promise<SuiteVector[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.pcap')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SavedFailureError(`${dir}: ${(e as Error).message}`);
  }
  const out: SuiteVector[] = [];
  for (const file of names) {
    const name = file.slice(0, -'.pcap'.length);
    const expectedPath = join(dir, `${name}.expected.ndjson`);
    let lines = new Map<number, ExpectedLine>();
    if (await exists(expectedPath)) {
      try {
        lines = new Map(parseExpectedFile(await readFile(expectedPath, 'utf8'), expectedPath).map((l) => [l.index, l]));
      } catch (e) {
        if (e instanceof ExpectedFileError) throw new SavedFailureError(e.message);
        throw e;
      }
    }
    const records: Uint8Array[] = [];
    try {
      for await (const r of readCapture(join(dir, file))) records.push(r.data);
    } catch (e) {
      if (e instanceof CaptureError) throw new SavedFailureError(e.message);
      throw e;
    }
    records.forEach((bytes, i) => {
      const id = records.length === 1 ? name : `${name}#${i}`;
      const line = lines.get(i);
      const packet = toHex(bytes);
      if (line && line.packet !== packet) throw new SavedFailureError(`${expectedPath}: record ${i} pins packet ${line.packet.slice(0, 40)}... but ${file} holds ${packet.slice(0, 40)}...`);
      const rules = line ? [...new Set([...(line.rule ? [line.rule] : []), ...line.rules])] : [];
      const pinned = line && line.outcome !== 'unknown' && (opts.expect ?? 'pinned') === 'pinned';
      out.push({
        id, caseId: `saved:${id}`, rules, packet, bytes, keymap: line?.keymap ?? [],
        ...(pinned ? { expect: line.expected! } : {}),
      });
    });
  }
  return out;
}
