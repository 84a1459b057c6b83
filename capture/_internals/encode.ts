// Encoders for the file headers and per-packet headers CaptureWriter emits (little-endian, as
// libpcap writes on x86). Each writes into `dv` at `at` and returns the new offset.
import type { Timestamp } from '../record.ts';

export const PCAP_HEADER = 24;
export const PCAP_RECORD = 16;
export const EPB_OVERHEAD = 32;

export function pcapHeader(dv: DataView, at: number, nanosecond: boolean, snaplen: number, linkType: number): number {
  dv.setUint32(at, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, true);
  dv.setUint16(at + 4, 2, true);
  dv.setUint16(at + 6, 4, true);
  dv.setInt32(at + 8, 0, true);   // thiszone
  dv.setUint32(at + 12, 0, true); // sigfigs
  dv.setUint32(at + 16, snaplen, true);
  dv.setUint32(at + 20, linkType, true);
  return at + PCAP_HEADER;
}

export function pcapRecord(dv: DataView, at: number, ts: Timestamp, nanosecond: boolean, caplen: number, origlen: number): number {
  dv.setUint32(at, ts.seconds, true);
  dv.setUint32(at + 4, nanosecond ? ts.nanoseconds : Math.floor(ts.nanoseconds / 1000), true);
  dv.setUint32(at + 8, caplen, true);
  dv.setUint32(at + 12, origlen, true);
  return at + PCAP_RECORD;
}

/** Section Header Block, version 1.0, section length unknown (-1), no options. */
export function pcapngSectionHeader(dv: DataView, at: number): number {
  dv.setUint32(at, 0x0a0d0d0a, true);
  dv.setUint32(at + 4, 28, true);
  dv.setUint32(at + 8, 0x1a2b3c4d, true);
  dv.setUint16(at + 12, 1, true);
  dv.setUint16(at + 14, 0, true);
  dv.setInt32(at + 16, -1, true);
  dv.setInt32(at + 20, -1, true);
  dv.setUint32(at + 24, 28, true);
  return at + 28;
}

/** Interface Description Block; with nanosecond, an if_tsresol option of 9 (units of 1e-9 s). */
export function pcapngInterface(dv: DataView, at: number, linkType: number, snaplen: number, nanosecond: boolean): number {
  const len = nanosecond ? 32 : 20;
  dv.setUint32(at, 1, true);
  dv.setUint32(at + 4, len, true);
  dv.setUint16(at + 8, linkType, true);
  dv.setUint16(at + 10, 0, true);
  dv.setUint32(at + 12, snaplen, true);
  if (nanosecond) {
    dv.setUint16(at + 16, 9, true);  // if_tsresol
    dv.setUint16(at + 18, 1, true);
    dv.setUint32(at + 20, 9, true);  // value 9, then 3 bytes of padding
    dv.setUint32(at + 24, 0, true);  // opt_endofopt
  }
  dv.setUint32(at + len - 4, len, true);
  return at + len;
}

/** Enhanced Packet Block header for interface 0; the caller copies the data after it. */
export function epbHeader(dv: DataView, at: number, blockLen: number, ts: Timestamp, nanosecond: boolean, caplen: number, origlen: number): number {
  const [hi, lo] = ticks(ts, nanosecond ? 1_000_000_000 : 1_000_000);
  dv.setUint32(at, 6, true);
  dv.setUint32(at + 4, blockLen, true);
  dv.setUint32(at + 8, 0, true);
  dv.setUint32(at + 12, hi, true);
  dv.setUint32(at + 16, lo, true);
  dv.setUint32(at + 20, caplen, true);
  dv.setUint32(at + 24, origlen, true);
  return at + 28;
}

const TWO16 = 65536;
const TWO32 = 4294967296;

/** seconds * perSec + fraction as 32-bit halves, exact: every intermediate stays below 2^53. */
export function ticks(ts: Timestamp, perSec: number): [number, number] {
  const frac = perSec === 1_000_000 ? Math.floor(ts.nanoseconds / 1000) : ts.nanoseconds;
  const sHi = Math.floor(ts.seconds / TWO16);
  const sLo = ts.seconds % TWO16;
  const a = sLo * perSec + frac;          // < 2^16 * 1e9 + 1e9
  const b = sHi * perSec;                 // < 2^16 * 1e9: total = b * 2^16 + a
  const bLo = b % TWO16;
  const x = bLo * TWO16 + a;
  const lo = x % TWO32;
  const hi = Math.floor(b / TWO16) + Math.floor(x / TWO32);
  return [hi, lo];
}
