/* test_recv.c - the receive ladder: the forged and malformed datagrams that
 * were sent to real nodes (vectors/forged.txt, captures/auth-and-malformed-
 * udp-tests.txt T1..T15, serial-garbage-tests.txt S5/S6/S8) each give their
 * specific reason; plus the rungs no capture exercises (size limits,
 * trailing bytes, the outer-key quirk, missing t/src/ts). */
#include "hbtest.h"

static hbt_vector v;
static uint8_t store[HB_MSG_MAX];
static uint8_t buf[HB_MSG_MAX + 16];
static hb_keys keys;
static const uint8_t uuid[HB_UUID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void forged_vectors(int argc, char **argv)
{
    FILE *f = hbt_open_vectors(argc, argv, "forged.txt");
    int count = 0, rc;
    hb_msg msg;
    while ((rc = hbt_next_vector(f, &v)) == 1) {
        int before = hbt_failures;
        hb_msg_init(&msg, store, sizeof(store));
        CHECK_REASON(hb_receive(&v.keys, v.bytes, v.len, &msg, NULL), v.ladder);
        if (v.inner >= 0)
            CHECK_REASON(hb_verify_inner(&v.keys, &msg), v.inner);
        if (hbt_failures != before)
            fprintf(stderr, "  ... in vector %s\n", v.id);
        count++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(count, 19);
    fclose(f);
    printf("  %d forged/malformed datagrams give their expected reasons\n", count);
}

/* A signed status message from node2 in buf; returns its length. */
static size_t make_datagram(const hb_keys *k, const char *type)
{
    static uint8_t s[4096];
    hb_msg m;
    hb_msg_init(&m, s, sizeof(s));
    CHECK_INT(hb_msg_add_str(&m, "t", type), 0);
    hb_control c = {.src = "node2", .srcuuid = uuid, .seq = 0x2a, .hg = 0x6b000001,
                    .ts = 0x6b000002, .ld = "0.00 0.00 0.00 1/1 1", .ttl = 3};
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    ssize_t n = hb_encode_udp(&m, k, buf, sizeof(buf));
    CHECK(n > 0);
    return n > 0 ? (size_t)n : 0;
}

static int receive(const uint8_t *bytes, size_t len)
{
    hb_msg msg;
    hb_msg_init(&msg, store, sizeof(store));
    return hb_receive(&keys, bytes, len, &msg, NULL);
}

static void sizes_and_framing(void)
{
    size_t len = make_datagram(&keys, "status");
    CHECK_REASON(receive(buf, len), HB_DROP_NONE);
    CHECK_REASON(receive(buf, 0), HB_DROP_TOO_SHORT);
    CHECK_REASON(receive((const uint8_t *)">>>\n<<<", 7), HB_DROP_TOO_SHORT);
    CHECK_REASON(receive((const uint8_t *)">>>\n<<<\n", 8), HB_DROP_NO_AUTH);
    CHECK_REASON(receive((const uint8_t *)"###\n%%%\n", 8), HB_DROP_NO_AUTH);
    CHECK_REASON(receive((const uint8_t *)"##\n%%%%\n", 8), HB_DROP_BAD_FRAMING);
    CHECK_REASON(receive((const uint8_t *)" ###\n%%%\n", 9), HB_DROP_BAD_FRAMING);
    memset(buf, 'x', HB_MSG_MAX + 1);
    memcpy(buf, "###\n", 4);
    CHECK_REASON(receive(buf, HB_MSG_MAX + 1), HB_DROP_TOO_LONG);

    /* a store too small for the message */
    len = make_datagram(&keys, "status");
    static uint8_t tiny[32];
    hb_msg msg;
    hb_msg_init(&msg, tiny, sizeof(tiny));
    CHECK_REASON(hb_receive(&keys, buf, len, &msg, NULL), HB_DROP_TOO_LONG);
}

static void trailer_rungs(void)
{
    size_t len = make_datagram(&keys, "status");
    hb_recv_info info;
    hb_msg msg;
    hb_msg_init(&msg, store, sizeof(store));
    CHECK_REASON(hb_receive(&keys, buf, len, &msg, &info), HB_DROP_NONE);
    CHECK_INT(info.framing, HB_FRAMING_NETSTRING);
    CHECK_INT(info.auth_index, 1);

    buf[len] = '\0'; /* trailing NUL after the trailer */
    CHECK_REASON(receive(buf, len + 1), HB_DROP_TRAILING_DATA);
    CHECK_REASON(receive(buf, len - 1), HB_DROP_AUTH_MALFORMED); /* trailer cut short */

    /* trailers that are not "LEN:N digest," */
    static const char *bad[] = {"x", "42", "0:,", "3:1 a", "03:1 a,", "3:1 a;", "4:1  a,",
                                "3:1\ta,", "3:a a,", "5:100 a,", "4:01 a,", "2:1 ,"};
    const uint8_t *body_end = NULL;
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(buf + i, "%%%\n", 4) == 0)
            body_end = buf + i + 4;
    size_t body_len = (size_t)(body_end - buf);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memcpy(buf + body_len, bad[i], strlen(bad[i]));
        int r = receive(buf, body_len + strlen(bad[i]));
        CHECK_REASON(r, HB_DROP_AUTH_MALFORMED);
        if (r != HB_DROP_AUTH_MALFORMED)
            fprintf(stderr, "  ... trailer \"%s\"\n", bad[i]);
    }
    /* well formed, unknown entry, wrong digest */
    memcpy(buf + body_len, "4:15 a,", 7);
    CHECK_REASON(receive(buf, body_len + 7), HB_DROP_UNKNOWN_AUTH_INDEX);
    memcpy(buf + body_len, "3:1 a,", 6);
    CHECK_REASON(receive(buf, body_len + 6), HB_DROP_BAD_AUTH);
}

