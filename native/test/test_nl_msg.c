/* test_nl_msg.c - netlink/genetlink building and parsing (nl_msg.c): byte
 * layouts derived from linux/netlink.h by hand, attribute walking with
 * unknown and malformed attributes, the reply follower of one request
 * (ACK, error with extended ACK, multi-datagram dumps, stale replies), and
 * the controller's family lookup against ipvsadm's captured exchange. */
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "test_ipvs_vectors.h"

/* ------------------------------------------------------------------ building */

/* struct nlmsghdr {u32 len; u16 type; u16 flags; u32 seq; u32 pid}, then
 * genlmsghdr {u8 cmd; u8 version; u16 reserved}, then attributes
 * {u16 len; u16 type; data; pad to 4}; all little-endian here. */
static void builds_known_layout(void)
{
    uint8_t buf[128], want[128];
    hb_nl_builder b;
    hb_genl_begin(&b, buf, sizeof(buf), 0x20, NLM_F_REQUEST | NLM_F_ACK, 0x01020304, 7, 1);
    hb_nl_put_u8(&b, 1, 0xab);
    hb_nl_put_u16(&b, 2, 0x1234);
    hb_nl_put_be16(&b, 3, 80);
    hb_nl_nest_begin(&b, 4);
    hb_nl_put_u32(&b, 1, 0xdeadbeef);
    hb_nl_put_str(&b, 2, "rr");
    hb_nl_nest_end(&b);
    hb_nl_put_u64(&b, 5, 0x1122334455667788ull);
    ssize_t n = hb_nl_end(&b);
    long w = hbt_unhex("4c000000 2000 0500 04030201 00000000" /* nlmsghdr, len 76 */
                       "07010000"                            /* cmd 7, version 1 */
                       "0500 0100 ab000000"                  /* u8, padded */
                       "0600 0200 3412 0000"                 /* u16 */
                       "0600 0300 0050 0000"                 /* be16 80 */
                       "1400 0480"                           /* nest 4 | NLA_F_NESTED, len 20 */
                       "  0800 0100 efbeadde"                /*   u32 */
                       "  0700 0200 727200 00"               /*   "rr\0" + 1 pad */
                       "0c00 0500 8877665544332211",         /* u64 */
                       want, sizeof(want));
    CHECK_INT(n, 76);
    CHECK_MEM(buf, (size_t)n, want, (size_t)w);
}

static void builder_errors_are_sticky(void)
{
    uint8_t buf[24];
    hb_nl_builder b;
    hb_genl_begin(&b, buf, sizeof(buf), 0x20, 0, 1, 1, 1); /* 20 bytes */
    hb_nl_put_u32(&b, 1, 1);                                 /* 8 more: too much */
    CHECK_INT(b.err, -ENOSPC);
    hb_nl_put_u8(&b, 2, 1); /* would fit, but the message is already broken */
    CHECK_INT(b.len, 20);
    CHECK_INT(hb_nl_end(&b), -ENOSPC);

    uint8_t big[256];
    hb_genl_begin(&b, big, sizeof(big), 0x20, 0, 1, 1, 1);
    hb_nl_nest_begin(&b, 1);
    CHECK_INT(hb_nl_end(&b), -EINVAL); /* nest still open */
    hb_genl_begin(&b, big, sizeof(big), 0x20, 0, 1, 1, 1);
    hb_nl_nest_end(&b); /* no nest open */
    CHECK_INT(hb_nl_end(&b), -EINVAL);
    hb_genl_begin(&b, big, sizeof(big), 0x20, 0, 1, 1, 1);
    for (unsigned i = 0; i <= HB_NL_NEST_MAX; i++)
        hb_nl_nest_begin(&b, 1);
    CHECK_INT(b.err, -EINVAL);
    hb_genl_begin(&b, big, sizeof(big), 0x20, 0, 1, 1, 1);
    hb_nl_put_str(&b, 1, NULL);
    CHECK_INT(hb_nl_end(&b), -EINVAL);
}

/* ------------------------------------------------------------------ walking */

static void walks_messages(void)
{
    uint8_t d[64];
    /* two messages: 20 bytes (padded already) and 17 bytes without the last pad */
    long n = hbt_unhex("14000000 1000 0000 01000000 00000000 01020304"
                       "11000000 1000 0000 02000000 00000000 05",
                       d, sizeof(d));
    const uint8_t *pos = d;
    size_t rem = (size_t)n;
    hb_nl_msg m;
    CHECK_INT(hb_nl_next(&pos, &rem, &m), 1);
    CHECK_INT(m.seq, 1);
    CHECK_INT(m.len, 4);
    CHECK_INT(hb_nl_next(&pos, &rem, &m), 1);
    CHECK_INT(m.seq, 2);
    CHECK_INT(m.len, 1);
    CHECK_INT(m.payload[0], 5);
    CHECK_INT(hb_nl_next(&pos, &rem, &m), 0); /* the unpadded last one ended the datagram */
}

