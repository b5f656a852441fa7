/*
 * nl_msg.c - netlink and generic netlink messages over caller buffers: the
 * request builder, message and attribute walking, the reply follower of one
 * request (hb_nl_rx) and the controller's family lookup.  Pure: no I/O, no
 * allocation, no globals.
 *
 * Wire format (linux/netlink.h): a datagram holds messages, each a 16-byte
 * struct nlmsghdr {len, type, flags, seq, pid} + payload, padded to 4
 * bytes.  Generic netlink payloads start with struct genlmsghdr {cmd,
 * version, reserved} (4 bytes), then attributes: struct nlattr {len, type}
 * + data, padded to 4; len counts header + data, not the padding.  All in
 * host byte order unless an attribute says otherwise.
 */
#include <errno.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "hbcore.h"

#define ALIGN4(n) (((n) + 3u) & ~(size_t)3u)
#define ATTR_HDR 4u

/* ------------------------------------------------------------------ build */

static uint8_t *reserve(hb_nl_builder *b, size_t n)
{
    if (b->err)
        return NULL;
    if (n > b->cap - b->len) {
        b->err = -ENOSPC;
        return NULL;
    }
    uint8_t *p = b->buf + b->len;
    memset(p, 0, n);
    b->len += n;
    return p;
}

void hb_nl_begin(hb_nl_builder *b, void *buf, size_t cap, uint16_t type, uint16_t flags,
                 uint32_t seq, uint32_t pid)
{
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    b->err = buf == NULL ? -EINVAL : 0;
    b->depth = 0;
    struct nlmsghdr *h = (struct nlmsghdr *)reserve(b, NLMSG_HDRLEN);
    if (h == NULL)
        return;
    h->nlmsg_type = type;
    h->nlmsg_flags = flags;
    h->nlmsg_seq = seq;
    h->nlmsg_pid = pid;
}

void hb_genl_begin(hb_nl_builder *b, void *buf, size_t cap, uint16_t family, uint16_t flags,
                   uint32_t seq, uint8_t cmd, uint8_t version)
{
    hb_nl_begin(b, buf, cap, family, flags, seq, 0);
    uint8_t *g = reserve(b, GENL_HDRLEN);
    if (g == NULL)
        return;
    g[0] = cmd;
    g[1] = version;
}

void hb_nl_put(hb_nl_builder *b, uint16_t type, const void *data, size_t len)
{
    if (!b->err && len > 0xffffu - ATTR_HDR) {
        b->err = -EINVAL;
        return;
    }
    uint8_t *p = reserve(b, ALIGN4(ATTR_HDR + len));
    if (p == NULL)
        return;
    uint16_t alen = (uint16_t)(ATTR_HDR + len);
    memcpy(p, &alen, 2);
    memcpy(p + 2, &type, 2);
    if (len)
        memcpy(p + ATTR_HDR, data, len);
}

void hb_nl_put_u8(hb_nl_builder *b, uint16_t type, uint8_t v) { hb_nl_put(b, type, &v, 1); }
void hb_nl_put_u16(hb_nl_builder *b, uint16_t type, uint16_t v) { hb_nl_put(b, type, &v, 2); }
void hb_nl_put_u32(hb_nl_builder *b, uint16_t type, uint32_t v) { hb_nl_put(b, type, &v, 4); }
void hb_nl_put_u64(hb_nl_builder *b, uint16_t type, uint64_t v) { hb_nl_put(b, type, &v, 8); }

void hb_nl_put_be16(hb_nl_builder *b, uint16_t type, uint16_t host_order)
{
    uint8_t be[2] = {(uint8_t)(host_order >> 8), (uint8_t)host_order};
    hb_nl_put(b, type, be, 2);
}

void hb_nl_put_str(hb_nl_builder *b, uint16_t type, const char *s)
{
    if (s == NULL) {
        if (!b->err)
            b->err = -EINVAL;
        return;
    }
    hb_nl_put(b, type, s, strlen(s) + 1);
}

