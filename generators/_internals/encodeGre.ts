// GRE header + payload bytes. Field order follows RFC 1701 section 2.1 (checksum/offset, key,
// sequence, routing) with RFC 2637 section 4.1's acknowledgment after the sequence number.
import type { GreFlags, GreHeader, GrePayload } from '../model.ts';
import { Writer, onesComplementChecksum } from './wire.ts';

export function greFlagsWord(f: GreFlags): number {
  return (
    (f.c ? 0x8000 : 0) | (f.r ? 0x4000 : 0) | (f.k ? 0x2000 : 0) | (f.s ? 0x1000 : 0) | (f.strict ? 0x0800 : 0) |
    ((f.recursion & 7) << 8) | (f.a ? 0x0080 : 0) | ((f.reserved & 0xf) << 3) | (f.version & 7)
  );
}

export interface EncodedGre {
  readonly bytes: number[];
  readonly headerLength: number;
}

export function encodeGre(g: GreHeader, payload: GrePayload): EncodedGre {
  const w = new Writer();
  w.u16(greFlagsWord(g.flags));
  w.u16(g.protocol);
  let csumAt = -1;
  if (g.checksum !== undefined) {
    if (g.checksum.value === 'auto') csumAt = w.length;
    w.u16(g.checksum.value === 'auto' ? 0 : g.checksum.value);
    w.u16(g.checksum.offset);
  }
  if (g.key !== undefined) {
    if (typeof g.key === 'number') w.u32(g.key);
    else {
      w.u16(g.key.payloadLength === 'auto' ? payload.bytes.length : g.key.payloadLength);
      w.u16(g.key.callId);
    }
  }
  if (g.seq !== undefined) w.u32(g.seq);
  if (g.ack !== undefined) w.u32(g.ack);
  if (g.routing !== undefined) {
    for (const sre of g.routing) {
      w.u16(sre.family);
      w.u8(sre.offset);
      w.u8(sre.length === 'auto' ? sre.info.length : sre.length);
      w.put(sre.info);
    }
  }
  const headerLength = w.length;
  w.put(payload.bytes);
  if (csumAt >= 0) w.set16(csumAt, onesComplementChecksum(w.bytes, 0, w.length));
  return { bytes: w.bytes, headerLength };
}