static void rejects_bad_message_lengths(void)
{
    uint8_t d[64];
    hb_nl_msg m;
    const uint8_t *pos;
    size_t rem;
    long n = hbt_unhex("0f000000 1000 0000 01000000 00000000", d, sizeof(d)); /* len 15 < 16 */
    pos = d, rem = (size_t)n;
    CHECK_INT(hb_nl_next(&pos, &rem, &m), -EBADMSG);
    n = hbt_unhex("40000000 1000 0000 01000000 00000000", d, sizeof(d)); /* len 64 > 16 */
    pos = d, rem = (size_t)n;
    CHECK_INT(hb_nl_next(&pos, &rem, &m), -EBADMSG);
    pos = d, rem = 10; /* shorter than a header */
    CHECK_INT(hb_nl_next(&pos, &rem, &m), -EBADMSG);
    pos = d, rem = 0;
    CHECK_INT(hb_nl_next(&pos, &rem, &m), 0);
}

static void parses_attributes(void)
{
    uint8_t d[128];
    hb_nl_attr tb[4];
    long n = hbt_unhex("0800 0100 01000000"     /* 1: u32 1 */
                       "0800 0900 02000000"     /* 9: above max, skipped */
                       "0800 0100 03000000"     /* 1 again: the last wins */
                       "0c00 0280 0500 0100 07000000" /* 2 nested flag stripped */
                       "0600 0300 6869 0000"    /* 3: "hi" without NUL */
                       "0000",                  /* 2 bytes of trailing padding */
                       d, sizeof(d));
    CHECK_INT(hb_nl_parse(d, (size_t)n, tb, 3), 0);
    uint32_t v = 0;
    CHECK_INT(hb_nl_get_u32(&tb[1], &v), 0);
    CHECK_INT(v, 3);
    CHECK(tb[2].data != NULL && tb[2].len == 8 && tb[2].type == 2);
    uint16_t v16;
    CHECK_INT(hb_nl_get_u16(&tb[1], &v16), -EBADMSG); /* size 4, not 2 */
    CHECK_INT(hb_nl_get_u16(&tb[0], &v16), -ENOENT);
    char s[8];
    CHECK_INT(hb_nl_get_str(&tb[3], s, sizeof(s)), -EBADMSG); /* no NUL */

    n = hbt_unhex("0700 0100 727200 00", d, sizeof(d));
    CHECK_INT(hb_nl_parse(d, (size_t)n, tb, 3), 0);
    CHECK_INT(hb_nl_get_str(&tb[1], s, sizeof(s)), 0);
    CHECK_STR(s, "rr");
    CHECK_INT(hb_nl_get_str(&tb[1], s, 2), -EBADMSG); /* "rr\0" needs 3 */
    uint8_t u8;
    CHECK_INT(hb_nl_get_u8(&tb[1], &u8), -EBADMSG);

    /* malformed: length below the header, length past the end */
    n = hbt_unhex("0300 0100 00000000", d, sizeof(d));
    CHECK_INT(hb_nl_parse(d, (size_t)n, tb, 3), -EBADMSG);
    n = hbt_unhex("0c00 0100 00000000", d, sizeof(d));
    CHECK_INT(hb_nl_parse(d, (size_t)n, tb, 3), -EBADMSG);
    /* the last attribute may lack its padding */
    n = hbt_unhex("0500 0100 ff", d, sizeof(d));
    CHECK_INT(hb_nl_parse(d, (size_t)n, tb, 3), 0);
    CHECK_INT(hb_nl_get_u8(&tb[1], &u8), 0);
    CHECK_INT(u8, 0xff);
    uint16_t be;
    n = hbt_unhex("0600 0100 1f90 0000", d, sizeof(d));
    CHECK_INT(hb_nl_parse(d, (size_t)n, tb, 3), 0);
    CHECK_INT(hb_nl_get_be16(&tb[1], &be), 0);
    CHECK_INT(be, 8080);
}

/* ------------------------------------------------- following one request */

typedef struct seen {
    int count;
    int fail_at; /* return -EIO from this delivery on (1-based), 0 = never */
} seen;

static int count_cb(void *ctx, const hb_nl_msg *m)
{
    seen *s = ctx;
    (void)m;
    s->count++;
    return s->fail_at && s->count >= s->fail_at ? -EIO : 0;
}

static size_t msg(uint8_t *out, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
                  const char *payload_hex)
{
    uint8_t p[512];
    long n = payload_hex ? hbt_unhex(payload_hex, p, sizeof(p)) : 0;
    struct nlmsghdr h = {.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + (size_t)n), .nlmsg_type = type,
                         .nlmsg_flags = flags, .nlmsg_seq = seq, .nlmsg_pid = pid};
    memcpy(out, &h, sizeof(h));
    memcpy(out + sizeof(h), p, (size_t)n);
    size_t len = NLMSG_HDRLEN + (size_t)n;
    while (len % 4)
        out[len++] = 0;
    return len;
}