void hb_nl_nest_begin(hb_nl_builder *b, uint16_t type)
{
    if (!b->err && b->depth == HB_NL_NEST_MAX)
        b->err = -EINVAL;
    size_t at = b->len;
    uint8_t *p = reserve(b, ATTR_HDR);
    if (p == NULL)
        return;
    uint16_t t = (uint16_t)(type | NLA_F_NESTED);
    memcpy(p + 2, &t, 2);
    b->nest[b->depth++] = at;
}

void hb_nl_nest_end(hb_nl_builder *b)
{
    if (b->err)
        return;
    if (b->depth == 0) {
        b->err = -EINVAL;
        return;
    }
    size_t at = b->nest[--b->depth];
    size_t n = b->len - at;
    if (n > 0xffffu) {
        b->err = -EMSGSIZE;
        return;
    }
    uint16_t len = (uint16_t)n;
    memcpy(b->buf + at, &len, 2);
}

ssize_t hb_nl_end(hb_nl_builder *b)
{
    if (!b->err && b->depth != 0)
        b->err = -EINVAL;
    if (b->err)
        return b->err;
    uint32_t len = (uint32_t)b->len;
    memcpy(b->buf, &len, 4); /* nlmsg_len is the first field */
    return (ssize_t)b->len;
}

/* ------------------------------------------------------------------ parse */

int hb_nl_next(const uint8_t **pos, size_t *rem, hb_nl_msg *m)
{
    if (*rem == 0)
        return 0;
    if (*rem < NLMSG_HDRLEN)
        return -EBADMSG;
    struct nlmsghdr h;
    memcpy(&h, *pos, sizeof(h));
    if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > *rem)
        return -EBADMSG;
    m->type = h.nlmsg_type;
    m->flags = h.nlmsg_flags;
    m->seq = h.nlmsg_seq;
    m->pid = h.nlmsg_pid;
    m->payload = *pos + NLMSG_HDRLEN;
    m->len = h.nlmsg_len - NLMSG_HDRLEN;
    size_t step = ALIGN4((size_t)h.nlmsg_len);
    if (step > *rem) /* the last message may lack its padding */
        step = *rem;
    *pos += step;
    *rem -= step;
    return 1;
}

int hb_nl_parse(const uint8_t *data, size_t len, hb_nl_attr *tb, unsigned max)
{
    memset(tb, 0, sizeof(*tb) * ((size_t)max + 1));
    size_t off = 0;
    while (len - off >= ATTR_HDR) {
        uint16_t alen, type;
        memcpy(&alen, data + off, 2);
        memcpy(&type, data + off + 2, 2);
        if (alen < ATTR_HDR || alen > len - off)
            return -EBADMSG;
        type &= NLA_TYPE_MASK;
        if (type <= max) {
            tb[type].data = data + off + ATTR_HDR;
            tb[type].len = (uint16_t)(alen - ATTR_HDR);
            tb[type].type = type;
        }
        size_t step = ALIGN4((size_t)alen);
        off = step > len - off ? len : off + step;
    }
    return 0;
}

static int get_fixed(const hb_nl_attr *a, void *v, size_t n)
{
    if (a == NULL || a->data == NULL)
        return -ENOENT;
    if (a->len != n)
        return -EBADMSG;
    memcpy(v, a->data, n);
    return 0;
}

int hb_nl_get_u8(const hb_nl_attr *a, uint8_t *v) { return get_fixed(a, v, 1); }
int hb_nl_get_u16(const hb_nl_attr *a, uint16_t *v) { return get_fixed(a, v, 2); }
int hb_nl_get_u32(const hb_nl_attr *a, uint32_t *v) { return get_fixed(a, v, 4); }
int hb_nl_get_u64(const hb_nl_attr *a, uint64_t *v) { return get_fixed(a, v, 8); }

