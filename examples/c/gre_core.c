/*
 * gre_core.c: see gre_core.h. C99, libc only.
 *
 * Follows the behaviour of Linux 6.18 in net/ipv4/ip_input.c (ip_rcv_core),
 * net/ipv6/ip6_input.c (ip6_rcv_core), net/ipv6/exthdrs.c (ipv6_parse_hopopts,
 * ip6_parse_tlv), net/ipv6/netfilter/nf_conntrack_reasm.c (nf_ct_frag6_gather),
 * include/net/ipv6_frag.h (ipv6frag_thdr_truncated), net/ipv6/exthdrs_core.c
 * (ipv6_skip_exthdr), net/netfilter/nf_conntrack_core.c (ipv4_get_l4proto, ipv6_get_l4proto,
 * nf_ct_get_tuple) and net/netfilter/nf_conntrack_proto_gre.c (gre_pkt_to_tuple,
 * gre_keymap_lookup). Every byte is read after checking it lies before `end`, the length
 * left once the IP layer has trimmed the datagram.
 */
#include "gre_core.h"

#include <stdint.h>
#include <string.h>

#define PROTO_GRE 47
#define NH_HOP 0
#define NH_ROUTING 43
#define NH_FRAGMENT 44
#define NH_AUTH 51
#define NH_NONE 59
#define NH_DEST 60
#define FRAG_OFFSET_MASK 0xFFF8u
#define IPV6_MAXPLEN 65535u
/* Default net.ipv6.max_hbh_opts_number. */
#define MAX_HBH_OPTS 8

static unsigned be16(const uint8_t *p) { return ((unsigned)p[0] << 8) | p[1]; }

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Headers ipv6_skip_exthdr steps over; No Next Header is in the set because it ends the
 * walk as an error rather than as a protocol. */
static int is_ext_header(unsigned nh)
{
    return nh == NH_HOP || nh == NH_ROUTING || nh == NH_FRAGMENT || nh == NH_AUTH ||
           nh == NH_NONE || nh == NH_DEST;
}

static size_t ext_len(unsigned nh, const uint8_t *hdr)
{
    if (nh == NH_AUTH)
        return ((size_t)hdr[1] + 2) * 4;
    return ((size_t)hdr[1] + 1) * 8;
}

/* The bytes conntrack reads after defragmentation: the datagram as it came, or what
 * reassembling an atomic IPv6 fragment leaves of it (ipv6_defrag): 8 bytes gone at `cut` and
 * one byte overwritten at `patch`. A view rather than a copy, so that no call allocates. */
typedef struct {
    const uint8_t *b;
    size_t end;        /* bytes in the view */
    size_t cut;        /* from this view offset on, bytes come from 8 further in b */
    size_t patch;      /* the view offset that reads patch_val; always before cut */
    uint8_t patch_val;
} dgram;

static dgram whole(const uint8_t *b, size_t end)
{
    dgram d = {b, end, SIZE_MAX, SIZE_MAX, 0};
    return d;
}

/* `len` bytes at `off`, or NULL when they are not all before the end (skb_header_pointer).
 * Bytes in one piece of b are pointed to; bytes across the cut or the patch are gathered
 * into buf, which holds len bytes. */
static const uint8_t *hdr_ptr(const dgram *d, size_t off, size_t len, uint8_t *buf)
{
    size_t i;
    if (off > d->end || d->end - off < len)
        return NULL;
    if (off + len <= d->cut && (d->patch < off || d->patch >= off + len))
        return d->b + off;
    if (off >= d->cut)
        return d->b + off + 8;
    for (i = 0; i < len; i++) {
        size_t o = off + i;
        buf[i] = o == d->patch ? d->patch_val : d->b[o < d->cut ? o : o + 8];
    }
    return buf;
}

static void fill(tuple *out, int family, const uint8_t *src, const uint8_t *dst, unsigned proto)
{
    size_t alen = family == GRE_FAMILY_IPV4 ? 4 : 16;
    memset(out, 0, sizeof *out);
    out->family = (uint8_t)family;
    out->proto = (uint8_t)proto;
    memcpy(out->src, src, alen);
    memcpy(out->dst, dst, alen);
}