static void rx_ack_and_error(void)
{
    uint8_t d[1024];
    hb_nl_rx rx;
    seen s = {0, 0};
    size_t n;

    /* a plain ACK (error 0, capped echo of the request header) */
    hb_nl_rx_init(&rx, 5, 77, false, count_cb, &s);
    n = msg(d, NLMSG_ERROR, NLM_F_CAPPED, 5, 77, "00000000 14000000 2000 0500 05000000 4d000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(hb_nl_rx_result(&rx), 0);
    CHECK_INT(s.count, 0);

    /* a stale answer (older seq), then the error with an extended-ACK text */
    hb_nl_rx_init(&rx, 6, 77, false, count_cb, &s);
    n = msg(d, NLMSG_ERROR, NLM_F_CAPPED, 5, 77, "00000000 14000000 2000 0500 05000000 4d000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 0);
    CHECK_INT(rx.skipped, 1);
    n = msg(d, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 6, 77,
            "eaffffff 14000000 2000 0500 06000000 4d000000" /* -22, capped header */
            "0d00 0100 626164206174747200 000000"           /* MSG "bad attr" */
            "0800 0200 20000000");                          /* OFFS 32 */
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(hb_nl_rx_result(&rx), -EINVAL);
    CHECK_STR(rx.ext_msg, "bad attr");

    /* uncapped: the whole request is echoed before the TLVs */
    hb_nl_rx_init(&rx, 7, 0, false, NULL, NULL);
    n = msg(d, NLMSG_ERROR, NLM_F_ACK_TLVS, 7, 77,
            "efffffff 14000000 2000 0500 07000000 4d000000 01010000" /* -17, 20-byte request */
            "0800 0100 68657900");                                   /* MSG "hey" */
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(hb_nl_rx_result(&rx), -EEXIST);
    CHECK_STR(rx.ext_msg, "hey");

    /* a reply then the ACK, both in one datagram (GET_INFO style) */
    hb_nl_rx_init(&rx, 8, 77, false, count_cb, &s);
    s.count = 0;
    n = msg(d, 0x20, 0, 8, 77, "0e010000 08000100 01020100");
    n += msg(d + n, NLMSG_ERROR, NLM_F_CAPPED, 8, 77, "00000000 14000000 2000 0500 08000000 4d000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(s.count, 1);
    CHECK_INT(hb_nl_rx_result(&rx), 0);

    /* malformed errors: short payload, positive error */
    hb_nl_rx_init(&rx, 9, 0, false, NULL, NULL);
    n = msg(d, NLMSG_ERROR, 0, 9, 0, "0000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), -EBADMSG);
    hb_nl_rx_init(&rx, 9, 0, false, NULL, NULL);
    n = msg(d, NLMSG_ERROR, 0, 9, 0, "05000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), -EBADMSG);
    /* DONE is no answer to a non-dump; OVERRUN never is */
    hb_nl_rx_init(&rx, 9, 0, false, NULL, NULL);
    n = msg(d, NLMSG_DONE, NLM_F_MULTI, 9, 0, "00000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), -EBADMSG);
    hb_nl_rx_init(&rx, 9, 0, true, NULL, NULL);
    n = msg(d, NLMSG_OVERRUN, 0, 9, 0, NULL);
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), -EBADMSG);
    /* a message of another port is not ours */
    hb_nl_rx_init(&rx, 9, 77, false, NULL, NULL);
    n = msg(d, NLMSG_ERROR, 0, 9, 78, "00000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 0);
    CHECK_INT(rx.skipped, 1);
    /* NOOP is ignored */
    n = msg(d, NLMSG_NOOP, 0, 9, 77, NULL);
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 0);
}

static void rx_dump_over_datagrams(void)
{
    uint8_t d[1024];
    hb_nl_rx rx;
    seen s = {0, 0};
    size_t n;
    hb_nl_rx_init(&rx, 3, 0, true, count_cb, &s);
    n = msg(d, 0x20, NLM_F_MULTI, 3, 0, "01010000");
    n += msg(d + n, 0x20, NLM_F_MULTI, 3, 0, "01010000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 0);
    n = msg(d, 0x20, NLM_F_MULTI, 3, 0, "01010000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 0);
    n = msg(d, NLMSG_DONE, NLM_F_MULTI, 3, 0, "00000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(s.count, 3);
    CHECK_INT(hb_nl_rx_result(&rx), 0);
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1); /* complete stays complete */

    /* a failing callback stops delivery but the dump is still read to its end */
    s.count = 0;
    s.fail_at = 2;
    hb_nl_rx_init(&rx, 4, 0, true, count_cb, &s);
    n = msg(d, 0x20, NLM_F_MULTI, 4, 0, "01010000");
    n += msg(d + n, 0x20, NLM_F_MULTI, 4, 0, "01010000");
    n += msg(d + n, 0x20, NLM_F_MULTI, 4, 0, "01010000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 0);
    CHECK_INT(s.count, 2);
    CHECK_INT(rx.delivered, 3);
    n = msg(d, NLMSG_DONE, NLM_F_MULTI, 4, 0, "00000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(hb_nl_rx_result(&rx), -EIO);

    /* a dump refused at the start, and one ended by DONE carrying an error */
    hb_nl_rx_init(&rx, 5, 0, true, NULL, NULL);
    n = msg(d, NLMSG_ERROR, 0, 5, 0, "f9ffffff 14000000 2000 0503 05000000 00000000");
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(hb_nl_rx_result(&rx), -E2BIG);
    hb_nl_rx_init(&rx, 6, 0, true, NULL, NULL);
    n = msg(d, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 6, 0,
            "f0ffffff 0900 0100 6e6f706500 000000"); /* -16 EBUSY, MSG "nope" */
    CHECK_INT(hb_nl_rx_feed(&rx, d, n), 1);
    CHECK_INT(hb_nl_rx_result(&rx), -EBUSY);
    CHECK_STR(rx.ext_msg, "nope");
}

/* ------------------------------------------------- controller vs ipvsadm */

static void getfamily_matches_ipvsadm(void)
{
    const iv_datagram *req = iv_find("ctrl", true, 0);
    hb_nl_msg m;
    if (!iv_first_msg(req, &m))
        { CHECK(0); return; }
    uint8_t buf[64];
    ssize_t n = hb_genl_encode_getfamily(buf, sizeof(buf), m.seq, "IPVS");
    /* libnl fills nlmsg_pid with its port id; we leave it 0 (the kernel
     * does not care).  Everything else is byte for byte the same. */
    uint8_t want[64];
    memcpy(want, req->bytes, req->len);
    memset(want + 12, 0, 4);
    CHECK_MEM(buf, (size_t)n, want, req->len);
    CHECK_INT(hb_genl_encode_getfamily(buf, sizeof(buf), 1, "a-name-too-long-for-genl"), -EINVAL);
    CHECK_INT(hb_genl_encode_getfamily(buf, 10, 1, "IPVS"), -ENOSPC);
}

static int family_cb(void *ctx, const hb_nl_msg *m) { return hb_genl_decode_family(m, ctx); }

static void decodes_captured_family(void)
{
    const iv_datagram *req = iv_find("ctrl", true, 0);
    const iv_datagram *rep = iv_find("ctrl", false, 0);
    const iv_datagram *ack = iv_find("ctrl", false, 1);
    hb_nl_msg m;
    if (!iv_first_msg(req, &m) || !rep || !ack)
        { CHECK(0); return; }
    hb_genl_family f;
    hb_nl_rx rx;
    hb_nl_rx_init(&rx, m.seq, m.pid, false, family_cb, &f);
    CHECK_INT(hb_nl_rx_feed(&rx, rep->bytes, rep->len), 0);
    CHECK_INT(hb_nl_rx_feed(&rx, ack->bytes, ack->len), 1);
    CHECK_INT(hb_nl_rx_result(&rx), 0);
    CHECK_INT(f.id, 0x20);
    CHECK_STR(f.name, "IPVS");
    CHECK_INT(f.version, 1);
    CHECK_INT(f.hdrsize, 0);
    CHECK_INT(f.maxattr, 6);

    /* every truncation of the reply is rejected (or decodes), never read past */
    hb_nl_msg full;
    if (!iv_first_msg(rep, &full))
        { CHECK(0); return; }
    for (size_t cut = 0; cut < full.len; cut++) {
        hb_nl_msg t = full;
        t.len = cut;
        int rc = hb_genl_decode_family(&t, &f);
        CHECK(rc == 0 || rc == -EBADMSG);
    }
    /* another command is not a family reply */
    uint8_t copy[512];
    memcpy(copy, full.payload, full.len);
    copy[0] = CTRL_CMD_DELFAMILY;
    hb_nl_msg other = full;
    other.payload = copy;
    CHECK_INT(hb_genl_decode_family(&other, &f), -EPROTO);
}

int main(int argc, char **argv)
{
    iv_load(argc, argv);
    builds_known_layout();
    builder_errors_are_sticky();
    walks_messages();
    rejects_bad_message_lengths();
    parses_attributes();
    rx_ack_and_error();
    rx_dump_over_datagrams();
    getfamily_matches_ipvsadm();
    decodes_captured_family();
    return hbt_finish("test_nl_msg");
}
