/*
 * hb_netstring.c - the netstring framing Heartbeat 3.0.6 uses on every UDP
 * medium (heartbeat-wire §2.1):
 *
 *   "###\n"  { LEN ":" "(" T ")" name "=" value "," }  "%%%\n"  LEN ":" N " " digest ","
 *
 * Pure encode/decode over caller buffers.  The decoder is stricter than
 * Heartbeat where real senders never differ (no leading zeros in lengths,
 * nothing between the digits and ':'), so decode -> encode reproduces the
 * received bytes exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hb_internal.h"

#define LEN_DIGITS_MAX 7 /* HB_MSG_MAX has 6 digits */

static void put_str(hb_sink *s, const char *text)
{
    hb_sink_put(s, text, strlen(text));
}

/* Every field of every message is framed here: no printf. */
static void put_decimal(hb_sink *s, size_t v)
{
    char digits[24];
    hb_sink_put(s, digits, hb_dec_u64(digits, v));
}

static void put_netstring_field(hb_sink *s, const hb_field *f)
{
    size_t body_len = 3 + f->name_len + 1 + f->value_len; /* "(T)" name "=" value */
    put_decimal(s, body_len);
    hb_sink_put(s, ":(", 2);
    put_decimal(s, (size_t)f->type);
    hb_sink_put(s, ")", 1);
    hb_sink_put(s, f->name, f->name_len);
    hb_sink_put(s, "=", 1);
    hb_sink_put(s, f->value, f->value_len);
    hb_sink_put(s, ",", 1);
}

