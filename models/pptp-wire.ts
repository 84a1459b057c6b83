// Bytes of the lab's scenarios and the PPTP model's input: RFC 2637 control messages (just what
// the kernel's PPTP helper reads, at the sizes it requires: struct Pptp* in
// include/linux/netfilter/nf_conntrack_pptp.h, which for incoming calls, WAN errors and link
// info are shorter than RFC 2637's bodies), enhanced GRE (RFC 2637 4.1) and RFC 2890 keyed GRE
// v0 data, and the IPv4 datagram around them. Pure.
import { parseIPv4 } from '../spec/address.ts';
import { ipv4Checksum } from '../oracles/index.ts';

export const MAGIC_COOKIE = 0x1a2b3c4d;
export const PPTP_PORT = 1723;

/** Control Message Types (RFC 2637 2.0). */
export const MSG = {
  SCCRQ: 1, SCCRP: 2, StopCCRQ: 3, StopCCRP: 4, EchoRQ: 5, EchoRP: 6,
  OCRQ: 7, OCRP: 8, ICRQ: 9, ICRP: 10, ICCN: 11, CCRQ: 12, CDN: 13, WEN: 14, SLI: 15,
} as const;
export type MsgType = (typeof MSG)[keyof typeof MSG];
export const MSG_NAME: Record<number, string> = Object.fromEntries(Object.entries(MSG).map(([k, v]) => [v, k]));

class Writer {
  readonly b: Uint8Array;
  private o = 0;
  constructor(n: number) { this.b = new Uint8Array(n); }
  u8(v: number): this { this.b[this.o++] = v & 0xff; return this; }
  u16(v: number): this { return this.u8(v >> 8).u8(v); }
  u32(v: number): this { return this.u16(v >>> 16).u16(v & 0xffff); }
  text(s: string, n: number): this { for (let i = 0; i < n; i++) this.u8(i < s.length ? s.charCodeAt(i) : 0); return this; }
  skip(n: number): this { this.o += n; return this; }
}

/** Header (Length, PPTP Message Type 1, Magic Cookie, Control Message Type, Reserved0) + body. */
function control(type: MsgType, body: Uint8Array): Uint8Array {
  const w = new Writer(12 + body.length).u16(12 + body.length).u16(1).u32(MAGIC_COOKIE).u16(type).u16(0);
  w.b.set(body, 12);
  return w.b;
}

export function sccrq(host = 'grec-pns'): Uint8Array {
  return control(MSG.SCCRQ, new Writer(144).u16(0x0100).u16(0).u32(3).u32(3).u16(0).u16(1).text(host, 64).text('gre-conformance', 64).b);
}

/** Result Code 1: "Successful channel establishment". */
export function sccrp(result = 1, host = 'grec-pac'): Uint8Array {
  return control(MSG.SCCRP, new Writer(144).u16(0x0100).u8(result).u8(0).u32(3).u32(3).u16(1).u16(1).text(host, 64).text('gre-conformance', 64).b);
}

export function stopccrq(): Uint8Array {
  return control(MSG.StopCCRQ, new Writer(4).u8(1).b);
}

export function stopccrp(result = 1): Uint8Array {
  return control(MSG.StopCCRP, new Writer(4).u8(result).b);
}

export function echoRequest(id: number): Uint8Array {
  return control(MSG.EchoRQ, new Writer(4).u32(id).b);
}

export function ocrq(callId: number, serial = 1): Uint8Array {
  return control(MSG.OCRQ, new Writer(156).u16(callId).u16(serial).u32(300).u32(100000000).u32(3).u32(3).u16(64).u16(0).u16(0).u16(0).text('', 64).text('', 64).b);
}

/** Result Code 1: "Connected". */
export function ocrp(callId: number, peerCallId: number, result = 1): Uint8Array {
  return control(MSG.OCRP, new Writer(20).u16(callId).u16(peerCallId).u8(result).u8(0).u16(0).u32(100000000).u16(64).u16(0).u32(0).b);
}

/** Incoming-Call-Request (PAC -> PNS): the PAC's call ID. */
export function icrq(callId: number, serial = 1): Uint8Array {
  return control(MSG.ICRQ, new Writer(208).u16(callId).u16(serial).u32(1).u32(0).u16(0).u16(0).b);
}

