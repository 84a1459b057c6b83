// A gre-conformance implementation as a user would write one: plain JavaScript, no imports.
// It answers the original-direction tuple Linux 6.18 conntrack builds for one IP datagram at
// PREROUTING, or null when conntrack never tracks it (spec/CONTRACT.md sections 1-3).
//
// Follows, in the order the kernel runs them:
//   ip_rcv_core (net/ipv4/ip_input.c); ip6_rcv_core (net/ipv6/ip6_input.c) with
//   ipv6_parse_hopopts / ip6_parse_tlv (net/ipv6/exthdrs.c);
//   nf_defrag_ipv4 and nf_ct_frag6_gather (net/ipv6/netfilter/nf_conntrack_reasm.c);
//   ipv4_get_l4proto / ipv6_get_l4proto (net/netfilter/nf_conntrack_core.c) with
//   ipv6_skip_exthdr (net/ipv6/exthdrs_core.c);
//   gre_pkt_to_tuple and the keymap lookup (net/netfilter/nf_conntrack_proto_gre.c).
// RFCs: 791 (IPv4), 8200 (IPv6), 2675 (Jumbo), 4291 (addresses), 5952 (IPv6 text),
// 2784 / 2890 (GRE v0), 2637 (PPTP enhanced GRE, v1).
//
// Speed: one pass over the bytes, no allocation but the answer, no regular expressions; the
// one exception is an atomic IPv6 fragment the kernel reassembles into different bytes (below).

const GRE = 47;
const GRE_PROTO_PPP = 0x880b;
const MAX_HBH_OPTIONS = 8; // net.ipv6.max_hbh_opts_number default
const EMPTY = Object.freeze([]);

// Reads are bounds-checked against `end`, the number of bytes that exist for conntrack after
// the IP layer trimmed the datagram (never more than packet.length). Past it a read gives -1,
// as skb_header_pointer gives NULL: a truncated field must never silently read as 0.
function u8(b, off, end) {
  return off >= 0 && off < end ? b[off] : -1;
}

export function be16(b, off, end) {
  return off >= 0 && off + 2 <= end ? (b[off] << 8) | b[off + 1] : -1;
}

export function toTuple(packet, { keymap } = {}) {
  return tupleOf(packet, keymap ?? EMPTY, greTuple);
}

/**
 * The whole path with the GRE step given: `readGre(b, dataoff, end, srcOff, dstOff, alen,
 * keymap)` answers once the IP layer and the L3 walk found GRE at `dataoff`. toTuple passes
 * greTuple (the kernel's reading); buggy.mjs passes its own belief.
 */
export function tupleOf(packet, keymap, readGre) {
  const len = packet.length;
  const first = u8(packet, 0, len);
  if (first < 0) return null;
  if (first >> 4 === 4) return ipv4(packet, len, keymap, readGre);
  if (first >> 4 === 6) return ipv6(packet, len, keymap, readGre);
  return null; // neither IPv4 nor IPv6: no IP layer takes it
}

// ---- IPv4 ---------------------------------------------------------------------------------

function ipv4(b, len, keymap, readGre) {
  if (len < 20) return null;
  const hlen = (b[0] & 0x0f) * 4;
  if (hlen < 20 || hlen > len) return null;
  if (!ipv4ChecksumOk(b, hlen)) return null;
  const totLen = be16(b, 2, len);
  if (totLen < hlen || totLen > len) return null;
  // MF or a fragment offset: nf_defrag_ipv4 queues it, and alone it never comes out. DF and
  // the reserved bit do not make a fragment.
  if ((be16(b, 6, len) & 0x3fff) !== 0) return null;
  const protocol = b[9];
  // Options are skipped by length and never parsed here: malformed ones are only rejected
  // after PREROUTING, once the tuple is built (L3-5). Bytes past the total length are gone.
  if (protocol !== GRE) return tuple(b, 12, 16, 4, protocol, 0, 0);
  return readGre(b, hlen, totLen, 12, 16, 4, keymap);
}

