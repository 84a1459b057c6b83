// Classic pcap (libpcap's savefile format; IETF draft-ietf-opsawg-pcap): a 24-byte file header,
// then records of a 16-byte header and caplen bytes. Checks follow libpcap 1.10 sf-pcap.c
// (pcap_check_header, pcap_next_packet): version 2.x up to 2.4, snapshot length 0 or above
// MAXIMUM_SNAPLEN taken as MAXIMUM_SNAPLEN, link type in the low 16 bits of its field; a record
// longer than the snapshot length is an error here (libpcap would truncate it silently).
import { CaptureError } from '../error.ts';
import { isKnownLinkType } from '../link-types.ts';
import type { CaptureRecord } from '../record.ts';
import type { ByteSource } from './byte-source.ts';
import type { RecordParser } from './parser.ts';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export interface PcapOptions {
  readonly file: string;
  readonly littleEndian: boolean;
  readonly nanosecond: boolean;
  readonly maxRecordLength: number;
}

export class PcapParser implements RecordParser {
  private started = false;
  private index = 0;
  private linkType = 0;
  private snaplen = 0;
  private swapOld = false;
  private readonly fracToNs: number;

  constructor(private readonly o: PcapOptions) {
    this.fracToNs = o.nanosecond ? 1 : 1000;
  }

  step(src: ByteSource): CaptureRecord | number {
    if (!this.started) {
      if (src.available() < FILE_HEADER) return FILE_HEADER;
      this.fileHeader(src);
    }
    if (src.available() < RECORD_HEADER) return RECORD_HEADER;
    const { file, littleEndian: le, maxRecordLength } = this.o;
    const v = src.view;
    const p = src.pos;
    const offset = src.offset;
    const index = this.index;
    const seconds = v.getUint32(p, le);
    const frac = v.getUint32(p + 4, le);
    let caplen = v.getUint32(p + 8, le);
    let origlen = v.getUint32(p + 12, le);
    if (this.swapOld && caplen > origlen) [caplen, origlen] = [origlen, caplen];
    if (caplen > this.snaplen) {
      const why = caplen > maxRecordLength ? `the maximum of ${maxRecordLength}` : `the snapshot length ${this.snaplen}`;
      throw new CaptureError('absurd-length', file, offset, `record ${index} has captured length ${caplen}, more than ${why}`);
    }
    const need = RECORD_HEADER + caplen;
    if (src.available() < need) return need;
    const data = new Uint8Array(caplen);
    data.set(src.buf.subarray(p + RECORD_HEADER, p + need));
    src.pos += need;
    this.index++;
    return { index, offset, linkType: this.linkType, timestamp: { seconds, nanoseconds: frac * this.fracToNs }, caplen, origlen, data };
  }

  ended(src: ByteSource): CaptureError | null {
    const have = src.available();
    const { file } = this.o;
    if (!this.started) {
      return new CaptureError('truncated', file, 0, `file ends inside the ${FILE_HEADER}-byte pcap file header (${have} bytes)`);
    }
    if (have === 0) return null;
    if (have < RECORD_HEADER) {
      return new CaptureError('truncated', file, src.offset, `file ends inside the header of record ${this.index} (${have} of ${RECORD_HEADER} bytes)`);
    }
    const caplen = src.view.getUint32(src.pos + 8, this.o.littleEndian);
    return new CaptureError('truncated', file, src.offset, `file ends inside record ${this.index} (${have - RECORD_HEADER} of ${caplen} captured bytes present)`);
  }

  private fileHeader(src: ByteSource): void {
    const { file, littleEndian: le, maxRecordLength } = this.o;
    const h = src.view;
    const p = src.pos;
    const major = h.getUint16(p + 4, le);
    const minor = h.getUint16(p + 6, le);
    if (major !== 2 || minor > 4) {
      throw new CaptureError('unsupported', file, 4, `pcap version ${major}.${minor} (this reader reads 2.0 to 2.4)`);
    }
    const snapField = h.getUint32(p + 16, le);
    const ltField = h.getUint32(p + 20, le);
    // Bits 0-15: link type; 16-25 reserved (must be 0); 26-31: FCS flag and length.
    this.linkType = ltField & 0xffff;
    if ((ltField & 0x03ff0000) !== 0 || !isKnownLinkType(this.linkType)) {
      throw new CaptureError('unknown-link-type', file, 20, `unknown link type 0x${ltField.toString(16)} in the pcap file header`);
    }
    this.snaplen = snapField === 0 || snapField > maxRecordLength ? maxRecordLength : snapField;
    this.swapOld = minor < 3; // pre-2.3 files may have caplen and len swapped (libpcap swaps them back)
    src.pos += FILE_HEADER;
    this.started = true;
  }
}
