// pcapng (draft-ietf-opsawg-pcapng): blocks of type, total length, body, total length again.
// Read: Section Header (byte order, resets interfaces), Interface Description (link type,
// snaplen, if_name, if_tsresol, if_tsoffset), Enhanced Packet, Simple Packet and the obsolete
// Packet Block; every other block is skipped after its length fields are checked. Limits follow
// libpcap 1.10 sf-pcapng.c: a block larger than 16 MiB is refused rather than buffered.
import { CaptureError, type CaptureErrorKind } from '../error.ts';
import { isKnownLinkType } from '../link-types.ts';
import type { CaptureInterface, CaptureRecord } from '../record.ts';
import type { ByteSource } from './byte-source.ts';
import type { RecordParser } from './parser.ts';
import { MICROSECONDS, toTimestamp, unitOf, type TsUnit } from './timestamp.ts';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export interface PcapngOptions {
  readonly file: string;
  readonly maxRecordLength: number;
  readonly maxBlockLength: number;
}

interface Iface {
  readonly info: CaptureInterface;
  readonly unit: TsUnit;
}

const MIN_LENGTH: Record<number, number> = { [SHB]: 28, [IDB]: 20, [PB]: 32, [SPB]: 16, [EPB]: 32 };
const NAME: Record<number, string> = {
  [SHB]: 'Section Header Block', [IDB]: 'Interface Description Block', [PB]: 'Packet Block',
  [SPB]: 'Simple Packet Block', [EPB]: 'Enhanced Packet Block',
};

type Fail = (kind: CaptureErrorKind, at: number, msg: string) => CaptureError;

export class PcapngParser implements RecordParser {
  private le = true;
  private section = -1;
  private ifaces: Iface[] = [];
  private index = 0;
  private blockNo = 0;
  private readonly fail: Fail;

  constructor(private readonly o: PcapngOptions) {
    this.fail = (kind, at, msg) => new CaptureError(kind, o.file, at, msg);
  }

  step(src: ByteSource): CaptureRecord | number {
    for (;;) {
      if (src.available() < 12) return 12;
      const len = this.blockLength(src);
      if (src.available() < len) return len;
      const r = this.block(src, len);
      src.pos += len;
      this.blockNo++;
      if (r !== undefined) return r;
    }
  }

  ended(src: ByteSource): CaptureError | null {
    const have = src.available();
    if (have === 0) return null;
    if (have < 12) return this.fail('truncated', src.offset, `file ends inside the header of block ${this.blockNo} (${have} bytes)`);
    const len = this.blockLength(src);
    return this.fail('truncated', src.offset, `file ends inside ${this.nameAt(src)} ${this.blockNo} (${have} of ${len} bytes)`);
  }

  private nameAt(src: ByteSource): string {
    const type = src.view.getUint32(src.pos, this.le);
    return NAME[type] ?? `block type 0x${type.toString(16)}`;
  }

