// CaptureWriter: the bytes it writes, its framing, its limits and backpressure (its speed is npm run bench's).
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CaptureError, CaptureWriter, RecordChunk, RecordEncoder, readCapture, WRITER_DST_MAC, WRITER_SRC_MAC, type CaptureRecord, type WriterOptions } from '../capture/index.ts';
import { ticks } from '../capture/_internals/encode.ts';
import { ipv4, ipv6 } from './fixtures/captures/build.ts';

const tmp = mkdtempSync(join(tmpdir(), 'gre-capture-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A Writable that keeps what it is given, taking `delayMs` per chunk. */
function sink(delayMs = 0, highWaterMark = 16 * 1024): Writable & { chunks: Buffer[]; peak: number } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      w.peak = Math.max(w.peak, w.writableLength);
      if (delayMs > 0) setTimeout(done, delayMs); else done();
    },
  }) as Writable & { chunks: Buffer[]; peak: number };
  w.chunks = chunks;
  w.peak = 0;
  return w;
}

async function written(opts: WriterOptions, datagrams: Uint8Array[]): Promise<Buffer> {
  const out = sink();
  const w = new CaptureWriter(out, opts);
  for (const d of datagrams) await w.write(d);
  await w.close();
  return Buffer.concat(out.chunks);
}

async function readAll(path: string): Promise<CaptureRecord[]> {
  const out: CaptureRecord[] = [];
  for await (const r of readCapture(path)) out.push(r);
  return out;
}

describe('file layout', () => {
  it('pcap: little-endian header 2.4 with the snapshot length and link type, 16-byte record headers', async () => {
    const b = await written({ snaplen: 1500 }, [ipv4()]);
    expect(b.subarray(0, 24).toString('hex')).toBe('d4c3b2a1' + '02000400' + '00000000' + '00000000' + 'dc050000' + '65000000');
    expect(b.subarray(24, 40).toString('hex')).toBe('00000000' + '00000000' + '18000000' + '18000000');
    expect(b.length).toBe(24 + 16 + 24);
  });

  it('pcap with nanosecond timestamps uses magic a1b23c4d', async () => {
    expect((await written({ nanosecond: true }, [])).subarray(0, 4).toString('hex')).toBe('4d3cb2a1');
  });

  it('pcapng: section header, interface (with if_tsresol 9 for nanoseconds), enhanced packet blocks padded to 4', async () => {
    const b = await written({ format: 'pcapng', linkType: 1, nanosecond: true, snaplen: 9000 }, [Uint8Array.of(0x45, 1, 2)]);
    expect(b.subarray(0, 28).toString('hex')).toBe('0a0d0d0a' + '1c000000' + '4d3c2b1a' + '01000000' + 'ffffffffffffffff' + '1c000000');
    expect(b.subarray(28, 60).toString('hex')).toBe('01000000' + '20000000' + '0100' + '0000' + '28230000' + '0900' + '0100' + '09000000' + '00000000' + '20000000');
    const epb = b.subarray(60);
    expect(epb.length).toBe(32 + 20);
    expect(epb.readUInt32LE(0)).toBe(6);
    expect(epb.readUInt32LE(4)).toBe(52);
    expect(epb.readUInt32LE(20)).toBe(17);
    expect(epb.readUInt32LE(48)).toBe(52);
  });

  it('pcapng without nanoseconds writes no interface options', async () => {
    const b = await written({ format: 'pcapng' }, []);
    expect(b.length).toBe(28 + 20);
  });
});

