/*
 * hb_recv.c - the receive ladder: bytes in, an authentic message or a named
 * reason out (heartbeat-wire §3.5, §9).  Cheap checks first, the digest
 * comparison (constant time) last, then the fields every sender adds.
 * Anti-replay (seq/hg) is a later rung, elsewhere.
 */
#include <string.h>

#include "hb_internal.h"

/* The smallest framed message: ">>>\n<<<\n" (the netstring minimum is longer). */
#define MIN_DATAGRAM 8

static const char *const reason_names[HB_DROP_REASON_COUNT] = {
    [HB_DROP_NONE] = "none",
    [HB_DROP_TOO_SHORT] = "too_short",
    [HB_DROP_TOO_LONG] = "too_long",
    [HB_DROP_BAD_FRAMING] = "bad_framing",
    [HB_DROP_TRUNCATED] = "truncated",
    [HB_DROP_PARSE_ERROR] = "parse_error",
    [HB_DROP_BAD_FIELD_TYPE] = "bad_field_type",
    [HB_DROP_BAD_NAME] = "bad_name",
    [HB_DROP_BAD_VALUE] = "bad_value",
    [HB_DROP_BAD_BASE64] = "bad_base64",
    [HB_DROP_TOO_MANY_FIELDS] = "too_many_fields",
    [HB_DROP_TRAILING_DATA] = "trailing_data",
    [HB_DROP_NO_AUTH] = "no_auth",
    [HB_DROP_AUTH_MALFORMED] = "auth_malformed",
    [HB_DROP_UNKNOWN_AUTH_INDEX] = "unknown_auth_index",
    [HB_DROP_NO_SIGNING_KEY] = "no_signing_key",
    [HB_DROP_BAD_AUTH] = "bad_auth",
    [HB_DROP_MISSING_FIELDS] = "missing_fields",
};

const char *hb_drop_reason_name(int reason)
{
    if (reason < 0 || reason >= HB_DROP_REASON_COUNT || reason_names[reason] == NULL)
        return "unknown";
    return reason_names[reason];
}

static bool nonzero_hex(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    bool nonzero = false;
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
        nonzero |= c != '0';
    }
    return nonzero;
}

/* Heartbeat drops authentic messages without t, src or a usable ts
 * ("missing from/ts/type"; ts = 0 silently). */
static hb_drop_reason check_required_fields(const hb_msg *msg)
{
    const char *t = hb_msg_get_str(msg, "t");
    const char *src = hb_msg_get_str(msg, "src");
    if (t == NULL || *t == '\0' || src == NULL || *src == '\0' ||
        !nonzero_hex(hb_msg_get_str(msg, "ts")))
        return HB_DROP_MISSING_FIELDS;
    return HB_DROP_NONE;
}

static hb_drop_reason receive_netstring(const hb_keys *keys, const uint8_t *buf, size_t len,
                                        hb_msg *msg, hb_recv_info *info)
{
    size_t body_len;
    hb_auth_token tok;
    hb_drop_reason r = hb_decode_netstring(msg, buf, len, &body_len);
    if (r == HB_DROP_NONE)
        r = hb_parse_auth_trailer(buf + body_len, len - body_len, &tok);
    if (r != HB_DROP_NONE)
        return r;
    info->auth_index = tok.index;
    return hb_verify_outer(keys, buf, body_len, &tok);
}

static hb_drop_reason receive_classic(const hb_keys *keys, const uint8_t *buf, size_t len,
                                      hb_msg *msg, hb_recv_info *info)
{
    size_t used;
    hb_drop_reason r = hb_decode_classic(msg, buf, len, &used);
    if (r != HB_DROP_NONE)
        return r;
    /* Heartbeat's own classic writer sends the terminating NUL too. */
    if (used != len && !(used + 1 == len && buf[used] == '\0'))
        return HB_DROP_TRAILING_DATA;
    hb_auth_token tok;
    if (hb_inner_token(msg, &tok) == HB_DROP_NONE)
        info->auth_index = tok.index;
    return hb_verify_inner(keys, msg);
}

hb_drop_reason hb_receive(const hb_keys *keys, const uint8_t *buf, size_t len,
                          hb_msg *msg, hb_recv_info *info)
{
    hb_recv_info scratch;
    if (info == NULL)
        info = &scratch;
    info->framing = HB_FRAMING_UNKNOWN;
    info->auth_index = -1;
    hb_msg_reset(msg);

    if (len < MIN_DATAGRAM)
        return HB_DROP_TOO_SHORT;
    if (len > HB_MSG_MAX)
        return HB_DROP_TOO_LONG;

    hb_drop_reason r;
    if (memcmp(buf, "###\n", 4) == 0) {
        info->framing = HB_FRAMING_NETSTRING;
        r = receive_netstring(keys, buf, len, msg, info);
    } else if (memcmp(buf, ">>>\n", 4) == 0) {
        info->framing = HB_FRAMING_CLASSIC;
        r = receive_classic(keys, buf, len, msg, info);
    } else {
        return HB_DROP_BAD_FRAMING; /* real nodes drop these silently */
    }
    return r != HB_DROP_NONE ? r : check_required_fields(msg);
}
