// The pinned corpus (corpus/): every capture of ../shared/captures has an expected-answer file,
// and the oracle's answer on every pinned GRE datagram is still the pinned one. A change fails
// here naming the capture, the record, the packet, and the pinned and current values; review it
// with `npm run corpus:update` (which shows the diff) and commit the new pins with the reason.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CaptureWriter } from '../capture/index.ts';
import { ipv4Checksum } from '../oracles/index.ts';
import { parseExpectedFile, formatExpectedFile, type ExpectedLine } from '../corpus-tools/expected-file.ts';
import { pinCapture } from '../corpus-tools/pin.ts';
import { comparePinned, formatMismatch } from '../corpus-tools/compare.ts';
import { parseManifest } from '../corpus-tools/manifest.ts';
import { planCorpusUpdate, changedFiles, planDiff, applyPlan } from '../corpus-tools/update.ts';
import { corpusDir, isDirectory, sharedCapturesDir, REPO_ROOT } from '../corpus-tools/paths.ts';

const SHARED = sharedCapturesDir();
const CORPUS = corpusDir();
const haveShared = isDirectory(SHARED);
const manifest = parseManifest(readFileSync(join(CORPUS, 'manifest.json'), 'utf8'), 'corpus/manifest.json');
const tmp = mkdtempSync(join(tmpdir(), 'gre-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sharedCaptures(): string[] {
  return readdirSync(SHARED, { withFileTypes: true }).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(SHARED, d.name)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `${d.name}/${f}`)).sort();
}

/** Every difference between pinned and current answers of one capture, as one loud message. */
async function check(capture: string, abs: string, pinned: readonly ExpectedLine[]): Promise<string[]> {
  const byIndex = new Map(pinned.map((l) => [l.index, l]));
  const now = await pinCapture(abs, { keymapOf: (i) => byIndex.get(i)?.keymap ?? [] });
  return comparePinned(capture, pinned, now.lines).map(formatMismatch);
}

describe.skipIf(!haveShared)('pinned corpus: ../shared/captures', () => {
  it('the manifest lists every shared capture, and each has an expected-answer file in corpus/shared/', () => {
    const listed = manifest.captures.filter((c) => c.location === 'shared').map((c) => c.capture).sort();
    expect(listed).toEqual(sharedCaptures());
    for (const c of manifest.captures) {
      expect(c.why.trim(), `${c.capture}: say why it is in the corpus`).not.toMatch(/^(TODO|)$/);
      expect(readdirSync(join(CORPUS, c.expected, '..'))).toContain(c.expected.split('/').pop());
    }
  });

  for (const c of manifest.captures) {
    it(`${c.capture}: every pinned GRE datagram still gets its pinned answer`, async () => {
      const abs = c.location === 'shared' ? join(SHARED, c.capture) : join(CORPUS, c.capture);
      const file = join(CORPUS, c.expected);
      const pinned = parseExpectedFile(readFileSync(file, 'utf8'), file);
      expect(pinned).toHaveLength(c.gre);
      const problems = await check(c.capture, abs, pinned);
      if (problems.length > 0) {
        throw new Error(`${problems.length} pinned answer(s) of ${c.capture} changed (run \`npm run corpus:update\` to see the diff):\n${problems.slice(0, 20).join('\n')}`);
      }
    });
  }

  it('the corpus covers datagrams of every outcome the shared captures hold, under the rules the manifest says', () => {
    const rules = new Set(manifest.captures.flatMap((c) => c.rules));
    for (const r of ['L3-2', 'L3-3', 'L3-6T', 'L3-8', 'GRE-1', 'GRE-2', 'GRE-5', 'GRE-8'] as const) expect(rules).toContain(r);
    const outcomes = new Set(manifest.captures.flatMap((c) => Object.keys(c.outcomes)));
    expect([...outcomes].sort()).toEqual(['not-seen', 'tracked']);
  });

  it('a changed answer fails loudly: a tampered pinned line is reported with capture, record, packet, pinned and now', async () => {
    const c = manifest.captures.find((x) => x.capture === 'tcpdump/various_gre.pcap')!;
    const file = join(CORPUS, c.expected);
    const pinned = parseExpectedFile(readFileSync(file, 'utf8'), file);
    const victim = pinned[3]!;
    const tampered = pinned.map((l) => (l === victim ? { ...l, expected: { ...l.expected!, dstkey: 0x28 }, decidedBy: 'GRE-5' as const } : l));
    const problems = await check(c.capture, join(SHARED, c.capture), tampered);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`tcpdump/various_gre.pcap record ${victim.index}`);
    expect(problems[0]).toContain(`packet ${victim.packet.slice(0, 40)}`);
    expect(problems[0]).toContain('expected, decidedBy changed');
    expect(problems[0]).toContain('pinned: expected={"src":"10.172.64.');
    expect(problems[0]).toContain('"dstkey":40} decidedBy="GRE-5"');
    expect(problems[0]).toContain('"dstkey":0} decidedBy="GRE-2"');
  });

  it('a pinned line for a record that is no longer GRE, and a GRE datagram with no line, are both reported', async () => {
    const c = manifest.captures.find((x) => x.capture === 'tcpdump/pptp.pcap')!;
    const file = join(CORPUS, c.expected);
    const [line] = parseExpectedFile(readFileSync(file, 'utf8'), file);
    const problems = await check(c.capture, join(SHARED, c.capture), [{ ...line!, index: 2 }]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^tcpdump\/pptp\.pcap record 2 \(packet 4500005003bc/);
    expect(problems[1]).toMatch(new RegExp(`^tcpdump/pptp\\.pcap record ${line!.index} \\(packet 4500005003bc`));
    expect(problems[0]).toContain('no longer a GRE datagram');
    expect(problems[1]).toContain('a GRE datagram with no pinned line');
  });

  it('`npm run corpus:update -- --check` finds nothing to change (exit 0, "no changes")', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/update-corpus.ts', '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^no changes \(\d+ captures, \d+ GRE datagrams pinned\)\n$/);
    expect(r.status).toBe(0);
  });
});