/* gre_pkt_to_tuple on top of an already filled address part. */
static int gre_keys(const dgram *d, size_t dataoff, const keymap *km, size_t nkm, tuple *out)
{
    uint8_t buf[8];
    const uint8_t *g;
    unsigned callid;
    size_t i;

    /* Fewer than 4 bytes, or a version other than 1: keys stay 0/0 and it is tracked. */
    g = hdr_ptr(d, dataoff, 4, buf);
    if (g == NULL || (be16(g) & 7) != 1)
        return GRE_TUPLE;
    /* Version 1 without the 8 bytes up to the call ID: 0/0, the protocol is not looked at. */
    g = hdr_ptr(d, dataoff, 8, buf);
    if (g == NULL)
        return GRE_TUPLE;
    if (be16(g + 2) != 0x880B)
        return GRE_INVALID;
    callid = be16(g + 6);
    out->dstkey = (uint16_t)callid;
    for (i = 0; i < nkm; i++) {
        if (km[i].family == out->family && km[i].dstkey == callid &&
            memcmp(km[i].src, out->src, 16) == 0 && memcmp(km[i].dst, out->dst, 16) == 0) {
            out->srckey = km[i].srckey;
            break;
        }
    }
    return GRE_TUPLE;
}

/* ---------------------------------------------------------------- IPv4 */

static int ipv4_csum_ok(const uint8_t *b, size_t hlen)
{
    uint32_t sum = 0;
    size_t i;
    for (i = 0; i < hlen; i += 2)
        sum += be16(b + i);
    while (sum > 0xFFFF)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return sum == 0xFFFF;
}

static int ipv4(const uint8_t *b, size_t len, const keymap *km, size_t nkm, tuple *out)
{
    size_t hlen, tot;
    dgram d;

    if (len < 20 || (b[0] >> 4) != 4 || (b[0] & 15) < 5)
        return GRE_NOT_SEEN;
    hlen = (size_t)(b[0] & 15) * 4;
    if (len < hlen || !ipv4_csum_ok(b, hlen))
        return GRE_NOT_SEEN;
    tot = be16(b + 2);
    if (tot > len || tot < hlen)
        return GRE_NOT_SEEN;
    /* MF or a fragment offset: nf_defrag_ipv4 queues it, and alone it never completes. */
    if (be16(b + 6) & 0x3FFF)
        return GRE_NOT_SEEN;
    /* Options are skipped by length; malformed ones are only rejected after PREROUTING,
     * when the tuple is already built. */
    fill(out, GRE_FAMILY_IPV4, b + 12, b + 16, b[9]);
    if (b[9] != PROTO_GRE)
        return GRE_TUPLE;
    d = whole(b, tot);
    return gre_keys(&d, hlen, km, nkm, out);
}

/* ---------------------------------------------------------------- IPv6 */

/* ipv6_parse_hopopts / ip6_parse_tlv for a leading Hop-by-Hop header. Returns the length
 * left afterwards (a valid Jumbo option trims), or 0 when the datagram is dropped. */
