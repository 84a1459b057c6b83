#!/usr/bin/env python3
"""gre-conformance contract 1.0, NDJSON over stdio, Python 3 standard library only.

Computes the original-direction tuple Linux conntrack (6.18) builds for one IP datagram
carrying GRE, or None when the kernel does not track it. Followed from the kernel's
behaviour in: net/ipv4/ip_input.c (ip_rcv_core), net/ipv6/ip6_input.c (ip6_rcv_core),
net/ipv6/exthdrs.c (ipv6_parse_hopopts, ip6_parse_tlv), net/ipv6/netfilter/
nf_conntrack_reasm.c (nf_ct_frag6_gather), include/net/ipv6_frag.h (ipv6frag_thdr_truncated),
net/ipv6/exthdrs_core.c (ipv6_skip_exthdr), net/netfilter/nf_conntrack_core.c
(ipv4_get_l4proto, ipv6_get_l4proto, nf_ct_get_tuple) and net/netfilter/
nf_conntrack_proto_gre.c (gre_pkt_to_tuple, gre_keymap_lookup).

Run:  npx gre-conformance --cmd "python3 examples/python/gre_tuple.py"
"""

import json
import os
import socket
import sys

GRE = 47
# Extension headers ipv6_skip_exthdr steps over (ipv6_ext_hdr): Hop-by-Hop, Routing,
# Fragment, AH, No Next Header (which ends the walk as an error) and Destination Options.
EXT_HEADERS = frozenset((0, 43, 44, 51, 59, 60))
NO_NEXT_HEADER = 59
FRAGMENT = 44
AUTH = 51
HOP_BY_HOP = 0
# Default net.ipv6.max_hbh_opts_number: at most this many non-padding options.
MAX_HBH_OPTS = 8
IPV6_MAXPLEN = 65535
UPPER_HEADER_MIN = {6: 20, 17: 8, 58: 8}


def be16(b, off, end):
    """Big-endian 16-bit field at off, or None when it does not fit before end."""
    if off < 0 or off + 2 > end:
        return None
    return (b[off] << 8) | b[off + 1]


# ---------------------------------------------------------------- IPv4


def ipv4_checksum_ok(b, hlen):
    # One's complement sum of the header words must fold to 0xffff (ip_fast_csum == 0).
    s = 0
    for i in range(0, hlen, 2):
        s += (b[i] << 8) | b[i + 1]
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF


def ipv4_tuple(b, keymap):
    n = len(b)
    if n < 20:
        return None
    ihl = b[0] & 0x0F
    if b[0] >> 4 != 4 or ihl < 5:
        return None
    hlen = ihl * 4
    if n < hlen or not ipv4_checksum_ok(b, hlen):
        return None
    tot_len = (b[2] << 8) | b[3]
    if tot_len > n or tot_len < hlen:
        return None
    # Bytes past tot_len are trimmed away before any hook sees the datagram.
    end = tot_len
    frag = (b[6] << 8) | b[7]
    if frag & 0x3FFF:
        # MF or an offset: nf_defrag_ipv4 queues it, and alone it never completes.
        return None
    src = bytes(b[12:16])
    dst = bytes(b[16:20])
    proto = b[9]
    # Options are skipped by length only; malformed ones are rejected after PREROUTING,
    # once the tuple is already built.
    if proto != GRE:
        return (socket.AF_INET, src, dst, proto, 0, 0)
    return gre_tuple(b, hlen, end, socket.AF_INET, src, dst, keymap)


# ---------------------------------------------------------------- IPv6


def is_multicast(a):
    return a[0] == 0xFF


def is_loopback(a):
    return a == b"\x00" * 15 + b"\x01"