describe('framing and limits', () => {
  it('Ethernet frames carry fixed MACs and the ethertype of the IP version (or the one asked for)', async () => {
    const path = join(tmp, 'eth.pcap');
    const w = new CaptureWriter(path, { linkType: 1 });
    await w.write(ipv4());
    await w.write(ipv6());
    await w.write(Uint8Array.of(0x50, 0));
    await w.write(ipv4(), { ethertype: 0x8847 });
    await w.close();
    const recs = await readAll(path);
    expect(recs.map((r) => Buffer.from(r.data.subarray(0, 14)).toString('hex'))).toEqual(
      ['0800', '86dd', '0800', '8847'].map((t) => Buffer.concat([WRITER_DST_MAC, WRITER_SRC_MAC]).toString('hex') + t),
    );
  });

  it('a datagram longer than the snapshot length is cut, its original length kept', async () => {
    const path = join(tmp, 'snap.pcapng');
    const w = new CaptureWriter(path, { format: 'pcapng', linkType: 1, snaplen: 40 });
    await w.write(ipv4(new Uint8Array(100)));
    await w.close();
    const [r] = await readAll(path);
    expect([r!.caplen, r!.origlen]).toEqual([40, 134]);
  });

  it('default timestamps count microseconds from the epoch by packet index, so output is deterministic', async () => {
    const path = join(tmp, 'ts.pcap');
    const w = new CaptureWriter(path);
    for (let i = 0; i < 3; i++) await w.write(ipv4());
    await w.close();
    expect((await readAll(path)).map((r) => r.timestamp)).toEqual([0, 1, 2].map((i) => ({ seconds: 0, nanoseconds: i * 1000 })));
    expect(await written({}, [ipv4(), ipv6()])).toEqual(await written({}, [ipv4(), ipv6()]));
  });

  it('refuses link types other than 1 and 101, timestamps out of range, and origlen below the datagram', async () => {
    expect(() => new CaptureWriter(sink(), { linkType: 113 as never })).toThrow(RangeError);
    const w = new CaptureWriter(sink());
    await expect(w.write(ipv4(), { timestamp: { seconds: -1, nanoseconds: 0 } })).rejects.toThrow(RangeError);
    await expect(w.write(ipv4(), { timestamp: { seconds: 0, nanoseconds: 1e9 } })).rejects.toThrow(RangeError);
    await expect(w.write(ipv4(), { origlen: 3 })).rejects.toThrow(RangeError);
    await w.close();
  });

  it('a file that cannot be created is a CaptureError of kind io', async () => {
    const w = new CaptureWriter(join(tmp, 'no', 'such', 'dir.pcap'));
    await w.write(ipv4());
    await expect(w.close()).rejects.toBeInstanceOf(CaptureError);
  });

  it('with end: false the stream is left open', async () => {
    const out = sink();
    const w = new CaptureWriter(out, { end: false });
    await w.write(ipv4());
    await w.close();
    expect(out.writableEnded).toBe(false);
    expect(Buffer.concat(out.chunks).length).toBe(24 + 16 + 24);
  });

  it('pcapng timestamps: seconds and fraction become the exact 64-bit unit count', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 999_999_999 }), fc.boolean(), (seconds, nanoseconds, ns) => {
      const per = ns ? 1_000_000_000 : 1_000_000;
      const [hi, lo] = ticks({ seconds, nanoseconds }, per);
      const want = BigInt(seconds) * BigInt(per) + BigInt(ns ? nanoseconds : Math.floor(nanoseconds / 1000));
      expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(want);
    }), { numRuns: 2000 });
  });
});

describe('streaming', () => {
  it('waits for a slow output instead of buffering: the stream never holds more than two buffers', async () => {
    const out = sink(1, 8 * 1024);
    const w = new CaptureWriter(out, { bufferSize: 16 * 1024 });
    const d = ipv4(new Uint8Array(1000));
    for (let i = 0; i < 2000; i++) await w.write(d);
    await w.close();
    expect(out.peak).toBeLessThanOrEqual(2 * 16 * 1024);
    expect(Buffer.concat(out.chunks).length).toBe(24 + 2000 * (16 + d.length));
  });

  // Its speed is measured by npm run bench (the row 'CaptureWriter alone'), not here.
  it('writes 300,000 packets to a pcap file, each record whole', async () => {
    const path = join(tmp, 'many.pcap');
    const d = ipv4(new Uint8Array(80));
    const n = 300_000;
    const w = new CaptureWriter(path);
    for (let i = 0; i < n; i++) await w.write(d);
    await w.close();
    expect(readFileSync(path).length).toBe(24 + n * (16 + d.length));
  });
});