/* §3.5: outer check = algorithm of entry N, key of the signing entry. */
static void outer_key_quirk(void)
{
    static hb_keys sender, local;
    hb_keys_init(&local);
    hb_keys_set(&local, 1, HB_AUTH_SHA1, "local-key", 9);
    hb_keys_set(&local, 2, HB_AUTH_MD5, "entry2-key", 10);
    hb_keys_set_signing(&local, 1);

    /* signed as entry 2 with entry 2's key: a real node rejects this */
    hb_keys_init(&sender);
    hb_keys_set(&sender, 2, HB_AUTH_MD5, "entry2-key", 10);
    hb_keys_set_signing(&sender, 2);
    size_t len = make_datagram(&sender, "status");
    hb_msg msg;
    hb_msg_init(&msg, store, sizeof(store));
    CHECK_REASON(hb_receive(&local, buf, len, &msg, NULL), HB_DROP_BAD_AUTH);
    /* its inner auth (entry 2's own key) is right, though */
    CHECK_REASON(hb_verify_inner(&local, &msg), HB_DROP_NONE);

    /* md5 (entry 2's algorithm) keyed with the LOCAL signing key: accepted */
    hb_keys_init(&sender);
    hb_keys_set(&sender, 2, HB_AUTH_MD5, "local-key", 9);
    hb_keys_set_signing(&sender, 2);
    len = make_datagram(&sender, "status");
    CHECK_REASON(hb_receive(&local, buf, len, &msg, NULL), HB_DROP_NONE);

    /* a classic datagram is checked with entry 2's own key */
    hb_keys_init(&sender);
    hb_keys_set(&sender, 2, HB_AUTH_MD5, "entry2-key", 10);
    hb_keys_set_signing(&sender, 2);
    static uint8_t s[4096];
    hb_msg m;
    hb_msg_init(&m, s, sizeof(s));
    hb_msg_add_str(&m, "t", "status");
    hb_control c = {.src = "node2", .srcuuid = uuid, .seq = 1, .hg = 1, .ts = 1, .ld = "x", .ttl = 3};
    hb_msg_add_control_fields(&m, &c);
    CHECK_INT(hb_msg_sign(&m, &sender), 0);
    ssize_t n = hb_encode_classic(&m, buf, sizeof(buf));
    hb_recv_info info;
    CHECK_REASON(hb_receive(&local, buf, (size_t)n, &msg, &info), HB_DROP_NONE);
    CHECK_INT(info.framing, HB_FRAMING_CLASSIC);
    CHECK_INT(info.auth_index, 2);

    /* no signing entry at all: the outer check has no key */
    static hb_keys nosign;
    hb_keys_init(&nosign);
    hb_keys_set(&nosign, 2, HB_AUTH_MD5, "local-key", 9);
    len = make_datagram(&sender, "status");
    CHECK_REASON(hb_receive(&nosign, buf, len, &msg, NULL), HB_DROP_NO_SIGNING_KEY);
}

