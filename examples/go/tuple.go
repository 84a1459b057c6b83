// Package main is a gre-conformance implementation (contract 1.0) in Go, standard library
// only: it reads NDJSON requests on stdin and answers the original-direction tuple Linux
// conntrack (6.18) builds for each IP datagram, or null when the kernel does not track it.
//
// The logic follows the kernel's behaviour in: net/ipv4/ip_input.c (ip_rcv_core),
// net/ipv6/ip6_input.c (ip6_rcv_core), net/ipv6/exthdrs.c (ipv6_parse_hopopts,
// ip6_parse_tlv), net/ipv6/netfilter/nf_conntrack_reasm.c (nf_ct_frag6_gather),
// include/net/ipv6_frag.h (ipv6frag_thdr_truncated), net/ipv6/exthdrs_core.c
// (ipv6_skip_exthdr), net/netfilter/nf_conntrack_core.c (ipv4_get_l4proto,
// ipv6_get_l4proto) and net/netfilter/nf_conntrack_proto_gre.c (gre_pkt_to_tuple,
// gre_keymap_lookup). RFCs: 791, 8200, 2675, 4291, 5952, 2784, 2890, 2637.
//
// Every read goes through be16/u8 below, which report a field that does not fit instead of
// reading it: a datagram is trimmed to the bytes conntrack sees by slicing it, so "past the
// end" is simply past len(b).
//
// Build and run:
//
//	make -C examples/go
//	npx gre-conformance ./examples/go/gre_tuple
package main

import "net/netip"

const (
	protoGRE    = 47
	greProtoPPP = 0x880b
)

// Tuple is the original-direction conntrack tuple. Src and Dst keep their family: an IPv4
// datagram gives 4-byte addresses, an IPv6 one 16-byte addresses (even ::ffff:a.b.c.d).
type Tuple struct {
	Src, Dst       netip.Addr
	Proto          uint8
	SrcKey, DstKey uint16
}

// KeymapEntry is one PPTP keymap entry, as the kernel's PPTP helper registers it.
type KeymapEntry struct {
	Src, Dst       netip.Addr
	DstKey, SrcKey uint16
}

// be16 reads the big-endian 16-bit field at off, or reports that it does not fit in b.
func be16(b []byte, off int) (uint16, bool) {
	if off < 0 || off+2 > len(b) {
		return 0, false
	}
	return uint16(b[off])<<8 | uint16(b[off+1]), true
}

// u8 reads the byte at off, or reports that it is past the end of b.
func u8(b []byte, off int) (byte, bool) {
	if off < 0 || off >= len(b) {
		return 0, false
	}
	return b[off], true
}

// TupleFor answers one case: the tuple, or ok == false when conntrack does not track the
// datagram (not seen by conntrack, or invalid).
func TupleFor(packet []byte, keymap []KeymapEntry) (t Tuple, ok bool) {
	first, ok := u8(packet, 0)
	if !ok {
		return Tuple{}, false
	}
	switch first >> 4 {
	case 4:
		return ipv4Tuple(packet, keymap)
	case 6:
		return ipv6Tuple(packet, keymap)
	}
	return Tuple{}, false // neither IPv4 nor IPv6: no IP layer takes it
}

// ipv4ChecksumOK: the one's complement sum of the header's 16-bit words folds to 0xffff.
func ipv4ChecksumOK(hdr []byte) bool {
	var sum uint32
	for i := 0; i+1 < len(hdr); i += 2 {
		sum += uint32(hdr[i])<<8 | uint32(hdr[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return sum == 0xffff
}

// ipv4Tuple: ip_rcv_core's checks, then nf_defrag_ipv4, then ipv4_get_l4proto.
func ipv4Tuple(b []byte, keymap []KeymapEntry) (Tuple, bool) {
	if len(b) < 20 {
		return Tuple{}, false
	}
	hlen := int(b[0]&0x0f) * 4
	if hlen < 20 || hlen > len(b) || !ipv4ChecksumOK(b[:hlen]) {
		return Tuple{}, false
	}
	totLen, _ := be16(b, 2)
	if int(totLen) < hlen || int(totLen) > len(b) {
		return Tuple{}, false
	}
	// Bytes past the total length (Ethernet padding) are trimmed before any hook.
	b = b[:totLen]
	// MF or a fragment offset: nf_defrag_ipv4 queues the fragment, and alone it never
	// completes. DF and the reserved bit do not make a fragment.
	if frag, _ := be16(b, 6); frag&0x3fff != 0 {
		return Tuple{}, false
	}
	src := netip.AddrFrom4(*(*[4]byte)(b[12:16]))
	dst := netip.AddrFrom4(*(*[4]byte)(b[16:20]))
	// Options are skipped by length, never parsed: malformed ones are rejected only after
	// PREROUTING, when the tuple is already built.
	if b[9] != protoGRE {
		return Tuple{Src: src, Dst: dst, Proto: b[9]}, true
	}
	return greTuple(b, hlen, src, dst, keymap)
}

// greTuple is gre_pkt_to_tuple: keys come from the first 8 GRE bytes at dataoff, which may
// lie past the end of b (an IPv6 walk does not check header lengths).
func greTuple(b []byte, dataoff int, src, dst netip.Addr, keymap []KeymapEntry) (Tuple, bool) {
	t := Tuple{Src: src, Dst: dst, Proto: protoGRE}
	flags, ok := be16(b, dataoff)
	if !ok || flags&7 != 1 {
		// Too short, or not version 1: tracked, both keys 0, whatever the K bit says.
		return t, true
	}
	if dataoff+8 > len(b) {
		// Version 1 without a whole PPTP header: keys 0, the protocol is not checked.
		return t, true
	}
	if proto, _ := be16(b, dataoff+2); proto != greProtoPPP {
		return Tuple{}, false // version 1 that is not PPP: invalid
	}
	t.DstKey, _ = be16(b, dataoff+6) // the call id
	for _, e := range keymap {
		// The first entry with the same addresses (and so family) and call id wins.
		if e.Src == src && e.Dst == dst && e.DstKey == t.DstKey {
			t.SrcKey = e.SrcKey
			break
		}
	}
	return t, true
}