describe('output failures', () => {
  it('an output that fails mid-way makes write() reject with a CaptureError instead of waiting forever', async () => {
    let n = 0;
    const out = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, done) { if (++n === 2) done(new Error('disk full')); else setTimeout(done, 1); },
    });
    const w = new CaptureWriter(out, { bufferSize: 4096, name: 'failing' });
    const d = ipv4(new Uint8Array(500));
    const run = async () => { for (let i = 0; i < 1000; i++) await w.write(d); await w.close(); };
    await expect(run()).rejects.toMatchObject({ name: 'CaptureError', kind: 'io', file: 'failing' });
  });

  it('an output destroyed before close makes close() reject', async () => {
    const out = sink();
    const w = new CaptureWriter(out);
    await w.write(ipv4());
    out.destroy();
    await expect(w.close()).rejects.toBeInstanceOf(CaptureError);
  });
});

describe('RecordChunk and writeRecords (records encoded apart, as corpus generate does in its workers)', () => {
  const formats: WriterOptions[] = [
    {}, { nanosecond: true }, { format: 'pcapng' }, { format: 'pcapng', nanosecond: true, linkType: 1 }, { linkType: 1, snaplen: 30 },
  ];

  it.each(formats)('%o: a capture written in chunks is byte-identical to one written packet by packet', async (opts) => {
    const datagrams: Uint8Array[] = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 90 }), { numRuns: 200, seed: 7 });
    datagrams.push(ipv4(), ipv6());
    const whole = await written(opts, datagrams);
    const out = sink();
    const w = new CaptureWriter(out, opts);
    const enc = new RecordEncoder(opts);
    // Chunks of uneven sizes, some empty, one single packet written in between.
    let i = 0;
    for (const size of [0, 1, 17, 0, 64]) {
      const chunk = new RecordChunk(enc, i, 8);
      for (const d of datagrams.slice(i, i + size)) chunk.add(d);
      await w.writeRecords(chunk.finish());
      i += size;
    }
    await w.write(datagrams[i++]!);
    const rest = new RecordChunk(enc, i);
    for (const d of datagrams.slice(i)) rest.add(d);
    await w.writeRecords(rest.finish());
    await w.close();
    expect(w.count).toBe(datagrams.length);
    expect(Buffer.concat(out.chunks).equals(whole)).toBe(true);
  });

  it('says when the output has written a chunk of records (so that its buffer may be used again), empty ones included', async () => {
    const out = sink();
    const w = new CaptureWriter(out, {});
    const enc = new RecordEncoder({});
    const chunk = new RecordChunk(enc, 0);
    chunk.add(ipv4());
    const records = chunk.finish();
    const calls: number[] = [];
    await w.writeRecords(records, () => calls.push(out.chunks.length));
    await w.writeRecords(new RecordChunk(enc, 1).finish(), () => calls.push(-1));
    await w.close();
    // Called once each, the first after its bytes reached the output (header, then the records).
    expect(calls.sort()).toEqual([-1, 2]);
    expect(Buffer.from(out.chunks[1]!).equals(Buffer.from(records.bytes))).toBe(true);
  });

  it('refuses records of another format, or not starting at the next packet', async () => {
    const w = new CaptureWriter(sink(), { format: 'pcap' });
    const other = new RecordChunk(new RecordEncoder({ format: 'pcapng' }), 0);
    other.add(ipv4());
    await expect(w.writeRecords(other.finish())).rejects.toThrow(/encoded as pcapng\/101\/262144\/us, this capture is pcap\/101\/262144\/us/);
    const later = new RecordChunk(new RecordEncoder({}), 5);
    later.add(ipv4());
    await expect(w.writeRecords(later.finish())).rejects.toThrow(/start at packet 5, the capture's next packet is 0/);
    await w.close();
  });

  it('checks a packet\'s origlen and timestamp as write() does', () => {
    const chunk = new RecordChunk(new RecordEncoder({}), 0);
    expect(() => chunk.add(ipv4(), { origlen: 3 })).toThrow(RangeError);
    expect(() => chunk.add(ipv4(), { timestamp: { seconds: -1, nanoseconds: 0 } })).toThrow(RangeError);
    chunk.add(ipv4(), { origlen: 1000 });
    expect(chunk.finish().count).toBe(1);
  });
});
