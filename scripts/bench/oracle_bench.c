/*
 * oracle_bench: the native reference for the oracle benchmark (scripts/bench/oracle.ts).
 * Runs examples/c's gre_core over every case of a cases file (format: scripts/bench/cases.ts,
 * writeCasesFile), `runs` times, and prints the packets/s of each run as JSON. An untimed first
 * pass writes the answers to `results` (40 bytes a case: i8 result, u8 family, u8 proto, u8 0, u16 srckey,
 * u16 dstkey, src[16], dst[16]; little-endian) so the JS side can check both agree.
 *
 *   cc -O2 -I examples/c -o oracle_bench scripts/bench/oracle_bench.c examples/c/gre_core.c
 *   oracle_bench CASES RUNS RESULTS
 */
#define _POSIX_C_SOURCE 200809L
#include "gre_core.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(const char *what)
{
    fprintf(stderr, "oracle_bench: %s\n", what);
    exit(1);
}

static unsigned le16(const uint8_t *p) { return (unsigned)p[0] | ((unsigned)p[1] << 8); }

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    FILE *f;
    long size;
    uint8_t *buf;
    uint32_t n, i;
    size_t p = 8, total_km = 0, k;
    const uint8_t **pkt;
    uint16_t *len;
    uint32_t *km_at;
    uint8_t *km_n;
    keymap *kms;
    int runs, r;
    uint8_t *results;

    if (argc != 4)
        die("usage: oracle_bench CASES RUNS RESULTS");
    runs = atoi(argv[2]);
    f = fopen(argv[1], "rb");
    if (!f)
        die("cannot open the cases file");
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
        die("cannot read the cases file");
    fclose(f);
    if (size < 8 || memcmp(buf, "GREB", 4) != 0)
        die("not a cases file");
    n = le32(buf + 4);

    /* First pass: count keymap entries; second: index packets and decode entries. */
    for (i = 0; i < n; i++) {
        if (p + 4 > (size_t)size)
            die("cases file cut short");
        total_km += buf[p + 2];
        p += 4 + 38 * (size_t)buf[p + 2] + le16(buf + p);
    }
    pkt = malloc(n * sizeof *pkt);
    len = malloc(n * sizeof *len);
    km_at = malloc(n * sizeof *km_at);
    km_n = malloc(n);
    kms = calloc(total_km + 1, sizeof *kms);
    results = calloc(n, 40);
    if (!pkt || !len || !km_at || !km_n || !kms || !results)
        die("out of memory");
    p = 8;
    k = 0;
    for (i = 0; i < n; i++) {
        unsigned e, ne = buf[p + 2];
        len[i] = (uint16_t)le16(buf + p);
        km_n[i] = (uint8_t)ne;
        km_at[i] = (uint32_t)k;
        p += 4;
        for (e = 0; e < ne; e++, k++) {
            kms[k].family = buf[p];
            memcpy(kms[k].src, buf + p + 2, 16);
            memcpy(kms[k].dst, buf + p + 18, 16);
            kms[k].dstkey = (uint16_t)le16(buf + p + 34);
            kms[k].srckey = (uint16_t)le16(buf + p + 36);
            p += 38;
        }
        pkt[i] = buf + p;
        p += len[i];
    }

    /* An untimed pass records the answers (and warms the caches like the JS warm-up pass). */
    for (i = 0; i < n; i++) {
        tuple t;
        int rc = gre_tuple(pkt[i], len[i], kms + km_at[i], km_n[i], &t);
        uint8_t *o = results + (size_t)i * 40;
        o[0] = (uint8_t)(int8_t)rc;
        if (rc == GRE_TUPLE) {
            o[1] = t.family;
            o[2] = t.proto;
            o[4] = (uint8_t)(t.srckey & 0xff);
            o[5] = (uint8_t)(t.srckey >> 8);
            o[6] = (uint8_t)(t.dstkey & 0xff);
            o[7] = (uint8_t)(t.dstkey >> 8);
            memcpy(o + 8, t.src, 16);
            memcpy(o + 24, t.dst, 16);
        }
    }
    printf("{\"cases\":%u,\"rates\":[", n);
    for (r = 0; r < runs; r++) {
        unsigned long sink = 0;
        double t0 = now(), s;
        for (i = 0; i < n; i++) {
            tuple t;
            int rc = gre_tuple(pkt[i], len[i], kms + km_at[i], km_n[i], &t);
            if (rc == GRE_TUPLE)
                sink += (unsigned long)t.srckey + t.dstkey + t.proto + t.src[3] + t.dst[3];
        }
        s = now() - t0;
        printf("%s%.0f", r ? "," : "", n / s);
        /* The sink keeps the loop from being optimized away. */
        if (sink == 1)
            fputc(' ', stderr);
    }
    printf("]}\n");
    f = fopen(argv[3], "wb");
    if (!f || fwrite(results, 40, n, f) != n)
        die("cannot write the results file");
    fclose(f);
    return 0;
}