static void classic_rungs(void)
{
    static uint8_t s[4096];
    hb_msg m;
    hb_msg_init(&m, s, sizeof(s));
    hb_msg_add_str(&m, "t", "NS_rexmit");
    hb_control c = {.src = "node2", .srcuuid = uuid, .hg = 5, .ts = 6, .ld = "-", .ttl = 3};
    hb_msg_add_control_fields(&m, &c);
    hb_msg_sign(&m, &keys);
    size_t len = (size_t)hb_encode_classic(&m, buf, sizeof(buf));
    CHECK_REASON(receive(buf, len), HB_DROP_NONE);
    buf[len] = '\0'; /* Heartbeat's classic writer also sends the string's NUL */
    CHECK_REASON(receive(buf, len + 1), HB_DROP_NONE);
    buf[len] = 'x';
    CHECK_REASON(receive(buf, len + 1), HB_DROP_TRAILING_DATA);
    memcpy(buf + len, "\n\n", 2);
    CHECK_REASON(receive(buf, len + 2), HB_DROP_TRAILING_DATA);

    /* auth field variants */
    hb_msg_set_str(&m, "auth", "1 nothex");
    len = (size_t)hb_encode_classic(&m, buf, sizeof(buf));
    CHECK_REASON(receive(buf, len), HB_DROP_BAD_AUTH);
    hb_msg_set_str(&m, "auth", "1");
    len = (size_t)hb_encode_classic(&m, buf, sizeof(buf));
    CHECK_REASON(receive(buf, len), HB_DROP_AUTH_MALFORMED);
    hb_msg_set(&m, "auth", HB_FIELD_BINARY, "1 abc", 5);
    len = (size_t)hb_encode_classic(&m, buf, sizeof(buf));
    CHECK_REASON(receive(buf, len), HB_DROP_AUTH_MALFORMED);
    hb_msg_set_str(&m, "auth", "9 abc");
    len = (size_t)hb_encode_classic(&m, buf, sizeof(buf));
    CHECK_REASON(receive(buf, len), HB_DROP_UNKNOWN_AUTH_INDEX);

    /* with two auth fields the LAST one counts (as in Heartbeat) */
    hb_msg_sign(&m, &keys); /* replaces the first auth in place */
    hb_msg_add_str(&m, "auth", "1 0");
    len = (size_t)hb_encode_classic(&m, buf, sizeof(buf));
    CHECK_REASON(receive(buf, len), HB_DROP_BAD_AUTH);
    /* ... so signing keeps only the first one (found by fuzz_classic) */
    hb_msg_add_str(&m, "ttl", "3");
    hb_msg_add_str(&m, "auth", "1 1");
    CHECK_INT(hb_msg_sign(&m, &keys), 0);
    int auth_fields = 0;
    for (size_t i = 0; i < m.nfields; i++)
        auth_fields += strcmp(m.field[i].name, "auth") == 0;
    CHECK_INT(auth_fields, 1);
    CHECK_STR(m.field[m.nfields - 1].name, "ttl"); /* the kept auth stayed in place */
    len = (size_t)hb_encode_classic(&m, buf, sizeof(buf));
    CHECK_REASON(receive(buf, len), HB_DROP_NONE);

    const char *crlf = ">>>\r\nt=x\r\n<<<\r\n"; /* on UDP a CR is data: no ">>>\n" */
    CHECK_REASON(receive((const uint8_t *)crlf, strlen(crlf)), HB_DROP_BAD_FRAMING);
}

