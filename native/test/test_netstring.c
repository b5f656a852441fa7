/* test_netstring.c - the netstring framing (heartbeat-wire §2.1): encode,
 * decode, and every way a field or frame can be malformed. */
#include "hbtest.h"

static uint8_t store[HB_MSG_MAX + 4096];
static uint8_t out[HB_MSG_MAX + 4096];

static int decode(const char *text, hb_msg *msg)
{
    size_t body_len = 0;
    hb_msg_init(msg, store, sizeof(store));
    return hb_decode_netstring(msg, (const uint8_t *)text, strlen(text), &body_len);
}

static void encodes_like_heartbeat(void)
{
    hb_msg m;
    hb_msg_init(&m, store, sizeof(store));
    ssize_t n = hb_encode_netstring(&m, out, sizeof(out));
    CHECK_MEM(out, n, "###\n%%%\n", 8); /* empty message */

    hb_msg_add_str(&m, "t", "status");
    hb_msg_add(&m, "u", HB_FIELD_BINARY, "\x00,\n", 3);
    hb_msg_add_str(&m, "e", "");
    n = hb_encode_netstring(&m, out, sizeof(out));
    const char want[] = "###\n11:(0)t=status,8:(1)u=\x00,\n,5:(0)e=,%%%\n";
    CHECK_MEM(out, n, want, sizeof(want) - 1);

    CHECK_INT(hb_encode_netstring(&m, out, 10), -ENOSPC);
    CHECK_INT(hb_encode_netstring(&m, NULL, 0), -ENOSPC);
}

static void decodes_fields(void)
{
    hb_msg m;
    size_t body_len = 0;
    const char text[] = "###\n11:(0)t=status,15:(0)a=b=c,d\n%%%\n,8:(1)u=\x00,\n,5:(0)e=,"
                        "13:(1)v=%%%\n###\n,%%%\n8:1 abcdef,";
    hb_msg_init(&m, store, sizeof(store));
    CHECK_REASON(hb_decode_netstring(&m, (const uint8_t *)text, sizeof(text) - 1, &body_len),
                 HB_DROP_NONE);
    CHECK_INT(body_len, sizeof(text) - 1 - strlen("8:1 abcdef,"));
    CHECK_INT(m.nfields, 5);
    CHECK_STR(hb_msg_get_str(&m, "t"), "status");
    CHECK_STR(hb_msg_get_str(&m, "a"), "b=c,d\n%%%\n"); /* '=', ',' and markers are data */
    const hb_field *u = hb_msg_get(&m, "u");
    CHECK(u && u->type == HB_FIELD_BINARY);
    if (u)
        CHECK_MEM(u->value, u->value_len, "\x00,\n", 3);
    CHECK_STR(hb_msg_get_str(&m, "e"), "");
    const hb_field *v = hb_msg_get(&m, "v");
    if (v)
        CHECK_MEM(v->value, v->value_len, "%%%\n###\n", 8);

    ssize_t n = hb_encode_netstring(&m, out, sizeof(out));
    CHECK_MEM(out, n, text, body_len); /* byte-identical */

    hb_auth_token tok;
    CHECK_REASON(hb_parse_auth_trailer((const uint8_t *)text + body_len,
                                       sizeof(text) - 1 - body_len, &tok), HB_DROP_NONE);
    CHECK_INT(tok.index, 1);
    CHECK_MEM(tok.digest, tok.digest_len, "abcdef", 6);
}

