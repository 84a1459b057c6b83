/*
 * gre_tuple: a gre-conformance (contract 1.0) implementation speaking NDJSON over stdio.
 *
 *   cc -O2 -o examples/c/gre_tuple examples/c/gre_tuple.c
 *   npx gre-conformance ./examples/c/gre_tuple
 *
 * Each request line {"id":N,"packet":"<hex>","keymap":[{"src","dst","dstkey","srckey"}...]}
 * gets one answer line, in order. Answers are buffered and written once all complete lines of
 * one read() are answered: the runner pipelines requests, so this writes once per burst
 * instead of once per line, and never waits for input that has not arrived.
 * A malformed request stops the program with a message on stderr and exit status 1.
 */
#define _POSIX_C_SOURCE 200809L
/* The core is included as source so that the one-line build above needs no link step;
 * an in-process benchmark compiles gre_core.c on its own against gre_core.h. */
#include "gre_core.c"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- output */

static char obuf[1 << 16];
static size_t olen;

static void flush_out(void)
{
    size_t done = 0;
    while (done < olen) {
        ssize_t w = write(1, obuf + done, olen - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE)
                exit(0); /* the runner stopped reading: nothing left to answer */
            perror("gre_tuple: write");
            exit(1);
        }
        done += (size_t)w;
    }
    olen = 0;
}

