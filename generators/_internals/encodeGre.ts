// GRE header + payload bytes. Field order follows RFC 1701 section 2.1 (checksum/offset, key,
// sequence, routing) with RFC 2637 section 4.1's acknowledgment after the sequence number.
// Written straight into the datagram's buffer (layout.ts sizes it with greLength first): every
// generated case is encoded, and an intermediate array of numbers was a tenth of the encoding.
import type { GreFlags, GreHeader, GrePayload } from '../model.ts';
import { onesComplementChecksum } from './wire.ts';

export function greFlagsWord(f: GreFlags): number {
  return (
    (f.c ? 0x8000 : 0) | (f.r ? 0x4000 : 0) | (f.k ? 0x2000 : 0) | (f.s ? 0x1000 : 0) | (f.strict ? 0x0800 : 0) |
    ((f.recursion & 7) << 8) | (f.a ? 0x0080 : 0) | ((f.reserved & 0xf) << 3) | (f.version & 7)
  );
}

/** Bytes of the GRE header as encodeGre writes it (without the payload). */
export function greHeaderLength(g: GreHeader): number {
  let n = 4;
  if (g.checksum !== undefined) n += 4;
  if (g.key !== undefined) n += 4;
  if (g.seq !== undefined) n += 4;
  if (g.ack !== undefined) n += 4;
  if (g.routing !== undefined) for (const sre of g.routing) n += 4 + sre.info.length;
  return n;
}

function put16(b: Uint8Array, at: number, v: number): number {
  b[at] = v >>> 8;
  b[at + 1] = v;
  return at + 2;
}

function put32(b: Uint8Array, at: number, v: number): number {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
  return at + 4;
}

/**
 * Writes header and payload into `out` at `start`, which has greHeaderLength(g) +
 * payload.bytes.length bytes free (and zero). Returns where the payload ends.
 */
export function encodeGre(out: Uint8Array, start: number, g: GreHeader, payload: GrePayload): number {
  let at = put16(out, start, greFlagsWord(g.flags));
  at = put16(out, at, g.protocol);
  let csumAt = -1;
  if (g.checksum !== undefined) {
    if (g.checksum.value === 'auto') csumAt = at;
    at = put16(out, at, g.checksum.value === 'auto' ? 0 : g.checksum.value);
    at = put16(out, at, g.checksum.offset);
  }
  if (g.key !== undefined) {
    if (typeof g.key === 'number') at = put32(out, at, g.key);
    else {
      at = put16(out, at, g.key.payloadLength === 'auto' ? payload.bytes.length : g.key.payloadLength);
      at = put16(out, at, g.key.callId);
    }
  }
  if (g.seq !== undefined) at = put32(out, at, g.seq);
  if (g.ack !== undefined) at = put32(out, at, g.ack);
  if (g.routing !== undefined) {
    for (const sre of g.routing) {
      at = put16(out, at, sre.family);
      out[at++] = sre.offset;
      out[at++] = sre.length === 'auto' ? sre.info.length : sre.length;
      out.set(sre.info, at);
      at += sre.info.length;
    }
  }
  out.set(payload.bytes, at);
  at += payload.bytes.length;
  if (csumAt >= 0) put16(out, csumAt, onesComplementChecksum(out, start, at));
  return at;
}
