// Malformed captures, made by mutating good ones: cut at every offset, every byte of small files
// overwritten, absurd lengths, wrong magic numbers, unknown link types, random edits. The reader
// must never crash or hang: it either reads the file or throws a CaptureError whose offset lies
// inside the file; where the mutation guarantees a broken file, the error kind and offset are
// checked exactly.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureError, readCapture, type CaptureErrorKind } from '../capture/index.ts';
import { chunked, concat, customBlock, epb, idb, ipv4, ipv6, opt, pcapFile, shb, spb } from './fixtures/captures/build.ts';

const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'captures');
const haveShared = (() => { try { return statSync(SHARED).isDirectory(); } catch { return false; } })();
const tmp = mkdtempSync(join(tmpdir(), 'gre-capture-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Outcome = { ok: true; records: number } | { ok: false; error: CaptureError };

/** Reads `bytes` (as a stream, in chunks of the given sizes) and classifies the outcome. */
async function outcome(bytes: Uint8Array, sizes?: number[]): Promise<Outcome> {
  let records = 0;
  try {
    for await (const r of readCapture(chunked(bytes, sizes), { name: 'mutant' })) {
      if (r.data.length !== r.caplen || r.caplen > 262144) throw new Error(`record ${r.index}: bad caplen ${r.caplen}`);
      records++;
    }
    return { ok: true, records };
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e; // a crash: anything but a CaptureError fails the test
    return { ok: false, error: e };
  }
}

/** The reader either succeeds or gives a CaptureError that points inside the file. */
function expectCleanOutcome(o: Outcome, size: number): void {
  if (o.ok) return;
  const { error } = o;
  expect(Number.isInteger(error.offset)).toBe(true);
  expect(error.offset).toBeGreaterThanOrEqual(0);
  expect(error.offset).toBeLessThanOrEqual(size);
  expect(error.file).toBe('mutant');
  expect(error.message).toContain(`offset ${error.offset}`);
}

async function expectError(bytes: Uint8Array, kind: CaptureErrorKind, offset: number): Promise<void> {
  const o = await outcome(bytes);
  expect(o.ok ? 'read without error' : `${o.error.kind}@${o.error.offset}`).toBe(`${kind}@${offset}`);
}

// ---- good files to mutate -------------------------------------------------------------------

const payloads = [new Uint8Array(0), Uint8Array.of(1, 2, 3, 4, 5), ipv4(new Uint8Array(36)), ipv6(Uint8Array.of(0, 0, 8, 0))];

function smallPcap(littleEndian: boolean, nanosecond: boolean): Uint8Array {
  return pcapFile({ littleEndian, nanosecond, linkType: 101 }, payloads.map((data, i) => ({ seconds: 1000 + i, frac: i * 7, data })));
}

function smallPcapng(le: boolean): Uint8Array {
  return concat(
    shb(le, [opt(4, 'gre-conformance test')]),
    idb(le, 101, 0, [opt(2, 'raw0'), opt(9, [9])]),
    customBlock(le, 0x0bad, Uint8Array.of(1, 2, 3)),
    epb(le, 0, 1_700_000_000_123_456_789n, payloads[2]!),
    spb(le, payloads[1]!),
    idb(le, 1, 96),
    epb(le, 1, 5n, payloads[3]!, 200),
    epb(le, 0, 6n, payloads[0]!),
  );
}

interface Span { start: number; end: number; packet: boolean }

/** Structure of a well-formed file, walked independently of the reader. */
function spans(b: Uint8Array): Span[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Span[] = [];
  if (dv.getUint32(0, false) === 0x0a0d0d0a) {
    const le = dv.getUint32(8, true) === 0x1a2b3c4d;
    for (let at = 0; at < b.length;) {
      const type = dv.getUint32(at, le);
      const end = at + dv.getUint32(at + 4, le);
      out.push({ start: at, end, packet: type === 6 || type === 3 || type === 2 });
      at = end;
    }
  } else {
    const le = dv.getUint32(0, true) === 0xa1b2c3d4 || dv.getUint32(0, true) === 0xa1b23c4d;
    out.push({ start: 0, end: 24, packet: false });
    for (let at = 24; at < b.length;) {
      const end = at + 16 + dv.getUint32(at + 8, le);
      out.push({ start: at, end, packet: true });
      at = end;
    }
  }
  return out;
}

const bases: [string, Uint8Array][] = [
  ['pcap LE us', smallPcap(true, false)],
  ['pcap BE ns', smallPcap(false, true)],
  ['pcapng LE', smallPcapng(true)],
  ['pcapng BE', smallPcapng(false)],
];
if (haveShared) {
  for (const name of ['tcpdump/erspan-type-i-3.pcap', 'tcpdump/pptp.pcap', 'tcpdump/nhrp.pcapng']) {
    bases.push([name, new Uint8Array(readFileSync(join(SHARED, name)))]);
  }
}

let mutants = 0;
afterAll(() => console.log(`malformed captures read: ${mutants}`));

describe('the good files themselves', () => {
  for (const [name, bytes] of bases) {
    it(`${name}: reads without error`, async () => {
      const o = await outcome(bytes);
      expect(o).toEqual({ ok: true, records: spans(bytes).filter((s) => s.packet).length });
    });
  }
});

describe('truncated at every offset', () => {
  for (const [name, bytes] of bases) {
    it(`${name}: a cut between records reads the records before it; any other cut is 'truncated' at the start of the cut header, record or block`, async () => {
      const sp = spans(bytes);
      for (let len = 0; len < bytes.length; len++) {
        mutants++;
        const o = await outcome(bytes.subarray(0, len), [61, 3, 200]);
        const boundary = sp.findIndex((s) => s.end === len);
        if (boundary >= 0) {
          expect(o, `cut at ${len}`).toEqual({ ok: true, records: sp.slice(0, boundary + 1).filter((s) => s.packet).length });
          continue;
        }
        const within = sp.find((s) => s.start <= len && len < s.end)!;
        expect(o.ok ? `read, cut at ${len}` : `${o.error.kind}@${o.error.offset}`, `cut at ${len}`).toBe(`truncated@${within.start}`);
      }
    });
  }

  it('files cut at every offset and read by path give the same errors, and leave no file open', async () => {
    const [, bytes] = bases[2]!;
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let len = 0; len < bytes.length; len++) {
      mutants++;
      const path = join(tmp, `cut-${len}.pcapng`);
      writeFileSync(path, bytes.subarray(0, len));
      const fromStream = await outcome(bytes.subarray(0, len));
      let fromFile: string;
      try {
        let n = 0;
        for await (const _ of readCapture(path)) n++;
        fromFile = `ok ${n}`;
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureError);
        const ce = e as CaptureError;
        expect(ce.file).toBe(path);
        fromFile = `${ce.kind}@${ce.offset}`;
      }
      expect(fromFile).toBe(fromStream.ok ? `ok ${fromStream.records}` : `${fromStream.error.kind}@${fromStream.error.offset}`);
    }
    expect(fds()).toBeLessThanOrEqual(before + 1);
  });
});

