// Saved failures (--save-failures DIR): each counterexample as a one-packet raw-IP pcap with a
// fixed timestamp and a one-line .expected.ndjson, named <rule>-<8 hex of sha256(packet, keymap)>;
// saving the same failure again changes nothing; loaded back they are phase-1 vectors
// `saved:<name>` that fail first on the next run.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, LINKTYPE } from '../capture/index.ts';
import { linuxTuple } from '../oracles/index.ts';
import { runSuite } from '../runner/suite.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import { defaultSpace } from '../runner/default-space.ts';
import type { Counterexample } from '../runner/report.ts';
import { loadSavedFailures, saveFailures, savedFailureName, SavedFailureError } from '../corpus-tools/saved-failures.ts';
import { parseExpectedFile } from '../corpus-tools/expected-file.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-saved-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const correct = inProcessAdapter((p, c) => linuxTuple(p, c), 'oracle');
/** Wrong in two ways: v1 keys byte-swapped (GRE-5), and no keymap lookup (GRE-6). */
const wrong = inProcessAdapter((p, c) => {
  const t = linuxTuple(p, { keymap: [] });
  return t && t.dstkey !== 0 ? { ...t, dstkey: ((t.dstkey & 0xff) << 8) | (t.dstkey >> 8) } : t;
}, 'wrong');

let found: Counterexample[] | undefined;
async function counterexamples(): Promise<Counterexample[]> {
  found ??= (await runSuite(wrong, defaultSpace, { seed: 3, runs: 400, replayCommand: (id) => id, maxShrinkEvaluations: 300 })).counterexamples as Counterexample[];
  return found;
}

