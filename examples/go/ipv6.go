package main

import "net/netip"

// IPv6 next-header values that ipv6_skip_exthdr steps over (ipv6_ext_hdr).
const (
	nhHopByHop = 0
	nhRouting  = 43
	nhFragment = 44
	nhAuth     = 51
	nhNone     = 59
	nhDstOpts  = 60

	maxHBHOptions = 8 // net.ipv6.max_hbh_opts_number default
	ipv6MaxPLen   = 65535
)

func isExtHeader(nh byte) bool {
	switch nh {
	case nhHopByHop, nhRouting, nhFragment, nhAuth, nhNone, nhDstOpts:
		return true
	}
	return false
}

// extHeaderLen is the length an extension header gives itself: AH counts 4-byte words
// minus 2, the others 8-byte words minus 1.
func extHeaderLen(nh byte, lenByte byte) int {
	if nh == nhAuth {
		return (int(lenByte) + 2) * 4
	}
	return (int(lenByte) + 1) * 8
}

// isLoopback: the address is ::1.
func isLoopback(a []byte) bool {
	for _, v := range a[:15] {
		if v != 0 {
			return false
		}
	}
	return a[15] == 1
}

// ipv6Tuple: ip6_rcv_core's checks and Hop-by-Hop parsing, nf_ct_frag6_gather, then
// ipv6_get_l4proto's walk.
func ipv6Tuple(b []byte, keymap []KeymapEntry) (Tuple, bool) {
	if len(b) < 40 {
		return Tuple{}, false
	}
	// RFC 4291 rules for a datagram from another node. The bytes are tested, not netip's
	// IsLoopback/IsMulticast: those also accept ::ffff:127.0.0.1 and ::ffff:224.0.0.1,
	// which the kernel lets through.
	if isLoopback(b[8:24]) || isLoopback(b[24:40]) || b[8] == 0xff {
		return Tuple{}, false
	}
	if b[24] == 0xff && b[25]&0x0f <= 1 { // multicast destination, scope 0 or 1
		return Tuple{}, false
	}
	plen, _ := be16(b, 4)
	// Payload length 0 with a Hop-by-Hop header may be a jumbogram: no trimming yet.
	if plen != 0 || b[6] != nhHopByHop {
		if 40+int(plen) > len(b) {
			return Tuple{}, false
		}
		b = b[:40+int(plen)]
	}
	if b[6] == nhHopByHop {
		end, ok := hopByHopEnd(b)
		if !ok {
			return Tuple{}, false
		}
		b = b[:end]
	}
	b, ok := defrag(b)
	if !ok {
		return Tuple{}, false
	}
	// The addresses of the datagram as defragmentation left it: reassembly can rewrite one
	// of their bytes (see defrag).
	src := netip.AddrFrom16(*(*[16]byte)(b[8:24]))
	dst := netip.AddrFrom16(*(*[16]byte)(b[24:40]))
	dataoff, proto, fragOff := skipExtHeaders(b, 40, b[6])
	if dataoff < 0 || fragOff&0xfff8 != 0 {
		// No Next Header, an unreadable header, or a later fragment: invalid.
		return Tuple{}, false
	}
	if proto != protoGRE {
		// Another protocol ends the chain: the generic tracker's tuple, keys 0.
		return Tuple{Src: src, Dst: dst, Proto: proto}, true
	}
	return greTuple(b, dataoff, src, dst, keymap)
}

// hopByHopEnd is ip6_parse_tlv on the leading Hop-by-Hop header: the datagram's new length
// (a Jumbo Payload option sets it), or ok == false when ip6_rcv_core drops the datagram.
func hopByHopEnd(b []byte) (end int, ok bool) {
	if len(b) < 48 {
		return 0, false
	}
	extEnd := 40 + extHeaderLen(nhHopByHop, b[41])
	if extEnd > len(b) {
		return 0, false
	}
	end = len(b)
	padlen, count := 0, 0
	for off := 42; off < extEnd; {
		typ := b[off]
		if typ == 0 { // Pad1
			padlen++
			if padlen > 7 { // padding never needs more than 7 bytes
				return 0, false
			}
			off++
			continue
		}
		dataLen, ok := u8(b[:extEnd], off+1)
		if !ok {
			return 0, false
		}
		optEnd := off + 2 + int(dataLen)
		if optEnd > extEnd {
			return 0, false
		}
		if typ == 1 { // PadN: padding too, all zero
			padlen += int(dataLen) + 2
			if padlen > 7 {
				return 0, false
			}
			for _, v := range b[off+2 : optEnd] {
				if v != 0 {
					return 0, false
				}
			}
		} else {
			count++
			if count > maxHBHOptions {
				return 0, false
			}
			switch {
			case typ == 0x05: // Router Alert: exactly 2 bytes of value
				if dataLen != 2 {
					return 0, false
				}
			case typ == 0x31: // IOAM: must be 4n-aligned; ignored while IOAM is off
				if off&3 != 0 {
					return 0, false
				}
			case typ == 0xc2: // Jumbo Payload (RFC 2675)
				if dataLen != 4 || off&3 != 2 {
					return 0, false
				}
				jumbo := int(b[off+2])<<24 | int(b[off+3])<<16 | int(b[off+4])<<8 | int(b[off+5])
				if plen, _ := be16(b, 4); jumbo <= ipv6MaxPLen || plen != 0 || jumbo > end-40 {
					return 0, false
				}
				end = jumbo + 40
			case typ == 0x07: // CALIPSO: outside the suite's scope (no DOI configured)
				return 0, false
			case typ&0xc0 != 0: // unknown option whose two high bits do not say "skip"
				return 0, false
			}
			padlen = 0
		}
		off = optEnd
	}
	return end, true
}

