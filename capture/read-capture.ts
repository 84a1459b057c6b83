// readCapture: every packet record of a pcap, nanosecond pcap or pcapng file, streamed in
// bounded memory. The format is told by the magic number. Every problem with the file is a
// CaptureError carrying the file offset; nothing is buffered beyond one record (at most
// maxRecordLength) or one pcapng block (at most maxBlockLength) plus one read chunk.
//
// Why not pcap-parser (the npm package, 0.2.1): it gathers chunks into one growing buffer until
// a whole record has arrived, with no bound on the record length, so one absurd length makes it
// buffer the rest of the file (re-copied on every chunk); a file cut inside a record ends with
// 'end' and no error; it rejects nanosecond pcap; it keeps no file offsets; and it pushes
// records as events with no backpressure. test/capture-pcap-parser.test.ts shows these and
// checks that both readers agree on every good microsecond pcap of the shared corpus.
import { CaptureError } from './error.ts';
import type { CaptureRecord, ReadOptions } from './record.ts';
import { ByteSource } from './_internals/byte-source.ts';
import { PcapParser } from './_internals/pcap-reader.ts';
import { PcapngParser } from './_internals/pcapng-reader.ts';
import type { RecordParser } from './_internals/parser.ts';

export const MAX_RECORD_LENGTH = 262144;
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

/** A path, or a byte stream such as a Readable (without an encoding) or any async iterable of chunks. */
export type CaptureInput = string | AsyncIterable<Uint8Array>;

/**
 * The packet records of a capture, in file order. Throws CaptureError (with the file offset) for
 * anything wrong with the file; records before the problem have been yielded by then. Stopping
 * early (break, return) closes the file, or ends the given stream's iteration.
 */
export async function* readCapture(input: CaptureInput, opts: ReadOptions = {}): AsyncGenerator<CaptureRecord, void, undefined> {
  const file = typeof input === 'string' ? input : opts.name ?? '<stream>';
  const src = new ByteSource(input, file, opts.chunkSize ?? 1 << 20);
  try {
    const parser = await open(src, file, opts.maxRecordLength ?? MAX_RECORD_LENGTH, opts.maxBlockLength ?? MAX_BLOCK_LENGTH);
    for (;;) {
      const r = parser.step(src);
      if (typeof r !== 'number') {
        yield r;
      } else if (!await src.fill(r)) {
        const e = parser.ended(src);
        if (e !== null) throw e;
        return;
      }
    }
  } finally {
    await src.close().catch(() => undefined);
  }
}

async function open(src: ByteSource, file: string, maxRecordLength: number, maxBlockLength: number): Promise<RecordParser> {
  if (!await src.fill(4)) {
    const have = src.available();
    throw new CaptureError('truncated', file, 0, have === 0 ? 'empty file' : `file ends inside the magic number (${have} bytes)`);
  }
  const magic = src.view.getUint32(src.pos, false);
  switch (magic) {
    case 0xa1b2c3d4: return new PcapParser({ file, littleEndian: false, nanosecond: false, maxRecordLength });
    case 0xd4c3b2a1: return new PcapParser({ file, littleEndian: true, nanosecond: false, maxRecordLength });
    case 0xa1b23c4d: return new PcapParser({ file, littleEndian: false, nanosecond: true, maxRecordLength });
    case 0x4d3cb2a1: return new PcapParser({ file, littleEndian: true, nanosecond: true, maxRecordLength });
    case 0x0a0d0d0a: return new PcapngParser({ file, maxRecordLength, maxBlockLength });
    case 0xa1b2cd34:
    case 0x34cdb2a1:
      throw new CaptureError('unsupported', file, 0, 'modified (Kuznetsov) pcap is not supported; convert it with editcap -F pcap');
  }
  if (magic >>> 16 === 0x1f8b) throw new CaptureError('bad-magic', file, 0, 'gzip-compressed file; decompress it first');
  throw new CaptureError('bad-magic', file, 0, `unknown magic number 0x${magic.toString(16).padStart(8, '0')} (not pcap or pcapng)`);
}
