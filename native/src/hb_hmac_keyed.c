/*
 * hb_hmac_keyed.c - keyed HMAC contexts, made once per (method, key) and
 * copied for each message.
 *
 * Setting an HMAC up from nothing costs OpenSSL 3 two provider lookups
 * (the MAC, then the digest by name) and a key schedule: measured at ~15 %
 * of the heartbeat thread's time at a 10 ms keepalive.  A copy of a keyed
 * context needs none of that.  The table is shared by all threads (the
 * heartbeat thread and JS) under a priority-inheriting lock, held only for
 * the lookup and the copy.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "hb_engine_internal.h"
#include "hb_internal.h"

/* authkeys holds at most a handful of entries; 8 covers a key rotation. */
#define KEYED_SLOTS 8

typedef struct keyed_slot {
    hb_auth_method method;
    size_t key_len;
    uint8_t key[HB_AUTH_KEY_MAX];
    EVP_MAC_CTX *ctx; /* NULL: slot unused */
} keyed_slot;

static keyed_slot slots[KEYED_SLOTS];
static unsigned next_victim;
static pthread_mutex_t slots_lock;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void init_lock(void)
{
    (void)hb_rt_mutex_init(&slots_lock);
}

static EVP_MAC_CTX *new_keyed(hb_auth_method method, const void *key, size_t key_len)
{
    static const uint8_t empty_key[1];
    char md[8]; /* OSSL_PARAM wants a mutable string */
    if (method == HB_AUTH_MD5)
        memcpy(md, "MD5", 4);
    else
        memcpy(md, "SHA1", 5);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (ctx == NULL)
        return NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, md, 0),
        OSSL_PARAM_construct_end(),
    };
    /* A NULL key would mean "keep the previous key"; an empty key (which the
     * quirk of hb_verify_outer() can produce with a crc signing entry) must
     * still be set, so pass a valid pointer. */
    if (!EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static keyed_slot *find_slot(hb_auth_method method, const void *key, size_t key_len)
{
    for (unsigned i = 0; i < KEYED_SLOTS; i++) {
        keyed_slot *s = &slots[i];
        if (s->ctx != NULL && s->method == method && s->key_len == key_len &&
            (key_len == 0 || memcmp(s->key, key, key_len) == 0))
            return s;
    }
    return NULL;
}

void *hb_hmac_keyed_new(hb_auth_method method, const void *key, size_t key_len)
{
    if ((method != HB_AUTH_MD5 && method != HB_AUTH_SHA1) || key_len > HB_AUTH_KEY_MAX)
        return NULL;
    pthread_once(&slots_once, init_lock);
    pthread_mutex_lock(&slots_lock);
    keyed_slot *s = find_slot(method, key, key_len);
    if (s == NULL) {
        EVP_MAC_CTX *ctx = new_keyed(method, key, key_len);
        if (ctx != NULL) {
            s = &slots[next_victim];
            next_victim = (next_victim + 1) % KEYED_SLOTS;
            EVP_MAC_CTX_free(s->ctx);
            OPENSSL_cleanse(s->key, sizeof(s->key));
            s->method = method;
            s->key_len = key_len;
            if (key_len)
                memcpy(s->key, key, key_len);
            s->ctx = ctx;
        }
    }
    EVP_MAC_CTX *copy = s ? EVP_MAC_CTX_dup(s->ctx) : NULL;
    pthread_mutex_unlock(&slots_lock);
    return copy;
}
