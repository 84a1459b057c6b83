// CaptureWriter: pcap (microsecond or nanosecond) or pcapng, link type raw IP (101) or Ethernet
// (1, each datagram wrapped in a frame with fixed locally administered MACs and the ethertype its
// IP version nibble implies). Records are encoded into a large buffer and handed to the output
// stream a buffer at a time; when the stream asks to wait (write() returned false), write()
// waits for 'drain', so a fast producer never piles up memory.
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { CaptureError } from './error.ts';
import { RecordEncoder, type EncodedRecords, type PacketMeta, type RecordFormat } from './record-encoder.ts';

export { WRITER_DST_MAC, WRITER_SRC_MAC, type PacketMeta } from './record-encoder.ts';

export interface WriterOptions extends RecordFormat {
  /** Bytes gathered before each write to the output. Default 1 MiB. */
  readonly bufferSize?: number;
  /** End the output stream on close() when given a stream. Default true. */
  readonly end?: boolean;
  /** Name used in errors when writing to a stream. Default `<stream>`. */
  readonly name?: string;
}

export class CaptureWriter {
  readonly format: 'pcap' | 'pcapng';
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  /** Packets written so far. */
  count = 0;
  private readonly out: Writable;
  private readonly file: string;
  private readonly endOut: boolean;
  private readonly bufferSize: number;
  private readonly encoder: RecordEncoder;
  private buf: Uint8Array;
  private dv: DataView;
  private used = 0;
  private flushed = 0;
  private failure: CaptureError | undefined;
  private closed = false;

  constructor(target: string | Writable, opts: WriterOptions = {}) {
    this.encoder = new RecordEncoder(opts);
    this.format = this.encoder.format;
    this.linkType = this.encoder.linkType;
    this.snaplen = this.encoder.snaplen;
    this.nanosecond = this.encoder.nanosecond;
    this.bufferSize = Math.max(opts.bufferSize ?? 1 << 20, 64);
    this.file = typeof target === 'string' ? target : opts.name ?? '<stream>';
    // Up to a few buffers may wait on the file, so that writing overlaps with making the next
    // records instead of the producer stopping at every buffer.
    this.out = typeof target === 'string' ? createWriteStream(target, { highWaterMark: 4 * this.bufferSize }) : target;
    this.endOut = typeof target === 'string' || (opts.end ?? true);
    this.out.on('error', (e: Error) => {
      this.failure ??= new CaptureError('io', this.file, this.flushed, `write failed: ${e.message}`, { cause: e });
    });
    this.buf = new Uint8Array(this.bufferSize);
    this.dv = new DataView(this.buf.buffer);
    const header = this.encoder.fileHeader();
    this.buf.set(header);
    this.used = header.length;
  }

  /** Bytes produced so far (written or still buffered). */
  get bytes(): number {
    return this.flushed + this.used;
  }

  /** Appends one IP datagram. Await it: it waits only when a full buffer meets a busy output. */
  async write(datagram: Uint8Array, meta?: PacketMeta): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('CaptureWriter: write after close');
    const recLen = this.encoder.recordLength(datagram, meta);
    if (this.used + recLen > this.buf.length) {
      await this.flush();
      if (recLen > this.buf.length) {
        this.buf = new Uint8Array(recLen);
        this.dv = new DataView(this.buf.buffer);
      }
    }
    this.used = this.encoder.encode(this.buf, this.dv, this.used, datagram, this.count, meta);
    this.count++;
  }

  /**
   * Appends records a RecordChunk encoded, with this writer's format, for the packets that come
   * next (`records.first` must be this.count, as default timestamps count packets). Their bytes
   * go to the output as they are, not copied: they must not change until the output has
   * written them, which `written` (when given) is called for.
   */
  async writeRecords(records: EncodedRecords, written?: () => void): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('CaptureWriter: write after close');
    if (records.key !== this.encoder.key) throw new Error(`CaptureWriter: records encoded as ${records.key}, this capture is ${this.encoder.key}`);
    if (records.first !== this.count) throw new Error(`CaptureWriter: records start at packet ${records.first}, the capture's next packet is ${this.count}`);
    await this.flush();
    this.count += records.count;
    if (records.bytes.length === 0) { written?.(); return; }
    if (this.out.destroyed) {
      this.failure ??= new CaptureError('io', this.file, this.flushed, 'the output stream was closed before the capture was');
      throw this.failure;
    }
    this.flushed += records.bytes.length;
    if (!this.out.write(records.bytes, written && (() => written()))) await this.drained();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Writes what is buffered and waits until the output has taken it. */
  async flush(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.flushed += this.used;
    this.buf = new Uint8Array(this.bufferSize);
    this.dv = new DataView(this.buf.buffer);
    this.used = 0;
    if (this.out.destroyed) {
      this.failure ??= new CaptureError('io', this.file, this.flushed - chunk.length, 'the output stream was closed before the capture was');
      throw this.failure;
    }
    if (!this.out.write(chunk)) await this.drained();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Resolves on 'drain', or when the output fails or closes (the 'error' listener records why). */
  private drained(): Promise<void> {
    const out = this.out;
    return new Promise((resolve) => {
      const done = () => {
        out.off('drain', done).off('error', done).off('close', done);
        resolve();
      };
      out.on('drain', done).on('error', done).on('close', done);
      if (out.destroyed) done();
    });
  }

  /** Flushes, ends the output (unless `end: false` was given for a stream) and waits for it. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.endOut) {
      this.out.end();
      try {
        await finished(this.out);
      } catch {
        // recorded by the 'error' listener
      }
    }
    if (this.failure !== undefined) throw this.failure;
  }
}
