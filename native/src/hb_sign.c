/*
 * hb_sign.c - Heartbeat's two message authentications (heartbeat-wire §3):
 *
 *   inner: field `auth` = "N digest" over the classic lines of all other
 *          fields (§3.3); the only check for classic datagrams;
 *   outer: trailing netstring "LEN:N digest," over "###\n...%%%\n" (§3.4);
 *          the only check for netstring datagrams.
 *
 * Digests are streamed (hb_sink + hb_digest_stream): the inner text is never
 * materialised, so signing and verifying need no scratch buffer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hb_internal.h"

bool hb_parse_auth_value(const char *text, size_t len, hb_auth_token *tok)
{
    size_t pos = 0;
    int index = 0;
    while (pos < len && pos < 3 && text[pos] >= '0' && text[pos] <= '9')
        index = index * 10 + (text[pos++] - '0');
    if (pos == 0 || pos > 2 || (pos == 2 && text[0] == '0'))
        return false;
    if (pos >= len || text[pos] != ' ')
        return false;
    const char *digest = text + pos + 1;
    size_t digest_len = len - pos - 1;
    if (digest_len == 0 || digest_len >= HB_DIGEST_TEXT_MAX)
        return false;
    for (size_t i = 0; i < digest_len; i++) {
        unsigned char c = (unsigned char)digest[i];
        if (c <= ' ' || c > '~') /* sscanf("%s") would stop at whitespace */
            return false;
    }
    tok->index = index;
    tok->digest = digest;
    tok->digest_len = digest_len;
    return true;
}

/* "<index> <digest>" (Heartbeat's auth value), NUL-terminated; returns its
 * length.  By hand: snprintf was a visible share of the heartbeat thread. */
static size_t auth_token(char out[8 + HB_DIGEST_TEXT_MAX], int index, const char *digest)
{
    size_t n = hb_dec_u64(out, (unsigned)index);
    out[n++] = ' ';
    size_t d = strnlen(digest, HB_DIGEST_TEXT_MAX - 1);
    memcpy(out + n, digest, d);
    n += d;
    out[n] = '\0';
    return n;
}

/* Digest text of the inner-auth serialisation of msg. */
static int inner_digest(const hb_msg *msg, const hb_auth_entry *e,
                        char out[HB_DIGEST_TEXT_MAX])
{
    hb_digest_stream d;
    int rc = hb_digest_begin(&d, e->method, e->key, e->key_len);
    if (rc < 0)
        return rc;
    hb_sink s = {.digest = &d};
    hb_classic_put_inner(&s, msg);
    return hb_digest_end(&d, out);
}

int hb_msg_sign(hb_msg *msg, const hb_keys *keys)
{
    const hb_auth_entry *e = hb_keys_entry(keys, keys->sign_index);
    if (e == NULL)
        return -ENOENT;
    char digest[HB_DIGEST_TEXT_MAX];
    int rc = inner_digest(msg, e, digest);
    if (rc < 0)
        return rc;
    char value[8 + HB_DIGEST_TEXT_MAX];
    auth_token(value, keys->sign_index, digest);
    /* Like Heartbeat's ha_msg_mod, an existing auth field keeps its place.
     * Heartbeat would leave further auth fields in, and its receivers check
     * the LAST one, so such a message could never verify: drop them (they
     * are not part of the inner text, so the digest is unchanged). */
    rc = hb_msg_set_str(msg, "auth", value);
    if (rc == 0)
        hb_msg_drop_duplicates(msg, "auth");
    return rc;
}

ssize_t hb_encode_udp(hb_msg *msg, const hb_keys *keys, uint8_t *out, size_t cap)
{
    return hb_encode_udp_opt(msg, keys, true, out, cap);
}

