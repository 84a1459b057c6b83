// Pinning a capture: which datagrams are GRE, what is known about one the snapshot length cut
// (an answer only when every byte the kernel reads was captured), the .expected.ndjson format,
// and the unified diff the corpus update prints.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureWriter } from '../capture/index.ts';
import { linuxVerdict } from '../oracles/index.ts';
import { defaultSpace } from '../runner/default-space.ts';
import { capturedVerdict, greByHeader, greOffset, nonFirstFragment } from '../corpus-tools/gre-datagram.ts';
import { pinCapture, pinDatagram } from '../corpus-tools/pin.ts';
import { ExpectedFileError, formatExpectedFile, formatExpectedLine, parseExpectedFile, expectedPathOf, type ExpectedLine } from '../corpus-tools/expected-file.ts';
import { unifiedDiff } from '../corpus-tools/unified-diff.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-corpus-pin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

// CONTRACT.md's example: IPv4, GRE v1 PPP, call id 0x4321.
const PPTP = hex('45000020 12340000 402fe477 c0000201 c0000202 | 3001880b 00004321 00000001'.replace('|', ''));
// IPv6, Destination Options (8 bytes), GRE v1 PPP call id 0x0007.
const V6 = hex('60000000 00100040 20010db8000000000000000000000001 20010db8000000000000000000000002 2f000104 00000000 2001880b 00000007');

describe('which datagrams are GRE', () => {
  it('IPv4 protocol 47, at IHL*4', () => {
    expect(greByHeader(PPTP)).toBe(true);
    expect(greOffset(PPTP)).toBe(20);
    const udp = PPTP.slice(); udp[9] = 17;
    expect(greByHeader(udp)).toBe(false);
  });
  it('IPv6: through the extension-header chain to 47; a chain that leaves the captured bytes is not GRE', () => {
    expect(greOffset(V6)).toBe(48);
    expect(greByHeader(V6.subarray(0, 41))).toBe(false);
  });
  it('non-first fragments are told apart (their bytes at the GRE offset are payload)', () => {
    const frag = PPTP.slice(); frag[7] = 2;
    expect(nonFirstFragment(frag)).toBe(true);
    expect(nonFirstFragment(PPTP)).toBe(false);
  });
});

describe('datagrams cut by the snapshot length', () => {
  it('cut inside the 8 GRE bytes a version 1 datagram is read by: the answer cannot be known', () => {
    for (const keep of [20, 23, 27]) {
      const v = capturedVerdict(PPTP.subarray(0, keep), PPTP.length);
      expect(v.known).toBe(false);
      if (!v.known) expect(v.reason).toMatch(new RegExp(`kept ${keep} of the datagram's 32 bytes and the kernel reads byte ${keep}:`));
    }
  });
  it('cut after them: the answer is the whole datagram\'s (bytes past GRE byte 7 are never read, GRE-7)', () => {
    const v = capturedVerdict(PPTP.subarray(0, 28), PPTP.length);
    expect(v.known && v.verdict.tuple).toEqual(linuxVerdict(PPTP).tuple);
  });
  it('a header with a bad checksum is known to be dropped from its captured header alone', () => {
    const bad = PPTP.slice(); bad[10] = bad[10]! ^ 1;
    const v = capturedVerdict(bad.subarray(0, 20), 1500);
    expect(v.known && [v.verdict.outcome, v.verdict.decidedBy]).toEqual(['not-seen', 'L3-2']);
  });
  it('IPv6 cut inside the extension-header chain: unknown', () => {
    expect(capturedVerdict(V6.subarray(0, 44), V6.length).known).toBe(false);
    expect(capturedVerdict(V6.subarray(0, 56), V6.length).known).toBe(true);
  });
  it('whenever an answer is given for a cut datagram, it is the answer for the whole datagram (generated cases, every cut)', () => {
    fc.assert(fc.property(defaultSpace.arbitrary, fc.nat(), (c, n) => {
      const { packet } = defaultSpace.encode(c);
      const keep = packet.length === 0 ? 0 : n % (packet.length + 1);
      const v = capturedVerdict(packet.subarray(0, keep), packet.length);
      const whole = linuxVerdict(packet);
      if (keep === packet.length) expect(v.known).toBe(true);
      if (!v.known) return;
      expect([v.verdict.outcome, v.verdict.tuple, v.verdict.decidedBy]).toEqual([whole.outcome, whole.tuple, whole.decidedBy]);
    }), { numRuns: 1500 });
  });
});