describe('corpus:update on a scratch repository', () => {
  /** A repository with a corpus/ of its own captures and a shared folder beside it. */
  async function scratch(): Promise<{ root: string; shared: string }> {
    const base = mkdtempSync(join(tmp, 'repo-'));
    const root = join(base, 'repo');
    const shared = join(base, 'shared', 'captures');
    mkdirSync(join(root, 'corpus', 'lab'), { recursive: true });
    mkdirSync(join(shared, 'third'), { recursive: true });
    writeFileSync(join(shared, 'SOURCES.md'), '| folder | from | at commit | licence |\n|---|---|---|---|\n| third/ | someone/captures, `x` | 0123456789abcdef | CC0-1.0 |\n');
    // Our own lab recording: a v1 PPTP datagram (keys), a v0 one.
    const w = new CaptureWriter(join(root, 'corpus', 'lab', 'pptp.pcap'));
    await w.write(Buffer.from('4500002012340000402fe477c0000201c00002023001880b0000432100000001', 'hex'));
    const v0 = Buffer.from('4500001812340000402f0000c0000201c000020200000800', 'hex');
    v0.writeUInt16BE(ipv4Checksum(v0, 20), 10);
    await w.write(v0);
    await w.close();
    if (haveShared) copyFileSync(join(SHARED, 'tcpdump', 'pptp.pcap'), join(shared, 'third', 'pptp.pcap'));
    return { root, shared };
  }

  it('pins a capture of corpus/ beside it and one of the shared folder under corpus/shared/, with a manifest and README table', async () => {
    const { root, shared } = await scratch();
    const plan = await planCorpusUpdate({ repoRoot: root, sharedDir: shared });
    const paths = changedFiles(plan).map((f) => f.path).sort();
    expect(paths).toEqual([
      'corpus/README.md', 'corpus/lab/pptp.expected.ndjson', 'corpus/manifest.json',
      ...(haveShared ? ['corpus/shared/third/pptp.expected.ndjson'] : []),
    ].sort());
    const own = plan.manifest.captures.find((c) => c.location === 'corpus')!;
    expect(own).toMatchObject({ capture: 'lab/pptp.pcap', expected: 'lab/pptp.expected.ndjson', records: 2, gre: 2, rules: ['L3-9', 'GRE-2', 'GRE-5', 'GRE-7'] });
    if (haveShared) {
      expect(plan.manifest.captures.find((c) => c.location === 'shared')).toMatchObject({ capture: 'third/pptp.pcap', licence: 'CC0-1.0', source: 'someone/captures at 0123456789ab (see ../shared/captures/SOURCES.md)' });
    }
    expect(plan.notes.some((n) => n.includes('new capture corpus/lab/pptp.pcap'))).toBe(true);
    const diff = planDiff(plan);
    expect(diff).toContain('--- /dev/null\n+++ b/corpus/lab/pptp.expected.ndjson\n@@ -0,0 +1,2 @@\n+{"index":0,"offset":24,"l2":"raw","packet":"4500002012340000402fe477');
    applyPlan(plan, root);
    expect(readFileSync(join(root, 'corpus', 'README.md'), 'utf8')).toContain('| [lab/pptp.pcap](lab/pptp.expected.ndjson) | corpus/lab/pptp.pcap |');
    // Applied: nothing left to change.
    expect(changedFiles(await planCorpusUpdate({ repoRoot: root, sharedDir: shared }))).toEqual([]);
  });

  it('keeps keymaps and notes: a keymap pinned by hand survives the update and changes the answer it pins', async () => {
    const { root, shared } = await scratch();
    applyPlan(await planCorpusUpdate({ repoRoot: root, sharedDir: shared }), root);
    const file = join(root, 'corpus', 'lab', 'pptp.expected.ndjson');
    const lines = parseExpectedFile(readFileSync(file, 'utf8'), file);
    const keymap = [{ src: '192.0.2.1', dst: '192.0.2.2', dstkey: 0x4321, srckey: 0x1234 }];
    writeFileSync(file, formatExpectedFile([{ ...lines[0]!, keymap }, lines[1]!]));
    const m = JSON.parse(readFileSync(join(root, 'corpus', 'manifest.json'), 'utf8'));
    m.captures[0].why = 'PPTP with its keymap, from the lab';
    writeFileSync(join(root, 'corpus', 'manifest.json'), JSON.stringify(m));
    const plan = await planCorpusUpdate({ repoRoot: root, sharedDir: shared });
    const diff = planDiff(plan);
    expect(diff).toContain('-{"index":0,"offset":24,"l2":"raw","packet":"4500002012340000402fe477c0000201c00002023001880b0000432100000001","keymap":[{"src":"192.0.2.1","dst":"192.0.2.2","dstkey":17185,"srckey":4660}],"expected":{"src":"192.0.2.1","dst":"192.0.2.2","proto":47,"srckey":0,"dstkey":17185}');
    expect(diff).toContain('+{"index":0,"offset":24,"l2":"raw","packet":"4500002012340000402fe477c0000201c00002023001880b0000432100000001","keymap":[{"src":"192.0.2.1","dst":"192.0.2.2","dstkey":17185,"srckey":4660}],"expected":{"src":"192.0.2.1","dst":"192.0.2.2","proto":47,"srckey":4660,"dstkey":17185}');
    expect(plan.manifest.captures[0]!.why).toBe('PPTP with its keymap, from the lab');
  });

  it('a capture that disappears loses its entry and its expected file', async () => {
    const { root, shared } = await scratch();
    applyPlan(await planCorpusUpdate({ repoRoot: root, sharedDir: shared }), root);
    rmSync(join(root, 'corpus', 'lab', 'pptp.pcap'));
    const plan = await planCorpusUpdate({ repoRoot: root, sharedDir: shared });
    expect(changedFiles(plan).find((f) => f.path === 'corpus/lab/pptp.expected.ndjson')).toMatchObject({ new: null });
    expect(plan.notes).toContain('corpus/lab/pptp.pcap is gone: its entry and expected file are removed');
  });
});
