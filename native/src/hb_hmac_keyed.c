/*
 * hb_hmac_keyed.c - HMAC-MD5 / HMAC-SHA1 (RFC 2104) on OpenSSL's plain
 * digest functions, with the state held in the caller's hb_hmac.
 *
 * Through EVP_MAC, OpenSSL 3 spends most of an HMAC of a 300-byte heartbeat
 * outside the digest: duplicating a keyed context (three digest contexts,
 * each allocated through the provider), parameter parsing, frees and
 * cleansing - ~90 % of the HMAC's samples on the heartbeat thread, against
 * ~10 % in the SHA-1 block function.  The plain digest functions are the same
 * block code with no allocation at all: keying (two blocks) is cheaper than
 * copying a keyed EVP context, so nothing is cached and nothing is shared
 * between threads.  They are deprecated in OpenSSL 3 but still built and
 * exported, by node's libcrypto as by the system's.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <assert.h>
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "hb_internal.h"

#define HMAC_BLOCK 64 /* MD5 and SHA-1 */

static_assert(sizeof(SHA_CTX) <= sizeof(((hb_hmac *)0)->inner), "SHA_CTX fits hb_hmac");
static_assert(sizeof(MD5_CTX) <= sizeof(((hb_hmac *)0)->inner), "MD5_CTX fits hb_hmac");
static_assert(HB_HMAC_MAX >= SHA_DIGEST_LENGTH && HB_HMAC_MAX >= MD5_DIGEST_LENGTH, "digest fits");

static void digest_init(hb_auth_method method, void *ctx)
{
    if (method == HB_AUTH_MD5)
        MD5_Init(ctx);
    else
        SHA1_Init(ctx);
}

static void digest_update(hb_auth_method method, void *ctx, const void *data, size_t len)
{
    if (method == HB_AUTH_MD5)
        MD5_Update(ctx, data, len);
    else
        SHA1_Update(ctx, data, len);
}

/* Writes the digest; returns its length. */
static size_t digest_final(hb_auth_method method, void *ctx, unsigned char *out)
{
    if (method == HB_AUTH_MD5) {
        MD5_Final(out, ctx);
        return MD5_DIGEST_LENGTH;
    }
    SHA1_Final(out, ctx);
    return SHA_DIGEST_LENGTH;
}

int hb_hmac_begin(hb_hmac *h, hb_auth_method method, const void *key, size_t key_len)
{
    if (method != HB_AUTH_MD5 && method != HB_AUTH_SHA1)
        return -EINVAL;
    if (key_len != 0 && key == NULL)
        return -EINVAL;
    h->method = method;
    /* RFC 2104: a key longer than a block is hashed first. */
    unsigned char block[HMAC_BLOCK];
    memset(block, 0, sizeof block);
    if (key_len > HMAC_BLOCK) {
        digest_init(method, h->inner);
        digest_update(method, h->inner, key, key_len);
        digest_final(method, h->inner, block);
    } else if (key_len != 0) {
        memcpy(block, key, key_len);
    }
    unsigned char pad[HMAC_BLOCK];
    for (size_t i = 0; i < HMAC_BLOCK; i++)
        pad[i] = block[i] ^ 0x36;
    digest_init(method, h->inner);
    digest_update(method, h->inner, pad, HMAC_BLOCK);
    for (size_t i = 0; i < HMAC_BLOCK; i++)
        pad[i] = block[i] ^ 0x5c;
    digest_init(method, h->outer);
    digest_update(method, h->outer, pad, HMAC_BLOCK);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    return 0;
}

void hb_hmac_update(hb_hmac *h, const void *data, size_t len)
{
    if (len != 0)
        digest_update(h->method, h->inner, data, len);
}

size_t hb_hmac_final(hb_hmac *h, unsigned char out[HB_HMAC_MAX])
{
    unsigned char inner[HB_HMAC_MAX];
    size_t n = digest_final(h->method, h->inner, inner);
    digest_update(h->method, h->outer, inner, n);
    n = digest_final(h->method, h->outer, out);
    OPENSSL_cleanse(h, sizeof *h); /* the keyed states are as good as the key */
    return n;
}
