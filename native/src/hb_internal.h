/*
 * hb_internal.h - helpers shared by the core's .c files.  NOT part of the
 * public surface (that is include/hbcore.h only); the addon must not use it.
 */
#ifndef HB_INTERNAL_H
#define HB_INTERNAL_H

#include <errno.h>
#include <string.h>

#include "hbcore.h"

/* v in lower-case hex without leading zeros, as Heartbeat's "%lx" writes the
 * control fields and "%x" the crc; out has room for 17 bytes (9 below 2^32).
 * Every message has several, and printf was a visible share of the heartbeat
 * thread.  Returns the length. */
static inline size_t hb_hex_u64(char *out, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = digits[v & 0xF];
        v >>= 4;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

/* v in decimal, as "%u"/"%zu" would write it; out has room for 21 bytes.
 * Returns the length (no terminator written). */
static inline size_t hb_dec_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* ------------------------------------------------ streaming digest (hb_auth.c)
 * The digests are computed over serialisations that are produced piecewise
 * (the inner text is never materialised), so they need begin/update/end. */

/* One HMAC-MD5/SHA1 in progress (hb_hmac_keyed.c): the keyed inner and outer
 * digest states (OpenSSL's MD5_CTX / SHA_CTX), held here, never allocated. */
#define HB_HMAC_MAX 20 /* SHA-1's 20 bytes; MD5's 16 */
typedef struct hb_hmac {
    hb_auth_method method;
    _Alignas(16) unsigned char inner[128];
    _Alignas(16) unsigned char outer[128];
} hb_hmac;

/* 0, or -EINVAL for another method or a NULL key of non-zero length. */
int hb_hmac_begin(hb_hmac *h, hb_auth_method method, const void *key, size_t key_len);
void hb_hmac_update(hb_hmac *h, const void *data, size_t len);
/* Writes the MAC, wipes the state; returns the MAC's length (16 or 20). */
size_t hb_hmac_final(hb_hmac *h, unsigned char out[HB_HMAC_MAX]);

typedef struct hb_digest_stream {
    hb_auth_method method;
    uint32_t crc;
    hb_hmac hmac; /* md5/sha1 */
    /* Serialisers hand over a few bytes at a time (a length, a name, "=");
     * a digest update per piece would cost a call and a buffer copy in the
     * digest for each, so they are gathered here first. */
    size_t staged;
    uint8_t stage[512];
} hb_digest_stream;

int hb_digest_begin(hb_digest_stream *d, hb_auth_method method,
                    const void *key, size_t key_len);
void hb_digest_update(hb_digest_stream *d, const void *data, size_t len);
/* Writes the digest text and wipes the stream; returns the text's length. */
int hb_digest_end(hb_digest_stream *d, char out[HB_DIGEST_TEXT_MAX]);

/* ------------------------------------------------------------ output sink
 * Serialisers write through a sink: into a buffer, into a digest, or both.
 * `len` counts every byte offered, so an overflow still reports the size
 * that would have been needed. */
typedef struct hb_sink {
    uint8_t *buf; /* NULL: count/digest only */
    size_t cap;
    size_t len;
    hb_digest_stream *digest; /* NULL: no digest */
} hb_sink;

static inline void hb_sink_put(hb_sink *s, const void *data, size_t n)
{
    if (s->buf != NULL && n != 0 && s->len <= s->cap && n <= s->cap - s->len)
        memcpy(s->buf + s->len, data, n);
    if (s->digest != NULL)
        hb_digest_update(s->digest, data, n);
    s->len += n;
}

/* Result of a finished buffer sink: its length, -EMSGSIZE over HB_MSG_MAX,
 * -ENOSPC over the buffer. */
static inline ssize_t hb_sink_result(const hb_sink *s)
{
    if (s->len > HB_MSG_MAX)
        return -EMSGSIZE;
    if (s->len > s->cap)
        return -ENOSPC;
    return (ssize_t)s->len;
}

/* ---------------------------------------------------- base64 (hb_base64.c)
 * Standard alphabet, '='-padded, no line breaks: what Heartbeat emits. */
static inline size_t hb_base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }
/* Encodes n bytes; out must hold hb_base64_encoded_len(n) chars (no NUL). */
size_t hb_base64_encode(const uint8_t *in, size_t n, char *out);
/* Decoded length of canonical base64 text, or -1 if it is not canonical
 * (length not a multiple of 4, bad character, misplaced '=', non-zero pad bits). */
ssize_t hb_base64_decoded_len(const char *in, size_t n);
/* Decodes text already accepted by hb_base64_decoded_len(). */
void hb_base64_decode(const char *in, size_t n, uint8_t *out);

/* ---------------------------------------------------- messages (hb_msg.c) */

/* Appends a field without validating name/value (decoders validate first to
 * report a precise reason).  Reserves value_len bytes (plus NUL) for the
 * caller to fill through *value.  -EMSGSIZE too many fields, -ENOSPC store. */
int hb_msg_push(hb_msg *msg, const char *name, size_t name_len,
                hb_field_type type, size_t value_len, uint8_t **value);

/* Removes every field called `name` except the first. */
void hb_msg_drop_duplicates(hb_msg *msg, const char *name);

/* hb_name_valid() without the length argument being a C string. */
bool hb_name_bytes_valid(const uint8_t *name, size_t name_len);

/* ------------------------------------------------ auth tokens (hb_sign.c) */

/* Parses "N digest" (N = 0..99 without leading zeros, one space, 1..40
 * printable non-space characters).  false if malformed. */
bool hb_parse_auth_value(const char *text, size_t len, hb_auth_token *tok);
/* The token of the last `auth` field: NONE, NO_AUTH or AUTH_MALFORMED. */
hb_drop_reason hb_inner_token(const hb_msg *msg, hb_auth_token *tok);

/* ------------------------------------------ classic serialisation (hb_classic.c) */

/* Streams the classic line of one field ("(1)" prefix, 0x13, base64). */
void hb_classic_put_field(hb_sink *s, const hb_field *f);
/* Streams the inner-auth text of msg (all fields except `auth`). */
void hb_classic_put_inner(hb_sink *s, const hb_msg *msg);

#endif /* HB_INTERNAL_H */