def parse_hbh_options(b, end):
    """ip6_parse_tlv for the leading Hop-by-Hop header (after ipv6_parse_hopopts).

    Returns the new end (a valid Jumbo option trims the datagram) or None to drop."""
    if end < 48:
        return None
    extlen = (b[41] + 1) * 8
    if 40 + extlen > end:
        return None
    off = 42
    left = extlen - 2
    padlen = 0
    count = 0
    new_end = end
    while left > 0:
        t = b[off]
        if t == 0:  # Pad1
            padlen += 1
            if padlen > 7:
                return None
            off += 1
            left -= 1
            continue
        if left < 2:
            return None
        optlen = b[off + 1] + 2
        if optlen > left:
            return None
        if t == 1:  # PadN: padding only aligns, so at most 7 bytes, all zero
            padlen += optlen
            if padlen > 7:
                return None
            for i in range(off + 2, off + optlen):
                if b[i] != 0:
                    return None
        else:
            count += 1
            if count > MAX_HBH_OPTS:
                return None
            if t == 0x05:  # Router Alert: exactly 2 bytes of value
                if b[off + 1] != 2:
                    return None
            elif t == 0x31:  # IOAM: must be 4n-aligned; ignored while IOAM is disabled
                if off & 3:
                    return None
            elif t == 0xC2:  # Jumbo Payload
                if b[off + 1] != 4 or (off & 3) != 2:
                    return None
                jlen = (b[off + 2] << 24) | (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]
                if jlen <= IPV6_MAXPLEN or ((b[4] << 8) | b[5]) != 0:
                    return None
                if jlen > new_end - 40:
                    return None
                new_end = jlen + 40
            elif t == 0x07:  # CALIPSO: outside the suite's scope; no DOI is configured
                return None
            else:
                # Unknown option: the two high bits say what to do; only 00 skips it.
                if t & 0xC0:
                    return None
            padlen = 0
        off += optlen
        left -= optlen
    return new_end


def skip_exthdr(b, start, nexthdr, end):
    """ipv6_skip_exthdr: returns (offset or -1, nexthdr, frag_off of the last Fragment header)."""
    frag_off = 0
    while nexthdr in EXT_HEADERS:
        if nexthdr == NO_NEXT_HEADER:
            return -1, nexthdr, frag_off
        if start + 2 > end:
            return -1, nexthdr, frag_off
        if nexthdr == FRAGMENT:
            fo = be16(b, start + 2, end)
            if fo is None:
                return -1, nexthdr, frag_off
            frag_off = fo
            if fo & 0xFFF8:
                # A later fragment: the walk stops at its Fragment header.
                break
            hdrlen = 8
        elif nexthdr == AUTH:
            hdrlen = (b[start + 1] + 2) * 4
        else:
            hdrlen = (b[start + 1] + 1) * 8
        nexthdr = b[start]
        start += hdrlen
    return start, nexthdr, frag_off


def find_fragment_header(b, end):
    """find_prev_fhdr: offsets of the first Fragment header and of the byte that names it."""
    nexthdr = b[6]
    prev_nhoff = 6
    start = 40
    left = end - 40
    while nexthdr != FRAGMENT:
        if nexthdr not in EXT_HEADERS or nexthdr == NO_NEXT_HEADER:
            return None
        if left < 2:
            return None
        if nexthdr == AUTH:
            hdrlen = (b[start + 1] + 2) * 4
        else:
            hdrlen = (b[start + 1] + 1) * 8
        prev_nhoff = start
        nexthdr = b[start]
        left -= hdrlen
        start += hdrlen
    if left < 0:
        return None
    return prev_nhoff, start


def ipv6_defrag(b, end):
    """nf_ct_frag6_gather on one lone datagram.

    Returns (b, end) when it goes on unchanged, the reassembled (bytes, end) of an atomic
    fragment, or None when it is queued or dropped."""
    payload_len = (b[4] << 8) | b[5]
    if payload_len == 0:
        return b, end
    found = find_fragment_header(b, end)
    if found is None:
        return b, end
    nhoff, fhoff = found
    # A first fragment that does not hold its whole header chain plus the start of the
    # upper-layer header (TCP 20 bytes, UDP and ICMPv6 8, anything else 1) is let through.
    off, nh, fo = skip_exthdr(b, fhoff, FRAGMENT, end)
    if off >= 0 and not (fo & 0xFFF8):
        if off + UPPER_HEADER_MIN.get(nh, 1) > end:
            return b, end
    if fhoff + 8 > end:
        return None
    frag_off = (b[fhoff + 2] << 8) | b[fhoff + 3]
    offset = frag_off & 0xFFF8
    more = frag_off & 1
    data_end = offset + (payload_len - (fhoff + 8 - 40))
    if data_end > IPV6_MAXPLEN:
        return None
    if more:
        if data_end & 7:
            # Not a multiple of 8: the queue is killed and the datagram passes unchanged.
            return b, end
        return None
    if data_end == offset:
        return None
    if offset != 0:
        return None
    # Atomic fragment: complete on its own; reassembly drops the Fragment header and the
    # header before it takes over its next-header value. The kernel keeps that header's
    # offset in a u8: from byte 256 on, the value lands at offset mod 256 (which may be an
    # address byte) and the real next-header byte keeps saying Fragment (44).
    nb = bytearray(b[:end])
    nb[nhoff & 0xFF] = nb[fhoff]
    del nb[fhoff:fhoff + 8]
    # Written last, so a wrapped write onto byte 4 does not survive.
    new_payload = len(nb) - 40
    nb[4] = new_payload >> 8
    nb[5] = new_payload & 0xFF
    return nb, len(nb)


