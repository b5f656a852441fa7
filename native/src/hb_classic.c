/*
 * hb_classic.c - Heartbeat's classic text framing (heartbeat-wire §2.2),
 * used on serial links, through the FIFO, optionally on UDP, and as the input
 * of the inner `auth` digest (§3.3):
 *
 *   ">>>\n"  { ["(1)"] name "=" value "\n" }  "<<<\n"
 *
 * String values carry '\n' as byte 0x13; binary values are base64.
 */
#include <errno.h>
#include <string.h>

#include "hb_internal.h"

#define NEWLINE_STANDIN 0x13 /* how a '\n' inside a string value travels */

static void put_string_value(hb_sink *s, const uint8_t *v, size_t n)
{
    static const uint8_t standin = NEWLINE_STANDIN;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '\n')
            continue;
        hb_sink_put(s, v + run, i - run);
        hb_sink_put(s, &standin, 1);
        run = i + 1;
    }
    hb_sink_put(s, v + run, n - run);
}

static void put_base64_value(hb_sink *s, const uint8_t *v, size_t n)
{
    char chunk[64]; /* 48 input bytes at a time */
    for (size_t i = 0; i < n; i += 48) {
        size_t take = n - i < 48 ? n - i : 48;
        hb_sink_put(s, chunk, hb_base64_encode(v + i, take, chunk));
    }
}

void hb_classic_put_field(hb_sink *s, const hb_field *f)
{
    if (f->type == HB_FIELD_BINARY)
        hb_sink_put(s, "(1)", 3);
    hb_sink_put(s, f->name, f->name_len);
    hb_sink_put(s, "=", 1);
    if (f->type == HB_FIELD_BINARY)
        put_base64_value(s, f->value, f->value_len);
    else
        put_string_value(s, f->value, f->value_len);
    hb_sink_put(s, "\n", 1);
}

static bool is_auth_field(const hb_field *f)
{
    return f->name_len == 4 && memcmp(f->name, "auth", 4) == 0;
}

void hb_classic_put_inner(hb_sink *s, const hb_msg *msg)
{
    for (size_t i = 0; i < msg->nfields; i++)
        if (!is_auth_field(&msg->field[i]))
            hb_classic_put_field(s, &msg->field[i]);
}

ssize_t hb_encode_classic(const hb_msg *msg, uint8_t *out, size_t cap)
{
    hb_sink s = {.buf = out, .cap = out ? cap : 0};
    hb_sink_put(&s, ">>>\n", 4);
    for (size_t i = 0; i < msg->nfields; i++)
        hb_classic_put_field(&s, &msg->field[i]);
    hb_sink_put(&s, "<<<\n", 4);
    return hb_sink_result(&s);
}

ssize_t hb_encode_inner_text(const hb_msg *msg, uint8_t *out, size_t cap)
{
    hb_sink s = {.buf = out, .cap = out ? cap : 0};
    hb_classic_put_inner(&s, msg);
    return hb_sink_result(&s);
}

/* One "[(T)]name=value" line (without its '\n'). */
static hb_drop_reason decode_line(hb_msg *msg, const uint8_t *line, size_t len)
{
    const uint8_t *eq = memchr(line, '=', len);
    if (eq == NULL) /* Heartbeat: "line doesn't contain '='" */
        return HB_DROP_PARSE_ERROR;
    const uint8_t *name = line;
    size_t name_len = (size_t)(eq - line);
    int type = HB_FIELD_STRING;
    if (name_len >= 3 && name[0] == '(' && name[1] >= '0' && name[1] <= '9' && name[2] == ')') {
        type = name[1] - '0';
        if (type != HB_FIELD_STRING && type != HB_FIELD_BINARY)
            return HB_DROP_BAD_FIELD_TYPE;
        name += 3;
        name_len -= 3;
    }
    if (!hb_name_bytes_valid(name, name_len))
        return HB_DROP_BAD_NAME;

    const char *text = (const char *)eq + 1;
    size_t text_len = len - (size_t)(eq + 1 - line);
    size_t value_len = text_len;
    if (type == HB_FIELD_BINARY) {
        ssize_t n = hb_base64_decoded_len(text, text_len);
        if (n < 0)
            return HB_DROP_BAD_BASE64;
        value_len = (size_t)n;
    } else if (memchr(text, '\0', text_len)) {
        return HB_DROP_BAD_VALUE;
    }

    uint8_t *dst;
    int rc = hb_msg_push(msg, (const char *)name, name_len, (hb_field_type)type,
                         value_len, &dst);
    if (rc == -EMSGSIZE)
        return HB_DROP_TOO_MANY_FIELDS;
    if (rc < 0)
        return HB_DROP_TOO_LONG;
    if (type == HB_FIELD_BINARY) {
        hb_base64_decode(text, text_len, dst);
    } else {
        for (size_t i = 0; i < text_len; i++)
            dst[i] = text[i] == NEWLINE_STANDIN ? '\n' : (uint8_t)text[i];
    }
    return HB_DROP_NONE;
}

hb_drop_reason hb_decode_classic(hb_msg *msg, const uint8_t *buf, size_t len, size_t *used)
{
    hb_msg_reset(msg);
    if (len < 4 || memcmp(buf, ">>>\n", 4) != 0)
        return HB_DROP_BAD_FRAMING;

    size_t pos = 4;
    for (;;) {
        if (pos == len) /* no "<<<" line: a real node waits for it forever */
            return HB_DROP_TRUNCATED;
        const uint8_t *line = buf + pos;
        const uint8_t *nl = memchr(line, '\n', len - pos);
        if (nl == NULL) /* every line, the end line too, ends with '\n' */
            return HB_DROP_TRUNCATED;
        size_t line_len = (size_t)(nl - line);
        /* Heartbeat ends a message at exactly "<<<\n"; a longer line starting
         * with "<<<" is an (illegal) field line, rejected by decode_line(). */
        if (line_len == 3 && memcmp(line, "<<<", 3) == 0) {
            *used = pos + 4;
            return HB_DROP_NONE;
        }
        if (line_len > 0) { /* empty lines are skipped */
            hb_drop_reason r = decode_line(msg, line, line_len);
            if (r != HB_DROP_NONE)
                return r;
        }
        pos += line_len + 1;
    }
}
