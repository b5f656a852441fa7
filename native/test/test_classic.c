/* test_classic.c - the classic text framing (heartbeat-wire §2.2) and the
 * inner-auth text (§3.3). */
#include "hbtest.h"

static uint8_t store[8192];
static uint8_t out[8192];

static int decode(const char *text, size_t len, hb_msg *msg, size_t *used)
{
    hb_msg_init(msg, store, sizeof(store));
    return hb_decode_classic(msg, (const uint8_t *)text, len, used);
}

static void encodes_like_heartbeat(void)
{
    hb_msg m;
    hb_msg_init(&m, store, sizeof(store));
    hb_msg_add_str(&m, "t", "status");
    hb_msg_add_str(&m, "info", "two\nlines");
    hb_msg_add(&m, "srcuuid", HB_FIELD_BINARY,
               "\x18\xa6\x07\x97\x3d\xd1\x4d\xc3\x80\x2b\xf6\x37\xe5\x1b\xea\x4e", 16);
    hb_msg_add_str(&m, "delnodelist", "");
    hb_msg_add_str(&m, "auth", "1 abc");
    ssize_t n = hb_encode_classic(&m, out, sizeof(out));
    const char want[] = ">>>\nt=status\ninfo=two\x13lines\n(1)srcuuid=GKYHlz3RTcOAK/Y35RvqTg==\n"
                        "delnodelist=\nauth=1 abc\n<<<\n";
    CHECK_MEM(out, n, want, sizeof(want) - 1);

    /* the inner text: no frame lines, no auth field (wherever it is) */
    hb_msg_add_str(&m, "auth", "2 def");
    hb_msg_add_str(&m, "ttl", "3");
    n = hb_encode_inner_text(&m, out, sizeof(out));
    const char inner[] = "t=status\ninfo=two\x13lines\n(1)srcuuid=GKYHlz3RTcOAK/Y35RvqTg==\n"
                         "delnodelist=\nttl=3\n";
    CHECK_MEM(out, n, inner, sizeof(inner) - 1);

    CHECK_INT(hb_encode_classic(&m, out, 20), -ENOSPC);
    CHECK_INT(hb_encode_inner_text(&m, out, 5), -ENOSPC);

    /* a binary field long enough for several base64 chunks */
    uint8_t blob[200];
    for (size_t i = 0; i < sizeof(blob); i++)
        blob[i] = (uint8_t)(255 - i);
    hb_msg_reset(&m);
    hb_msg_add(&m, "blob", HB_FIELD_BINARY, blob, sizeof(blob));
    n = hb_encode_classic(&m, out, sizeof(out));
    CHECK_INT(n, 4 + 3 + 5 + 268 + 1 + 4); /* ">>>\n" "(1)" "blob=" base64 "\n" "<<<\n" */
    size_t used;
    CHECK_REASON(decode((const char *)out, (size_t)n, &m, &used), HB_DROP_NONE);
    const hb_field *f = hb_msg_get(&m, "blob");
    CHECK(f != NULL && f->type == HB_FIELD_BINARY);
    if (f)
        CHECK_MEM(f->value, f->value_len, blob, sizeof(blob));
}

static void decodes(void)
{
    hb_msg m;
    size_t used = 0;
    const char text[] = ">>>\n\n\nt=status\n(0)st=a=b\n(1)u=AAE=\ninfo=x\x13y\r\ne=\n\n<<<\nafter";
    CHECK_REASON(decode(text, sizeof(text) - 1, &m, &used), HB_DROP_NONE);
    CHECK_INT(used, sizeof(text) - 1 - strlen("after"));
    CHECK_INT(m.nfields, 5);
    CHECK_STR(hb_msg_get_str(&m, "t"), "status");
    CHECK_STR(hb_msg_get_str(&m, "st"), "a=b");        /* "(0)" = string, first '=' splits */
    const hb_field *u = hb_msg_get(&m, "u");
    CHECK(u && u->type == HB_FIELD_BINARY && u->value_len == 2);
    if (u)
        CHECK_MEM(u->value, u->value_len, "\x00\x01", 2);
    CHECK_STR(hb_msg_get_str(&m, "info"), "x\ny\r");  /* 0x13 -> '\n'; CR kept (UDP) */
    CHECK_STR(hb_msg_get_str(&m, "e"), "");

    /* the end line is exactly "<<<\n", as Heartbeat's MSG_END */
    CHECK_REASON(decode(">>>\nt=x\n<<<", 11, &m, &used), HB_DROP_TRUNCATED);
    CHECK_REASON(decode(">>>\nt=x\n<<<junk\n<<<\n", 20, &m, &used), HB_DROP_PARSE_ERROR);
    CHECK_REASON(decode(">>>\nt=x\n<<<a=b\n<<<\n", 19, &m, &used), HB_DROP_BAD_NAME);
    CHECK_REASON(decode(">>>\nt=x\n<<<\n<<<\n", 16, &m, &used), HB_DROP_NONE);
    CHECK_INT(used, 12);
}