ssize_t hb_encode_netstring(const hb_msg *msg, uint8_t *out, size_t cap)
{
    hb_sink s = {.buf = out, .cap = out ? cap : 0};
    put_str(&s, "###\n");
    for (size_t i = 0; i < msg->nfields; i++)
        put_netstring_field(&s, &msg->field[i]);
    put_str(&s, "%%%\n");
    return hb_sink_result(&s);
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Reads "LEN:" at buf[*pos]; leaves *pos on the first byte after ':'.
 * TRUNCATED if the input ends inside it, PARSE_ERROR if it is not canonical. */
static hb_drop_reason read_length(const uint8_t *buf, size_t len, size_t *pos,
                                  size_t *value)
{
    size_t p = *pos, digits = 0, v = 0;
    while (p < len && is_digit(buf[p])) {
        if (++digits > LEN_DIGITS_MAX)
            return HB_DROP_PARSE_ERROR;
        v = v * 10 + (size_t)(buf[p++] - '0');
    }
    if (p == len)
        return HB_DROP_TRUNCATED;
    if (digits == 0 || buf[p] != ':' || (digits > 1 && buf[*pos] == '0'))
        return HB_DROP_PARSE_ERROR;
    *pos = p + 1;
    *value = v;
    return HB_DROP_NONE;
}

bool hb_netstring_find_value(const uint8_t *body, size_t len, const char *name, size_t *at, size_t *value_len)
{
    size_t name_len = strlen(name);
    if (len < 8 || memcmp(body, "###\n", 4) != 0)
        return false;
    size_t pos = 4;
    while (pos + 4 <= len && memcmp(body + pos, "%%%\n", 4) != 0) {
        size_t n;
        if (read_length(body, len, &pos, &n) != HB_DROP_NONE || n > len - pos || pos + n >= len || body[pos + n] != ',')
            return false;
        const uint8_t *f = body + pos; /* "(T)name=value" */
        if (n >= 3 + name_len + 1 && f[0] == '(' && f[2] == ')' && memcmp(f + 3, name, name_len) == 0 &&
            f[3 + name_len] == '=') {
            *at = pos + 3 + name_len + 1;
            *value_len = n - (3 + name_len + 1);
            return true;
        }
        pos += n + 1;
    }
    return false;
}

/* Whether "%%%\n" occurs in buf: tells a cut-off datagram from a broken one. */
static bool has_end_marker(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (buf[i] == '%' && memcmp(buf + i, "%%%\n", 4) == 0)
            return true;
    return false;
}

/* One field body "(T)name=value" of body_len bytes. */
static hb_drop_reason decode_field(hb_msg *msg, const uint8_t *body, size_t body_len)
{
    if (body_len < 3 || body[0] != '(' || !is_digit(body[1]) || body[2] != ')')
        return HB_DROP_PARSE_ERROR;
    int type = body[1] - '0';
    if (type != HB_FIELD_STRING && type != HB_FIELD_BINARY)
        return HB_DROP_BAD_FIELD_TYPE;
    const uint8_t *name = body + 3;
    const uint8_t *eq = memchr(name, '=', body_len - 3);
    if (eq == NULL)
        return HB_DROP_PARSE_ERROR;
    size_t name_len = (size_t)(eq - name);
    if (!hb_name_bytes_valid(name, name_len))
        return HB_DROP_BAD_NAME;
    const uint8_t *value = eq + 1;
    size_t value_len = body_len - 3 - name_len - 1;
    if (type == HB_FIELD_STRING && memchr(value, '\0', value_len))
        return HB_DROP_BAD_VALUE;

    uint8_t *dst;
    int rc = hb_msg_push(msg, (const char *)name, name_len, (hb_field_type)type,
                         value_len, &dst);
    if (rc == -EMSGSIZE)
        return HB_DROP_TOO_MANY_FIELDS;
    if (rc < 0)
        return HB_DROP_TOO_LONG;
    memcpy(dst, value, value_len);
    return HB_DROP_NONE;
}

hb_drop_reason hb_decode_netstring(hb_msg *msg, const uint8_t *buf, size_t len,
                                   size_t *body_len)
{
    static const uint8_t start[4] = {'#', '#', '#', '\n'};
    static const uint8_t end[4] = {'%', '%', '%', '\n'};

    hb_msg_reset(msg);
    if (len < sizeof(start) || memcmp(buf, start, sizeof(start)) != 0)
        return HB_DROP_BAD_FRAMING;

    size_t pos = sizeof(start);
    for (;;) {
        if (pos == len)
            return HB_DROP_TRUNCATED;
        if (buf[pos] == '%') {
            size_t avail = len - pos < sizeof(end) ? len - pos : sizeof(end);
            if (memcmp(buf + pos, end, avail) != 0)
                return HB_DROP_PARSE_ERROR;
            if (avail < sizeof(end))
                return HB_DROP_TRUNCATED;
            *body_len = pos + sizeof(end);
            return HB_DROP_NONE;
        }
        size_t field_len, field_start = pos;
        hb_drop_reason r = read_length(buf, len, &pos, &field_len);
        if (r == HB_DROP_NONE && field_len >= len - pos) /* body + ',' must be there */
            r = HB_DROP_TRUNCATED;
        if (r == HB_DROP_NONE && buf[pos + field_len] != ',')
            r = HB_DROP_PARSE_ERROR;
        if (r == HB_DROP_PARSE_ERROR && !has_end_marker(buf + field_start, len - field_start))
            r = HB_DROP_TRUNCATED; /* a datagram cut short, not a malformed one */
        if (r != HB_DROP_NONE)
            return r;
        r = decode_field(msg, buf + pos, field_len);
        if (r != HB_DROP_NONE)
            return r;
        pos += field_len + 1;
    }
}

hb_drop_reason hb_parse_auth_trailer(const uint8_t *buf, size_t len, hb_auth_token *tok)
{
    if (len == 0)
        return HB_DROP_NO_AUTH;
    size_t pos = 0, token_len;
    if (read_length(buf, len, &pos, &token_len) != HB_DROP_NONE ||
        token_len >= len - pos || buf[pos + token_len] != ',')
        return HB_DROP_AUTH_MALFORMED;
    if (!hb_parse_auth_value((const char *)buf + pos, token_len, tok))
        return HB_DROP_AUTH_MALFORMED;
    if (pos + token_len + 1 != len)
        return HB_DROP_TRAILING_DATA;
    return HB_DROP_NONE;
}