/* Room for n more bytes; one answer is under 200 bytes plus the id. */
static char *reserve(size_t n)
{
    if (olen + n > sizeof obuf)
        flush_out();
    return obuf + olen;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static char *put_uint(char *p, unsigned v)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_ipv4(char *p, const uint8_t *a)
{
    int i;
    for (i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = put_uint(p, a[i]);
    }
    return p;
}

/* RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups (the
 * first on a tie) as "::", and the dotted quad for IPv4-mapped addresses (section 5). */
static char *put_ipv6(char *p, const uint8_t *a)
{
    static const char hex[] = "0123456789abcdef";
    unsigned w[8];
    int i, best = -1, bestlen = 1;
    for (i = 0; i < 8; i++)
        w[i] = ((unsigned)a[2 * i] << 8) | a[2 * i + 1];
    if (!w[0] && !w[1] && !w[2] && !w[3] && !w[4] && w[5] == 0xFFFF) {
        p = put_str(p, "::ffff:");
        return put_ipv4(p, a + 12);
    }
    for (i = 0; i < 8;) {
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > bestlen) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (i = 0; i < 8; i++) {
        int shift, started = 0;
        if (i == best) {
            *p++ = ':';
            *p++ = ':';
            i += bestlen - 1;
            continue;
        }
        if (i && i != best + bestlen)
            *p++ = ':';
        for (shift = 12; shift >= 0; shift -= 4) {
            unsigned d = (w[i] >> shift) & 15;
            if (d || started || shift == 0) {
                *p++ = hex[d];
                started = 1;
            }
        }
    }
    return p;
}

static char *put_addr(char *p, int family, const uint8_t *a)
{
    return family == GRE_FAMILY_IPV4 ? put_ipv4(p, a) : put_ipv6(p, a);
}

/* ---------------------------------------------------------------- request reader */

static unsigned long lineno;

static void die(const char *fmt, ...)
{
    va_list ap;
    flush_out();
    fprintf(stderr, "gre_tuple: malformed request on line %lu: ", lineno);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

typedef struct {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
        c->p++;
}

static void expect(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p >= c->end || *c->p != ch)
        die("expected '%c'", ch);
    c->p++;
}

/* Growable scratch space for strings that contain escapes. */
typedef struct {
    char *s;
    size_t cap;
} scratch;

static void put_scratch(scratch *sc, size_t *n, char ch)
{
    if (*n == sc->cap) {
        sc->cap = sc->cap ? 2 * sc->cap : 256;
        sc->s = realloc(sc->s, sc->cap);
        if (!sc->s) {
            perror("gre_tuple");
            exit(1);
        }
    }
    sc->s[(*n)++] = ch;
}

static unsigned hex_digit(int ch)
{
    if (ch >= '0' && ch <= '9')
        return (unsigned)(ch - '0');
    if (ch >= 'a' && ch <= 'f')
        return (unsigned)(ch - 'a' + 10);
    if (ch >= 'A' && ch <= 'F')
        return (unsigned)(ch - 'A' + 10);
    return 16;
}

static unsigned read_u4(cursor *c)
{
    unsigned v = 0;
    int i;
    if (c->end - c->p < 4)
        die("short \\u escape");
    for (i = 0; i < 4; i++) {
        unsigned d = hex_digit((unsigned char)*c->p++);
        if (d > 15)
            die("bad \\u escape");
        v = v << 4 | d;
    }
    return v;
}

/* A JSON string. Without escapes it is returned in place; with them it is decoded (UTF-8)
 * into sc. */
static void read_string(cursor *c, scratch *sc, const char **out, size_t *outlen)
{
    const char *start;
    size_t n = 0;
    int escaped = 0;

    expect(c, '"');
    start = c->p;
    for (;;) {
        unsigned char ch;
        if (c->p >= c->end)
            die("unterminated string");
        ch = (unsigned char)*c->p;
        if (ch == '"')
            break;
        if (ch < 0x20)
            die("control character in string");
        if (ch != '\\') {
            if (escaped)
                put_scratch(sc, &n, (char)ch);
            c->p++;
            continue;
        }
        if (!escaped) {
            const char *q;
            escaped = 1;
            for (q = start; q < c->p; q++)
                put_scratch(sc, &n, *q);
        }
        c->p++;
        if (c->p >= c->end)
            die("unterminated string");
        ch = (unsigned char)*c->p++;
        switch (ch) {
        case '"': case '\\': case '/':
            put_scratch(sc, &n, (char)ch);
            break;
        case 'b': put_scratch(sc, &n, '\b'); break;
        case 'f': put_scratch(sc, &n, '\f'); break;
        case 'n': put_scratch(sc, &n, '\n'); break;
        case 'r': put_scratch(sc, &n, '\r'); break;
        case 't': put_scratch(sc, &n, '\t'); break;
        case 'u': {
            unsigned long cp = read_u4(c);
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
                    die("lone surrogate");
                c->p += 2;
                lo = read_u4(c);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    die("lone surrogate");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                die("lone surrogate");
            }
            if (cp < 0x80) {
                put_scratch(sc, &n, (char)cp);
            } else if (cp < 0x800) {
                put_scratch(sc, &n, (char)(0xC0 | cp >> 6));
                put_scratch(sc, &n, (char)(0x80 | (cp & 0x3F)));
            } else if (cp < 0x10000) {
                put_scratch(sc, &n, (char)(0xE0 | cp >> 12));
                put_scratch(sc, &n, (char)(0x80 | ((cp >> 6) & 0x3F)));
                put_scratch(sc, &n, (char)(0x80 | (cp & 0x3F)));
            } else {
                put_scratch(sc, &n, (char)(0xF0 | cp >> 18));
                put_scratch(sc, &n, (char)(0x80 | ((cp >> 12) & 0x3F)));
                put_scratch(sc, &n, (char)(0x80 | ((cp >> 6) & 0x3F)));
                put_scratch(sc, &n, (char)(0x80 | (cp & 0x3F)));
            }
            break;
        }
        default:
            die("bad escape \\%c", ch);
        }
    }
    if (escaped) {
        *out = sc->s;
        *outlen = n;
    } else {
        *out = start;
        *outlen = (size_t)(c->p - start);
    }
    c->p++; /* closing quote */
}

/* A JSON number's extent, checked against the grammar; *is_int when it has neither a
 * fraction nor an exponent. */
static void read_number(cursor *c, const char **start, size_t *len, int *is_int)
{
    const char *p;
    skip_ws(c);
    p = c->p;
    *start = p;
    *is_int = 1;
    if (p < c->end && *p == '-')
        p++;
    if (p >= c->end || *p < '0' || *p > '9')
        die("expected a number");
    if (*p == '0')
        p++;
    else
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    if (p < c->end && *p == '.') {
        *is_int = 0;
        p++;
        if (p >= c->end || *p < '0' || *p > '9')
            die("bad number");
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        *is_int = 0;
        p++;
        if (p < c->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= c->end || *p < '0' || *p > '9')
            die("bad number");
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    }
    *len = (size_t)(p - *start);
    c->p = p;
}

static void skip_value(cursor *c, scratch *sc, int depth);