/** Incoming-Call-Reply (PNS -> PAC); Result Code 1: "Accept". */
export function icrp(callId: number, peerCallId: number, result = 1): Uint8Array {
  return control(MSG.ICRP, new Writer(12).u16(callId).u16(peerCallId).u8(result).u8(0).u16(64).u16(0).u16(0).b);
}

/** Incoming-Call-Connected (PAC -> PNS): the PNS's call ID as the peer's. */
export function iccn(peerCallId: number): Uint8Array {
  return control(MSG.ICCN, new Writer(16).u16(peerCallId).u16(0).u32(100000000).u16(64).u16(0).u32(3).b);
}

/** The same control message with its body one byte shorter (and its Length field to match). */
export function shortened(message: Uint8Array): Uint8Array {
  const out = message.slice(0, message.length - 1);
  out[0] = out.length >> 8;
  out[1] = out.length & 0xff;
  return out;
}

export function ccrq(callId: number): Uint8Array {
  return control(MSG.CCRQ, new Writer(4).u16(callId).b);
}

/** Result Code 3: "Call disconnected due to receipt of Call-Clear-Request". */
export function cdn(callId: number, result = 3): Uint8Array {
  return control(MSG.CDN, new Writer(136).u16(callId).u8(result).u8(0).u16(0).u16(0).b);
}

export interface ControlMessage {
  readonly type: number;
  readonly bytes: Uint8Array;
}

/** Splits a TCP byte stream into control messages by their Length field; the rest is kept for later. */
export function splitControl(stream: Uint8Array): { messages: ControlMessage[]; rest: Uint8Array } {
  const messages: ControlMessage[] = [];
  let o = 0;
  while (o + 12 <= stream.length) {
    const len = (stream[o]! << 8) | stream[o + 1]!;
    if (len < 12) throw new Error(`PPTP message with length ${len} at byte ${o}`);
    if (o + len > stream.length) break;
    messages.push({ type: (stream[o + 8]! << 8) | stream[o + 9]!, bytes: stream.subarray(o, o + len) });
    o += len;
  }
  return { messages, rest: stream.subarray(o) };
}

/** Call ID and Peer's Call ID of a message that has them at body bytes 0-3 (OCRQ, OCRP, CCRQ, CDN). */
export function callIds(m: ControlMessage): { callId: number; peer: number } {
  const b = m.bytes;
  return { callId: (b[12]! << 8) | b[13]!, peer: (b[14]! << 8) | b[15]! };
}

/** Enhanced GRE (RFC 2637 4.1): K and S set, version 1, protocol PPP, the peer's call ID, a sequence number. */
export function greV1(callId: number, seq: number, payload: Uint8Array = Uint8Array.of(0xff, 0x03, 0xc0, 0x21, 0x09, seq & 0xff, 0x00, 0x08, 0, 0, 0, 0)): Uint8Array {
  const w = new Writer(12 + payload.length).u16(0x3001).u16(0x880b).u16(payload.length).u16(callId).u32(seq);
  w.b.set(payload, 12);
  return w.b;
}

/** RFC 2890 GRE v0 with the K bit and a 32-bit key, carrying `protocol` (default IPv4). */
export function greV0Keyed(key: number, payload: Uint8Array, protocol = 0x0800): Uint8Array {
  const w = new Writer(8 + payload.length).u16(0x2000).u16(protocol).u32(key);
  w.b.set(payload, 8);
  return w.b;
}

/** An IPv4 datagram (IHL 5, DF clear, TTL 64, protocol 47 unless given) with a correct header checksum. */
export function ipv4(src: string, dst: string, id: number, payload: Uint8Array, protocol = 47): Uint8Array {
  const s = parseIPv4(src), d = parseIPv4(dst);
  if (!s || !d) throw new Error(`not IPv4 addresses: ${src} ${dst}`);
  const out = new Uint8Array(20 + payload.length);
  const w = new Writer(20).u8(0x45).u8(0).u16(out.length).u16(id).u16(0).u8(64).u8(protocol).u16(0);
  out.set(w.b, 0);
  out.set(s, 12);
  out.set(d, 16);
  const c = ipv4Checksum(out, 20);
  out[10] = c >> 8;
  out[11] = c & 0xff;
  out.set(payload, 20);
  return out;
}

/** The IP id of an IPv4 datagram. */
export function ipId(p: Uint8Array): number {
  return (p[4]! << 8) | p[5]!;
}
