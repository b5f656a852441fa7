/*
 * hb_msg.c - the Heartbeat message model: an ordered list of typed
 * name=value fields whose bytes live in a caller-supplied store, plus the
 * control fields every sent message carries (heartbeat-wire §1, §5.1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hb_internal.h"

void hb_msg_init(hb_msg *msg, void *store, size_t cap)
{
    msg->nfields = 0;
    msg->store = store;
    msg->store_cap = store ? cap : 0;
    msg->store_used = 0;
}

void hb_msg_reset(hb_msg *msg)
{
    msg->nfields = 0;
    msg->store_used = 0;
}

static bool starts_with(const uint8_t *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

bool hb_name_bytes_valid(const uint8_t *name, size_t name_len)
{
    if (name_len == 0 || name_len > HB_NAME_MAX)
        return false;
    /* ">>>" is what real nodes reject ("illegal field"); a line starting with
     * "<<<" ends a message for the serial reader, and a leading "(" would be
     * read as the "(T)" type prefix of the classic form. */
    if (starts_with(name, name_len, ">>>") || starts_with(name, name_len, "<<<") ||
        name[0] == '(')
        return false;
    for (size_t i = 0; i < name_len; i++)
        if (name[i] == '=' || name[i] == '\n' || name[i] == '\0')
            return false;
    return true;
}

bool hb_name_valid(const char *name, size_t name_len)
{
    return name != NULL && hb_name_bytes_valid((const uint8_t *)name, name_len);
}

/* Reserves n bytes + a NUL in the store. */
static uint8_t *store_take(hb_msg *msg, size_t n)
{
    if (msg->store_used > msg->store_cap || n >= msg->store_cap - msg->store_used)
        return NULL;
    uint8_t *p = msg->store + msg->store_used;
    p[n] = '\0';
    msg->store_used += n + 1;
    return p;
}

int hb_msg_push(hb_msg *msg, const char *name, size_t name_len,
                hb_field_type type, size_t value_len, uint8_t **value)
{
    if (msg->nfields >= HB_MSG_MAX_FIELDS)
        return -EMSGSIZE;
    size_t mark = msg->store_used;
    uint8_t *n = store_take(msg, name_len);
    uint8_t *v = n ? store_take(msg, value_len) : NULL;
    if (v == NULL) {
        msg->store_used = mark;
        return -ENOSPC;
    }
    memcpy(n, name, name_len);
    hb_field *f = &msg->field[msg->nfields++];
    f->name = (const char *)n;
    f->name_len = name_len;
    f->value = v;
    f->value_len = value_len;
    f->type = type;
    *value = v;
    return 0;
}

static int check_value(hb_field_type type, const void *value, size_t value_len)
{
    if (type != HB_FIELD_STRING && type != HB_FIELD_BINARY)
        return -EINVAL;
    if (value == NULL && value_len != 0)
        return -EINVAL;
    if (value_len > HB_MSG_MAX)
        return -EMSGSIZE;
    /* Heartbeat keeps string values as C strings */
    if (type == HB_FIELD_STRING && value_len && memchr(value, '\0', value_len))
        return -EINVAL;
    return 0;
}

int hb_msg_add(hb_msg *msg, const char *name, hb_field_type type,
               const void *value, size_t value_len)
{
    if (name == NULL || !hb_name_valid(name, strlen(name)))
        return -EINVAL;
    int rc = check_value(type, value, value_len);
    if (rc < 0)
        return rc;
    uint8_t *dst;
    rc = hb_msg_push(msg, name, strlen(name), type, value_len, &dst);
    if (rc == 0 && value_len)
        memcpy(dst, value, value_len);
    return rc;
}

int hb_msg_add_str(hb_msg *msg, const char *name, const char *value)
{
    if (value == NULL)
        return -EINVAL;
    return hb_msg_add(msg, name, HB_FIELD_STRING, value, strlen(value));
}

/* Index of the first field called `name`, or -1. */
static long find(const hb_msg *msg, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < msg->nfields; i++) {
        const hb_field *f = &msg->field[i];
        if (f->name_len == len && memcmp(f->name, name, len) == 0)
            return (long)i;
    }
    return -1;
}