static void malformed(void)
{
    static const struct {
        const char *text;
        int want;
    } cases[] = {
        {">>>\n", HB_DROP_TRUNCATED},
        {">>>\nt=x\n", HB_DROP_TRUNCATED},                  /* S6: no "<<<" */
        {">>>\nt=x\n<<", HB_DROP_TRUNCATED},
        {">>>\nt=x", HB_DROP_TRUNCATED},
        {">>>\nt=NS_rexmit\nbogus\n<<<\n", HB_DROP_PARSE_ERROR},  /* T15/S5 */
        {">>>\nt=x\n>>>\nt=y\n<<<\n", HB_DROP_PARSE_ERROR},        /* S6 swallowing the next */
        {">>>\n=x\n<<<\n", HB_DROP_BAD_NAME},
        {">>>\n>>>x=1\n<<<\n", HB_DROP_BAD_NAME},
        {">>>\n(x)a=1\n<<<\n", HB_DROP_BAD_NAME},
        {">>>\n(1)=YQ==\n<<<\n", HB_DROP_BAD_NAME},
        {">>>\n(2)a=x\n<<<\n", HB_DROP_BAD_FIELD_TYPE},
        {">>>\n(3)a=1:x,\n<<<\n", HB_DROP_BAD_FIELD_TYPE},
        {">>>\n(4)a=YQ==\n<<<\n", HB_DROP_BAD_FIELD_TYPE},
        {">>>\n(1)a=YQ=\n<<<\n", HB_DROP_BAD_BASE64},
        {">>>\n(1)a=YR==\n<<<\n", HB_DROP_BAD_BASE64},
        {">>>\n(1)a=Y Q==\n<<<\n", HB_DROP_BAD_BASE64},
        {">>>\n(1)a=\n<<<\n", HB_DROP_NONE}, /* empty binary */
        {"###\n", HB_DROP_BAD_FRAMING},
        {"xx>>>\n<<<\n", HB_DROP_BAD_FRAMING},            /* S3: garbage before ">>>" */
        {">>>\r\nt=x\r\n<<<\r\n", HB_DROP_BAD_FRAMING},     /* CRLF: the serial reader drops CRs */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hb_msg m;
        size_t used;
        int r = decode(cases[i].text, strlen(cases[i].text), &m, &used);
        CHECK_REASON(r, cases[i].want);
        if (r != cases[i].want)
            fprintf(stderr, "  ... case %zu\n", i);
    }
    hb_msg m;
    size_t used;
    static const char nul_value[] = ">>>\nt=a\0b\n<<<\n";
    CHECK_REASON(decode(nul_value, sizeof(nul_value) - 1, &m, &used), HB_DROP_BAD_VALUE);

    /* too many fields / too small a store */
    char text[2048];
    size_t len = (size_t)sprintf(text, ">>>\n");
    for (unsigned i = 0; i <= HB_MSG_MAX_FIELDS; i++)
        len += (size_t)sprintf(text + len, "f%u=x\n", i);
    len += (size_t)sprintf(text + len, "<<<\n");
    CHECK_REASON(decode(text, len, &m, &used), HB_DROP_TOO_MANY_FIELDS);
    static uint8_t small[6];
    hb_msg_init(&m, small, sizeof(small));
    CHECK_REASON(hb_decode_classic(&m, (const uint8_t *)">>>\nab=cde\n<<<\n", 15, &used),
                 HB_DROP_TOO_LONG);
}

/* decode(encode(m)) == m for values with every byte except NUL and 0x13
 * (0x13 cannot travel in a classic string: it means '\n'). */
static void round_trip(void)
{
    hb_msg m, back;
    static uint8_t store2[8192];
    char value[256];
    size_t n = 0;
    for (int c = 1; c < 256; c++)
        if (c != 0x13)
            value[n++] = (char)c;
    value[n] = '\0';
    hb_msg_init(&m, store, sizeof(store));
    hb_msg_add_str(&m, "all", value);
    hb_msg_add(&m, "bin", HB_FIELD_BINARY, "\x00\x13\n=", 4);
    ssize_t len = hb_encode_classic(&m, out, sizeof(out));
    CHECK(len > 0);
    size_t used;
    hb_msg_init(&back, store2, sizeof(store2));
    CHECK_REASON(hb_decode_classic(&back, out, (size_t)len, &used), HB_DROP_NONE);
    CHECK_INT(back.nfields, 2);
    CHECK_STR(hb_msg_get_str(&back, "all"), value);
    const hb_field *b = hb_msg_get(&back, "bin");
    if (b)
        CHECK_MEM(b->value, b->value_len, "\x00\x13\n=", 4);
}

int main(void)
{
    encodes_like_heartbeat();
    decodes();
    malformed();
    round_trip();
    return hbt_finish("test_classic");
}
