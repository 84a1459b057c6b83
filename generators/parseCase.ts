// The unmapper: bytes from outside (captures, saved failures, hex from a user) -> a GreCase, so
// they can be described, neutralized and shrunk like generated cases. encodeCase(parseCase(p))
// gives p back byte for byte. The IPv4 or IPv6 header, the extension chain (RFC 8200 4) and the
// GRE header (as its flags announce fields) are read into fields; what cannot be read that way
// becomes raw bytes, or a cut (a header that claims more bytes than there are). Bytes past the
// IP length become the trailer. Fields that hold what 'auto' computes are made 'auto'.
import type { KeymapEntry } from '../spec/contract.ts';
import { formatIPv4, formatIPv6 } from '../spec/address.ts';
import type { AddressRef, GreCase, GreHeader, Ipv4Header, Ipv6ExtHeader, Ipv6Header, KeymapSpec } from './model.ts';
import { withAutoFields } from './_internals/autoFields.ts';
import { ipv4Of } from './_internals/addresses.ts';
import { layoutCase } from './_internals/layout.ts';
import { parseGreRegion, parseIpv4Options, parseIpv6Options } from './_internals/parseParts.ts';
import { be16At, be32At } from './_internals/wire.ts';

type Body = Omit<GreCase, 'keymap'>;

const EMPTY = new Uint8Array(0);
const ZERO_GRE: GreHeader = {
  flags: { c: false, r: false, k: false, s: false, strict: false, recursion: 0, a: false, reserved: 0, version: 0 },
  protocol: 0,
};

function padTo(p: Uint8Array, n: number): Uint8Array {
  if (p.length >= n) return p;
  const out = new Uint8Array(n);
  out.set(p);
  return out;
}

/** The datagram ends `end` bytes in, inside the headers: zeros stand for the rest, and the cut removes them. */
function headerCut(ip: Ipv4Header | Ipv6Header, ext: Ipv6ExtHeader[], end: number, trailer: Uint8Array): Body {
  const whole: Body = { ip, ext, gre: ZERO_GRE, payload: { kind: 'raw', bytes: EMPTY }, truncate: null, trailer };
  const greOffset = layoutCase({ ...whole, keymap: [] }).greOffset;
  return { ...whole, truncate: { from: 'gre', keep: end - greOffset, lengths: 'after' } };
}

function withGre(ip: Ipv4Header | Ipv6Header, ext: Ipv6ExtHeader[], g: Uint8Array, trailer: Uint8Array): Body {
  const r = parseGreRegion(g);
  return {
    ip, ext, gre: r.gre, payload: r.payload, trailer,
    truncate: r.cutAt === undefined ? null : { from: 'gre', keep: r.cutAt, lengths: 'after' },
  };
}

function parseIpv4(p: Uint8Array): Body {
  const len = p.length;
  const h = padTo(p, 20);
  const hlen = (h[0]! & 0xf) * 4;
  const tot = be16At(h, 2);
  // ip_rcv_core trims to the total length when it is consistent: the rest is the trailer.
  const trimmed = len >= 20 && hlen >= 20 && hlen <= tot && tot < len;
  const end = trimmed ? tot : len;
  const trailer = trimmed ? p.slice(tot) : EMPTY;
  const hEnd = Math.max(20, hlen);
  const options = parseIpv4Options(p.slice(20, Math.max(20, Math.min(hEnd, end))));
  const frag = be16At(h, 6);
  const ip: Ipv4Header = {
    family: 4, version: h[0]! >> 4, ihl: h[0]! & 0xf, tos: h[1]!, totalLength: tot, id: be16At(h, 4),
    reservedFlag: (frag & 0x8000) !== 0, df: (frag & 0x4000) !== 0, mf: (frag & 0x2000) !== 0, fragmentOffset: frag & 0x1fff,
    ttl: h[8]!, protocol: h[9]!, checksum: be16At(h, 10), src: formatIPv4(h, 12), dst: formatIPv4(h, 16), options,
  };
  if (len < 20 || hEnd > end) return headerCut(ip, [], end, trailer);
  return withGre(ip, [], p.slice(hEnd, end), trailer);
}

/** ipv6_ext_hdr minus No Next Header: the headers the chain reader steps over. */
const EXT_KINDS: Readonly<Record<number, Ipv6ExtHeader['kind']>> = { 0: 'hop-by-hop', 43: 'routing', 44: 'fragment', 51: 'ah', 60: 'destination' };

/** Bytes `off..off+n` as a Destination Options header of raw bytes: the fallback for any header. */
function opaque(p: Uint8Array, off: number, end: number): Ipv6ExtHeader {
  const body = p.slice(Math.min(off + 2, end), end);
  return { kind: 'destination', nextHeader: p[off] ?? 0, length: p[off + 1] ?? 0, options: body.length ? [{ kind: 'raw', bytes: body }] : [] };
}