static size_t hop_by_hop(const uint8_t *b, size_t end)
{
    size_t extlen, off, left, newend = end;
    unsigned padlen = 0, count = 0;

    if (end < 48)
        return 0;
    extlen = ((size_t)b[41] + 1) * 8;
    if (40 + extlen > end)
        return 0;
    off = 42;
    left = extlen - 2;
    while (left > 0) {
        unsigned type = b[off];
        size_t optlen, i;
        if (type == 0) { /* Pad1 */
            if (++padlen > 7)
                return 0;
            off++;
            left--;
            continue;
        }
        if (left < 2)
            return 0;
        optlen = (size_t)b[off + 1] + 2;
        if (optlen > left)
            return 0;
        if (type == 1) { /* PadN: only aligns, so at most 7 bytes in a row, all zero */
            padlen += (unsigned)optlen;
            if (padlen > 7)
                return 0;
            for (i = 2; i < optlen; i++)
                if (b[off + i] != 0)
                    return 0;
        } else {
            if (++count > MAX_HBH_OPTS)
                return 0;
            switch (type) {
            case 0x05: /* Router Alert carries exactly 2 bytes */
                if (b[off + 1] != 2)
                    return 0;
                break;
            case 0x31: /* IOAM must be 4n-aligned; otherwise ignored while disabled */
                if (off & 3)
                    return 0;
                break;
            case 0xC2: { /* Jumbo Payload */
                uint32_t jlen;
                if (b[off + 1] != 4 || (off & 3) != 2)
                    return 0;
                jlen = be32(b + off + 2);
                if (jlen <= IPV6_MAXPLEN || be16(b + 4) != 0 || jlen > newend - 40)
                    return 0;
                newend = (size_t)jlen + 40;
                break;
            }
            case 0x07: /* CALIPSO: out of the suite's scope; no DOI configured */
                return 0;
            default: /* unknown: the two high bits say what to do, only 00 skips */
                if (type & 0xC0)
                    return 0;
            }
            padlen = 0;
        }
        off += optlen;
        left -= optlen;
    }
    return newend;
}

/* ipv6_skip_exthdr. Returns 0 when a header cannot be read or No Next Header is met,
 * else 1 with *offset, *nexthdr and *frag_off (of the last Fragment header met). */
static int skip_exthdr(const dgram *d, size_t start, unsigned nh, size_t *offset,
                       unsigned *nexthdr, unsigned *frag_off)
{
    uint8_t buf[4];
    *frag_off = 0;
    while (is_ext_header(nh)) {
        size_t hdrlen;
        /* 2 bytes (next header, length) must be readable, 4 of a Fragment header. */
        const uint8_t *h = nh == NH_NONE ? NULL : hdr_ptr(d, start, nh == NH_FRAGMENT ? 4 : 2, buf);
        if (h == NULL)
            return 0;
        if (nh == NH_FRAGMENT) {
            *frag_off = be16(h + 2);
            if (*frag_off & FRAG_OFFSET_MASK)
                break; /* a later fragment: the walk stops at its Fragment header */
            hdrlen = 8;
        } else {
            hdrlen = ext_len(nh, h);
        }
        nh = h[0];
        start += hdrlen;
    }
    *offset = start;
    *nexthdr = nh;
    return 1;
}

/* What ipv6frag_thdr_truncated wants of the upper-layer header in a first fragment. */
static size_t upper_header_min(unsigned nh)
{
    switch (nh) {
    case 6: /* TCP */
        return 20;
    case 17: /* UDP */
    case 58: /* ICMPv6 */
        return 8;
    default:
        return 1;
    }
}

/* nf_ct_frag6_gather for one lone datagram (*d the whole of it): 1 when it goes on, as *d,
 * 0 when queued or dropped. An atomic fragment is reassembled at once: its Fragment header
 * goes and the header before it takes over its next-header value. The kernel keeps that
 * header's offset in 8 bits, so from byte 256 on the value lands at offset mod 256 (an address
 * byte, or a byte of an earlier header) and the real next-header byte keeps saying Fragment.
 * *d becomes that result. Reassembly also rewrites the payload length (bytes 4-5, over a
 * wrapped write there), but nothing reads it again, so the view leaves it out. */
