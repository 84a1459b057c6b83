// `replay FILE IMPL`: every GRE datagram of a capture through the implementation as phase 1 of
// the suite, named FILE#record, with answers and keymaps from the pinned expected file (beside
// the capture, named with --expected, or corpus/'s pin for a shared capture) or the oracle;
// records cut before bytes the kernel reads are skipped and listed, never guessed.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CaptureWriter } from '../capture/index.ts';
import { linuxTuple, linuxVerdict, ipv4Checksum } from '../oracles/index.ts';
import { runSuite } from '../runner/suite.ts';
import { inProcessAdapter } from '../runner/in-process.ts';
import type { Answer } from '../spec/contract.ts';
import { captureVectors, CaptureVectorsError, findExpectedFile } from '../corpus-tools/capture-vectors.ts';
import { generateCorpus } from '../corpus-tools/generate.ts';
import { formatExpectedFile, parseExpectedFile } from '../corpus-tools/expected-file.ts';
import { corpusDir, isDirectory, sharedCapturesDir, REPO_ROOT } from '../corpus-tools/paths.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-replay-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SHARED = sharedCapturesDir();
const haveShared = isDirectory(SHARED);
const BIN = join(REPO_ROOT, 'bin', 'gre-conformance.mjs');
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const PPTP = hex('4500002012340000402fe477c0000201c00002023001880b0000432100000001');
/** An IPv4 GRE datagram 192.0.2.1 > 192.0.2.2 with a right checksum, options and GRE bytes as hex. */
function ipv4(gre: string, options = ''): Uint8Array {
  const b = hex(`4${(5 + options.length / 8).toString(16)}00000000000000402f0000c0000201c0000202${options}${gre}`);
  b[2] = b.length >> 8; b[3] = b.length & 0xff;
  const c = ipv4Checksum(b, (b[0]! & 0xf) * 4);
  b[10] = c >> 8; b[11] = c & 0xff;
  return b;
}
const NO_SPACE = { arbitrary: fc.constant(null), encode: () => ({ packet: new Uint8Array(), keymap: [] }) };

const correct = inProcessAdapter((p, c) => linuxTuple(p, c), 'oracle');
/** Keys v0 tunnels by their RFC 2890 key, as a naive NAT would (GRE-2). */
const keysV0 = inProcessAdapter((p, c) => {
  const t = linuxTuple(p, c);
  const v = linuxVerdict(p, c);
  if (!t || v.dataoff === undefined || p[v.dataoff + 1] !== undefined && (p[v.dataoff + 1]! & 7) !== 0) return t;
  const flags = p[v.dataoff];
  if (flags === undefined || (flags & 0x20) === 0 || (flags & 0xc0) !== 0) return t;
  const k = p.subarray(v.dataoff + 4, v.dataoff + 8);
  return k.length === 4 ? { ...t, srckey: (k[0]! << 8) | k[1]!, dstkey: (k[2]! << 8) | k[3]! } : t;
}, 'keys v0');

async function run(adapter: typeof correct, vectors: Awaited<ReturnType<typeof captureVectors>>['vectors']) {
  return runSuite(adapter, NO_SPACE, { seed: 0, runs: 0, vectors, replayCommand: (id) => `replay ${id}` });
}