describe('every byte overwritten', () => {
  for (const [name, bytes] of bases) {
    const limit = Math.min(bytes.length, 400);
    it(`${name}: each of the first ${limit} bytes set to 0x00, 0xff and flipped in bits 0, 4 and 7 never crashes`, async () => {
      for (let at = 0; at < limit; at++) {
        const old = bytes[at]!;
        for (const v of new Set([0x00, 0xff, old ^ 0x01, old ^ 0x10, old ^ 0x80])) {
          if (v === old) continue;
          const m = bytes.slice();
          m[at] = v;
          mutants++;
          expectCleanOutcome(await outcome(m, [37, 1024]), m.length);
        }
      }
    });
  }
});

function setU32(b: Uint8Array, at: number, v: number, le: boolean): Uint8Array {
  const m = b.slice();
  new DataView(m.buffer).setUint32(at, v, le);
  return m;
}

describe('absurd lengths', () => {
  it('pcap: a captured length above the snapshot length, 256 KiB or 2^32-1 is absurd-length at that record', async () => {
    for (const le of [true, false]) {
      const b = pcapFile({ littleEndian: le, snaplen: 1000, linkType: 1 }, [{ data: new Uint8Array(60) }, { data: new Uint8Array(60) }]);
      for (const v of [1001, 262145, 0x7fffffff, 0xffffffff]) {
        mutants += 2;
        await expectError(setU32(b, 24 + 8, v, le), 'absurd-length', 24);
        await expectError(setU32(b, 24 + 16 + 60 + 8, v, le), 'absurd-length', 100);
      }
      // With a snapshot length of 0 (taken as 262144, as libpcap does), only the maximum applies.
      const z = pcapFile({ littleEndian: le, snaplen: 0, linkType: 1 }, [{ data: new Uint8Array(60) }]);
      mutants += 2;
      await expectError(setU32(z, 24 + 8, 262145, le), 'absurd-length', 24);
      await expectError(setU32(z, 24 + 8, 262144, le), 'truncated', 24);
    }
  });

  it('pcapng: a block length of 2^32-16, an unaligned or too-small length, or a caplen beyond its block is an error at that block', async () => {
    for (const le of [true, false]) {
      const b = smallPcapng(le);
      const sp = spans(b);
      const e = sp.find((s) => s.packet)!; // first EPB
      mutants += 5;
      await expectError(setU32(b, e.start + 4, 0xfffffff0, le), 'absurd-length', e.start + 4);
      await expectError(setU32(b, e.start + 4, e.end - e.start + 2, le), 'malformed', e.start + 4);
      await expectError(setU32(b, e.start + 4, 16, le), 'malformed', e.start + 4);
      await expectError(setU32(b, e.start + 20, 0xffffffff, le), 'absurd-length', e.start + 20);
      await expectError(setU32(b, e.end - 4, 4, le), 'malformed', e.end - 4);
    }
  });

  it('pcapng: a packet longer than its interface snaplen is absurd-length', async () => {
    const b = concat(shb(true), idb(true, 101, 64), epb(true, 0, 0n, new Uint8Array(65)));
    await expectError(b, 'absurd-length', 28 + 20 + 20);
  });

  it('pcapng: a block that is 16 MiB long in a file of a few hundred bytes is truncated, not buffered', async () => {
    const b = smallPcapng(true);
    const e = spans(b).find((s) => s.packet)!;
    await expectError(setU32(b, e.start + 4, 16 * 1024 * 1024, true), 'truncated', e.start);
  });
});