static int ipv6_defrag(dgram *d)
{
    const uint8_t *b = d->b;
    size_t end = d->end;
    unsigned payload_len = be16(b + 4), nh = b[6], walk_nh, walk_fo, frag_off;
    size_t start = 40, prev = 6, walk_off;
    long left = (long)end - 40;
    long data_end, offset;

    if (payload_len == 0)
        return 1;
    /* find_prev_fhdr: the first Fragment header in the chain, if any, and where the
     * next-header byte naming it sits (prev). */
    while (nh != NH_FRAGMENT) {
        if (!is_ext_header(nh) || nh == NH_NONE || left < 2)
            return 1;
        {
            size_t hdrlen = ext_len(nh, b + start);
            prev = start;
            nh = b[start];
            left -= (long)hdrlen;
            start += hdrlen;
        }
    }
    if (left < 0)
        return 1;
    /* A first fragment without its whole header chain and the start of the upper-layer
     * header goes on unchanged. */
    if (skip_exthdr(d, start, NH_FRAGMENT, &walk_off, &walk_nh, &walk_fo) &&
        !(walk_fo & FRAG_OFFSET_MASK) && walk_off + upper_header_min(walk_nh) > end)
        return 1;
    if (start + 8 > end)
        return 0;
    frag_off = be16(b + start + 2);
    offset = (long)(frag_off & FRAG_OFFSET_MASK);
    data_end = offset + ((long)payload_len - (long)(start + 8 - 40));
    if (data_end > (long)IPV6_MAXPLEN)
        return 0;
    if (frag_off & 1) {
        /* More fragments with an end not a multiple of 8: the queue is killed and the
         * datagram passes unchanged. */
        return (data_end & 7) ? 1 : 0;
    }
    if (data_end == offset || offset != 0)
        return 0;
    /* Atomic: the view of the reassembled datagram. */
    d->end = end - 8;
    d->cut = start;
    d->patch = prev & 0xFF;
    d->patch_val = b[start];
    return 1;
}

static int is_loopback6(const uint8_t *a)
{
    static const uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return memcmp(a, lo, 16) == 0;
}

static int ipv6(const uint8_t *b, size_t len, const keymap *km, size_t nkm, tuple *out)
{
    size_t end = len, dataoff;
    unsigned payload_len, proto, frag_off;
    const uint8_t *src = b + 8, *dst = b + 24, *nh;
    uint8_t srcbuf[16], dstbuf[16], nhbuf[1];
    dgram d;

    if (len < 40 || (b[0] >> 4) != 6)
        return GRE_NOT_SEEN;
    payload_len = be16(b + 4);
    /* Payload length 0 before a Hop-by-Hop header may be a jumbogram: no check, no trim. */
    if (payload_len != 0 || b[6] != NH_HOP) {
        if (40 + (size_t)payload_len > len)
            return GRE_NOT_SEEN;
        end = 40 + (size_t)payload_len;
    }
    if (is_loopback6(src) || is_loopback6(dst) || src[0] == 0xFF)
        return GRE_NOT_SEEN;
    if (dst[0] == 0xFF && (dst[1] & 15) <= 1)
        return GRE_NOT_SEEN;
    if (b[6] == NH_HOP) {
        end = hop_by_hop(b, end);
        if (end == 0)
            return GRE_NOT_SEEN;
    }
    d = whole(b, end);
    if (!ipv6_defrag(&d))
        return GRE_NOT_SEEN;
    /* From here on, the bytes as defragmentation left them: a wrapped reassembly write may
     * have changed the first next-header byte or an address. All lie before the cut. */
    nh = hdr_ptr(&d, 6, 1, nhbuf);
    src = hdr_ptr(&d, 8, 16, srcbuf);
    dst = hdr_ptr(&d, 24, 16, dstbuf);
    if (!skip_exthdr(&d, 40, nh[0], &dataoff, &proto, &frag_off) ||
        (frag_off & FRAG_OFFSET_MASK))
        return GRE_INVALID;
    fill(out, GRE_FAMILY_IPV6, src, dst, proto);
    if (proto != PROTO_GRE)
        return GRE_TUPLE;
    return gre_keys(&d, dataoff, km, nkm, out);
}

int gre_tuple(const uint8_t *pkt, size_t len, const keymap *km, size_t nkm, tuple *out)
{
    if (len == 0)
        return GRE_NOT_SEEN;
    switch (pkt[0] >> 4) {
    case 4:
        return ipv4(pkt, len, km, nkm, out);
    case 6:
        return ipv6(pkt, len, km, nkm, out);
    default:
        return GRE_NOT_SEEN;
    }
}
