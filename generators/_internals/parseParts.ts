// Readers for parseCase: each turns bytes into model fields that encode back to exactly those
// bytes, falling back to raw bytes where the structure ends (a length that does not fit).
import type { GreFlags, GreHeader, GrePayload, Ipv4Option, Ipv6Option, PayloadKind, PptpKey, Sre } from '../model.ts';
import { PAYLOAD_PROTOCOL } from '../model.ts';
import { PAYLOAD_START } from '../grePayload.ts';
import { be16At, be32At } from './wire.ts';

/** RFC 791 3.1 options over exactly `b` (no padding needed: the caller's span is what IHL says). */
export function parseIpv4Options(b: Uint8Array): Ipv4Option[] {
  const out: Ipv4Option[] = [];
  let i = 0;
  while (i < b.length) {
    const t = b[i]!;
    if (t === 0) { out.push({ kind: 'eol' }); i++; continue; }
    if (t === 1) { out.push({ kind: 'nop' }); i++; continue; }
    const l = b[i + 1];
    if (l === undefined || l < 2 || i + l > b.length) { out.push({ kind: 'raw', bytes: b.slice(i) }); break; }
    out.push({ kind: 'tlv', type: t, length: 'auto', data: b.slice(i + 2, i + l) });
    i += l;
  }
  return out;
}

/** RFC 8200 4.2 options over exactly `b`. */
export function parseIpv6Options(b: Uint8Array): Ipv6Option[] {
  const out: Ipv6Option[] = [];
  let i = 0;
  while (i < b.length) {
    const t = b[i]!;
    if (t === 0) { out.push({ kind: 'pad1' }); i++; continue; }
    const l = b[i + 1];
    if (l === undefined || i + 2 + l > b.length) { out.push({ kind: 'raw', bytes: b.slice(i) }); break; }
    out.push({ kind: 'tlv', type: t, length: 'auto', data: b.slice(i + 2, i + 2 + l) });
    i += 2 + l;
  }
  return out;
}

/** The kinds greCase draws a payload from for each GRE version, so a parsed case stays shrinkable. */
function payloadKinds(version: number): readonly PayloadKind[] {
  if (version === 0) return ['ipv4', 'ipv6', 'ethernet', 'erspan', 'wccp', 'ppp', 'nhrp'];
  if (version === 1) return ['ppp'];
  return ['ppp', 'ipv4'];
}

export function payloadFrom(version: number, protocol: number, bytes: Uint8Array): GrePayload {
  for (const kind of payloadKinds(version)) {
    if (kind === 'raw' || PAYLOAD_PROTOCOL[kind] !== protocol) continue;
    const start = PAYLOAD_START[kind];
    if (bytes.length >= start.length && start.every((x, i) => bytes[i] === x)) return { kind, bytes };
  }
  return { kind: 'raw', bytes };
}

export interface GreRegion {
  readonly gre: GreHeader;
  readonly payload: GrePayload;
  /** GRE bytes present when the header announces more than the region holds. */
  readonly cutAt: number | undefined;
}

/**
 * Reads a GRE header the way its flags announce fields (RFC 1701 2.1, RFC 2637 4.1: A means an
 * ack for version 1 only). Bytes missing at the end read as zeros and the region is cut there.
 */
export function parseGreRegion(g: Uint8Array): GreRegion {
  const n = g.length;
  let pos = 0;
  const at16 = () => { const v = be16At(g, pos); pos += 2; return v; };
  const at32 = () => { const v = be32At(g, pos); pos += 4; return v; };
  const word = at16();
  const flags: GreFlags = {
    c: (word & 0x8000) !== 0, r: (word & 0x4000) !== 0, k: (word & 0x2000) !== 0, s: (word & 0x1000) !== 0,
    strict: (word & 0x0800) !== 0, recursion: (word >> 8) & 7, a: (word & 0x0080) !== 0, reserved: (word >> 3) & 0xf, version: word & 7,
  };
  const protocol = at16();
  const gre: { -readonly [K in keyof GreHeader]: GreHeader[K] } = { flags, protocol };
  if (flags.c || flags.r) gre.checksum = { value: at16(), offset: at16() };
  if (flags.k) {
    if (flags.version === 1) {
      const key: PptpKey = { payloadLength: at16(), callId: at16() };
      gre.key = key;
    } else gre.key = at32();
  }
  if (flags.s) gre.seq = at32();
  if (flags.a && flags.version === 1) gre.ack = at32();
  if (flags.r) {
    const sres: Sre[] = [];
    for (;;) {
      const family = at16();
      const offset = g[pos++] ?? 0;
      const length = g[pos++] ?? 0;
      const info = new Uint8Array(length);
      info.set(g.subarray(Math.min(pos, n), Math.min(pos + length, n)));
      pos += length;
      sres.push({ family, offset, length: 'auto', info });
      if (family === 0 && length === 0) break;
    }
    gre.routing = sres;
  }
  if (pos > n) return { gre, payload: { kind: 'raw', bytes: new Uint8Array(0) }, cutAt: n };
  return { gre, payload: payloadFrom(flags.version, protocol, g.slice(pos)), cutAt: undefined };
}