describe('saveFailures', () => {
  it('writes one pcap (raw IP, timestamp 0) and one expected line per counterexample, named after rule and packet', async () => {
    const ces = await counterexamples();
    expect(ces.length).toBeGreaterThan(0);
    const dir = join(tmp, 'a');
    const saved = await saveFailures(dir, ces);
    expect(saved.every((s) => s.written)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(saved.flatMap((s) => [`${s.name}.expected.ndjson`, `${s.name}.pcap`]).sort());
    for (const [i, s] of saved.entries()) {
      const ce = ces[i]!;
      expect(s.name).toMatch(new RegExp(`^${ce.rule}-[0-9a-f]{8}$`));
      const recs = [];
      for await (const r of readCapture(s.pcap)) recs.push(r);
      expect(recs.map((r) => [r.linkType, r.timestamp, Buffer.from(r.data).toString('hex')])).toEqual([[LINKTYPE.RAW, { seconds: 0, nanoseconds: 0 }, ce.packet]]);
      const [line, ...more] = parseExpectedFile(readFileSync(s.expected, 'utf8'), s.expected);
      expect(more).toEqual([]);
      expect(line).toMatchObject({ index: 0, caseId: ce.caseId, rule: ce.rule, packet: ce.packet, keymap: ce.keymap, expected: ce.expected, outcome: ce.outcome });
    }
  });

  it('does not churn: the same failures saved again, or elsewhere, give the same bytes; files already there are left alone', async () => {
    const ces = await counterexamples();
    const a = join(tmp, 'a'), b = join(tmp, 'b');
    const before = readdirSync(a).map((f) => [f, statSync(join(a, f)).mtimeMs, readFileSync(join(a, f))] as const);
    const again = await saveFailures(a, ces);
    expect(again.every((s) => !s.written)).toBe(true);
    for (const [f, mtime, bytes] of before) {
      expect(statSync(join(a, f)).mtimeMs).toBe(mtime);
      expect(Buffer.compare(readFileSync(join(a, f)), bytes)).toBe(0);
    }
    await saveFailures(b, [...ces].reverse());
    expect(readdirSync(b).sort()).toEqual(readdirSync(a).sort());
    for (const f of readdirSync(a)) expect(Buffer.compare(readFileSync(join(a, f)), readFileSync(join(b, f)))).toBe(0);
  });

  it('names are stable: sha256 over the packet (lowercase hex), a newline and the keymap as JSON arrays', () => {
    const packet = '4500002012340000402fe477c0000201c00002023001880b0000432100000001';
    expect(savedFailureName({ rule: 'GRE-5', packet, keymap: [] })).toBe(savedFailureName({ rule: 'GRE-5', packet: packet.toUpperCase(), keymap: [] }));
    expect(savedFailureName({ rule: 'GRE-5', packet, keymap: [] })).not.toBe(savedFailureName({ rule: 'GRE-5', packet, keymap: [{ src: '192.0.2.1', dst: '192.0.2.2', dstkey: 1, srckey: 2 }] }));
    expect(savedFailureName({ rule: 'GRE-5', packet, keymap: [] })).toBe('GRE-5-df1a0341');
  });
});

describe('loadSavedFailures', () => {
  it('gives phase-1 vectors named saved:<name>, with the rule first, the keymap and the pinned answer', async () => {
    const ces = await counterexamples();
    const vectors = await loadSavedFailures(join(tmp, 'a'));
    const names = readdirSync(join(tmp, 'a')).filter((f) => f.endsWith('.pcap')).map((f) => f.slice(0, -5)).sort();
    expect(vectors.map((v) => v.caseId)).toEqual(names.map((n) => `saved:${n}`));
    for (const v of vectors) {
      const ce = ces.find((c) => savedFailureName(c) === v.id)!;
      expect(v).toMatchObject({ packet: ce.packet, keymap: ce.keymap, expect: ce.expected });
      expect(v.rules[0]).toBe(ce.rule);
    }
    expect((await loadSavedFailures(join(tmp, 'a'), { expect: 'oracle' })).every((v) => v.expect === undefined)).toBe(true);
  });

  it('replayed first, they fail the implementation that produced them (named saved:<name>) and pass a correct one', async () => {
    const vectors = await loadSavedFailures(join(tmp, 'a'));
    const bad = await runSuite(wrong, defaultSpace, { seed: 9, runs: 0, vectors, replayCommand: (id) => id });
    expect(bad.totals.vectorFailures).toBe(vectors.length);
    expect(new Set(bad.counterexamples.map((c) => c.caseId))).toEqual(new Set(vectors.map((v) => v.caseId)));
    const good = await runSuite(correct, defaultSpace, { seed: 9, runs: 0, vectors, replayCommand: (id) => id });
    expect([good.totals.vectors, good.totals.vectorFailures]).toEqual([vectors.length, 0]);
  });

  it('an absent folder is no failures; a pcap alone is run with the oracle\'s answer', async () => {
    expect(await loadSavedFailures(join(tmp, 'none'))).toEqual([]);
    const dir = join(tmp, 'lone');
    const [s] = await saveFailures(dir, (await counterexamples()).slice(0, 1));
    rmSync(s!.expected);
    expect(await loadSavedFailures(dir)).toMatchObject([{ caseId: `saved:${s!.name}`, rules: [], keymap: [] }]);
    expect((await loadSavedFailures(dir))[0]!.expect).toBeUndefined();
  });

  it('a broken file is a SavedFailureError naming it', async () => {
    const dir = join(tmp, 'broken');
    const [s] = await saveFailures(dir, (await counterexamples()).slice(0, 1));
    writeFileSync(s!.expected, readFileSync(s!.expected, 'utf8').replace(/"packet":"([0-9a-f]{2})/, '"packet":"ff'));
    await expect(loadSavedFailures(dir)).rejects.toThrow(SavedFailureError);
    await expect(loadSavedFailures(dir)).rejects.toThrow(`${s!.expected}: record 0 pins packet ff`);
    writeFileSync(s!.pcap, 'not a capture');
    await expect(loadSavedFailures(dir)).rejects.toThrow(/\.pcap: offset 0: unknown magic number/);
  });
});
