// readCapture on hand-built files: classic pcap in both byte orders and both precisions, pcapng
// with several interfaces, timestamp resolutions, simple and obsolete packet blocks, blocks it
// does not know, several sections; records independent of how the input is chunked.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, type CaptureRecord } from '../capture/index.ts';
import { block, chunked, concat, customBlock, epb, idb, ipv4, ipv6, opt, pcapFile, shb, spb } from './fixtures/captures/build.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-capture-read-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(bytes: Uint8Array, sizes?: number[]): Promise<CaptureRecord[]> {
  const out: CaptureRecord[] = [];
  for await (const r of readCapture(chunked(bytes, sizes))) out.push(r);
  return out;
}

const summary = (r: CaptureRecord) => ({
  index: r.index, offset: r.offset, linkType: r.linkType, ts: [r.timestamp.seconds, r.timestamp.nanoseconds],
  caplen: r.caplen, origlen: r.origlen, data: Array.from(r.data), iface: r.interface?.id,
});

describe('classic pcap', () => {
  for (const littleEndian of [true, false]) {
    for (const nanosecond of [false, true]) {
      it(`${littleEndian ? 'little' : 'big'}-endian, ${nanosecond ? 'nanosecond (a1b23c4d)' : 'microsecond (a1b2c3d4)'}: fields, offsets and timestamps`, async () => {
        const a = ipv4();
        const b = ipv6();
        const bytes = pcapFile({ littleEndian, nanosecond, linkType: 101, snaplen: 1000 }, [
          { seconds: 1_700_000_000, frac: 999_999, data: a },
          { seconds: 1, frac: 5, data: b.subarray(0, 30), origlen: b.length },
        ]);
        const recs = (await collect(bytes)).map(summary);
        const scale = nanosecond ? 1 : 1000;
        expect(recs).toEqual([
          { index: 0, offset: 24, linkType: 101, ts: [1_700_000_000, 999_999 * scale], caplen: a.length, origlen: a.length, data: Array.from(a), iface: undefined },
          { index: 1, offset: 24 + 16 + a.length, linkType: 101, ts: [1, 5 * scale], caplen: 30, origlen: b.length, data: Array.from(b.subarray(0, 30)), iface: undefined },
        ]);
      });
    }
  }

  it('version 2.2 files with caplen and len swapped are read the way libpcap reads them', async () => {
    const bytes = pcapFile({ minor: 2, linkType: 101 }, [{ data: ipv4(), caplen: 100, origlen: 24 }]);
    // Here "caplen" 100 > "len" 24, so the two are swapped back: 24 bytes captured of 100.
    const recs = await collect(concat(bytes.subarray(0, 24 + 16), ipv4()));
    expect(recs.map((r) => [r.caplen, r.origlen])).toEqual([[24, 100]]);
  });

  it('a file header with no records is an empty capture', async () => {
    expect(await collect(pcapFile({}, []))).toEqual([]);
  });

  it('the data of a record is a copy: changing the input afterwards does not change it', async () => {
    const bytes = pcapFile({ linkType: 101 }, [{ data: ipv4() }]);
    const [r] = await collect(bytes);
    bytes.fill(0);
    expect(Array.from(r!.data)).toEqual(Array.from(ipv4()));
  });
});