def ipv6_tuple(b, keymap):
    n = len(b)
    if n < 40 or b[0] >> 4 != 6:
        return None
    src = bytes(b[8:24])
    dst = bytes(b[24:40])
    payload_len = (b[4] << 8) | b[5]
    first = b[6]
    end = n
    # Payload length 0 with a Hop-by-Hop header may be a jumbogram: no length check here.
    if payload_len or first != HOP_BY_HOP:
        if 40 + payload_len > n:
            return None
        end = 40 + payload_len
    if is_loopback(src) or is_loopback(dst):
        return None
    if is_multicast(dst) and (dst[1] & 0x0F) in (0, 1):
        return None
    if is_multicast(src):
        return None
    if first == HOP_BY_HOP:
        end = parse_hbh_options(b, end)
        if end is None:
            return None
    d = ipv6_defrag(b, end)
    if d is None:
        return None
    nb, end = d
    if nb is not b:
        # Reassembled: a wrapped next-header write (see ipv6_defrag) may have landed on an
        # address byte, and conntrack takes the addresses from the reassembled datagram.
        b = nb
        src = bytes(b[8:24])
        dst = bytes(b[24:40])
    dataoff, proto, frag_off = skip_exthdr(b, 40, b[6], end)
    if dataoff < 0 or frag_off & 0xFFF8:
        return None
    if proto != GRE:
        return (socket.AF_INET6, src, dst, proto, 0, 0)
    return gre_tuple(b, dataoff, end, socket.AF_INET6, src, dst, keymap)


# ---------------------------------------------------------------- GRE


def gre_tuple(b, dataoff, end, family, src, dst, keymap):
    """gre_pkt_to_tuple: keys from the first 8 GRE bytes; end is the trimmed length."""
    flags = be16(b, dataoff, end)
    if flags is None or (flags & 7) != 1:
        # Short, or not version 1: tracked with both keys 0.
        return (family, src, dst, GRE, 0, 0)
    if dataoff + 8 > end:
        # Version 1 without a full PPTP header: tracked with keys 0, protocol unchecked.
        return (family, src, dst, GRE, 0, 0)
    if be16(b, dataoff + 2, end) != 0x880B:
        return None
    dstkey = be16(b, dataoff + 6, end)
    srckey = 0
    for kfam, ksrc, kdst, kdstkey, ksrckey in keymap:
        if kfam == family and ksrc == src and kdst == dst and kdstkey == dstkey:
            srckey = ksrckey
            break
    return (family, src, dst, GRE, srckey, dstkey)


def tuple_for(packet, keymap):
    if not packet:
        return None
    v = packet[0] >> 4
    if v == 4:
        return ipv4_tuple(packet, keymap)
    if v == 6:
        return ipv6_tuple(packet, keymap)
    return None


# ---------------------------------------------------------------- NDJSON


class BadRequest(Exception):
    pass


def parse_address(text):
    if not isinstance(text, str):
        raise BadRequest("address is not a string")
    fam = socket.AF_INET6 if ":" in text else socket.AF_INET
    try:
        return fam, socket.inet_pton(fam, text)
    except OSError:
        raise BadRequest("not an IP address: %r" % (text,))