describe('pinning', () => {
  it('an unknown datagram is pinned without an answer, with its wire length and the reason', () => {
    const l = pinDatagram({ index: 4, offset: 100, l2: 'raw' }, PPTP.subarray(0, 24), 32);
    expect(formatExpectedLine(l)).toBe('{"index":4,"offset":100,"l2":"raw","packet":"4500002012340000402fe477c0000201c00002023001880b","wireLength":32,"keymap":[],"outcome":"unknown","rules":[],"reason":"the snapshot length kept 24 of the datagram\'s 32 bytes and the kernel reads byte 26: the answer cannot be known"}');
  });

  it('a capture with a snapshot length: cut records are pinned as unknown or known, counted in the summary', async () => {
    const path = join(tmp, 'cut.pcap');
    const w = new CaptureWriter(path, { snaplen: 24 });
    await w.write(PPTP);                 // cut in GRE: unknown
    await w.write(PPTP.subarray(0, 24)); // whole (24 bytes is its own datagram): total length lies, not seen
    const bad = PPTP.slice(); bad[10] = bad[10]! ^ 1;
    await w.write(bad);                  // cut, but dropped for its checksum: known
    await w.close();
    const p = await pinCapture(path);
    expect(p.lines.map((l) => [l.index, l.outcome, l.wireLength])).toEqual([[0, 'unknown', 32], [1, 'not-seen', undefined], [2, 'not-seen', 32]]);
    expect(p.summary).toMatchObject({ records: 3, truncated: 2, ip: 3, gre: 3, unknown: 1, linkTypes: ['RAW (101)'], rules: ['L3-2'] });
  });
});