describe('a capture as the suite\'s vectors', () => {
  it('a generated corpus: one vector per record, named FILE#index, with the pinned keymap and answer', async () => {
    const g = await generateCorpus({ count: 300, seed: 21, out: join(tmp, 'gen.pcap') });
    const cap = await captureVectors(g.capture);
    expect(cap.expectedFile).toBe(g.expected);
    expect(cap.vectors).toHaveLength(300);
    const lines = parseExpectedFile(readFileSync(g.expected, 'utf8'), g.expected);
    cap.vectors.forEach((v, i) => {
      expect(v.caseId).toBe(`${g.capture}#${i}`);
      expect(v.keymap).toEqual(lines[i]!.keymap);
      expect(v.expect).toEqual(lines[i]!.expected);
      expect(v.packet).toBe(lines[i]!.packet);
    });
    expect(lines.some((l) => l.keymap.length > 0)).toBe(true);
    const report = await run(correct, cap.vectors);
    expect([report.totals.vectors, report.totals.vectorFailures, report.counterexamples]).toEqual([300, 0, []]);
  });

  it.skipIf(!haveShared)('a shared capture: its pin in corpus/shared/ is found; with none (null), the oracle decides', async () => {
    const file = join(SHARED, 'tcpdump', 'various_gre.pcap');
    expect(findExpectedFile(file)).toBe(join(corpusDir(), 'shared', 'tcpdump', 'various_gre.expected.ndjson'));
    const pinned = await captureVectors(file);
    const oracle = await captureVectors(file, { expectedFile: null });
    expect(pinned.vectors.map((v) => v.caseId)).toEqual(oracle.vectors.map((v) => v.caseId));
    expect(oracle.vectors.every((v) => v.expect === undefined)).toBe(true);
    expect([pinned.records, pinned.ip, pinned.vectors.length, pinned.unknown.length, pinned.unpinned]).toEqual([100, 30, 30, 0, 0]);
    expect(pinned.vectors[0]!.caseId).toBe(`${file}#10`);
  });

  it.skipIf(!haveShared)('a wrong implementation fails on the capture\'s datagram, named FILE#record, under the rule it broke', async () => {
    const file = join(SHARED, 'tcpdump', 'various_gre.pcap');
    const report = await run(keysV0, (await captureVectors(file)).vectors);
    expect(report.totals.vectorFailures).toBe(30);
    expect(report.counterexamples).toHaveLength(1);
    expect(report.counterexamples[0]).toMatchObject({ rule: 'GRE-2', phase: 'vector', caseId: `${file}#10`, expected: { srckey: 0, dstkey: 0 }, actual: { srckey: 0, dstkey: 0x28 } });
  });

  it('records cut before bytes the kernel reads are skipped and listed; a cut record whose answer is known runs, its missing bytes as zeros', async () => {
    const file = join(tmp, 'cut.pcap');
    const w = new CaptureWriter(file, { snaplen: 26 });
    await w.write(PPTP);                 // record 0: cut inside the call id: unknown
    await w.write(PPTP.subarray(0, 24)); // record 1: whole
    await w.close();
    const w2 = new CaptureWriter(join(tmp, 'cut2.pcap'), { snaplen: 28 });
    await w2.write(PPTP);                // cut after GRE byte 7: known
    await w2.close();
    const cap = await captureVectors(file);
    expect(cap.unknown).toEqual([{ index: 0, offset: 24, packet: '4500002012340000402fe477c0000201c00002023001880b0000', reason: "the snapshot length kept 26 of the datagram's 32 bytes and the kernel reads byte 26: the answer cannot be known" }]);
    expect(cap.vectors.map((v) => v.caseId)).toEqual([`${file}#1`]);
    const known = await captureVectors(join(tmp, 'cut2.pcap'));
    expect(known.vectors[0]!.packet).toBe('4500002012340000402fe477c0000201c00002023001880b0000432100000000');
    expect(linuxTuple(known.vectors[0]!.bytes!)).toEqual(linuxTuple(PPTP));
  });

  it('pinned answers are the expected ones: a pin the oracle no longer gives fails even a correct implementation, and says so', async () => {
    const g = await generateCorpus({ count: 40, seed: 2, out: join(tmp, 'pin.pcap') });
    const lines = parseExpectedFile(readFileSync(g.expected, 'utf8'), g.expected);
    const i = lines.findIndex((l) => l.expected !== null);
    const wrong: Answer = { ...lines[i]!.expected!, dstkey: (lines[i]!.expected!.dstkey + 1) & 0xffff };
    writeFileSync(g.expected, formatExpectedFile(lines.map((l, k) => (k === i ? { ...l, expected: wrong } : l))));
    const report = await run(correct, (await captureVectors(g.capture)).vectors);
    expect(report.totals.vectorFailures).toBe(1);
    expect(report.counterexamples[0]!.caseId).toBe(`${g.capture}#${i}`);
    expect(report.counterexamples[0]!.reason).toMatch(/^pinned answer \(the oracle now says otherwise: /);
  });

  it('an expected file that is not the capture\'s is refused, naming the record', async () => {
    const a = await generateCorpus({ count: 5, seed: 1, out: join(tmp, 'x.pcap') });
    const b = await generateCorpus({ count: 5, seed: 2, out: join(tmp, 'y.pcap') });
    await expect(captureVectors(a.capture, { expectedFile: b.expected })).rejects.toThrow(CaptureVectorsError);
    await expect(captureVectors(a.capture, { expectedFile: b.expected })).rejects.toThrow(/record 0 pins packet .* the expected file is not this capture's/);
  });
});

describe('the replay command', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, 'replay', ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } });

  it('passes a correct implementation (exit 0) and prints where the answers came from', async () => {
    const g = await generateCorpus({ count: 200, seed: 4, out: join(tmp, 'ok.pcap'), link: 'ethernet' });
    const r = cli(g.capture, 'examples/js/correct.mjs');
    expect(r.stdout).toContain(`capture ${g.capture}: 200 records, `);
    expect(r.stdout).toContain(`expected answers from ${g.expected}`);
    expect(r.stdout).toContain('PASS: 200 vectors and 0 generated cases agree with the oracle');
    expect(r.status).toBe(0);
  }, 30_000);

  it('fails a wrong one (exit 1) with the suite\'s report: json carries the capture summary and FILE#record case ids', async () => {
    const file = join(tmp, 'mixed.pcap');
    const w = new CaptureWriter(file, { snaplen: 42 });
    await w.write(ipv4('2000080000000028'));                         // record 0: v0, key 0x28, whole
    await w.write(ipv4('3001880b0000432100000001', '01'.repeat(20))); // record 1: v1 behind 20 option bytes, cut inside GRE
    await w.close();
    const r = cli(file, 'test/fixtures/wrong/gre-2-v0-rfc2890-key.mjs', '--reporter', 'json');
    const j = JSON.parse(r.stdout);
    expect(j.capture).toMatchObject({ file, expectedFrom: 'oracle', records: 2, greDatagrams: 2, run: 1, unknown: [{ index: 1, offset: 24 + 16 + 28 }] });
    expect(r.stderr).toContain('1 GRE datagram skipped: the answer cannot be known (cut by the snapshot length)');
    expect(r.stderr).toContain(`${file}#1 (offset 68): the snapshot length kept 42 of the datagram's 52 bytes and the kernel reads byte 42`);
    expect(j.counterexamples).toMatchObject([{ rule: 'GRE-2', caseId: `${file}#0`, actual: { dstkey: 0x28 } }]);
    expect(j.counterexamples[0].replay).toContain('--packet 4500001c');
    expect([r.status, j.exitCode]).toEqual([1, 1]);
  }, 30_000);

  it('usage errors exit 3: no implementation, an option that does not apply, a missing capture', () => {
    for (const [args, msg] of [
      [['nothing.pcap', 'examples/js/correct.mjs'], 'nothing.pcap: offset 0: read failed: ENOENT'],
      [[join(tmp, 'ok.pcap')], 'no implementation given'],
      [[join(tmp, 'ok.pcap'), 'examples/js/correct.mjs', '--runs', '5'], '--runs does not apply'],
      [['--cmd', 'x'], 'give the capture first'],
    ] as const) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(3);
      expect(r.stderr).toContain(msg);
    }
  }, 30_000);
});