def parse_key(v, name):
    if type(v) is not int or not 0 <= v <= 0xFFFF:
        raise BadRequest("%s is not an integer 0..65535" % name)
    return v


def parse_keymap(km):
    if not isinstance(km, list):
        raise BadRequest("keymap is not an array")
    out = []
    for e in km:
        if not isinstance(e, dict):
            raise BadRequest("keymap entry is not an object")
        try:
            sfam, s = parse_address(e["src"])
            dfam, d = parse_address(e["dst"])
            dk = parse_key(e["dstkey"], "dstkey")
            sk = parse_key(e["srckey"], "srckey")
        except KeyError as k:
            raise BadRequest("keymap entry without %s" % k)
        if sfam != dfam:
            # The kernel's keymap holds one tuple, so both addresses share a family.
            raise BadRequest("keymap entry mixes an IPv4 and an IPv6 address")
        out.append((sfam, s, d, dk, sk))
    return out


def format_ipv6(a):
    """RFC 5952 text: glibc's inet_ntop still prints ::/96 in the deprecated dotted form."""
    if a[:12] == b"\x00" * 10 + b"\xff\xff":
        return "::ffff:" + socket.inet_ntop(socket.AF_INET, a[12:])  # section 5
    words = [(a[i] << 8) | a[i + 1] for i in range(0, 16, 2)]
    # Section 4.2: the longest run of two or more zero groups becomes "::", the first on a tie.
    best, best_len, i = -1, 1, 0
    while i < 8:
        j = i
        while j < 8 and words[j] == 0:
            j += 1
        if j - i > best_len:
            best, best_len = i, j - i
        i = j + 1 if j == i else j
    hexw = ["%x" % w for w in words]
    if best < 0:
        return ":".join(hexw)
    return ":".join(hexw[:best]) + "::" + ":".join(hexw[best + best_len:])


def format_address(family, a):
    if family == socket.AF_INET6:
        return format_ipv6(a)
    return socket.inet_ntop(family, a)


def answer(line, lineno):
    try:
        return answer_request(line)
    except BadRequest as e:
        raise BadRequest("line %d: %s" % (lineno, e))


def answer_request(line):
    try:
        req = json.loads(line)
    except ValueError as e:
        raise BadRequest("not JSON: %s" % e)
    if not isinstance(req, dict):
        raise BadRequest("request is not an object")
    rid = req.get("id")
    if type(rid) is not int:
        raise BadRequest("id is not an integer")
    hexpkt = req.get("packet")
    if not isinstance(hexpkt, str):
        raise BadRequest("packet is not a string")
    try:
        packet = bytes.fromhex(hexpkt)
    except ValueError:
        raise BadRequest("packet is not hex")
    if 2 * len(packet) != len(hexpkt):  # fromhex skips spaces; the contract has none
        raise BadRequest("packet is not hex")
    keymap = parse_keymap(req.get("keymap", []))
    t = tuple_for(packet, keymap)
    if t is None:
        return '{"id":%d,"tuple":null}\n' % rid
    family, src, dst, proto, srckey, dstkey = t
    return '{"id":%d,"tuple":{"src":"%s","dst":"%s","proto":%d,"srckey":%d,"dstkey":%d}}\n' % (
        rid, format_address(family, src), format_address(family, dst), proto, srckey, dstkey)


def main():
    out = sys.stdout.buffer
    out.write(b'{"contract":"1.0"}\n')
    out.flush()
    pending = b""
    lineno = 0
    while True:
        # A blocking read returns whatever the runner has written so far; answering all
        # complete lines of it and then flushing keeps the pipeline moving without a
        # write per line.
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        pending += chunk
        lines = pending.split(b"\n")
        pending = lines.pop()
        answers = []
        for line in lines:
            lineno += 1
            if line.strip():
                answers.append(answer(line, lineno))
        if answers:
            out.write("".join(answers).encode())
            out.flush()
    if pending.strip():
        out.write(answer(pending, lineno + 1).encode())
        out.flush()


if __name__ == "__main__":
    try:
        main()
    except BadRequest as e:
        sys.stderr.write("gre_tuple.py: malformed request: %s\n" % e)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)
