// A realistic WRONG gre-conformance implementation, kept as an example of what the suite
// catches. It is correct.mjs with one belief in place of the kernel's reading of GRE.
//
// The belief (rule GRE-2 says otherwise): "GRE has no ports, so conntrack must tell tunnels
// between the same two hosts apart by the Key field that RFC 1701 already defined and RFC 2890
// brought back for version 0. When the K bit is set, the tuple carries that key." So this file
// reads the 32-bit key of a keyed v0 header (after the checksum word when C is set, RFC 2890
// section 2) and splits it over the tuple's two 16-bit keys: srckey = high half, dstkey = low
// half, the same place PPTP keeps its call id.
//
// Why it is wrong: gre_pkt_to_tuple (net/netfilter/nf_conntrack_proto_gre.c) looks at the
// version bits (flags & 7) first and, for any version but 1, sets both keys to 0 and returns
// without reading further: the K bit and the key are never read (reference sheet G02, K5, seen
// live on Linux 6.18). Only PPTP (version 1, protocol 0x880B) gets keys. That is why two v0
// tunnels between the same hosts share one entry and clash behind NAT, the very problem that
// makes people look for the key in the first place. The suite reports it as GRE-2.
import { be16, greTuple, tuple, tupleOf } from './correct.mjs';

const GRE = 47;

export function toTuple(packet, { keymap } = {}) {
  return tupleOf(packet, keymap ?? [], keyedGre);
}

function keyedGre(b, dataoff, end, srcOff, dstOff, alen, keymap) {
  const flags = be16(b, dataoff, end);
  const proto = be16(b, dataoff + 2, end);
  // THE BUG (see the header): a keyed version 0 header is taken to carry the tunnel's key.
  if (proto >= 0 && (flags & 7) === 0 && (flags & 0x2000) !== 0) {
    const keyOff = dataoff + ((flags & 0x8000) !== 0 ? 8 : 4);
    const hi = be16(b, keyOff, end);
    const lo = be16(b, keyOff + 2, end);
    if (hi >= 0 && lo >= 0) return tuple(b, srcOff, dstOff, alen, GRE, hi, lo);
  }
  return greTuple(b, dataoff, end, srcOff, dstOff, alen, keymap);
}