static void malformed(void)
{
    static const struct {
        const char *text;
        int want;
    } cases[] = {
        {"###\n", HB_DROP_TRUNCATED},
        {"###\n%%", HB_DROP_TRUNCATED},
        {"###\n%%%", HB_DROP_TRUNCATED},
        {"###\n%%%x", HB_DROP_PARSE_ERROR},
        {"###\n%x%\n", HB_DROP_PARSE_ERROR},
        {"##\n", HB_DROP_BAD_FRAMING},
        {">>>\n", HB_DROP_BAD_FRAMING},
        {"###\n6:(0)a=b,%%%\n", HB_DROP_NONE},
        {"###\n6:(0)a=b", HB_DROP_TRUNCATED},
        {"###\n6:(0)a=b,", HB_DROP_TRUNCATED},
        {"###\n5", HB_DROP_TRUNCATED},
        {"###\n11:(0)t=NS_rexm", HB_DROP_TRUNCATED}, /* T14 */
        {"###\n06:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR}, /* leading zero */
        {"###\n:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n-6:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n6x:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR}, /* Heartbeat would skip the x */
        {"###\n 6:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n12345678:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n6:(0)a=b;%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n6:(0)a=b;", HB_DROP_TRUNCATED},
        {"###\n7:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR},  /* length one too long */
        {"###\n5:(0)a=b,%%%\n", HB_DROP_PARSE_ERROR},  /* ... one too short */
        {"###\n0:,%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n3:(0),%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n4:(0)a,%%%\n", HB_DROP_PARSE_ERROR},    /* no '=' */
        {"###\n6:x0)a=b,%%%\n", HB_DROP_PARSE_ERROR},  /* no "(T)" */
        {"###\n6:(x)a=b,%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n6:(0a=bc,%%%\n", HB_DROP_PARSE_ERROR},
        {"###\n6:(2)a=b,%%%\n", HB_DROP_BAD_FIELD_TYPE}, /* struct */
        {"###\n6:(3)a=b,%%%\n", HB_DROP_BAD_FIELD_TYPE}, /* list */
        {"###\n6:(4)a=b,%%%\n", HB_DROP_BAD_FIELD_TYPE}, /* compressed */
        {"###\n6:(5)a=b,%%%\n", HB_DROP_BAD_FIELD_TYPE},
        {"###\n6:(9)a=b,%%%\n", HB_DROP_BAD_FIELD_TYPE},
        {"###\n6:(0)=bb,%%%\n", HB_DROP_BAD_NAME},
        {"###\n8:(0)>>>=b,%%%\n", HB_DROP_BAD_NAME},
        {"###\n9:(0)>>>x=b,%%%\n", HB_DROP_BAD_NAME},
        {"###\n9:(0)<<<x=b,%%%\n", HB_DROP_BAD_NAME},
        {"###\n9:(0)(1)x=b,%%%\n", HB_DROP_BAD_NAME},
        {"###\n8:(0)a\nb=c,%%%\n", HB_DROP_BAD_NAME},
        {"###\n6:(0)##=,%%%\n", HB_DROP_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hb_msg m;
        int r = decode(cases[i].text, &m);
        CHECK_REASON(r, cases[i].want);
        if (r != cases[i].want)
            fprintf(stderr, "  ... case %zu\n", i);
    }
    /* NUL bytes: not in strings, fine in binary values */
    static const char nul_string[] = "###\n6:(0)a=\0,%%%\n";
    static const char nul_binary[] = "###\n6:(1)a=\0,%%%\n";
    static const char nul_name[] = "###\n7:(0)a\0=b,%%%\n";
    hb_msg m;
    size_t body_len;
    hb_msg_init(&m, store, sizeof(store));
    CHECK_REASON(hb_decode_netstring(&m, (const uint8_t *)nul_string, sizeof(nul_string) - 1,
                                     &body_len), HB_DROP_BAD_VALUE);
    CHECK_REASON(hb_decode_netstring(&m, (const uint8_t *)nul_binary, sizeof(nul_binary) - 1,
                                     &body_len), HB_DROP_NONE);
    CHECK_REASON(hb_decode_netstring(&m, (const uint8_t *)nul_name, sizeof(nul_name) - 1,
                                     &body_len), HB_DROP_BAD_NAME);
}

static void limits(void)
{
    /* HB_MSG_MAX_FIELDS fields decode, one more does not */
    char text[4096];
    size_t len = 0;
    len += (size_t)sprintf(text + len, "###\n");
    for (unsigned i = 0; i < HB_MSG_MAX_FIELDS; i++)
        len += (size_t)sprintf(text + len, "8:(0)f%02u=x,", i);
    sprintf(text + len, "%%%%%%\n");
    hb_msg m;
    CHECK_REASON(decode(text, &m), HB_DROP_NONE);
    CHECK_INT(m.nfields, HB_MSG_MAX_FIELDS);
    sprintf(text + len, "8:(0)f99=x,%%%%%%\n");
    CHECK_REASON(decode(text, &m), HB_DROP_TOO_MANY_FIELDS);

    /* the store must hold names and values */
    static uint8_t small[8];
    size_t body_len;
    hb_msg_init(&m, small, sizeof(small));
    CHECK_REASON(hb_decode_netstring(&m, (const uint8_t *)"###\n11:(0)abc=defg,%%%\n", 23,
                                     &body_len), HB_DROP_TOO_LONG);
    hb_msg_init(&m, small, sizeof(small));
    CHECK_REASON(hb_decode_netstring(&m, (const uint8_t *)"###\n10:(0)abc=def,%%%\n", 22,
                                     &body_len), HB_DROP_NONE); /* "abc\0def\0" fits */

    /* encoding refuses a message over HB_MSG_MAX */
    static uint8_t big[HB_MSG_MAX];
    hb_msg_init(&m, store, sizeof(store));
    CHECK_INT(hb_msg_add(&m, "big", HB_FIELD_BINARY, big, HB_MSG_MAX - 30), 0);
    CHECK(hb_encode_netstring(&m, out, sizeof(out)) > 0);
    hb_msg_reset(&m);
    CHECK_INT(hb_msg_add(&m, "big", HB_FIELD_BINARY, big, HB_MSG_MAX), 0);
    CHECK_INT(hb_encode_netstring(&m, out, sizeof(out)), -EMSGSIZE);
}

/* A status heartbeat kept encoded: patching the seq digits in place gives
 * the bytes of encoding (and sealing) the message with the new seq. */
static void status_seq_patched_in_place(void)
{
    static uint8_t store2[4096], a[1024], b[1024];
    const uint8_t uuid[HB_UUID_LEN] = {1, 2, 3};
    hb_keys keys;
    hb_keys_init(&keys);
    CHECK_INT(hb_keys_set(&keys, 1, HB_AUTH_SHA1, "kept", 4), 0);
    CHECK_INT(hb_keys_set_signing(&keys, 1), 0);
    hb_control c = {.src = "node1", .srcuuid = uuid, .seq = 0x1a, .hg = 7, .ts = 0x6b0255fe,
                    .ld = "0.00 0.00 0.00 1/1 1", .ttl = 3};
    hb_msg m;
    hb_msg_init(&m, store2, sizeof(store2));
    /* a value that looks like a seq field must not be taken for it */
    hb_msg_add_str(&m, "t", "status");
    hb_msg_add_str(&m, "st", "(0)seq=zz");
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    ssize_t n = hb_encode_netstring(&m, a, sizeof a);
    CHECK(n > 0);
    size_t at = 0, len = 0;
    CHECK(hb_netstring_find_value(a, (size_t)n, "seq", &at, &len));
    CHECK_MEM(a + at, len, "1a", 2);
    memcpy(a + at, "2b", 2);
    c.seq = 0x2b;
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    ssize_t want = hb_encode_netstring(&m, b, sizeof b);
    CHECK_MEM(a, n, b, want);
    ssize_t sealed = hb_seal_netstring(&keys, a, (size_t)n, sizeof a);
    ssize_t encoded = hb_encode_udp_opt(&m, &keys, false, b, sizeof b);
    CHECK(sealed > n);
    CHECK_MEM(a, sealed, b, encoded);

    CHECK(hb_netstring_find_value(a, (size_t)n, "ttl", &at, &len));
    CHECK_MEM(a + at, len, "3", 1);
    CHECK(!hb_netstring_find_value(a, (size_t)n, "se", &at, &len)); /* whole names only */
    CHECK(!hb_netstring_find_value(a, (size_t)n, "nope", &at, &len));
    CHECK(!hb_netstring_find_value((const uint8_t *)"###\n9:(0)seq=1,%%%\n", 19, "seq", &at, &len));
    CHECK(!hb_netstring_find_value((const uint8_t *)"###\n8:(0)seq=1", 15, "seq", &at, &len));
    CHECK(!hb_netstring_find_value((const uint8_t *)">>>\nseq=1\n<<<\n", 16, "seq", &at, &len));
}

int main(void)
{
    encodes_like_heartbeat();
    decodes_fields();
    malformed();
    limits();
    status_seq_patched_in_place();
    return hbt_finish("test_netstring");
}