static void required_fields(void)
{
    static const struct {
        const char *field, *value;
        int want;
    } cases[] = {
        {NULL, NULL, HB_DROP_NONE},         {"ts", "0", HB_DROP_MISSING_FIELDS},
        {"ts", "00", HB_DROP_MISSING_FIELDS}, {"ts", "xyz", HB_DROP_MISSING_FIELDS},
        {"ts", "", HB_DROP_MISSING_FIELDS},  {"ts", "11112222333344445", HB_DROP_MISSING_FIELDS},
        {"src", "", HB_DROP_MISSING_FIELDS}, {"t", "", HB_DROP_MISSING_FIELDS},
        {"ts", "6B0255FE", HB_DROP_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        static uint8_t s[4096];
        hb_msg m;
        hb_msg_init(&m, s, sizeof(s));
        hb_msg_add_str(&m, "t", "status");
        hb_control c = {.src = "node2", .srcuuid = uuid, .seq = 1, .hg = 1, .ts = 1, .ld = "-",
                        .ttl = 3};
        hb_msg_add_control_fields(&m, &c);
        if (cases[i].field)
            hb_msg_set_str(&m, cases[i].field, cases[i].value);
        ssize_t n = hb_encode_udp(&m, &keys, buf, sizeof(buf));
        CHECK_REASON(receive(buf, (size_t)n), cases[i].want);
    }
    /* src as a binary field does not count */
    static uint8_t s[4096];
    hb_msg m;
    hb_msg_init(&m, s, sizeof(s));
    hb_msg_add_str(&m, "t", "status");
    hb_msg_add(&m, "src", HB_FIELD_BINARY, "node2", 5);
    hb_msg_add_str(&m, "ts", "1");
    ssize_t n = hb_encode_udp(&m, &keys, buf, sizeof(buf));
    CHECK_REASON(receive(buf, (size_t)n), HB_DROP_MISSING_FIELDS);
}

/* msgfmt netstring: no inner auth field, still accepted on the outer digest. */
static void without_inner_auth(void)
{
    static uint8_t s[4096], out[4096], rstore[4096];
    hb_msg m, r;
    hb_msg_init(&m, s, sizeof(s));
    CHECK_INT(hb_msg_add_str(&m, "t", "status"), 0);
    CHECK_INT(hb_msg_add_str(&m, "src", "node2"), 0);
    CHECK_INT(hb_msg_add_str(&m, "ts", "6b0255fe"), 0);
    ssize_t n = hb_encode_udp_opt(&m, &keys, false, out, sizeof out);
    CHECK(n > 0);
    CHECK(hb_msg_get(&m, "auth") == NULL);
    CHECK(memmem(out, (size_t)n, "auth=", 5) == NULL);
    hb_msg_init(&r, rstore, sizeof rstore);
    CHECK_REASON(hb_receive(&keys, out, (size_t)n, &r, NULL), HB_DROP_NONE);
    ssize_t with = hb_encode_udp_opt(&m, &keys, true, out, sizeof out);
    CHECK(with > n);
    CHECK(hb_msg_get(&m, "auth") != NULL);
}

static void reason_names(void)
{
    CHECK_STR(hb_drop_reason_name(HB_DROP_NONE), "none");
    CHECK_STR(hb_drop_reason_name(HB_DROP_BAD_AUTH), "bad_auth");
    CHECK_STR(hb_drop_reason_name(HB_DROP_MISSING_FIELDS), "missing_fields");
    CHECK_STR(hb_drop_reason_name(-1), "unknown");
    CHECK_STR(hb_drop_reason_name(HB_DROP_REASON_COUNT), "unknown");
    for (int r = 0; r < HB_DROP_REASON_COUNT; r++) { /* every reason is named, names are unique */
        CHECK(strcmp(hb_drop_reason_name(r), "unknown") != 0);
        for (int q = 0; q < r; q++)
            CHECK(strcmp(hb_drop_reason_name(r), hb_drop_reason_name(q)) != 0);
    }
}

int main(int argc, char **argv)
{
    hb_keys_init(&keys);
    hb_keys_set(&keys, 1, HB_AUTH_SHA1, "hwtestkey", 9);
    hb_keys_set_signing(&keys, 1);

    forged_vectors(argc, argv);
    sizes_and_framing();
    trailer_rungs();
    outer_key_quirk();
    classic_rungs();
    required_fields();
    without_inner_auth();
    reason_names();
    return hbt_finish("test_recv");
}