int hb_msg_set(hb_msg *msg, const char *name, hb_field_type type,
               const void *value, size_t value_len)
{
    if (name == NULL)
        return -EINVAL;
    long at = find(msg, name);
    if (at < 0)
        return hb_msg_add(msg, name, type, value, value_len);
    int rc = check_value(type, value, value_len);
    if (rc < 0)
        return rc;
    hb_field *f = &msg->field[at];
    uint8_t *dst = msg->store + (f->value - msg->store); /* our own, writable */
    if (value_len > f->value_len) { /* does not fit: take new room, keep position */
        dst = store_take(msg, value_len);
        if (dst == NULL)
            return -ENOSPC;
    }
    if (value_len)
        memmove(dst, value, value_len);
    dst[value_len] = '\0';
    f->value = dst;
    f->value_len = value_len;
    f->type = type;
    return 0;
}

void hb_msg_drop_duplicates(hb_msg *msg, const char *name)
{
    long first = find(msg, name);
    if (first < 0)
        return;
    size_t len = strlen(name), kept = (size_t)first + 1;
    for (size_t i = kept; i < msg->nfields; i++) {
        const hb_field *f = &msg->field[i];
        if (f->name_len == len && memcmp(f->name, name, len) == 0)
            continue; /* its bytes stay in the store until reset */
        msg->field[kept++] = *f;
    }
    msg->nfields = kept;
}

int hb_msg_set_str(hb_msg *msg, const char *name, const char *value)
{
    if (value == NULL)
        return -EINVAL;
    return hb_msg_set(msg, name, HB_FIELD_STRING, value, strlen(value));
}

const hb_field *hb_msg_get(const hb_msg *msg, const char *name)
{
    long at = name ? find(msg, name) : -1;
    return at < 0 ? NULL : &msg->field[at];
}

const char *hb_msg_get_str(const hb_msg *msg, const char *name)
{
    const hb_field *f = hb_msg_get(msg, name);
    return f && f->type == HB_FIELD_STRING ? (const char *)f->value : NULL;
}

bool hb_msg_is_ns(const hb_msg *msg)
{
    const char *t = hb_msg_get_str(msg, "t");
    return t != NULL && strncmp(t, "NS_", 3) == 0;
}

/* ---------------------------------------------------------- control fields */

int hb_msg_add_control_fields(hb_msg *msg, const hb_control *c)
{
    if (c == NULL || c->src == NULL || c->srcuuid == NULL || hb_msg_get_str(msg, "t") == NULL)
        return -EINVAL;
    bool ns = hb_msg_is_ns(msg);
    if (!ns && c->ld == NULL)
        return -EINVAL;
    const char *ld = c->ld ? c->ld : "";

    char seq[17], hg[17], ts[17], ttl[21];
    size_t seq_len = hb_hex_u64(seq, c->seq);
    size_t hg_len = hb_hex_u64(hg, c->hg);
    size_t ts_len = hb_hex_u64(ts, c->ts);
    size_t ttl_len = hb_dec_u64(ttl, c->ttl);
    ttl[ttl_len] = '\0';

    const struct {
        const char *name;
        hb_field_type type;
        const void *value;
        size_t len;
        bool sequenced_only; /* left out of NS_* messages */
    } controls[] = {
        {"src", HB_FIELD_STRING, c->src, strlen(c->src), false},
        {"srcuuid", HB_FIELD_BINARY, c->srcuuid, HB_UUID_LEN, false},
        {"seq", HB_FIELD_STRING, seq, seq_len, true},
        {"hg", HB_FIELD_STRING, hg, hg_len, false},
        {"ts", HB_FIELD_STRING, ts, ts_len, false},
        {"ld", HB_FIELD_STRING, ld, strlen(ld), true},
        {"ttl", HB_FIELD_STRING, ttl, ttl_len, false},
    };

    int rc = 0;
    if (c->destuuid != NULL && hb_msg_get_str(msg, "dest") != NULL)
        rc = hb_msg_set(msg, "destuuid", HB_FIELD_BINARY, c->destuuid, HB_UUID_LEN);

    for (size_t i = 0; rc == 0 && i < sizeof(controls) / sizeof(controls[0]); i++) {
        if (ns && (controls[i].sequenced_only || hb_msg_get(msg, controls[i].name)))
            continue;
        rc = hb_msg_set(msg, controls[i].name, controls[i].type,
                        controls[i].value, controls[i].len);
    }
    return rc;
}
