/*
 * hb_auth.c - the authkeys table and the three Heartbeat digests
 * (crc, HMAC-MD5, HMAC-SHA1), as lowercase hex text.
 *
 * Only OpenSSL functions that node's own libcrypto exports are used
 * (see hb_hmac_keyed.c; CRYPTO_memcmp), so the same file links into the
 * Node addon and into the standalone library.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "hb_internal.h"

/* ------------------------------------------------------------- key table */

void hb_keys_init(hb_keys *keys)
{
    memset(keys, 0, sizeof(*keys));
    keys->sign_index = -1;
}

int hb_keys_set(hb_keys *keys, unsigned index, hb_auth_method method,
                const void *key, size_t key_len)
{
    if (index >= HB_AUTH_ENTRIES)
        return -EINVAL;
    hb_auth_entry *e = &keys->entry[index];
    switch (method) {
    case HB_AUTH_NONE:
        if (keys->sign_index == (int)index)
            keys->sign_index = -1;
        memset(e, 0, sizeof(*e));
        return 0;
    case HB_AUTH_CRC: /* Heartbeat refuses a key for crc */
        if (key_len != 0)
            return -EINVAL;
        break;
    case HB_AUTH_MD5:
    case HB_AUTH_SHA1: /* ... and requires one for the HMACs */
        if (key == NULL || key_len == 0 || key_len > HB_AUTH_KEY_MAX)
            return -EINVAL;
        break;
    default:
        return -EINVAL;
    }
    memset(e, 0, sizeof(*e));
    e->method = method;
    e->key_len = key_len;
    if (key_len)
        memcpy(e->key, key, key_len);
    return 0;
}

int hb_keys_set_signing(hb_keys *keys, unsigned index)
{
    if (hb_keys_entry(keys, (int)index) == NULL)
        return -ENOENT;
    keys->sign_index = (int)index;
    return 0;
}

const hb_auth_entry *hb_keys_entry(const hb_keys *keys, int index)
{
    if (index < 0 || index >= (int)HB_AUTH_ENTRIES)
        return NULL;
    const hb_auth_entry *e = &keys->entry[index];
    return e->method == HB_AUTH_NONE ? NULL : e;
}

hb_auth_method hb_auth_method_from_name(const char *name)
{
    if (name == NULL) return HB_AUTH_NONE;
    if (strcmp(name, "crc") == 0) return HB_AUTH_CRC;
    if (strcmp(name, "md5") == 0) return HB_AUTH_MD5;
    if (strcmp(name, "sha1") == 0) return HB_AUTH_SHA1;
    return HB_AUTH_NONE;
}

const char *hb_auth_method_name(hb_auth_method method)
{
    switch (method) {
    case HB_AUTH_CRC: return "crc";
    case HB_AUTH_MD5: return "md5";
    case HB_AUTH_SHA1: return "sha1";
    default: return "none";
    }
}

/* ------------------------------------------------------- digest streams */

int hb_digest_begin(hb_digest_stream *d, hb_auth_method method,
                    const void *key, size_t key_len)
{
    memset(d, 0, sizeof(*d));
    d->method = method;
    switch (method) {
    case HB_AUTH_CRC:
        d->crc = hb_crc32_init();
        return 0;
    case HB_AUTH_MD5:
    case HB_AUTH_SHA1:
        return key_len > HB_AUTH_KEY_MAX ? -EINVAL : hb_hmac_begin(&d->hmac, method, key, key_len);
    default:
        return -EINVAL;
    }
}

static void flush_stage(hb_digest_stream *d)
{
    hb_hmac_update(&d->hmac, d->stage, d->staged);
    d->staged = 0;
}

void hb_digest_update(hb_digest_stream *d, const void *data, size_t len)
{
    if (d->method == HB_AUTH_CRC) {
        d->crc = hb_crc32_update(d->crc, data, len);
        return;
    }
    if (len > sizeof(d->stage) - d->staged) {
        flush_stage(d);
        if (len > sizeof(d->stage)) {
            hb_hmac_update(&d->hmac, data, len);
            return;
        }
    }
    if (len != 0)
        memcpy(d->stage + d->staged, data, len);
    d->staged += len;
}

int hb_digest_end(hb_digest_stream *d, char out[HB_DIGEST_TEXT_MAX])
{
    static const char hex[] = "0123456789abcdef";
    if (d->method == HB_AUTH_CRC)
        return (int)hb_crc32_text(hb_crc32_final(d->crc), out);

    flush_stage(d);
    unsigned char mac[HB_HMAC_MAX];
    size_t mac_len = hb_hmac_final(&d->hmac, mac);
    for (size_t i = 0; i < mac_len; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 0xF];
    }
    out[2 * mac_len] = '\0';
    return (int)(2 * mac_len);
}

int hb_auth_digest(hb_auth_method method, const void *key, size_t key_len,
                   const void *data, size_t len, char out[HB_DIGEST_TEXT_MAX])
{
    hb_digest_stream d;
    int rc = hb_digest_begin(&d, method, key, key_len);
    if (rc < 0)
        return rc;
    hb_digest_update(&d, data, len);
    return hb_digest_end(&d, out);
}

bool hb_auth_digest_equal(const char *expected, size_t expected_len,
                          const char *received, size_t received_len)
{
    if (expected_len != received_len || expected_len == 0)
        return false;
    return CRYPTO_memcmp(expected, received, expected_len) == 0;
}
