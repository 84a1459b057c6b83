// CaptureWriter: pcap (microsecond or nanosecond) or pcapng, link type raw IP (101) or Ethernet
// (1, each datagram wrapped in a frame with fixed locally administered MACs and the ethertype its
// IP version nibble implies). Records are encoded into a large buffer and handed to the output
// stream a buffer at a time; when the stream asks to wait (write() returned false), write()
// waits for 'drain', so a fast producer never piles up memory.
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { CaptureError } from './error.ts';
import { LINKTYPE } from './link-types.ts';
import type { Timestamp } from './record.ts';
import * as enc from './_internals/encode.ts';

export interface WriterOptions {
  /** Default 'pcap'. */
  readonly format?: 'pcap' | 'pcapng';
  /** LINKTYPE.RAW (101, the default) or LINKTYPE.ETHERNET (1). */
  readonly linkType?: typeof LINKTYPE.RAW | typeof LINKTYPE.ETHERNET;
  /** Snapshot length written in the header; longer frames are cut to it. Default 262144. */
  readonly snaplen?: number;
  /** Nanosecond timestamps (pcap magic a1b23c4d, pcapng if_tsresol 9). Default false. */
  readonly nanosecond?: boolean;
  /** Bytes gathered before each write to the output. Default 1 MiB. */
  readonly bufferSize?: number;
  /** End the output stream on close() when given a stream. Default true. */
  readonly end?: boolean;
  /** Name used in errors when writing to a stream. Default `<stream>`. */
  readonly name?: string;
}

export interface PacketMeta {
  /** Default: the packet's index in microseconds from the epoch (deterministic). */
  readonly timestamp?: Timestamp;
  /** Length of the datagram on the wire, when `datagram` was already cut. Default its length. */
  readonly origlen?: number;
  /** Ethernet only: ethertype to use instead of the one the version nibble implies. */
  readonly ethertype?: number;
}

/** Source and destination MACs of written Ethernet frames (locally administered, unicast). */
export const WRITER_DST_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);
export const WRITER_SRC_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const ETH_HEADER = 14;
const ETH_IPV4 = ethernetHeader(0x0800);
const ETH_IPV6 = ethernetHeader(0x86dd);

function ethernetHeader(ethertype: number): Uint8Array {
  const h = new Uint8Array(ETH_HEADER);
  h.set(WRITER_DST_MAC, 0);
  h.set(WRITER_SRC_MAC, 6);
  h[12] = (ethertype >> 8) & 0xff;
  h[13] = ethertype & 0xff;
  return h;
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
  private buf: Uint8Array;
  private dv: DataView;
  private used = 0;
  private flushed = 0;
  private failure: CaptureError | undefined;
  private closed = false;

  constructor(target: string | Writable, opts: WriterOptions = {}) {
    this.format = opts.format ?? 'pcap';
    this.linkType = opts.linkType ?? LINKTYPE.RAW;
    if (this.linkType !== LINKTYPE.RAW && this.linkType !== LINKTYPE.ETHERNET) {
      throw new RangeError(`CaptureWriter writes link type 101 (raw IP) or 1 (Ethernet), not ${this.linkType}`);
    }
    this.snaplen = opts.snaplen ?? 262144;
    if (!Number.isInteger(this.snaplen) || this.snaplen < 1 || this.snaplen > 0xffffffff) {
      throw new RangeError(`snaplen ${this.snaplen} is not a positive 32-bit integer`);
    }
    this.nanosecond = opts.nanosecond ?? false;
    this.bufferSize = Math.max(opts.bufferSize ?? 1 << 20, 64);
    this.file = typeof target === 'string' ? target : opts.name ?? '<stream>';
    this.out = typeof target === 'string' ? createWriteStream(target) : target;
    this.endOut = typeof target === 'string' || (opts.end ?? true);
    this.out.on('error', (e: Error) => {
      this.failure ??= new CaptureError('io', this.file, this.flushed, `write failed: ${e.message}`, { cause: e });
    });
    this.buf = new Uint8Array(this.bufferSize);
    this.dv = new DataView(this.buf.buffer);
    this.used = this.format === 'pcap'
      ? enc.pcapHeader(this.dv, 0, this.nanosecond, this.snaplen, this.linkType)
      : enc.pcapngInterface(this.dv, enc.pcapngSectionHeader(this.dv, 0), this.linkType, this.snaplen, this.nanosecond);
  }

  /** Bytes produced so far (written or still buffered). */
  get bytes(): number {
    return this.flushed + this.used;
  }

  /** Appends one IP datagram. Await it: it waits only when a full buffer meets a busy output. */
  async write(datagram: Uint8Array, meta?: PacketMeta): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('CaptureWriter: write after close');
    const eth = this.linkType === LINKTYPE.ETHERNET;
    const l2 = eth ? ETH_HEADER : 0;
    const frameLen = l2 + datagram.length;
    const origlen = meta?.origlen === undefined ? frameLen : l2 + meta.origlen;
    if (!Number.isInteger(origlen) || origlen < frameLen || origlen > 0xffffffff) {
      throw new RangeError(`origlen ${meta?.origlen} is below the datagram's ${datagram.length} bytes or not a 32-bit integer`);
    }
    const caplen = Math.min(frameLen, this.snaplen);
    const ts = meta?.timestamp ?? { seconds: Math.floor(this.count / 1e6), nanoseconds: (this.count % 1e6) * 1000 };
    checkTimestamp(ts);
    const pcap = this.format === 'pcap';
    const recLen = pcap ? enc.PCAP_RECORD + caplen : enc.EPB_OVERHEAD + ((caplen + 3) & ~3);
    if (this.used + recLen > this.buf.length) {
      await this.flush();
      if (recLen > this.buf.length) {
        this.buf = new Uint8Array(recLen);
        this.dv = new DataView(this.buf.buffer);
      }
    }
    const dv = this.dv;
    let at = pcap
      ? enc.pcapRecord(dv, this.used, ts, this.nanosecond, caplen, origlen)
      : enc.epbHeader(dv, this.used, recLen, ts, this.nanosecond, caplen, origlen);
    if (eth) {
      const version = datagram.length > 0 ? datagram[0]! >> 4 : 0;
      const type = meta?.ethertype ?? (version === 6 ? 0x86dd : 0x0800);
      const frame = type === 0x0800 ? ETH_IPV4 : type === 0x86dd ? ETH_IPV6 : ethernetHeader(type);
      const n = Math.min(ETH_HEADER, caplen);
      this.buf.set(n === ETH_HEADER ? frame : frame.subarray(0, n), at);
      at += n;
    }
    const body = caplen - l2;
    if (body > 0) {
      this.buf.set(body === datagram.length ? datagram : datagram.subarray(0, body), at);
      at += body;
    }
    if (!pcap) {
      for (let pad = ((caplen + 3) & ~3) - caplen; pad > 0; pad--) this.buf[at++] = 0;
      dv.setUint32(at, recLen, true);
      at += 4;
    }
    this.used = at;
    this.count++;
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

function checkTimestamp(ts: Timestamp): void {
  const { seconds, nanoseconds } = ts;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff
    || !Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) {
    throw new RangeError(`timestamp ${seconds}s ${nanoseconds}ns is out of range (0 <= seconds < 2^32, 0 <= nanoseconds < 1e9)`);
  }
}