function ipv4ChecksumOk(b, hlen) {
  // hlen <= b.length was checked by the caller, so every index below is in range.
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

// ---- IPv6 ---------------------------------------------------------------------------------

function ipv6(b, len, keymap, readGre) {
  if (len < 40) return null;
  // RFC 4291 rules ip6_rcv_core enforces on a datagram from another node.
  if (isLoopback(b, 8) || isLoopback(b, 24)) return null;
  if (b[24] === 0xff && (b[25] & 0x0f) <= 1) return null; // multicast dst, scope 0 or 1
  if (b[8] === 0xff) return null; // multicast source
  const plen = be16(b, 4, len);
  const nh = b[6];
  let end = len;
  // Payload length 0 is left alone only when a Hop-by-Hop header may carry a Jumbo option.
  if (plen !== 0 || nh !== 0) {
    if (plen + 40 > len) return null;
    end = plen + 40;
  }
  if (nh === 0) {
    end = hopByHopEnd(b, end, plen, len);
    if (end < 0) return null;
  }
  // What conntrack walks: the datagram itself, or what reassembling it alone produced.
  const d = defragment(b, end, plen);
  if (d === null) return null;
  if (d !== b) {
    b = d;
    end = d.length;
  }
  const w = walk(b, 40, b[6], end);
  if (w < 0) return null; // No Next Header, or a header that cannot be read
  const proto = w % 256;
  // The walk only stops on a Fragment header whose offset is not 0: no L4 header, invalid.
  if (proto === 44) return null;
  if (proto !== GRE) return tuple(b, 8, 24, 16, proto, 0, 0);
  return readGre(b, (w - proto) / 256, end, 8, 24, 16, keymap);
}

function isLoopback(b, off) {
  // off + 16 <= 40 <= b.length: in range.
  for (let i = 0; i < 15; i++) if (b[off + i] !== 0) return false;
  return b[off + 15] === 1;
}

/**
 * ip6_parse_tlv for a leading Hop-by-Hop header: the new end of the datagram (a Jumbo option
 * trims it), or -1 when ip6_rcv_core drops the datagram.
 */
function hopByHopEnd(b, end, plen, len) {
  const hdrLen = u8(b, 41, end);
  if (hdrLen < 0 || 48 > end) return -1;
  const extEnd = 40 + (hdrLen + 1) * 8;
  if (extEnd > end) return -1;
  let off = 42;
  let padlen = 0;
  let count = 0;
  let newEnd = end;
  while (off < extEnd) {
    const type = u8(b, off, extEnd);
    if (type === 0) { // Pad1
      if (++padlen > 7) return -1; // RFC 4942 2.1.9.5: padding never needs more than 7 bytes
      off++;
      continue;
    }
    const dataLen = u8(b, off + 1, extEnd);
    if (dataLen < 0) return -1;
    const optEnd = off + 2 + dataLen;
    if (optEnd > extEnd) return -1;
    if (type === 1) { // PadN: counts as padding and must be zeros
      padlen += dataLen + 2;
      if (padlen > 7) return -1;
      for (let i = off + 2; i < optEnd; i++) if (u8(b, i, extEnd) !== 0) return -1;
    } else {
      if (++count > MAX_HBH_OPTIONS) return -1;
      if (type === 0x05) { // Router Alert carries exactly 2 bytes
        if (dataLen !== 2) return -1;
      } else if (type === 0x31) { // IOAM must be 4n-aligned; otherwise ignored (ioam6_enabled 0)
        if ((off & 3) !== 0) return -1;
      } else if (type === 0xc2) { // Jumbo Payload (RFC 2675)
        if (dataLen !== 4 || (off & 3) !== 2) return -1;
        const jumbo = (u8(b, off + 2, extEnd) * 0x1000000) + (u8(b, off + 3, extEnd) << 16)
          + (u8(b, off + 4, extEnd) << 8) + u8(b, off + 5, extEnd);
        if (jumbo <= 0xffff || plen !== 0 || jumbo > len - 40) return -1;
        newEnd = jumbo + 40;
      } else if (type === 0x07) { // CALIPSO: needs the LSM label check, outside the suite's scope
        return -1;
      } else if (type >> 6 !== 0) { // unknown option; the two high bits say skip (0) or discard
        return -1;
      }
      padlen = 0;
    }
    off = optEnd;
  }
  return newEnd;
}

/**
 * nf_ct_frag6_gather for a datagram that arrives alone: null when it is queued or dropped
 * (never seen by conntrack), otherwise the bytes conntrack walks next. An atomic fragment
 * (offset 0, M=0) is reassembled at once: the Fragment header goes and the header before it
 * takes over its next-header value. The kernel keeps that header's offset in a u8, so the
 * write only lands in the right place when the header starts before byte 256; then the walk
 * below, which skips a first Fragment header anyway, gives the same answer on the datagram as
 * it is, and `b` itself comes back (no copy on the usual path). From byte 256 on the write
 * lands at offset mod 256 (an address byte, an earlier header's byte...) while the real
 * next-header byte still says 44, so the reassembled bytes are rebuilt as the kernel has them.
 */
function defragment(b, end, plen) {
  if (plen === 0) return b; // a Jumbo payload cannot be fragmented
  // find_prev_fhdr: only Hop-by-Hop, Routing, AH and Destination Options may come before.
  let nh = b[6];
  let off = 40;
  let nhoff = 6; // where the next-header byte that names the Fragment header sits
  while (nh !== 44) {
    if (nh !== 0 && nh !== 43 && nh !== 51 && nh !== 60) return b;
    const next = u8(b, off, end);
    const l = u8(b, off + 1, end);
    if (l < 0) return b;
    nhoff = off;
    off += nh === 51 ? (l + 2) * 4 : (l + 1) * 8;
    nh = next;
  }
  if (off > end) return b;
  const fhoff = off;
  // ipv6frag_thdr_truncated: a first fragment without one byte of its upper layer passes.
  const w = walk(b, fhoff, 44, end);
  if (w >= 0) {
    const upper = w % 256;
    if (upper !== 44) {
      const need = upper === 6 ? 20 : upper === 17 || upper === 58 ? 8 : 1;
      if ((w - upper) / 256 + need > end) return b;
    }
  }
  const fo = be16(b, fhoff + 2, end);
  if (fo < 0 || fhoff + 8 > end) return null; // cut-short Fragment header: dropped
  const offset = fo & 0xfff8;
  const more = (fo & 1) !== 0;
  const fragEnd = offset + plen - (fhoff + 8 - 40);
  if (fragEnd > 0xffff) return null;
  if (more && (fragEnd & 7) !== 0) return b; // -EPROTO: handed on unchanged
  if (fragEnd === offset) return null; // no data
  if (more || offset !== 0) return null; // all but the atomic fragment wait for the rest
  return nhoff < 256 ? b : removeFragmentHeader(b, end, fhoff, nhoff);
}

/** The atomic fragment as reassembly leaves it when the u8 offset wrapped (nhoff >= 256). */
function removeFragmentHeader(b, end, fhoff, nhoff) {
  const out = new Uint8Array(end - 8);
  out.set(b.subarray(0, fhoff), 0);
  out.set(b.subarray(fhoff + 8, end), fhoff);
  out[nhoff & 0xff] = b[fhoff];
  // The payload length is written after, so a wrap onto byte 4 does not survive.
  const plen = end - 8 - 40;
  out[4] = plen >> 8;
  out[5] = plen & 0xff;
  return out;
}

/**
 * ipv6_skip_exthdr from `off` with next header `nh`: returns offset * 256 + protocol, or -1
 * when the datagram is invalid. Header lengths are not checked against the datagram, so the
 * offset may lie past `end`. It stops on a non-first Fragment header with protocol 44.
 */
function walk(b, off, nh, end) {
  while (nh === 0 || nh === 43 || nh === 44 || nh === 51 || nh === 59 || nh === 60) {
    if (nh === 59) return -1;
    const next = u8(b, off, end);
    const l = u8(b, off + 1, end);
    if (l < 0) return -1;
    if (nh === 44) {
      const fo = be16(b, off + 2, end);
      if (fo < 0) return -1;
      if ((fo & 0xfff8) !== 0) return off * 256 + 44;
      off += 8;
    } else if (nh === 51) {
      off += (l + 2) * 4;
    } else {
      off += (l + 1) * 8;
    }
    nh = next;
  }
  return off * 256 + nh;
}

// ---- GRE ----------------------------------------------------------------------------------

/** gre_pkt_to_tuple: GRE starts at `dataoff`; `end` bounds what exists. */
export function greTuple(b, dataoff, end, srcOff, dstOff, alen, keymap) {
  const flags = be16(b, dataoff, end);
  const proto = be16(b, dataoff + 2, end);
  // Fewer than 4 bytes, or any version but 1: keys 0/0. The K bit and key of v0 are not read.
  if (proto < 0 || (flags & 7) !== 1) return tuple(b, srcOff, dstOff, alen, GRE, 0, 0);
  const callId = be16(b, dataoff + 6, end);
  if (callId < 0) return tuple(b, srcOff, dstOff, alen, GRE, 0, 0); // short v1: protocol unchecked
  if (proto !== GRE_PROTO_PPP) return null; // v1 that is not PPTP: invalid
  const srckey = keymapLookup(keymap, b, srcOff, dstOff, alen, callId);
  return tuple(b, srcOff, dstOff, alen, GRE, srckey, callId);
}

/** First entry with the datagram's family, addresses and dstkey; its srckey is not compared. */
function keymapLookup(keymap, b, srcOff, dstOff, alen, dstkey) {
  for (let i = 0; i < keymap.length; i++) {
    const e = keymap[i];
    if (e.dstkey !== dstkey) continue;
    if (addressIs(e.src, b, srcOff, alen) && addressIs(e.dst, b, dstOff, alen)) return e.srckey;
  }
  return 0;
}

// ---- Address text -------------------------------------------------------------------------

const DEC = [];
const HEX = [];
const HEX2 = [];
for (let i = 0; i < 256; i++) {
  DEC.push(String(i));
  HEX.push(i.toString(16));
  HEX2.push(i < 16 ? '0' + i.toString(16) : i.toString(16));
}

export function tuple(b, srcOff, dstOff, alen, proto, srckey, dstkey) {
  const src = alen === 4 ? formatIPv4(b, srcOff) : formatIPv6(b, srcOff);
  const dst = alen === 4 ? formatIPv4(b, dstOff) : formatIPv6(b, dstOff);
  return { src, dst, proto, srckey, dstkey };
}

// The address offsets lie inside the fixed header, whose length the callers checked.
export function formatIPv4(b, off) {
  return DEC[b[off]] + '.' + DEC[b[off + 1]] + '.' + DEC[b[off + 2]] + '.' + DEC[b[off + 3]];
}

function word(b, off) {
  const hi = b[off];
  return hi === 0 ? HEX[b[off + 1]] : HEX[hi] + HEX2[b[off + 1]];
}

/** RFC 5952: lowercase, no leading zeros, the longest run (first on a tie) of 2+ zero words as "::". */
export function formatIPv6(b, off) {
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if ((b[off + 2 * i] | b[off + 2 * i + 1]) !== 0) { runStart = -1; continue; }
    if (runStart < 0) runStart = i;
    if (i - runStart + 1 > bestLen) { bestStart = runStart; bestLen = i - runStart + 1; }
  }
  // RFC 5952 section 5: an IPv4-mapped address keeps its dotted quad.
  if (bestStart === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return '::ffff:' + formatIPv4(b, off + 12);
  }
  let s = '';
  for (let i = 0; i < 8; ) {
    if (i === bestStart) {
      s += '::';
      i += bestLen;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) s += ':';
    s += word(b, off + 2 * i);
    i++;
  }
  return s;
}