int hb_nl_get_be16(const hb_nl_attr *a, uint16_t *host_order)
{
    uint8_t be[2];
    int rc = get_fixed(a, be, 2);
    if (rc == 0)
        *host_order = (uint16_t)(be[0] << 8 | be[1]);
    return rc;
}

int hb_nl_get_str(const hb_nl_attr *a, char *out, size_t cap)
{
    if (a == NULL || a->data == NULL)
        return -ENOENT;
    const uint8_t *nul = memchr(a->data, 0, a->len);
    if (nul == NULL)
        return -EBADMSG;
    size_t n = (size_t)(nul - a->data);
    if (n + 1 > cap)
        return -EBADMSG;
    memcpy(out, a->data, n + 1);
    return 0;
}

int hb_genl_header(const hb_nl_msg *m, uint8_t *cmd, uint8_t *version, const uint8_t **attrs,
                   size_t *attrs_len)
{
    if (m->len < GENL_HDRLEN)
        return -EBADMSG;
    if (cmd)
        *cmd = m->payload[0];
    if (version)
        *version = m->payload[1];
    *attrs = m->payload + GENL_HDRLEN;
    *attrs_len = m->len - GENL_HDRLEN;
    return 0;
}

/* ------------------------------------------------ following one request */

void hb_nl_rx_init(hb_nl_rx *rx, uint32_t seq, uint32_t pid, bool dump, hb_nl_msg_cb cb,
                   void *ctx)
{
    memset(rx, 0, sizeof(*rx));
    rx->seq = seq;
    rx->pid = pid;
    rx->dump = dump;
    rx->cb = cb;
    rx->ctx = ctx;
}

/* The TLVs after an error/done payload (NLM_F_ACK_TLVS): keep the text. */
static void take_ext_msg(hb_nl_rx *rx, const uint8_t *tlv, size_t len)
{
    hb_nl_attr tb[NLMSGERR_ATTR_MSG + 1];
    if (hb_nl_parse(tlv, len, tb, NLMSGERR_ATTR_MSG) != 0 || tb[NLMSGERR_ATTR_MSG].data == NULL)
        return;
    size_t n = tb[NLMSGERR_ATTR_MSG].len;
    const uint8_t *nul = memchr(tb[NLMSGERR_ATTR_MSG].data, 0, n);
    if (nul)
        n = (size_t)(nul - tb[NLMSGERR_ATTR_MSG].data);
    if (n >= sizeof(rx->ext_msg))
        n = sizeof(rx->ext_msg) - 1;
    memcpy(rx->ext_msg, tb[NLMSGERR_ATTR_MSG].data, n);
    rx->ext_msg[n] = '\0';
}

/* NLMSG_ERROR: int error, then the request's header (with NLM_F_CAPPED) or
 * the whole request, then TLVs when NLM_F_ACK_TLVS. */
static int on_error(hb_nl_rx *rx, const hb_nl_msg *m)
{
    int32_t err;
    if (m->len < sizeof(err))
        return -EBADMSG;
    memcpy(&err, m->payload, sizeof(err));
    if (err > 0 || err < -4095)
        return -EBADMSG;
    if (m->flags & NLM_F_ACK_TLVS) {
        size_t off = sizeof(err) + NLMSG_HDRLEN;
        if (m->len >= off && !(m->flags & NLM_F_CAPPED)) {
            uint32_t echoed;
            memcpy(&echoed, m->payload + sizeof(err), sizeof(echoed));
            off = echoed >= NLMSG_HDRLEN ? sizeof(err) + ALIGN4((size_t)echoed) : m->len;
        }
        if (off < m->len)
            take_ext_msg(rx, m->payload + off, m->len - off);
    }
    rx->result = err;
    rx->done = true;
    return 1;
}