describe('wrong magic numbers, versions and link types', () => {
  it('any other 4-byte magic number is bad-magic at offset 0', async () => {
    const body = smallPcap(true, false).subarray(4);
    const known = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a, 0xa1b2cd34, 0x34cdb2a1]);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 0xffffffff }), async (magic) => {
      fc.pre(!known.has(magic));
      mutants++;
      const m = concat(Uint8Array.of(magic >>> 24, (magic >>> 16) & 0xff, (magic >>> 8) & 0xff, magic & 0xff), body);
      await expectError(m, 'bad-magic', 0);
    }), { numRuns: 300 });
    for (const magic of [0x00000000, 0xffffffff, 0xa1b2c3d5, 0xd4c3b2a0, 0x0a0d0d0b, 0x1f8b0800]) {
      await expectError(setU32(smallPcap(true, false), 0, magic, false), 'bad-magic', 0);
    }
  });

  it('pcapng: a bad byte-order magic is bad-magic at offset 8', async () => {
    await expectError(setU32(smallPcapng(true), 8, 0x12345678, true), 'bad-magic', 8);
    // The section header's type followed by some other block: its bytes 8-11 are no byte-order magic.
    const noShb = smallPcapng(true).slice(28);
    await expectError(concat(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a), noShb.subarray(4)), 'bad-magic', 8);
  });

  it('modified (Kuznetsov) pcap, pcap 3.x and pcapng 2.x are unsupported', async () => {
    await expectError(setU32(smallPcap(true, false), 0, 0xa1b2cd34, true), 'unsupported', 0);
    await expectError(pcapFile({ major: 3 }, []), 'unsupported', 4);
    await expectError(pcapFile({ minor: 5 }, []), 'unsupported', 4);
    const b = smallPcapng(false);
    b[12] = 0; b[13] = 2;
    await expectError(b, 'unsupported', 12);
  });

  it('a link type outside the LINKTYPE_ registry is unknown-link-type at its field', async () => {
    for (const lt of [0xffff, 0x1234, 11, 49, 0x00010001]) {
      mutants++;
      await expectError(pcapFile({ linkType: lt }, [{ data: new Uint8Array(4) }]), 'unknown-link-type', 20);
    }
    // FCS bits (26-31) are not part of the link type: libpcap reads 0x30000001 as Ethernet.
    expect(await outcome(pcapFile({ linkType: 0x30000001 }, [{ data: new Uint8Array(14) }]))).toEqual({ ok: true, records: 1 });
    const ng = concat(shb(true), idb(true, 0xfffe, 0));
    await expectError(ng, 'unknown-link-type', 28 + 8);
  });

  it('a packet block naming an interface the section does not have is malformed', async () => {
    await expectError(concat(shb(true), idb(true, 1, 0), epb(true, 1, 0n, new Uint8Array(4))), 'malformed', 48 + 8);
    await expectError(concat(shb(false), spb(false, new Uint8Array(4))), 'malformed', 28 + 8);
    // A new section forgets the interfaces of the one before.
    await expectError(concat(shb(true), idb(true, 1, 0), shb(true), epb(true, 0, 0n, new Uint8Array(4))), 'malformed', 76 + 8);
  });

  it('an option that runs past the end of its block is malformed', async () => {
    const b = concat(shb(true), idb(true, 1, 0, [opt(2, 'eth0')]));
    const m = b.slice();
    new DataView(m.buffer).setUint16(28 + 18, 200, true); // if_name length
    await expectError(m, 'malformed', 28 + 16);
  });
});

