// corpus/manifest.json: every pinned capture, where it lives, where it comes from, why it is
// there, and what it covers. A capture lives either in ../shared/captures (third-party, never
// copied into the project; location "shared") or in corpus/ itself (recorded by the project,
// e.g. by the kernel lab; location "corpus"). Its expected answers always live in corpus/:
// corpus/shared/<folder>/<name>.expected.ndjson for a shared capture, beside the capture for
// one of our own. Pure: reading and writing the files is update.ts's job.
import { join } from 'node:path';
import type { RuleId } from '../spec/rules.ts';
import { expectedPathOf } from './expected-file.ts';
import type { CaptureSummary } from './pin.ts';

export type CaptureLocation = 'shared' | 'corpus';

/** What a person writes about a capture; update.ts fills in the rest. */
export interface ManifestNotes {
  /** Path relative to ../shared/captures (shared) or to corpus/ (corpus). */
  readonly capture: string;
  readonly location: CaptureLocation;
  /** Where it comes from: repository, path and commit, or how the project recorded it. */
  readonly source: string;
  readonly licence: string;
  /** Why it is in the corpus: what it exercises that others do not. */
  readonly why: string;
}

export interface ManifestEntry extends ManifestNotes {
  /** The expected-answer file, relative to corpus/. */
  readonly expected: string;
  readonly linkTypes: readonly string[];
  readonly records: number;
  readonly truncated: number;
  readonly ip: number;
  readonly gre: number;
  readonly unknown: number;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly rules: readonly RuleId[];
}

export interface Manifest {
  readonly captures: readonly ManifestEntry[];
}

export const TODO_WHY = 'TODO: say what this capture exercises that the others do not';

/** The expected file of a capture, relative to corpus/. */
export function expectedFileOf(capture: string, location: CaptureLocation): string {
  return location === 'shared' ? join('shared', expectedPathOf(capture)) : expectedPathOf(capture);
}

export function manifestEntry(notes: ManifestNotes, s: CaptureSummary): ManifestEntry {
  return {
    capture: notes.capture, location: notes.location, source: notes.source, licence: notes.licence, why: notes.why,
    expected: expectedFileOf(notes.capture, notes.location),
    linkTypes: s.linkTypes, records: s.records, truncated: s.truncated, ip: s.ip, gre: s.gre, unknown: s.unknown,
    outcomes: s.outcomes, rules: s.rules,
  };
}

export function formatManifest(m: Manifest): string {
  // Lists of strings and small objects of counts on one line each: shorter diffs.
  return JSON.stringify({ captures: m.captures }, null, 2)
    .replace(/\[\n\s+("[^"\n]*"(?:,\n\s+"[^"\n]*")*)\n\s+\]/g, (_, items: string) => `[${items.split(/,\n\s+/).join(', ')}]`)
    .replace(/\{\n\s+("[\w-]+": \d+(?:,\n\s+"[\w-]+": \d+)*)\n\s+\}/g, (_, items: string) => `{ ${items.split(/,\n\s+/).join(', ')} }`) + '\n';
}

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export function parseManifest(text: string, file: string): Manifest {
  let o: unknown;
  try { o = JSON.parse(text); } catch (e) { throw new ManifestError(`${file}: not JSON: ${(e as Error).message}`); }
  const caps = (o as { captures?: unknown })?.captures;
  if (!Array.isArray(caps)) throw new ManifestError(`${file}: "captures" must be a list`);
  caps.forEach((c: Record<string, unknown>, i) => {
    for (const k of ['capture', 'source', 'licence', 'why'] as const) {
      if (typeof c?.[k] !== 'string') throw new ManifestError(`${file}: captures[${i}].${k} must be a string`);
    }
    if (c.location !== 'shared' && c.location !== 'corpus') throw new ManifestError(`${file}: captures[${i}].location must be "shared" or "corpus"`);
  });
  return { captures: caps as ManifestEntry[] };
}

/** A folder's row of ../shared/captures/SOURCES.md: `| tcpdump/ | from | commit | licence |`. */
export interface SharedSource { readonly folder: string; readonly from: string; readonly commit: string; readonly licence: string }

export function parseSources(md: string): SharedSource[] {
  const out: SharedSource[] = [];
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !/^[\w.-]+\/$/.test(cells[1]!)) continue;
    out.push({ folder: cells[1]!.replace(/\/$/, ''), from: cells[2]!, commit: cells[3]!, licence: cells[4]! });
  }
  return out;
}

/** Notes for a shared capture nobody has described yet: source and licence from SOURCES.md. */
export function defaultSharedNotes(capture: string, sources: readonly SharedSource[]): ManifestNotes {
  const folder = capture.split('/')[0]!;
  const s = sources.find((x) => x.folder === folder);
  return {
    capture, location: 'shared',
    source: s ? `${s.from.split(',')[0]!.trim()} at ${s.commit.slice(0, 12)} (see ../shared/captures/SOURCES.md)` : 'unknown: not listed in ../shared/captures/SOURCES.md',
    licence: s?.licence ?? 'unknown', why: TODO_WHY,
  };
}

const BEGIN = '<!-- manifest:begin (written by `npm run corpus:update`; edit manifest.json instead) -->';
const END = '<!-- manifest:end -->';

/** The manifest as a Markdown table. */
export function renderManifestTable(m: Manifest): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = m.captures.map((c) => {
    const where = c.location === 'shared' ? `../shared/captures/${c.capture}` : `corpus/${c.capture}`;
    const outcomes = Object.entries(c.outcomes).map(([k, v]) => `${v} ${k}`).join(', ') || '-';
    return `| [${esc(c.capture)}](${c.expected}) | ${esc(where)} | ${esc(c.source)} (${esc(c.licence)}) | ${c.linkTypes.join(', ')} | ${c.records} | ${c.gre} | ${c.truncated} | ${c.unknown} | ${outcomes} | ${c.rules.join(' ') || '-'} | ${esc(c.why)} |`;
  });
  return [
    '| capture (expected answers) | file | source (licence) | link type | records | GRE | cut | unknown | outcomes | rules | why it is here |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The README with its table replaced (or appended when the markers are missing). */
export function withManifestTable(readme: string, m: Manifest): string {
  const block = `${BEGIN}\n${renderManifestTable(m)}\n${END}`;
  const a = readme.indexOf(BEGIN), b = readme.indexOf(END);
  if (a < 0 || b < a) return readme.replace(/\n*$/, '\n\n') + block + '\n';
  return readme.slice(0, a) + block + readme.slice(b + END.length);
}