static int on_done(hb_nl_rx *rx, const hb_nl_msg *m)
{
    if (!rx->dump)
        return -EBADMSG;
    int32_t err = 0;
    if (m->len >= sizeof(err)) {
        memcpy(&err, m->payload, sizeof(err));
        if (err > 0 || err < -4095)
            return -EBADMSG;
        if ((m->flags & NLM_F_ACK_TLVS) && m->len > sizeof(err))
            take_ext_msg(rx, m->payload + sizeof(err), m->len - sizeof(err));
    }
    rx->result = err;
    rx->done = true;
    return 1;
}

int hb_nl_rx_feed(hb_nl_rx *rx, const uint8_t *buf, size_t len)
{
    if (rx->done)
        return 1;
    const uint8_t *pos = buf;
    size_t rem = len;
    hb_nl_msg m;
    int rc;
    while ((rc = hb_nl_next(&pos, &rem, &m)) == 1) {
        if (m.seq != rx->seq || (rx->pid != 0 && m.pid != rx->pid)) {
            rx->skipped++;
            continue;
        }
        switch (m.type) {
        case NLMSG_NOOP:
            continue;
        case NLMSG_ERROR:
            return on_error(rx, &m);
        case NLMSG_DONE:
            return on_done(rx, &m);
        case NLMSG_OVERRUN:
            return -EBADMSG;
        default:
            if (m.type < NLMSG_MIN_TYPE)
                continue; /* reserved control types: nothing to do */
            if (rx->cb_error == 0 && rx->cb) {
                int c = rx->cb(rx->ctx, &m);
                if (c < 0)
                    rx->cb_error = c;
            }
            rx->delivered++;
        }
    }
    return rc < 0 ? rc : 0;
}

int hb_nl_rx_result(const hb_nl_rx *rx)
{
    if (rx->result)
        return rx->result;
    return rx->cb_error;
}

/* ------------------------------------------------ the generic netlink controller */

ssize_t hb_genl_encode_getfamily(void *buf, size_t cap, uint32_t seq, const char *name)
{
    hb_nl_builder b;
    hb_genl_begin(&b, buf, cap, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, seq,
                  CTRL_CMD_GETFAMILY, 1);
    if (name == NULL || strlen(name) >= HB_GENL_NAME_MAX)
        return -EINVAL;
    hb_nl_put_str(&b, CTRL_ATTR_FAMILY_NAME, name);
    return hb_nl_end(&b);
}

int hb_genl_decode_family(const hb_nl_msg *m, hb_genl_family *f)
{
    uint8_t cmd;
    const uint8_t *attrs;
    size_t alen;
    memset(f, 0, sizeof(*f));
    if (hb_genl_header(m, &cmd, NULL, &attrs, &alen) != 0)
        return -EBADMSG;
    if (m->type != GENL_ID_CTRL || cmd != CTRL_CMD_NEWFAMILY)
        return -EPROTO;
    hb_nl_attr tb[CTRL_ATTR_MAXATTR + 1];
    if (hb_nl_parse(attrs, alen, tb, CTRL_ATTR_MAXATTR) != 0)
        return -EBADMSG;
    if (hb_nl_get_u16(&tb[CTRL_ATTR_FAMILY_ID], &f->id) != 0 ||
        hb_nl_get_str(&tb[CTRL_ATTR_FAMILY_NAME], f->name, sizeof(f->name)) != 0)
        return -EBADMSG;
    /* optional: absent stays 0, a wrong size is malformed */
    if (hb_nl_get_u32(&tb[CTRL_ATTR_VERSION], &f->version) == -EBADMSG ||
        hb_nl_get_u32(&tb[CTRL_ATTR_HDRSIZE], &f->hdrsize) == -EBADMSG ||
        hb_nl_get_u32(&tb[CTRL_ATTR_MAXATTR], &f->maxattr) == -EBADMSG)
        return -EBADMSG;
    if (f->id < NLMSG_MIN_TYPE)
        return -EBADMSG;
    return 0;
}