function readExt(p: Uint8Array, off: number, kind: Ipv6ExtHeader['kind'], hdrlen: number): Ipv6ExtHeader {
  const nextHeader = p[off]!;
  switch (kind) {
    case 'hop-by-hop':
    case 'destination':
      return { kind, nextHeader, length: p[off + 1]!, options: parseIpv6Options(p.slice(off + 2, off + hdrlen)) };
    case 'routing':
      return { kind, nextHeader, length: p[off + 1]!, routingType: p[off + 2]!, segmentsLeft: p[off + 3]!, data: p.slice(off + 4, off + hdrlen) };
    case 'fragment': {
      const fo = be16At(p, off + 2);
      return { kind, nextHeader, reserved: p[off + 1]!, offset: fo >> 3, res: (fo >> 1) & 3, more: (fo & 1) !== 0, id: be32At(p, off + 4) };
    }
    case 'ah':
      // An AH shorter than its 12 fixed bytes cannot be written as one.
      if (hdrlen < 12) return opaque(p, off, off + hdrlen);
      return { kind, nextHeader, length: p[off + 1]!, reserved: be16At(p, off + 2), spi: be32At(p, off + 4), seq: be32At(p, off + 8), icv: p.slice(off + 12, off + hdrlen) };
  }
}

function parseIpv6(p: Uint8Array): Body {
  const len = p.length;
  const h = padTo(p, 40);
  const plen = be16At(h, 4);
  // ip6_rcv_core trims to 40 + payload length; a zero payload length is left to its Hop-by-Hop reading.
  const trimmed = len >= 40 && plen > 0 && 40 + plen < len;
  const end = trimmed ? 40 + plen : len;
  const trailer = trimmed ? p.slice(end) : EMPTY;
  const ip: Ipv6Header = {
    family: 6, version: h[0]! >> 4, trafficClass: ((h[0]! & 0xf) << 4) | (h[1]! >> 4), flowLabel: ((h[1]! & 0xf) << 16) | be16At(h, 2),
    payloadLength: plen, nextHeader: h[6]!, hopLimit: h[7]!, src: formatIPv6(h, 8), dst: formatIPv6(h, 24),
  };
  if (len < 40) return headerCut(ip, [], len, trailer);
  const ext: Ipv6ExtHeader[] = [];
  let off = 40;
  let nh = h[6]!;
  for (let kind = EXT_KINDS[nh]; kind !== undefined && off < end; kind = EXT_KINDS[nh]) {
    const hdrlen = kind === 'fragment' ? 8 : kind === 'ah' ? ((p[off + 1] ?? 0) + 2) * 4 : ((p[off + 1] ?? 0) + 1) * 8;
    if (off + hdrlen > end) {
      // The header runs past the end: keep what is there, padded, and cut.
      return headerCut(ip, [...ext, opaque(p, off, end)], end, trailer);
    }
    ext.push(readExt(p, off, kind, hdrlen));
    nh = p[off]!;
    off += hdrlen;
  }
  return withGre(ip, ext, p.slice(off, end), trailer);
}

function refAddress(text: string, src: string, dst: string): AddressRef {
  return text === src ? 'packet-src' : text === dst ? 'packet-dst' : text;
}

/** Keymap entries as references to the packet where they name its addresses or call id. */
function parseKeymap(c: Omit<GreCase, 'keymap'>, keymap: readonly KeymapEntry[]): KeymapSpec[] {
  if (keymap.length === 0) return [];
  const l = layoutCase({ ...c, keymap: [] });
  const src = ipv4Of(l.src);
  const dst = ipv4Of(l.dst);
  return keymap.map((e) => {
    const s = refAddress(e.src, src, dst);
    const d = refAddress(e.dst, src, dst);
    const reply = s === 'packet-dst' && d === 'packet-src';
    return {
      src: s, dst: d,
      dstkey: e.dstkey === l.callId ? 'packet-callid' : e.dstkey,
      srckey: reply && e.srckey === l.callId ? 'packet-callid' : e.srckey,
    };
  });
}

/** A case whose encoding is `packet` (byte for byte) and whose keymap resolves to `keymap`. */
export function parseCase(packet: Uint8Array, keymap: readonly KeymapEntry[] = []): GreCase {
  const body = packet.length > 0 && packet[0]! >> 4 === 6 ? parseIpv6(packet) : parseIpv4(packet);
  const c = withAutoFields({ ...body, keymap: [] });
  return { ...c, keymap: parseKeymap(c, keymap) };
}
