/*
 * hbtest.h - the tiny test kit of the C core: assertion macros that report
 * and keep going, hex helpers and the vector-file reader.  Header-only so
 * each test/test_*.c is one self-contained program.
 */
#ifndef HBTEST_H
#define HBTEST_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hbcore.h"

static int hbt_failures;
static int hbt_checks;

#define CHECK(cond)                                                             \
    do {                                                                        \
        hbt_checks++;                                                           \
        if (!(cond)) {                                                          \
            hbt_failures++;                                                     \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
        }                                                                       \
    } while (0)

#define CHECK_INT(got, want)                                                    \
    do {                                                                        \
        long long g_ = (long long)(got), w_ = (long long)(want);                \
        hbt_checks++;                                                           \
        if (g_ != w_) {                                                         \
            hbt_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, \
                    #got, g_, w_);                                              \
        }                                                                       \
    } while (0)

#define CHECK_STR(got, want)                                                    \
    do {                                                                        \
        const char *g_ = (got), *w_ = (want);                                   \
        hbt_checks++;                                                           \
        if (g_ == NULL || strcmp(g_, w_) != 0) {                                \
            hbt_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
                    #got, g_ ? g_ : "(null)", w_);                              \
        }                                                                       \
    } while (0)

#define CHECK_MEM(got, got_len, want, want_len)                                 \
    do {                                                                        \
        size_t gl_ = (size_t)(got_len), wl_ = (size_t)(want_len);               \
        hbt_checks++;                                                           \
        if (gl_ != wl_ || memcmp((got), (want), wl_) != 0) {                    \
            hbt_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s (%zu bytes) differs from %s (%zu bytes)\n", \
                    __FILE__, __LINE__, #got, gl_, #want, wl_);                 \
        }                                                                       \
    } while (0)

#define CHECK_REASON(got, want)                                                 \
    do {                                                                        \
        int g_ = (int)(got), w_ = (int)(want);                                  \
        hbt_checks++;                                                           \
        if (g_ != w_) {                                                         \
            hbt_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = %s, want %s\n", __FILE__, __LINE__,     \
                    #got, hb_drop_reason_name(g_), hb_drop_reason_name(w_));    \
        }                                                                       \
    } while (0)

/* Prints the summary; the program's exit status. */
static inline int hbt_finish(const char *program)
{
    printf("%s: %d checks, %d failed\n", program, hbt_checks, hbt_failures);
    return hbt_failures ? 1 : 0;
}

/* ------------------------------------------------------------------ hex */

static inline int hbt_hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex (whitespace ignored) into out; returns the byte count or -1. */
static inline long hbt_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        if (isspace((unsigned char)*hex))
            continue;
        int v = hbt_hexval(*hex);
        if (v < 0)
            return -1;
        if (hi < 0) {
            hi = v;
        } else {
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (long)n : -1;
}

/* ------------------------------------------------------- vector files
 * Format (native/test/vectors/gen_vectors.py):  id keys ladder inner hex */

typedef struct hbt_vector {
    char id[128];
    hb_keys keys;
    int ladder; /* expected hb_receive() result */
    int inner;  /* expected hb_verify_inner() result, -1 = not checked */
    uint8_t bytes[HB_MSG_MAX];
    size_t len;
} hbt_vector;

/* "NONE" / "bad_auth" ... -> reason, -1 if unknown, -2 for "-" */
static inline int hbt_reason_from_name(const char *name)
{
    if (strcmp(name, "-") == 0)
        return -2;
    for (int r = 0; r < HB_DROP_REASON_COUNT; r++)
        if (strcasecmp(name, hb_drop_reason_name(r)) == 0)
            return r;
    return -1;
}

/* "1:sha1:key,2:md5:other" -> table; the first entry signs. */
static inline int hbt_parse_keys(char *spec, hb_keys *keys)
{
    hb_keys_init(keys);
    int first = -1;
    for (char *save = NULL, *entry = strtok_r(spec, ",", &save); entry;
         entry = strtok_r(NULL, ",", &save)) {
        char *method = strchr(entry, ':');
        char *key = method ? strchr(method + 1, ':') : NULL;
        if (key == NULL)
            return -1;
        *method++ = '\0';
        *key++ = '\0';
        int index = atoi(entry);
        if (hb_keys_set(keys, (unsigned)index, hb_auth_method_from_name(method), key,
                        strlen(key)) != 0)
            return -1;
        if (first < 0)
            first = index;
    }
    return first < 0 ? -1 : hb_keys_set_signing(keys, (unsigned)first);
}

/* Reads the next vector; 1 = got one, 0 = end of file, -1 = bad line. */
static inline int hbt_next_vector(FILE *f, hbt_vector *v)
{
    static char line[2 * HB_MSG_MAX + 4096];
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *save = NULL;
        char *id = strtok_r(line, " \n", &save);
        char *keys = strtok_r(NULL, " \n", &save);
        char *ladder = strtok_r(NULL, " \n", &save);
        char *inner = strtok_r(NULL, " \n", &save);
        char *hex = strtok_r(NULL, " \n", &save);
        if (!hex || strlen(id) >= sizeof(v->id))
            return -1;
        snprintf(v->id, sizeof(v->id), "%s", id);
        v->ladder = hbt_reason_from_name(ladder);
        v->inner = hbt_reason_from_name(inner);
        long n = hbt_unhex(hex, v->bytes, sizeof(v->bytes));
        if (n < 0 || v->ladder < 0 || v->inner == -1 || hbt_parse_keys(keys, &v->keys) != 0)
            return -1;
        if (v->inner == -2)
            v->inner = -1;
        v->len = (size_t)n;
        return 1;
    }
    return 0;
}

/* Opens <dir>/<name>; exits the test program if missing. */
static inline FILE *hbt_open_vectors(int argc, char **argv, const char *name)
{
    char path[4096];
    const char *dir = argc > 1 ? argv[1] : "test/vectors";
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open vector file %s\n", path);
        exit(2);
    }
    return f;
}

#endif /* HBTEST_H */
