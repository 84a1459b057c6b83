// Regenerating the pinned corpus: every capture of ../shared/captures and of corpus/ itself is
// read again, its GRE datagrams pinned with the oracle's answers now, and the manifest and the
// README table rewritten. The plan is data (old and new text of each file); the script prints
// its diff and writes it, like tcpdump's update-test.sh.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { KeymapEntry } from '../spec/contract.ts';
import { formatExpectedFile, parseExpectedFile, type ExpectedLine } from './expected-file.ts';
import {
  defaultSharedNotes, expectedFileOf, formatManifest, manifestEntry, parseManifest, parseSources, withManifestTable,
  type Manifest, type ManifestEntry, type ManifestNotes,
} from './manifest.ts';
import { pinCapture } from './pin.ts';
import { CAPTURE_FILE, corpusDir, isDirectory, sharedCapturesDir, REPO_ROOT } from './paths.ts';
import { unifiedDiff } from './unified-diff.ts';

export interface PlannedFile {
  /** Relative to the repository root. */
  readonly path: string;
  /** null: the file does not exist yet. */
  readonly old: string | null;
  /** null: the file goes away. */
  readonly new: string | null;
}

export interface CorpusPlan {
  readonly files: readonly PlannedFile[];
  readonly manifest: Manifest;
  /** Things a reviewer should know: captures without a "why", captures that disappeared. */
  readonly notes: readonly string[];
}

export interface CorpusPaths {
  readonly repoRoot?: string;
  /** Default ../shared/captures beside the repository. */
  readonly sharedDir?: string;
}

function read(path: string): string | null {
  try { return readFileSync(path, 'utf8'); } catch { return null; }
}

function capturesUnder(dir: string, skipTop: readonly string[] = []): string[] {
  if (!isDirectory(dir)) return [];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) { if (!(rel === '' && skipTop.includes(d.name))) walk(r); }
      else if (CAPTURE_FILE.test(d.name)) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/** Keeps what a pinned line holds that is input or annotation, not the oracle's output. */
function carried(old: ExpectedLine | undefined): Partial<ExpectedLine> {
  if (!old) return {};
  return {
    ...(old.caseId !== undefined ? { caseId: old.caseId } : {}),
    ...(old.rule !== undefined ? { rule: old.rule } : {}),
    ...(old.description !== undefined ? { description: old.description } : {}),
  };
}

/** The lines of one capture now, keymaps and annotations carried over from its pinned lines. */
export async function repin(capturePath: string, pinned: readonly ExpectedLine[]): Promise<{ lines: ExpectedLine[]; summary: Awaited<ReturnType<typeof pinCapture>>['summary'] }> {
  const byIndex = new Map(pinned.map((l) => [l.index, l]));
  const keymapOf = (i: number): readonly KeymapEntry[] => byIndex.get(i)?.keymap ?? [];
  const p = await pinCapture(capturePath, { keymapOf });
  const lines = p.lines.map((l) => {
    const c = carried(byIndex.get(l.index));
    // Field order is fixed by formatExpectedLine, so spreading is safe.
    return { ...l, ...c };
  });
  return { lines, summary: p.summary };
}

export async function planCorpusUpdate(paths: CorpusPaths = {}): Promise<CorpusPlan> {
  const root = paths.repoRoot ?? REPO_ROOT;
  const corpus = corpusDir(root);
  const shared = paths.sharedDir ?? sharedCapturesDir(root);
  if (!isDirectory(shared)) throw new Error(`${shared}: no such folder; the shared captures must be beside the checkout (../shared/captures)`);
  const manifestPath = join(corpus, 'manifest.json');
  const oldManifestText = read(manifestPath);
  const oldManifest = oldManifestText === null ? { captures: [] } : parseManifest(oldManifestText, manifestPath);
  const sources = parseSources(read(join(shared, 'SOURCES.md')) ?? '');
  const notesOf = new Map(oldManifest.captures.map((c) => [`${c.location}:${c.capture}`, c as ManifestNotes]));
  const notes: string[] = [];

  const found: { location: 'shared' | 'corpus'; capture: string; abs: string }[] = [
    ...capturesUnder(corpus, ['shared']).map((c) => ({ location: 'corpus' as const, capture: c, abs: join(corpus, c) })),
    ...capturesUnder(shared).filter((c) => c.includes('/')).map((c) => ({ location: 'shared' as const, capture: c, abs: join(shared, c) })),
  ];
  const foundKeys = new Set(found.map((f) => `${f.location}:${f.capture}`));
  for (const c of oldManifest.captures) {
    if (!foundKeys.has(`${c.location}:${c.capture}`)) notes.push(`${c.location === 'shared' ? '../shared/captures' : 'corpus'}/${c.capture} is gone: its entry and expected file are removed`);
  }

  const files: PlannedFile[] = [];
  const entries: ManifestEntry[] = [];
  const keptExpected = new Set<string>();
  for (const f of found) {
    const key = `${f.location}:${f.capture}`;
    let n = notesOf.get(key);
    if (!n) {
      n = f.location === 'shared' ? defaultSharedNotes(f.capture, sources) : { capture: f.capture, location: 'corpus', source: 'TODO: how the project recorded it', licence: 'MIT (the project\'s own)', why: '' };
      notes.push(`new capture ${f.location === 'shared' ? '../shared/captures' : 'corpus'}/${f.capture}: describe it in corpus/manifest.json ("source", "why")`);
    }
    const expectedRel = expectedFileOf(f.capture, f.location);
    keptExpected.add(expectedRel);
    const expectedAbs = join(corpus, expectedRel);
    const oldText = read(expectedAbs);
    const pinned = oldText === null ? [] : parseExpectedFile(oldText, expectedAbs);
    const { lines, summary } = await repin(f.abs, pinned);
    files.push({ path: relative(root, expectedAbs), old: oldText, new: formatExpectedFile(lines) });
    entries.push(manifestEntry(n, summary));
  }
  // Expected files of captures that are gone.
  for (const c of oldManifest.captures) {
    const rel = c.expected ?? expectedFileOf(c.capture, c.location);
    if (keptExpected.has(rel)) continue;
    const old = read(join(corpus, rel));
    if (old !== null) files.push({ path: relative(root, join(corpus, rel)), old, new: null });
  }
  const manifest: Manifest = { captures: entries };
  files.push({ path: relative(root, manifestPath), old: oldManifestText, new: formatManifest(manifest) });
  const readmePath = join(corpus, 'README.md');
  const readme = read(readmePath);
  files.push({ path: relative(root, readmePath), old: readme, new: withManifestTable(readme ?? '# corpus/\n', manifest) });
  for (const e of entries) if (e.why.trim() === '' || e.why.startsWith('TODO')) notes.push(`${e.capture}: no "why" in corpus/manifest.json yet`);
  return { files, manifest, notes };
}

export function changedFiles(plan: CorpusPlan): PlannedFile[] {
  return plan.files.filter((f) => f.old !== f.new);
}

/** The plan as one unified diff (a/ and b/ prefixes, as git prints it). */
export function planDiff(plan: CorpusPlan): string {
  return changedFiles(plan).map((f) =>
    unifiedDiff(f.old ?? '', f.new ?? '', f.old === null ? '/dev/null' : `a/${f.path}`, f.new === null ? '/dev/null' : `b/${f.path}`),
  ).join('');
}

export function applyPlan(plan: CorpusPlan, repoRoot = REPO_ROOT): void {
  for (const f of changedFiles(plan)) {
    const abs = join(repoRoot, f.path);
    if (f.new === null) { rmSync(abs, { force: true }); continue; }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, f.new);
  }
}
