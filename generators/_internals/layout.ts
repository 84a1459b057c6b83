// encodeCase's engine: the datagram bytes plus where each part landed, for describeCase, the
// neutralizers and the tests. Order of work: GRE (its checksum and payload length depend only
// on itself), the extension chain, the IP header, the cut, then the IP length and checksum
// fields (RFC 791 3.1, RFC 8200 3) from the datagram as it ends up, then the trailer.
import type { KeymapEntry } from '../../spec/contract.ts';
import type { AddressRef, GreCase, KeyRef } from '../model.ts';
import { addressBytes, ipv4Of } from './addresses.ts';
import { parseAddress } from '../../spec/address.ts';
import type { ParsedKeymapEntry } from '../../oracles/linux/keymap.ts';
import { encodeGre, greHeaderLength } from './encodeGre.ts';
import { encodeIpv4Options } from './encodeIpv4Options.ts';
import { encodeExtHeader, extType } from './encodeIpv6Ext.ts';
import { Writer, onesComplementChecksum } from './wire.ts';

export interface Layout {
  readonly packet: Uint8Array;
  readonly keymap: KeymapEntry[];
  /**
   * The keymap as parseKeymap (oracles/) would make it from `keymap`, made from the addresses'
   * bytes instead of their text: corpus generate decides every case, and parsing back the
   * text it had just written was an eighth of what a case allocated.
   */
  readonly parsedKeymap: readonly ParsedKeymapEntry[];
  /** Bytes of the IP header as written (20 + padded options, or 40), whatever IHL says. */
  readonly ipHeaderLength: number;
  /** Start of each extension header. */
  readonly extOffsets: readonly number[];
  readonly greOffset: number;
  readonly greHeaderLength: number;
  readonly payloadOffset: number;
  /** Datagram length before the cut. */
  readonly fullLength: number;
  /** Datagram length after the cut, without the trailer. */
  readonly datagramLength: number;
  /** The 16 bits at GRE bytes 6-7 before the cut, 0 when GRE and payload are shorter. */
  readonly callId: number;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
}

// The suite's scope filter lays out every case that may leave the scope, and encodeCase lays
// out the same object right after: the filter's layout is held for that one next call. Held
// once only, so a caller that changes the packet it was given never sees it again.
let held: { readonly c: GreCase; readonly l: Layout } | undefined;

/** layoutCase, keeping the result for one later layoutCase of the same object. */
export function layoutCaseAndHold(c: GreCase): Layout {
  const l = layoutCase(c);
  held = { c, l };
  return l;
}

export function layoutCase(c: GreCase): Layout {
  if (held !== undefined) {
    const h = held;
    held = undefined;
    if (h.c === c) return h.l;
  }
  return computeLayout(c);
}