describe('random edits', () => {
  it('random byte edits and cuts of the good files never crash and never hang', async () => {
    const edit = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });
    await fc.assert(fc.asyncProperty(
      fc.nat({ max: bases.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), fc.option(fc.nat()), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }),
      async (which, edits, cut, sizes) => {
        const m = bases[which]![1].slice();
        for (const e of edits) m[e.at % m.length] = e.value;
        const bytes = cut === null ? m : m.subarray(0, cut % (m.length + 1));
        mutants++;
        const t0 = performance.now();
        expectCleanOutcome(await outcome(bytes, sizes), bytes.length);
        expect(performance.now() - t0).toBeLessThan(2000);
      },
    ), { numRuns: 2000 });
  });
});

describe('input that is not a capture stream', () => {
  it('a stream that fails is a CaptureError of kind io at the offset reached', async () => {
    const good = smallPcap(true, false);
    async function* failing() { yield good.subarray(0, 50); throw new Error('disk on fire'); }
    const o = await outcome(new Uint8Array(0)).then(async () => {
      try { for await (const _ of readCapture(failing(), { name: 'mutant' })); return 'no error'; } catch (e) { return e; }
    });
    expect(o).toBeInstanceOf(CaptureError);
    expect((o as CaptureError).kind).toBe('io');
    expect((o as CaptureError).offset).toBe(50);
  });

  it('a missing file is a CaptureError of kind io at offset 0', async () => {
    const path = join(tmp, 'does-not-exist.pcap');
    await expect(readCapture(path).next()).rejects.toMatchObject({ name: 'CaptureError', kind: 'io', offset: 0, file: path });
  });

  it('an empty file is truncated at offset 0', async () => {
    await expectError(new Uint8Array(0), 'truncated', 0);
  });
});