// skipExtHeaders is ipv6_skip_exthdr: the offset of the upper-layer header (-1 when the walk
// fails), its protocol, and the offset field of the last Fragment header passed. Header
// lengths are not checked against the datagram, so the offset may lie past its end.
func skipExtHeaders(b []byte, start int, nh byte) (off int, proto byte, fragOff uint16) {
	for isExtHeader(nh) {
		if nh == nhNone || start+2 > len(b) {
			return -1, nh, fragOff
		}
		hdrLen := extHeaderLen(nh, b[start+1])
		if nh == nhFragment {
			fo, ok := be16(b, start+2)
			if !ok {
				return -1, nh, fragOff
			}
			fragOff = fo
			if fo&0xfff8 != 0 {
				break // a later fragment: the walk stops at its Fragment header
			}
			hdrLen = 8
		}
		nh = b[start]
		start += hdrLen
	}
	return start, nh, fragOff
}

// findFragmentHeader is find_prev_fhdr: the offsets of the first Fragment header and of the
// byte that names it, when only Hop-by-Hop, Routing, AH and Destination Options come first.
func findFragmentHeader(b []byte) (prevNhOff, fragHdrOff int, found bool) {
	nh, prev, start := b[6], 6, 40
	for nh != nhFragment {
		if !isExtHeader(nh) || nh == nhNone || start+2 > len(b) {
			return 0, 0, false
		}
		prev = start
		start, nh = start+extHeaderLen(nh, b[start+1]), b[start]
	}
	if start > len(b) {
		return 0, 0, false
	}
	return prev, start, true
}

// upperHeaderMin is the start of the upper-layer header a first fragment must hold
// (ipv6frag_thdr_truncated): TCP 20 bytes, UDP and ICMPv6 8, anything else 1.
func upperHeaderMin(proto byte) int {
	switch proto {
	case 6:
		return 20
	case 17, 58:
		return 8
	}
	return 1
}

// defrag is nf_ct_frag6_gather for one datagram that arrives alone. It returns the datagram
// that goes on (unchanged, or an atomic fragment reassembled), or ok == false when it is
// queued or dropped.
func defrag(b []byte) ([]byte, bool) {
	plen, _ := be16(b, 4)
	if plen == 0 {
		return b, true // a jumbogram cannot be fragmented
	}
	nhOff, fhOff, found := findFragmentHeader(b)
	if !found {
		return b, true
	}
	// A first fragment without the start of its upper-layer header is let through.
	if off, nh, fo := skipExtHeaders(b, fhOff, nhFragment); off >= 0 && fo&0xfff8 == 0 {
		if off+upperHeaderMin(nh) > len(b) {
			return b, true
		}
	}
	fo, ok := be16(b, fhOff+2)
	if !ok || fhOff+8 > len(b) {
		return nil, false // a cut-short Fragment header
	}
	offset := int(fo & 0xfff8)
	more := fo&1 != 0
	dataEnd := offset + int(plen) - (fhOff + 8 - 40)
	switch {
	case dataEnd > ipv6MaxPLen:
		return nil, false
	case more && dataEnd&7 != 0:
		return b, true // the queue is killed and the datagram goes on unchanged
	case more, dataEnd == offset, offset != 0:
		return nil, false // waits for the rest, or carries nothing
	}
	// An atomic fragment is complete on its own: reassembly removes the Fragment header and
	// the header that named it takes over its next-header value. The kernel keeps that
	// header's offset in a u8, so from byte 256 on the value lands at the offset mod 256 (an
	// address byte, a byte of an earlier header) and the real next-header byte keeps saying
	// Fragment (44): uint8 truncates the same way.
	nb := make([]byte, 0, len(b)-8)
	nb = append(nb, b[:fhOff]...)
	nb = append(nb, b[fhOff+8:]...)
	nb[uint8(nhOff)] = b[fhOff]
	// Written last, so a wrapped write onto byte 4 does not survive.
	newPlen := len(nb) - 40
	nb[4], nb[5] = byte(newPlen>>8), byte(newPlen)
	return nb, true
}
