// Why capture/ reads classic pcap with its own reader instead of pcap-parser 0.2.1, the npm
// package the project first meant to harden: these tests pin the behaviours that made it
// unfit (silent truncation, unbounded buffering, no nanosecond pcap, a loose version check), and
// check that on every good microsecond pcap of the corpus both readers agree record for record.
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { EventEmitter } from 'node:events';
import { CaptureError, readCapture, type CaptureRecord } from '../capture/index.ts';
import { chunked, ipv4, pcapFile } from './fixtures/captures/build.ts';

interface PpPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}
interface PpParser extends EventEmitter { buffer: Buffer | null }
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: Readable): PpParser };

const SHARED = join(import.meta.dirname, '..', '..', 'shared', 'captures');
const haveShared = (() => { try { return statSync(SHARED).isDirectory(); } catch { return false; } })();

/** Runs pcap-parser over `bytes` fed in chunks; resolves on 'end'. */
function ppRead(bytes: Uint8Array, chunk = 65536): Promise<{ packets: PpPacket[]; errors: string[]; buffered: number }> {
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) parts.push(Buffer.from(bytes.subarray(at, at + chunk)));
  const parser = pcapParser.parse(Readable.from(parts));
  const packets: PpPacket[] = [];
  const errors: string[] = [];
  return new Promise((resolve) => {
    parser.on('packet', (p: PpPacket) => packets.push(p));
    parser.on('error', (e: Error) => errors.push(e.message));
    parser.on('end', () => resolve({ packets, errors, buffered: parser.buffer?.length ?? 0 }));
  });
}

async function ours(bytes: Uint8Array): Promise<CaptureRecord[] | CaptureError> {
  const out: CaptureRecord[] = [];
  try {
    for await (const r of readCapture(chunked(bytes, [65536]))) out.push(r);
    return out;
  } catch (e) {
    if (e instanceof CaptureError) return e;
    throw e;
  }
}

describe('pcap-parser 0.2.1 weaknesses that capture/ fixes', () => {
  const good = pcapFile({ linkType: 101 }, [{ data: ipv4() }, { data: ipv4(new Uint8Array(100)) }]);

  it('a file cut inside a record: pcap-parser ends with no error and drops the record; readCapture reports truncated at its offset', async () => {
    const cut = good.subarray(0, good.length - 10);
    const pp = await ppRead(cut);
    expect([pp.packets.length, pp.errors]).toEqual([1, []]);
    const r = await ours(cut);
    expect(r).toBeInstanceOf(CaptureError);
    expect([(r as CaptureError).kind, (r as CaptureError).offset]).toEqual(['truncated', 24 + 16 + 24]);
  });

  it('an absurd captured length: pcap-parser buffers the rest of the file waiting for it; readCapture refuses it at once', async () => {
    const header = pcapFile({ linkType: 101 }, [{ data: new Uint8Array(0), caplen: 0xffffffff }]);
    const bytes = new Uint8Array(header.length + (4 << 20));
    bytes.set(header);
    const pp = await ppRead(bytes);
    expect([pp.packets.length, pp.errors]).toEqual([0, []]);
    expect(pp.buffered).toBe(4 << 20);
    const r = await ours(bytes);
    expect([(r as CaptureError).kind, (r as CaptureError).offset]).toEqual(['absurd-length', 24]);
  });

  it('nanosecond pcap: pcap-parser rejects magic a1b23c4d; readCapture reads it', async () => {
    const ns = pcapFile({ nanosecond: true, linkType: 101 }, [{ frac: 123_456_789, data: ipv4() }]);
    expect((await ppRead(ns)).errors).toEqual(['unknown magic number: 4d3cb2a1']);
    const r = await ours(ns);
    expect((r as CaptureRecord[])[0]!.timestamp.nanoseconds).toBe(123_456_789);
  });

  it('version 7.4: pcap-parser accepts it (its check needs both numbers wrong); readCapture refuses it', async () => {
    const v = pcapFile({ major: 7, minor: 4, linkType: 101 }, [{ data: ipv4() }]);
    expect((await ppRead(v)).errors).toEqual([]);
    expect(((await ours(v)) as CaptureError).kind).toBe('unsupported');
  });
});

describe.skipIf(!haveShared)('pcap-parser and readCapture agree on good files', () => {
  const files = haveShared
    ? readdirSync(SHARED, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.pcap')).sort()
    : [];
  for (const name of files) {
    it(`${name}: same records`, async () => {
      const bytes = new Uint8Array(readFileSync(join(SHARED, name)));
      const pp = await ppRead(bytes, 1000);
      const ourRecs = await ours(bytes);
      expect(pp.errors).toEqual([]);
      expect(ourRecs).not.toBeInstanceOf(CaptureError);
      const mine = (ourRecs as CaptureRecord[]).map((r) => [r.timestamp.seconds, r.timestamp.nanoseconds / 1000, r.caplen, r.origlen, Buffer.from(r.data).toString('hex')]);
      const theirs = pp.packets.map((p) => [p.header.timestampSeconds, p.header.timestampMicroseconds, p.header.capturedLength, p.header.originalLength, p.data.toString('hex')]);
      expect(mine).toEqual(theirs);
    });
  }
});