function computeLayout(c: GreCase): Layout {
  const headerLength = greHeaderLength(c.gre);
  const greLength = headerLength + c.payload.bytes.length;
  // The chain and the options are written apart first (their lengths come out of writing them);
  // most cases have neither.
  let chain: Writer | undefined;
  const chainStarts: number[] = []; // from the chain's start, then (below) the datagram's
  for (let i = 0; i < c.ext.length; i++) {
    chain ??= new Writer();
    chainStarts.push(chain.length);
    const next = c.ext[i + 1];
    encodeExtHeader(chain, c.ext[i]!, next ? extType(next) : 47);
  }
  const chainLength = chain === undefined ? 0 : chain.length;
  const first = c.ext[0];
  const firstNext = first ? extType(first) : 47;
  const ip = c.ip;
  const opts = ip.family === 4 && ip.options.length > 0 ? encodeIpv4Options(ip.options) : undefined;
  const hl = ip.family === 4 ? 20 + (opts === undefined ? 0 : opts.length) : 40;
  const greOffset = hl + chainLength;
  const full = new Uint8Array(greOffset + greLength);
  if (opts !== undefined) full.set(opts, 20);
  if (chain !== undefined) full.set(chain.bytes, hl);
  encodeGre(full, greOffset, c.gre, c.payload);

  const t = c.truncate;
  const cutAt = t === null ? full.length : Math.max(0, Math.min(full.length, t.from === 'gre' ? greOffset + t.keep : t.keep));
  const lengthBase = t !== null && t.lengths === 'before' ? full.length : cutAt;

  const src = addressBytes(ip.src, ip.family, 'ip.src');
  const dst = addressBytes(ip.dst, ip.family, 'ip.dst');
  if (ip.family === 4) {
    const ihl = ip.ihl === 'auto' ? (hl / 4) & 0xf : ip.ihl & 0xf;
    full[0] = ((ip.version & 0xf) << 4) | ihl;
    full[1] = ip.tos;
    put16(full, 2, ip.totalLength === 'auto' ? lengthBase : ip.totalLength);
    put16(full, 4, ip.id);
    put16(full, 6, (ip.reservedFlag ? 0x8000 : 0) | (ip.df ? 0x4000 : 0) | (ip.mf ? 0x2000 : 0) | (ip.fragmentOffset & 0x1fff));
    full[8] = ip.ttl;
    full[9] = ip.protocol === 'auto' ? firstNext : ip.protocol;
    full.set(src, 12);
    full.set(dst, 16);
    let sum: number;
    if (ip.checksum !== 'auto') sum = ip.checksum;
    else {
      // The kernel sums IHL*4 bytes (ip_fast_csum), so an IHL that lies moves the span too. The
      // checksum field is still 0 here, as RFC 791 3.1 has it when the sum is computed.
      const span = ihl * 4;
      sum = onesComplementChecksum(full, 0, span);
    }
    put16(full, 10, sum);
  } else {
    full[0] = ((ip.version & 0xf) << 4) | ((ip.trafficClass >>> 4) & 0xf);
    full[1] = ((ip.trafficClass & 0xf) << 4) | ((ip.flowLabel >>> 16) & 0xf);
    put16(full, 2, ip.flowLabel);
    put16(full, 4, ip.payloadLength === 'auto' ? Math.max(0, lengthBase - 40) : ip.payloadLength);
    full[6] = ip.nextHeader === 'auto' ? firstNext : ip.nextHeader;
    full[7] = ip.hopLimit;
    full.set(src, 8);
    full.set(dst, 24);
  }

  // Most cases are neither cut nor trailed: their datagram is `full` itself.
  let packet = full;
  if (cutAt !== full.length || c.trailer.length > 0) {
    packet = new Uint8Array(cutAt + c.trailer.length);
    packet.set(full.subarray(0, cutAt), 0);
    packet.set(c.trailer, cutAt);
  }
  const callId = greLength >= 8 ? ((full[greOffset + 6]! << 8) | full[greOffset + 7]!) : 0;
  const keymap: KeymapEntry[] = [];
  const parsedKeymap: ParsedKeymapEntry[] = [];
  for (const e of c.keymap) {
    const entry = {
      src: resolveAddress(e.src, src, dst),
      dst: resolveAddress(e.dst, src, dst),
      dstkey: resolveKey(e.dstkey, callId),
      srckey: resolveKey(e.srckey, callId),
    };
    keymap.push(entry);
    parsedKeymap.push({ src: resolveAddressBytes(e.src, entry.src, src, dst), dst: resolveAddressBytes(e.dst, entry.dst, src, dst), dstkey: entry.dstkey, srckey: entry.srckey });
  }
  for (let i = 0; i < chainStarts.length; i++) chainStarts[i]! += hl;
  return {
    packet, keymap, parsedKeymap, ipHeaderLength: hl, extOffsets: chainStarts, greOffset,
    greHeaderLength: headerLength, payloadOffset: greOffset + headerLength,
    fullLength: full.length, datagramLength: cutAt, callId, src, dst,
  };
}

function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

function resolveAddress(ref: AddressRef, src: Uint8Array, dst: Uint8Array): string {
  if (ref === 'packet-src') return ipv4Of(src);
  if (ref === 'packet-dst') return ipv4Of(dst);
  return ref;
}

/** resolveAddress's address as bytes: a packet's own (its low 32 bits, as ipv4Of reads them), else `text` parsed. */
function resolveAddressBytes(ref: AddressRef, text: string, src: Uint8Array, dst: Uint8Array): Uint8Array {
  const b = ref === 'packet-src' ? src : ref === 'packet-dst' ? dst : undefined;
  if (b === undefined) return parseAddress(text) ?? fail(text);
  return b.length === 4 ? b : b.subarray(b.length - 4);
}

function fail(text: string): never {
  throw new TypeError(`keymap address ${JSON.stringify(text)} is not an address`);
}

function resolveKey(ref: KeyRef, callId: number): number {
  return ref === 'packet-callid' ? callId : ref;
}