ssize_t hb_encode_udp_opt(hb_msg *msg, const hb_keys *keys, bool inner_auth, uint8_t *out, size_t cap)
{
    if (hb_keys_entry(keys, keys->sign_index) == NULL)
        return -ENOENT;
    int rc = inner_auth ? hb_msg_sign(msg, keys) : 0;
    if (rc < 0)
        return rc;
    ssize_t body_len = hb_encode_netstring(msg, out, cap);
    if (body_len < 0)
        return body_len;
    return hb_seal_netstring(keys, out, (size_t)body_len, cap);
}

ssize_t hb_seal_netstring(const hb_keys *keys, uint8_t *out, size_t body_len, size_t cap)
{
    const hb_auth_entry *e = hb_keys_entry(keys, keys->sign_index);
    if (e == NULL)
        return -ENOENT;
    char digest[HB_DIGEST_TEXT_MAX], token[8 + HB_DIGEST_TEXT_MAX], trailer[16 + sizeof(token)];
    int rc = hb_auth_digest(e->method, e->key, e->key_len, out, body_len, digest);
    if (rc < 0)
        return rc;
    size_t token_len = auth_token(token, keys->sign_index, digest);
    size_t trailer_len = hb_dec_u64(trailer, token_len);
    trailer[trailer_len++] = ':';
    memcpy(trailer + trailer_len, token, token_len);
    trailer_len += token_len;
    trailer[trailer_len++] = ',';

    size_t total = body_len + trailer_len;
    if (total > HB_MSG_MAX)
        return -EMSGSIZE;
    if (total > cap)
        return -ENOSPC;
    memcpy(out + body_len, trailer, trailer_len);
    return (ssize_t)total;
}

/* Computed vs received digest text, constant time for equal lengths. */
static hb_drop_reason compare(const char *computed, int computed_len, const hb_auth_token *tok)
{
    if (computed_len < 0)
        return HB_DROP_BAD_AUTH; /* cannot compute: never accept */
    return hb_auth_digest_equal(computed, (size_t)computed_len, tok->digest, tok->digest_len)
               ? HB_DROP_NONE
               : HB_DROP_BAD_AUTH;
}

hb_drop_reason hb_verify_outer(const hb_keys *keys, const uint8_t *body, size_t body_len,
                               const hb_auth_token *tok)
{
    const hb_auth_entry *named = hb_keys_entry(keys, tok->index);
    if (named == NULL)
        return HB_DROP_UNKNOWN_AUTH_INDEX;
    const hb_auth_entry *local = hb_keys_entry(keys, keys->sign_index);
    if (local == NULL)
        return HB_DROP_NO_SIGNING_KEY;
    /* Heartbeat quirk (§3.5): algorithm of entry N, key of the local `auth` entry. */
    char computed[HB_DIGEST_TEXT_MAX];
    int n = hb_auth_digest(named->method, local->key, local->key_len, body, body_len, computed);
    return compare(computed, n, tok);
}

hb_drop_reason hb_inner_token(const hb_msg *msg, hb_auth_token *tok)
{
    const hb_field *auth = NULL;
    for (size_t i = 0; i < msg->nfields; i++) /* the LAST auth field counts, as in Heartbeat */
        if (msg->field[i].name_len == 4 && memcmp(msg->field[i].name, "auth", 4) == 0)
            auth = &msg->field[i];
    if (auth == NULL)
        return HB_DROP_NO_AUTH;
    if (auth->type != HB_FIELD_STRING ||
        !hb_parse_auth_value((const char *)auth->value, auth->value_len, tok))
        return HB_DROP_AUTH_MALFORMED;
    return HB_DROP_NONE;
}

hb_drop_reason hb_verify_inner(const hb_keys *keys, const hb_msg *msg)
{
    hb_auth_token tok;
    hb_drop_reason r = hb_inner_token(msg, &tok);
    if (r != HB_DROP_NONE)
        return r;
    const hb_auth_entry *e = hb_keys_entry(keys, tok.index);
    if (e == NULL)
        return HB_DROP_UNKNOWN_AUTH_INDEX;
    char computed[HB_DIGEST_TEXT_MAX];
    int n = inner_digest(msg, e, computed); /* entry N's own method AND key */
    return compare(computed, n, &tok);
}
