/*
 * fuzz_common.h - shared by the libFuzzer targets: a fixed key table,
 * message stores, and field-by-field message comparison.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hbcore.h"

/* Property violations abort, so libFuzzer records a crash with the input. */
#define FUZZ_ASSERT(cond)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                            \
        }                                                                       \
    } while (0)

static uint8_t fuzz_store_a[HB_MSG_MAX];
static uint8_t fuzz_store_b[HB_MSG_MAX];
static uint8_t fuzz_out[HB_MSG_MAX];

/* Entry 1 sha1 (signs; the key of the captures), 2 md5, 3 crc. */
static inline const hb_keys *fuzz_keys(void)
{
    static hb_keys keys;
    static int ready;
    if (!ready) {
        hb_keys_init(&keys);
        hb_keys_set(&keys, 1, HB_AUTH_SHA1, "hwtestkey", 9);
        hb_keys_set(&keys, 2, HB_AUTH_MD5, "s3cr3t-md5", 10);
        hb_keys_set(&keys, 3, HB_AUTH_CRC, NULL, 0);
        hb_keys_set_signing(&keys, 1);
        ready = 1;
    }
    return &keys;
}

static inline int fuzz_msg_equal(const hb_msg *a, const hb_msg *b)
{
    if (a->nfields != b->nfields)
        return 0;
    for (size_t i = 0; i < a->nfields; i++) {
        const hb_field *x = &a->field[i], *y = &b->field[i];
        if (x->type != y->type || x->name_len != y->name_len || x->value_len != y->value_len ||
            memcmp(x->name, y->name, x->name_len) != 0 ||
            memcmp(x->value, y->value, x->value_len) != 0)
            return 0;
    }
    return 1;
}

/* Every decoded field obeys the rules the encoders rely on. */
static inline void fuzz_check_invariants(const hb_msg *m)
{
    FUZZ_ASSERT(m->nfields <= HB_MSG_MAX_FIELDS);
    FUZZ_ASSERT(m->store_used <= m->store_cap);
    for (size_t i = 0; i < m->nfields; i++) {
        const hb_field *f = &m->field[i];
        FUZZ_ASSERT(hb_name_valid(f->name, f->name_len));
        FUZZ_ASSERT(f->type == HB_FIELD_STRING || f->type == HB_FIELD_BINARY);
        FUZZ_ASSERT(f->name[f->name_len] == '\0' && f->value[f->value_len] == '\0');
        if (f->type == HB_FIELD_STRING)
            FUZZ_ASSERT(memchr(f->value, '\0', f->value_len) == NULL);
    }
}

#endif /* FUZZ_COMMON_H */
