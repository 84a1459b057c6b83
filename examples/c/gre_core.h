/*
 * gre_core: the tuple Linux conntrack (6.18) builds for one IP datagram carrying GRE
 * (IP protocol 47), as defined by the gre-conformance contract 1.0 (spec/CONTRACT.md).
 *
 * No allocation, no I/O, no global state: safe to call from any thread and to link into an
 * in-process benchmark.
 */
#ifndef GRE_CORE_H
#define GRE_CORE_H

#include <stddef.h>
#include <stdint.h>

/* Address families as the contract sees them (not AF_* so the header needs no socket.h). */
enum { GRE_FAMILY_IPV4 = 4, GRE_FAMILY_IPV6 = 6 };

/* One entry of the namespace's PPTP keymap. IPv4 addresses use the first 4 bytes of the
 * 16-byte arrays and leave the rest zero, as the kernel's tuple does. */
typedef struct {
    uint8_t family;
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t dstkey;
    uint16_t srckey;
} keymap;

/* The original-direction tuple. Keys are host order (what conntrack -L prints). */
typedef struct {
    uint8_t family;
    uint8_t proto;   /* 47, or the protocol an IPv4 header or IPv6 walk named (generic tuple) */
    uint16_t srckey;
    uint16_t dstkey;
    uint8_t src[16];
    uint8_t dst[16];
} tuple;

/* Outcomes are kept apart (the answer is null for both negative ones, but they differ in the
 * kernel: only an invalid datagram bumps conntrack's invalid counter). */
enum {
    GRE_INVALID = -1, /* nf_conntrack_in ran and attached no entry */
    GRE_NOT_SEEN = 0, /* dropped or queued by the IP layer or defragmentation */
    GRE_TUPLE = 1     /* *out holds the tuple (tracked, or built and never confirmed) */
};

/* pkt: the datagram, IP header first; km: the keymap in insertion order. */
int gre_tuple(const uint8_t *pkt, size_t len, const keymap *km, size_t nkm, tuple *out);

#endif
