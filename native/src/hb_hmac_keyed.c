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
 *
 * Each thread also keeps its copies and re-initialises one per message
 * (EVP_MAC_init with no key keeps the key): no lock, and one digest context
 * duplicated inside OpenSSL instead of a whole HMAC context with its three
 * (malloc in the heartbeat thread: 1.2 % of its time before, 0.2 % after).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
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

static void *keyed_copy(hb_auth_method method, const void *key, size_t key_len)
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

/* ------------------------------------------------ this thread's copies */

/* A stream in progress holds its copy; a second one on the same key meanwhile gets a fresh copy. */
#define THREAD_SLOTS 4

typedef struct thread_slot {
    hb_auth_method method;
    size_t key_len;
    uint8_t key[HB_AUTH_KEY_MAX];
    EVP_MAC_CTX *ctx; /* NULL: slot unused */
    bool busy;
} thread_slot;

typedef struct thread_slots {
    thread_slot slot[THREAD_SLOTS];
    unsigned next_victim;
} thread_slots;

static pthread_key_t thread_key;
static bool thread_key_ok;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void free_thread_slots(void *p)
{
    thread_slots *t = p;
    for (unsigned i = 0; i < THREAD_SLOTS; i++)
        EVP_MAC_CTX_free(t->slot[i].ctx);
    OPENSSL_cleanse(t, sizeof(*t));
    free(t);
}

static void make_thread_key(void)
{
    thread_key_ok = pthread_key_create(&thread_key, free_thread_slots) == 0;
}

static thread_slots *my_slots(void)
{
    pthread_once(&thread_key_once, make_thread_key);
    if (!thread_key_ok)
        return NULL;
    thread_slots *t = pthread_getspecific(thread_key);
    if (t == NULL) {
        t = calloc(1, sizeof(*t));
        if (t != NULL && pthread_setspecific(thread_key, t) != 0) {
            free(t);
            t = NULL;
        }
    }
    return t;
}

static bool same_key(const thread_slot *s, hb_auth_method method, const void *key, size_t key_len)
{
    return s->ctx != NULL && s->method == method && s->key_len == key_len && (key_len == 0 || memcmp(s->key, key, key_len) == 0);
}

void *hb_hmac_keyed_new(hb_auth_method method, const void *key, size_t key_len)
{
    if ((method != HB_AUTH_MD5 && method != HB_AUTH_SHA1) || key_len > HB_AUTH_KEY_MAX)
        return NULL;
    thread_slots *t = my_slots();
    if (t == NULL)
        return keyed_copy(method, key, key_len);
    thread_slot *free_slot = NULL;
    for (unsigned i = 0; i < THREAD_SLOTS; i++) {
        thread_slot *s = &t->slot[i];
        if (same_key(s, method, key, key_len)) {
            if (s->busy)
                return keyed_copy(method, key, key_len);
            if (!EVP_MAC_init(s->ctx, NULL, 0, NULL))
                return NULL;
            s->busy = true;
            return s->ctx;
        }
        if (free_slot == NULL && s->ctx == NULL)
            free_slot = s;
    }
    if (free_slot == NULL) {
        /* Every slot keyed otherwise (a key rotation): reuse one no stream holds. */
        for (unsigned n = 0; n < THREAD_SLOTS && free_slot == NULL; n++) {
            thread_slot *s = &t->slot[t->next_victim];
            t->next_victim = (t->next_victim + 1) % THREAD_SLOTS;
            if (!s->busy)
                free_slot = s;
        }
        if (free_slot == NULL)
            return keyed_copy(method, key, key_len);
        EVP_MAC_CTX_free(free_slot->ctx);
        OPENSSL_cleanse(free_slot, sizeof(*free_slot));
    }
    EVP_MAC_CTX *ctx = keyed_copy(method, key, key_len);
    if (ctx == NULL)
        return NULL;
    free_slot->method = method;
    free_slot->key_len = key_len;
    if (key_len)
        memcpy(free_slot->key, key, key_len);
    free_slot->ctx = ctx;
    free_slot->busy = true;
    return ctx;
}

void hb_hmac_keyed_release(void *ctx)
{
    if (ctx == NULL)
        return;
    thread_slots *t = thread_key_ok ? pthread_getspecific(thread_key) : NULL;
    for (unsigned i = 0; t != NULL && i < THREAD_SLOTS; i++) {
        if (t->slot[i].ctx == ctx) {
            t->slot[i].busy = false;
            return;
        }
    }
    EVP_MAC_CTX_free(ctx);
}