static int literal(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* Any JSON value, for members this program does not use. */
static void skip_value(cursor *c, scratch *sc, int depth)
{
    if (depth > 64)
        die("nested too deeply");
    skip_ws(c);
    if (c->p >= c->end)
        die("expected a value");
    switch (*c->p) {
    case '"': {
        const char *s;
        size_t n;
        read_string(c, sc, &s, &n);
        return;
    }
    case '{':
        c->p++;
        skip_ws(c);
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            return;
        }
        for (;;) {
            const char *s;
            size_t n;
            read_string(c, sc, &s, &n);
            expect(c, ':');
            skip_value(c, sc, depth + 1);
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            expect(c, '}');
            return;
        }
    case '[':
        c->p++;
        skip_ws(c);
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return;
        }
        for (;;) {
            skip_value(c, sc, depth + 1);
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            expect(c, ']');
            return;
        }
    default:
        if (literal(c, "true") || literal(c, "false") || literal(c, "null"))
            return;
        {
            const char *s;
            size_t n;
            int is_int;
            read_number(c, &s, &n, &is_int);
        }
    }
}

static int key_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(s, name, n) == 0;
}

static unsigned read_key(cursor *c, const char *what)
{
    const char *s;
    size_t n, i;
    int is_int;
    unsigned long v = 0;
    read_number(c, &s, &n, &is_int);
    if (!is_int || s[0] == '-' || n > 5)
        die("%s is not an integer 0..65535", what);
    for (i = 0; i < n; i++)
        v = v * 10 + (unsigned long)(s[i] - '0');
    if (v > 0xFFFF)
        die("%s is not an integer 0..65535", what);
    return (unsigned)v;
}

/* Address text to bytes; returns the family. */
static int read_address(cursor *c, scratch *sc, uint8_t out[16], const char *what)
{
    const char *s;
    size_t n;
    char text[64];
    read_string(c, sc, &s, &n);
    if (n == 0 || n >= sizeof text)
        die("%s is not an IP address", what);
    memcpy(text, s, n);
    text[n] = 0;
    memset(out, 0, 16);
    if (memchr(text, ':', n)) {
        if (inet_pton(AF_INET6, text, out) == 1)
            return GRE_FAMILY_IPV6;
    } else if (inet_pton(AF_INET, text, out) == 1) {
        return GRE_FAMILY_IPV4;
    }
    die("%s is not an IP address: \"%s\"", what, text);
    return 0;
}

typedef struct {
    keymap *km;
    size_t n, cap;
} keymap_list;

static void read_keymap(cursor *c, scratch *sc, keymap_list *list)
{
    list->n = 0;
    expect(c, '[');
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return;
    }
    for (;;) {
        keymap e;
        int have = 0, sfam = 0, dfam = 0;
        memset(&e, 0, sizeof e);
        expect(c, '{');
        skip_ws(c);
        if (c->p < c->end && *c->p == '}')
            die("keymap entry without src, dst, dstkey, srckey");
        for (;;) {
            const char *k;
            size_t kn;
            read_string(c, sc, &k, &kn);
            expect(c, ':');
            if (key_is(k, kn, "src")) {
                sfam = read_address(c, sc, e.src, "keymap src");
                have |= 1;
            } else if (key_is(k, kn, "dst")) {
                dfam = read_address(c, sc, e.dst, "keymap dst");
                have |= 2;
            } else if (key_is(k, kn, "dstkey")) {
                e.dstkey = (uint16_t)read_key(c, "keymap dstkey");
                have |= 4;
            } else if (key_is(k, kn, "srckey")) {
                e.srckey = (uint16_t)read_key(c, "keymap srckey");
                have |= 8;
            } else {
                skip_value(c, sc, 1);
            }
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            expect(c, '}');
            break;
        }
        if (have != 15)
            die("keymap entry without src, dst, dstkey, srckey");
        /* The kernel's keymap holds one tuple, so both addresses share a family. */
        if (sfam != dfam)
            die("keymap entry mixes an IPv4 and an IPv6 address");
        e.family = (uint8_t)sfam;
        if (list->n == list->cap) {
            list->cap = list->cap ? 2 * list->cap : 8;
            list->km = realloc(list->km, list->cap * sizeof *list->km);
            if (!list->km) {
                perror("gre_tuple");
                exit(1);
            }
        }
        list->km[list->n++] = e;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        expect(c, ']');
        return;
    }
}

static uint8_t *pkt;
static size_t pkt_cap;