  /** Reads and checks the type and total length of the block at src.pos (12 bytes at hand). */
  private blockLength(src: ByteSource): number {
    const { fail } = this;
    const v = src.view;
    const p = src.pos;
    const offset = src.offset;
    const type = v.getUint32(p, this.le);
    if (type === SHB) {
      const bom = v.getUint32(p + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else throw fail('bad-magic', offset + 8, `bad byte-order magic 0x${v.getUint32(p + 8, false).toString(16).padStart(8, '0')} in the Section Header Block`);
    } else if (this.section < 0) {
      throw fail('malformed', offset, 'first block is not a Section Header Block');
    }
    const len = v.getUint32(p + 4, this.le);
    const what = NAME[type] ?? `block type 0x${type.toString(16)}`;
    const min = MIN_LENGTH[type] ?? 12;
    if (len < min || len % 4 !== 0) {
      throw fail('malformed', offset + 4, `${what} has total length ${len} (needs a multiple of 4, at least ${min})`);
    }
    if (len > this.o.maxBlockLength) {
      throw fail('absurd-length', offset + 4, `${what} has total length ${len}, more than the maximum of ${this.o.maxBlockLength}`);
    }
    return len;
  }

  /** Decodes the whole block at src.pos (len bytes at hand); a record for packet blocks. */
  private block(src: ByteSource, len: number): CaptureRecord | undefined {
    const { fail, le } = this;
    const { maxRecordLength } = this.o;
    const v = src.view;
    const p = src.pos;
    const offset = src.offset;
    const type = v.getUint32(p, le);
    const what = NAME[type] ?? `block type 0x${type.toString(16)}`;
    const trailer = v.getUint32(p + len - 4, le);
    if (trailer !== len) {
      throw fail('malformed', offset + len - 4, `${what} total length ${len} does not match its trailing copy ${trailer}`);
    }
    if (type === SHB) {
      const major = v.getUint16(p + 12, le);
      const minor = v.getUint16(p + 14, le);
      if (major !== 1) throw fail('unsupported', offset + 12, `pcapng version ${major}.${minor} (this reader reads 1.x)`);
      this.section++;
      this.ifaces = [];
      return undefined;
    }
    if (type === IDB) {
      this.interfaceBlock(src, len);
      return undefined;
    }
    if (type !== EPB && type !== PB && type !== SPB) return undefined;

    let ifid = 0;
    let caplen = 0;
    let origlen = 0;
    let dataAt = 12;
    let hi = 0;
    let lo = 0;
    if (type === SPB) {
      origlen = v.getUint32(p + 8, le);
    } else {
      ifid = type === EPB ? v.getUint32(p + 8, le) : v.getUint16(p + 8, le);
      hi = v.getUint32(p + 12, le);
      lo = v.getUint32(p + 16, le);
      caplen = v.getUint32(p + 20, le);
      origlen = v.getUint32(p + 24, le);
      dataAt = 28;
    }
    const iface = this.ifaces[ifid];
    if (iface === undefined) {
      throw fail('malformed', offset + 8, `${what} refers to interface ${ifid}, but the section has ${this.ifaces.length}`);
    }
    const room = len - dataAt - 4;
    const snap = iface.info.snaplen;
    if (type === SPB) {
      // The captured length of a Simple Packet Block is implied (pcapng spec 4.4).
      caplen = Math.min(origlen, room, snap === 0 ? Infinity : snap);
    } else if (caplen > room) {
      throw fail('absurd-length', offset + 20, `${what} has captured length ${caplen}, more than its ${room} bytes of packet data`);
    }
    if (caplen > maxRecordLength || (snap !== 0 && caplen > snap)) {
      const why = caplen > maxRecordLength ? `the maximum of ${maxRecordLength}` : `the snapshot length ${snap} of interface ${ifid}`;
      throw fail('absurd-length', type === SPB ? offset + 8 : offset + 20, `packet ${this.index} has captured length ${caplen}, more than ${why}`);
    }
    const data = new Uint8Array(caplen);
    data.set(src.buf.subarray(p + dataAt, p + dataAt + caplen));
    const timestamp = type === SPB ? { seconds: 0, nanoseconds: 0 } : toTimestamp(hi, lo, iface.unit);
    return { index: this.index++, offset, linkType: iface.info.linkType, timestamp, caplen, origlen, data, interface: iface.info };
  }

  private interfaceBlock(src: ByteSource, len: number): void {
    const { fail, le } = this;
    const v = src.view;
    const p = src.pos;
    const offset = src.offset;
    const linkType = v.getUint16(p + 8, le);
    if (!isKnownLinkType(linkType)) throw fail('unknown-link-type', offset + 8, `unknown link type ${linkType} in interface ${this.ifaces.length}`);
    const snaplen = v.getUint32(p + 12, le);
    let tsresol = 6;
    let tsoffset = 0n;
    let name: string | undefined;
    for (const opt of options(v, p, 16, len, le, offset, fail)) {
      if (opt.code === IF_TSRESOL && opt.length >= 1) tsresol = v.getUint8(p + opt.at);
      else if (opt.code === IF_TSOFFSET && opt.length >= 8) tsoffset = v.getBigInt64(p + opt.at, le);
      else if (opt.code === IF_NAME) name = new TextDecoder().decode(src.buf.subarray(p + opt.at, p + opt.at + opt.length));
    }
    const unit = tsresol === 6 && tsoffset === 0n ? MICROSECONDS : unitOf(tsresol, tsoffset);
    const info: CaptureInterface = { id: this.ifaces.length, section: this.section, linkType, snaplen, tsresol: unit.label, ...(name === undefined ? {} : { name }) };
    this.ifaces.push({ info, unit });
  }
}

interface Opt { code: number; at: number; length: number }

/** The options of a block whose body fields end at `start`; offsets are relative to the block. */
function* options(v: DataView, p: number, start: number, len: number, le: boolean, offset: number, fail: Fail): Generator<Opt> {
  const end = len - 4;
  let at = start;
  while (at < end) {
    if (at + 4 > end) throw fail('malformed', offset + at, `option header crosses the end of the block`);
    const code = v.getUint16(p + at, le);
    const length = v.getUint16(p + at + 2, le);
    if (code === OPT_ENDOFOPT) return;
    const next = at + 4 + ((length + 3) & ~3);
    if (next > end) throw fail('malformed', offset + at, `option ${code} of length ${length} crosses the end of the block`);
    yield { code, at: at + 4, length };
    at = next;
  }
}
