// Capture records as bytes, without I/O: the file header and each packet's record (pcap record
// header or pcapng Enhanced Packet Block, with the Ethernet frame around the datagram when the
// link type is Ethernet). CaptureWriter writes what this encodes; `corpus generate` encodes its
// records in the worker threads that draw the packets (RecordChunk), so the writing thread only
// appends finished bytes.
import { LINKTYPE } from './link-types.ts';
import type { Timestamp } from './record.ts';
import * as enc from './_internals/encode.ts';

export interface RecordFormat {
  /** Default 'pcap'. */
  readonly format?: 'pcap' | 'pcapng';
  /** LINKTYPE.RAW (101, the default) or LINKTYPE.ETHERNET (1). */
  readonly linkType?: typeof LINKTYPE.RAW | typeof LINKTYPE.ETHERNET;
  /** Snapshot length written in the header; longer frames are cut to it. Default 262144. */
  readonly snaplen?: number;
  /** Nanosecond timestamps (pcap magic a1b23c4d, pcapng if_tsresol 9). Default false. */
  readonly nanosecond?: boolean;
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

export class RecordEncoder {
  readonly format: 'pcap' | 'pcapng';
  readonly linkType: number;
  readonly snaplen: number;
  readonly nanosecond: boolean;
  /** Names the record layout: records of two encoders with the same key are interchangeable. */
  readonly key: string;

  constructor(opts: RecordFormat = {}) {
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
    this.key = `${this.format}/${this.linkType}/${this.snaplen}/${this.nanosecond ? 'ns' : 'us'}`;
  }

  /** The pcap file header, or the pcapng Section Header and Interface Description blocks. */
  fileHeader(): Uint8Array {
    const buf = new Uint8Array(64);
    const dv = new DataView(buf.buffer);
    const end = this.format === 'pcap'
      ? enc.pcapHeader(dv, 0, this.nanosecond, this.snaplen, this.linkType)
      : enc.pcapngInterface(dv, enc.pcapngSectionHeader(dv, 0), this.linkType, this.snaplen, this.nanosecond);
    return buf.slice(0, end);
  }

  /** Bytes the record of `datagram` takes; a RangeError when `meta` is out of range. */
  recordLength(datagram: Uint8Array, meta?: PacketMeta): number {
    const l2 = this.linkType === LINKTYPE.ETHERNET ? ETH_HEADER : 0;
    const frameLen = l2 + datagram.length;
    if (meta?.origlen !== undefined) {
      const origlen = l2 + meta.origlen;
      if (!Number.isInteger(origlen) || origlen < frameLen || origlen > 0xffffffff) {
        throw new RangeError(`origlen ${meta.origlen} is below the datagram's ${datagram.length} bytes or not a 32-bit integer`);
      }
    }
    if (meta?.timestamp !== undefined) checkTimestamp(meta.timestamp);
    const caplen = Math.min(frameLen, this.snaplen);
    return this.format === 'pcap' ? enc.PCAP_RECORD + caplen : enc.EPB_OVERHEAD + ((caplen + 3) & ~3);
  }

  /**
   * Writes the record of `datagram`, the capture's packet number `index` (which gives its
   * default timestamp), into `buf` at `at`, which must have recordLength() bytes free. Returns
   * where the record ends.
   */
  encode(buf: Uint8Array, dv: DataView, at: number, datagram: Uint8Array, index: number, meta?: PacketMeta): number {
    const eth = this.linkType === LINKTYPE.ETHERNET;
    const l2 = eth ? ETH_HEADER : 0;
    const frameLen = l2 + datagram.length;
    const origlen = meta?.origlen === undefined ? frameLen : l2 + meta.origlen;
    const caplen = Math.min(frameLen, this.snaplen);
    const ts = meta?.timestamp ?? { seconds: Math.floor(index / 1e6), nanoseconds: (index % 1e6) * 1000 };
    const pcap = this.format === 'pcap';
    const recLen = pcap ? enc.PCAP_RECORD + caplen : enc.EPB_OVERHEAD + ((caplen + 3) & ~3);
    at = pcap
      ? enc.pcapRecord(dv, at, ts, this.nanosecond, caplen, origlen)
      : enc.epbHeader(dv, at, recLen, ts, this.nanosecond, caplen, origlen);
    if (eth) {
      const version = datagram.length > 0 ? datagram[0]! >> 4 : 0;
      const type = meta?.ethertype ?? (version === 6 ? 0x86dd : 0x0800);
      const frame = type === 0x0800 ? ETH_IPV4 : type === 0x86dd ? ETH_IPV6 : ethernetHeader(type);
      const n = Math.min(ETH_HEADER, caplen);
      buf.set(n === ETH_HEADER ? frame : frame.subarray(0, n), at);
      at += n;
    }
    const body = caplen - l2;
    if (body > 0) {
      buf.set(body === datagram.length ? datagram : datagram.subarray(0, body), at);
      at += body;
    }
    if (!pcap) {
      for (let pad = ((caplen + 3) & ~3) - caplen; pad > 0; pad--) buf[at++] = 0;
      dv.setUint32(at, recLen, true);
      at += 4;
    }
    return at;
  }
}

/** Records encoded back to back, ready to append to a capture whose next packet is number `first`. */
export interface EncodedRecords {
  /** RecordEncoder.key of the encoder that wrote them. */
  readonly key: string;
  /** Packet number of the first record (its default timestamp). */
  readonly first: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

/** Packets first, first+1, ... of a capture, encoded into one growing buffer. */
export class RecordChunk {
  private buf: Uint8Array;
  private dv: DataView;
  private used = 0;
  private count = 0;

  /** `allocate` gives the buffer, and a bigger one when records outgrow it (e.g. shared ones, for a worker to hand over). */
  constructor(
    private readonly encoder: RecordEncoder, private readonly first: number, capacity = 1 << 16,
    private readonly allocate: (bytes: number) => Uint8Array = (n) => new Uint8Array(n),
  ) {
    this.buf = allocate(capacity);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  add(datagram: Uint8Array, meta?: PacketMeta): void {
    const n = this.encoder.recordLength(datagram, meta);
    if (this.used + n > this.buf.length) {
      const bigger = this.allocate(Math.max(2 * this.buf.length, this.used + n));
      bigger.set(this.buf.subarray(0, this.used));
      this.buf = bigger;
      this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
    }
    this.used = this.encoder.encode(this.buf, this.dv, this.used, datagram, this.first + this.count, meta);
    this.count++;
  }

  /** The records added; the chunk is spent (its buffer is handed over, e.g. to be transferred). */
  finish(): EncodedRecords {
    return { key: this.encoder.key, first: this.first, count: this.count, bytes: this.buf.subarray(0, this.used) };
  }
}

function checkTimestamp(ts: Timestamp): void {
  const { seconds, nanoseconds } = ts;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff
    || !Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) {
    throw new RangeError(`timestamp ${seconds}s ${nanoseconds}ns is out of range (0 <= seconds < 2^32, 0 <= nanoseconds < 1e9)`);
  }
}