static size_t decode_hex(const char *s, size_t n)
{
    size_t i;
    if (n % 2)
        die("packet has an odd number of hex digits");
    if (n / 2 > pkt_cap) {
        pkt_cap = n / 2 + 1024;
        free(pkt);
        pkt = malloc(pkt_cap);
        if (!pkt) {
            perror("gre_tuple");
            exit(1);
        }
    }
    for (i = 0; i < n / 2; i++) {
        unsigned hi = hex_digit((unsigned char)s[2 * i]), lo = hex_digit((unsigned char)s[2 * i + 1]);
        if (hi > 15 || lo > 15)
            die("packet is not hex");
        pkt[i] = (uint8_t)(hi << 4 | lo);
    }
    return n / 2;
}

static scratch sc_key, sc_val;
static keymap_list kml;

static void answer_line(const char *line, size_t len)
{
    cursor c = {line, line + len};
    const char *id = NULL;
    size_t idlen = 0, plen = 0;
    int have_packet = 0, r;
    tuple t;
    char *o;

    kml.n = 0;
    skip_ws(&c);
    if (c.p == c.end)
        return; /* blank line */
    expect(&c, '{');
    skip_ws(&c);
    if (c.p < c.end && *c.p != '}') {
        for (;;) {
            const char *k;
            size_t kn;
            read_string(&c, &sc_key, &k, &kn);
            expect(&c, ':');
            if (key_is(k, kn, "id")) {
                int is_int;
                read_number(&c, &id, &idlen, &is_int);
                if (!is_int || idlen > 20)
                    die("id is not an integer");
            } else if (key_is(k, kn, "packet")) {
                const char *s;
                size_t n;
                read_string(&c, &sc_val, &s, &n);
                plen = decode_hex(s, n);
                have_packet = 1;
            } else if (key_is(k, kn, "keymap")) {
                read_keymap(&c, &sc_val, &kml);
            } else {
                skip_value(&c, &sc_val, 1);
            }
            skip_ws(&c);
            if (c.p < c.end && *c.p == ',') {
                c.p++;
                continue;
            }
            break;
        }
    }
    expect(&c, '}');
    skip_ws(&c);
    if (c.p != c.end)
        die("text after the request object");
    if (!id)
        die("no id");
    if (!have_packet)
        die("no packet");

    r = gre_tuple(pkt, plen, kml.km, kml.n, &t);
    o = reserve(idlen + 160);
    o = put_str(o, "{\"id\":");
    memcpy(o, id, idlen);
    o += idlen;
    if (r != GRE_TUPLE) {
        o = put_str(o, ",\"tuple\":null}\n");
    } else {
        o = put_str(o, ",\"tuple\":{\"src\":\"");
        o = put_addr(o, t.family, t.src);
        o = put_str(o, "\",\"dst\":\"");
        o = put_addr(o, t.family, t.dst);
        o = put_str(o, "\",\"proto\":");
        o = put_uint(o, t.proto);
        o = put_str(o, ",\"srckey\":");
        o = put_uint(o, t.srckey);
        o = put_str(o, ",\"dstkey\":");
        o = put_uint(o, t.dstkey);
        o = put_str(o, "}}\n");
    }
    olen = (size_t)(o - obuf);
}

/* ---------------------------------------------------------------- main loop */

int main(void)
{
    size_t cap = 1 << 16, have = 0;
    char *in = malloc(cap);

    if (!in) {
        perror("gre_tuple");
        return 1;
    }
    memcpy(reserve(32), "{\"contract\":\"1.0\"}\n", 19);
    olen += 19;
    flush_out();

    for (;;) {
        ssize_t r;
        size_t start = 0, scanned;
        char *nl;

        if (have == cap) {
            cap *= 2;
            in = realloc(in, cap);
            if (!in) {
                perror("gre_tuple");
                return 1;
            }
        }
        r = read(0, in + have, cap - have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            perror("gre_tuple: read");
            return 1;
        }
        if (r == 0)
            break;
        scanned = have;
        have += (size_t)r;
        while ((nl = memchr(in + scanned, '\n', have - scanned)) != NULL) {
            size_t end = (size_t)(nl - in);
            lineno++;
            answer_line(in + start, end - start);
            start = end + 1;
            scanned = start;
        }
        /* Everything that arrived is answered: hand it over before blocking again. */
        flush_out();
        if (start) {
            memmove(in, in + start, have - start);
            have -= start;
        }
    }
    if (have) {
        lineno++;
        answer_line(in, have);
    }
    flush_out();
    return 0;
}
