/*
 * test_ipvs_vectors.h - reads native/test/vectors/ipvs/ipvsadm-captured.txt
 * (ipvsadm <-> kernel datagrams captured in the IPVS VM, see the README
 * there) for the netlink/IPVS tests.  Lines: "label req|rep hex".
 */
#ifndef TEST_IPVS_VECTORS_H
#define TEST_IPVS_VECTORS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hbtest.h"

#define IV_MAX 256
#define IV_BYTES 4096

typedef struct iv_datagram {
    char label[64];
    bool request; /* ipvsadm -> kernel */
    uint8_t bytes[IV_BYTES];
    size_t len;
} iv_datagram;

static iv_datagram iv_all[IV_MAX];
static size_t iv_count;

/* Loads the captures once; exits the program when the file is unusable. */
static inline void iv_load(int argc, char **argv)
{
    static char line[2 * IV_BYTES + 256];
    FILE *f = hbt_open_vectors(argc, argv, "ipvs/ipvsadm-captured.txt");
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *save = NULL;
        char *label = strtok_r(line, " \n", &save);
        char *dir = strtok_r(NULL, " \n", &save);
        char *hex = strtok_r(NULL, " \n", &save);
        if (!hex || iv_count == IV_MAX || strlen(label) >= sizeof(iv_all[0].label)) {
            fprintf(stderr, "bad vector line\n");
            exit(2);
        }
        iv_datagram *d = &iv_all[iv_count++];
        snprintf(d->label, sizeof(d->label), "%s", label);
        d->request = strcmp(dir, "req") == 0;
        long n = hbt_unhex(hex, d->bytes, sizeof(d->bytes));
        if (n < 0) {
            fprintf(stderr, "bad hex in vector %s\n", label);
            exit(2);
        }
        d->len = (size_t)n;
    }
    fclose(f);
}

/* The nth (0-based) datagram of `label` in direction `request`, or NULL. */
static inline const iv_datagram *iv_find(const char *label, bool request, int nth)
{
    for (size_t i = 0; i < iv_count; i++)
        if (iv_all[i].request == request && strcmp(iv_all[i].label, label) == 0 && nth-- == 0)
            return &iv_all[i];
    fprintf(stderr, "no vector %s %s #%d\n", label, request ? "req" : "rep", nth);
    return NULL;
}

/* The first message of a datagram. */
static inline bool iv_first_msg(const iv_datagram *d, hb_nl_msg *m)
{
    if (d == NULL)
        return false;
    const uint8_t *pos = d->bytes;
    size_t rem = d->len;
    return hb_nl_next(&pos, &rem, m) == 1;
}

static inline uint32_t iv_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

#endif /* TEST_IPVS_VECTORS_H */