describe('.expected.ndjson', () => {
  const tuple = fc.record({ src: fc.constantFrom('192.0.2.1', '2001:db8::1'), dst: fc.constantFrom('192.0.2.2', '2001:db8::2'), proto: fc.integer({ min: 0, max: 255 }), srckey: fc.integer({ min: 0, max: 0xffff }), dstkey: fc.integer({ min: 0, max: 0xffff }) });
  const line: fc.Arbitrary<ExpectedLine> = fc.record({
    index: fc.nat(), offset: fc.option(fc.nat(), { nil: undefined }), caseId: fc.option(fc.constantFrom('1:2', '7:0:3'), { nil: undefined }),
    packet: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')),
    keymap: fc.array(fc.record({ src: fc.constant('192.0.2.1'), dst: fc.constant('192.0.2.2'), dstkey: fc.integer({ min: 0, max: 0xffff }), srckey: fc.integer({ min: 0, max: 0xffff }) }), { maxLength: 2 }),
    expected: fc.option(tuple, { nil: null }), outcome: fc.constantFrom('tracked' as const, 'invalid' as const, 'not-seen' as const),
    rules: fc.subarray(['L3-2', 'L3-9', 'GRE-2', 'GRE-5'] as const), description: fc.option(fc.string(), { nil: undefined }),
  }, { requiredKeys: ['index', 'packet', 'keymap', 'expected', 'outcome', 'rules'] }).map((l) => JSON.parse(JSON.stringify(l)));

  it('round-trips, and formatting is canonical (key order fixed whatever the object\'s)', () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 5 }), (lines) => {
      const text = formatExpectedFile(lines);
      const back = parseExpectedFile(text, 'x');
      expect(back).toEqual(lines);
      const shuffled = lines.map((l) => Object.fromEntries(Object.entries(l).reverse()) as unknown as ExpectedLine);
      expect(formatExpectedFile(shuffled)).toBe(text);
    }));
  });

  it('a bad line is an error naming the file and line', () => {
    const good = formatExpectedLine({ index: 0, packet: '45', keymap: [], expected: null, outcome: 'not-seen', rules: ['L3-2'] });
    const cases: [string, RegExp][] = [
      ['{', /^f\.ndjson:2: not JSON/],
      [good.replace('"45"', '"4G"'), /^f\.ndjson:2: "packet" must be lowercase hex/],
      [good.replace('"not-seen"', '"gone"'), /^f\.ndjson:2: "outcome" must be one of/],
      [good.replace('"L3-2"', '"L3-99"'), /^f\.ndjson:2: rules: "L3-99" is not a rule ID/],
      [good.replace('"expected":null,', ''), /^f\.ndjson:2: "expected" is missing/],
      [good.replace('"expected":null', '"expected":{"src":"x"}'), /^f\.ndjson:2: "expected": tuple\.src/],
      [good.replace('"index":0', '"index":-1'), /^f\.ndjson:2: "index" must be a whole number/],
    ];
    for (const [bad, message] of cases) {
      let err: unknown;
      try { parseExpectedFile(`${good}\n${bad}\n`, 'f.ndjson'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ExpectedFileError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('lives beside its capture', () => {
    expect(expectedPathOf('a/b.pcap')).toBe('a/b.expected.ndjson');
    expect(expectedPathOf('a/b.pcapng')).toBe('a/b.expected.ndjson');
  });
});

/** Applies a unified diff, checking every context and removed line. */
function applyUnified(old: string, diff: string): string {
  const a = old === '' ? [] : old.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let at = 0;
  const lines = diff.replace(/\n$/, '').split('\n').slice(2);
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i]!);
    if (!m) throw new Error(`bad hunk header ${lines[i]}`);
    const start = m[2] === '0' ? Number(m[1]) : Number(m[1]) - 1;
    while (at < start) out.push(a[at++]!);
    while (i + 1 < lines.length && !lines[i + 1]!.startsWith('@@')) {
      const l = lines[++i]!;
      if (l[0] === '+') out.push(l.slice(1));
      else { if (a[at] !== l.slice(1)) throw new Error(`context mismatch at ${at}: ${a[at]} vs ${l}`); if (l[0] === ' ') out.push(a[at]!); at++; }
    }
  }
  while (at < a.length) out.push(a[at++]!);
  return out.length ? out.join('\n') + '\n' : '';
}

describe('unified diff', () => {
  it('is empty for equal texts, and otherwise turns the old text into the new one', () => {
    const text = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 40 }).map((l) => l.map((x) => x + '\n').join(''));
    fc.assert(fc.property(text, text, (a, b) => {
      const d = unifiedDiff(a, b, 'a/x', 'b/x');
      if (a === b) { expect(d).toBe(''); return; }
      expect(d.startsWith('--- a/x\n+++ b/x\n@@ -')).toBe(true);
      expect(applyUnified(a, d)).toBe(b);
    }), { numRuns: 400 });
  });

  it('looks like diff -u: 3 lines of context, separate hunks for distant changes', () => {
    const a = Array.from({ length: 20 }, (_, i) => `${i}\n`).join('');
    const b = a.replace('3\n', 'three\n').replace('17\n', 'seventeen\n');
    expect(unifiedDiff(a, b, 'old', 'new')).toBe([
      '--- old', '+++ new',
      '@@ -1,7 +1,7 @@', ' 0', ' 1', ' 2', '-3', '+three', ' 4', ' 5', ' 6',
      '@@ -15,6 +15,6 @@', ' 14', ' 15', ' 16', '-17', '+seventeen', ' 18', ' 19', '',
    ].join('\n'));
  });
});