/** True when the address text names the `alen` bytes at `off` (any valid spelling). */
export function addressIs(text, b, off, alen) {
  if (typeof text !== 'string') return false;
  if (alen === 4) {
    const v = parseIPv4(text, 0, text.length);
    return v >= 0 && v === ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  }
  if (!parseIPv6(text)) return false;
  for (let i = 0; i < 8; i++) if (WORDS[i] !== ((b[off + 2 * i] << 8) | b[off + 2 * i + 1])) return false;
  return true;
}

/** Dotted quad in text[from, to) as an unsigned 32-bit number, or -1. */
function parseIPv4(text, from, to) {
  let value = 0;
  let parts = 0;
  let i = from;
  while (parts < 4) {
    let octet = 0;
    let digits = 0;
    const start = i;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && text.charCodeAt(start) === 48) return -1; // "01" could be read as octal
    value = value * 256 + octet;
    parts++;
    if (parts < 4) {
      if (i >= to || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === to ? value : -1;
}

function hexDigit(c) {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

// Scratch space for parsing keymap addresses, so a lookup allocates nothing.
const GROUPS = new Int32Array(8);
const WORDS = new Int32Array(8);

/** Parses IPv6 text (RFC 4291 2.2, with "::" and a dotted-quad tail) into WORDS. */
function parseIPv6(text) {
  const n = text.length;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (n >= 2 && text.charCodeAt(0) === 58 && text.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
  }
  while (i < n) {
    const start = i;
    let v = 0;
    let digits = 0;
    while (i < n) {
      const h = hexDigit(text.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      digits++;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 46) { // the last 32 bits as a dotted quad
      if (count > 6) return false;
      const v4 = parseIPv4(text, start, n);
      if (v4 < 0) return false;
      GROUPS[count++] = Math.floor(v4 / 65536);
      GROUPS[count++] = v4 % 65536;
      i = n;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    GROUPS[count++] = v;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === n) {
      return false; // a single trailing colon
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
    for (let k = 0; k < 8; k++) WORDS[k] = GROUPS[k];
    return true;
  }
  if (count > 7) return false;
  const tail = count - gap;
  for (let k = 0; k < 8; k++) {
    if (k < gap) WORDS[k] = GROUPS[k];
    else if (k >= 8 - tail) WORDS[k] = GROUPS[gap + k - (8 - tail)];
    else WORDS[k] = 0;
  }
  return true;
}