describe('pcapng', () => {
  function twoInterfaces(le: boolean): Uint8Array {
    return concat(
      shb(le, [opt(2, 'test hardware')]),
      idb(le, 1, 0, [opt(2, 'eth0')]),
      idb(le, 101, 60, [opt(9, [9]), opt(14, [0, 0, 0, 0, 0, 0, 0, 0])]),
      customBlock(le, 5, new Uint8Array(20)),                  // Interface Statistics: skipped
      customBlock(le, 0x80000001, Uint8Array.of(1, 2, 3, 4)),  // a local-use block: skipped
      epb(le, 0, 1_700_000_000_000_001n, concat(new Uint8Array(12), Uint8Array.of(0x08, 0), ipv4())),
      epb(le, 1, 1_700_000_000_123_456_789n, ipv6(new Uint8Array(40)).subarray(0, 60), 200),
    );
  }

  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian: two interfaces with their own link types, snaplens, names and timestamp units`, async () => {
      const recs = await collect(twoInterfaces(le));
      expect(recs.map((r) => ({ ...summary(r), data: r.data.length }))).toEqual([
        { index: 0, offset: 28 + 16 + 20 + 12 + 32 + 20 + 32 + 16, linkType: 1, ts: [1_700_000_000, 1000], caplen: 38, origlen: 38, data: 38, iface: 0 },
        { index: 1, offset: recs[1]!.offset, linkType: 101, ts: [1_700_000_000, 123_456_789], caplen: 60, origlen: 200, data: 60, iface: 1 },
      ]);
      expect(recs[0]!.interface).toEqual({ id: 0, section: 0, linkType: 1, snaplen: 0, name: 'eth0', tsresol: '1e-6' });
      expect(recs[1]!.interface).toEqual({ id: 1, section: 0, linkType: 101, snaplen: 60, tsresol: '1e-9' });
      expect(recs[1]!.offset).toBe(recs[0]!.offset + 32 + 40);
    });
  }

  it('if_tsresol in powers of two, if_tsoffset in seconds, and a resolution finer than a nanosecond', async () => {
    const le = true;
    const bytes = concat(
      shb(le),
      idb(le, 101, 0, [opt(9, [0x80 | 20])]),                            // 2^-20 s
      idb(le, 101, 0, [opt(9, [6]), opt(14, [100, 0, 0, 0, 0, 0, 0, 0])]), // 1e-6 s, +100 s
      idb(le, 101, 0, [opt(9, [12])]),                                  // 1e-12 s
      epb(le, 0, (5n << 20n) | (1n << 19n), ipv4()),
      epb(le, 1, 7_000_001n, ipv4()),
      epb(le, 2, 3_000_000_999_999n, ipv4()), // 3 s + 999.999 ns: rounded down
    );
    const recs = await collect(bytes);
    expect(recs.map((r) => [r.timestamp.seconds, r.timestamp.nanoseconds])).toEqual([[5, 500_000_000], [107, 1000], [3, 999]]);
    expect(recs.map((r) => r.interface!.tsresol)).toEqual(['2^-20', '1e-6', '1e-12']);
  });

  it('Simple Packet Blocks: captured length is the smaller of original length, interface snaplen and block room', async () => {
    const le = false;
    const p = ipv4(new Uint8Array(80));
    const bytes = concat(shb(le), idb(le, 101, 64), spb(le, p.subarray(0, 64), p.length), spb(le, ipv4(), 24));
    const recs = await collect(bytes);
    expect(recs.map((r) => [r.caplen, r.origlen, r.timestamp.seconds])).toEqual([[64, 100, 0], [24, 24, 0]]);
    expect(Array.from(recs[0]!.data)).toEqual(Array.from(p.subarray(0, 64)));
  });

  it('the obsolete Packet Block (type 2) is read like an Enhanced Packet Block', async () => {
    const le = true;
    const data = ipv4();
    const pb = block(le, 2, (b) => b.u16(0).u16(0).u32(0).u32(3_000_000).u32(data.length).u32(data.length).bytes(data));
    const recs = await collect(concat(shb(le), idb(le, 101, 0), pb));
    expect(recs.map(summary)).toEqual([{ index: 0, offset: 48, linkType: 101, ts: [3, 0], caplen: 24, origlen: 24, data: Array.from(data), iface: 0 }]);
  });

  it('several sections, in different byte orders, each with its own interfaces', async () => {
    const bytes = concat(
      shb(true), idb(true, 1, 0), epb(true, 0, 0n, new Uint8Array(14)),
      shb(false), idb(false, 101, 0), idb(false, 228, 0), epb(false, 1, 0n, ipv4()), epb(false, 0, 0n, ipv6()),
    );
    const recs = await collect(bytes);
    expect(recs.map((r) => [r.index, r.linkType, r.interface!.section, r.interface!.id])).toEqual([[0, 1, 0, 0], [1, 228, 1, 1], [2, 101, 1, 0]]);
  });
});

describe('streaming', () => {
  const files = [
    pcapFile({ linkType: 101 }, Array.from({ length: 12 }, (_, i) => ({ seconds: i, data: ipv4(new Uint8Array(i * 37)) }))),
    pcapFile({ littleEndian: false, nanosecond: true, linkType: 1 }, Array.from({ length: 5 }, (_, i) => ({ data: new Uint8Array(i * 301) }))),
    concat(shb(false), idb(false, 101, 0), ...Array.from({ length: 9 }, (_, i) => epb(false, 0, BigInt(i), ipv6(new Uint8Array(i * 53))))),
  ];

  it('gives the same records however the input is split into chunks', async () => {
    const whole = await Promise.all(files.map((f) => collect(f)));
    await fc.assert(fc.asyncProperty(fc.nat({ max: files.length - 1 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }), async (i, sizes) => {
      expect(await collect(files[i]!, sizes)).toEqual(whole[i]);
    }), { numRuns: 300 });
  });

  it('reads a file by path with a small read size the same as from memory', async () => {
    const path = join(tmp, 'small-chunks.pcapng');
    writeFileSync(path, files[2]!);
    const recs: CaptureRecord[] = [];
    for await (const r of readCapture(path, { chunkSize: 7 })) recs.push(r);
    expect(recs).toEqual(await collect(files[2]!));
  });

  it('stopping early closes the file', async () => {
    const path = join(tmp, 'early.pcap');
    writeFileSync(path, files[0]!);
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 200; i++) {
      for await (const r of readCapture(path)) if (r.index === 1) break;
    }
    expect(fds()).toBeLessThanOrEqual(before + 1);
  });

  it('a record larger than maxRecordLength is refused, and a larger limit admits it', async () => {
    const big = pcapFile({ linkType: 1, snaplen: 0 }, [{ data: new Uint8Array(300_000) }]);
    await expect(collect(big)).rejects.toMatchObject({ kind: 'absurd-length', offset: 24 });
    const recs: CaptureRecord[] = [];
    for await (const r of readCapture(chunked(big, [65536]), { maxRecordLength: 1 << 20 })) recs.push(r);
    expect(recs.map((r) => r.caplen)).toEqual([300_000]);
  });
});
