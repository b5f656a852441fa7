/* test_msg.c - the message model (add/set/get, name rules, store limits) and
 * the control fields of heartbeat-wire §5.1 in Heartbeat's order. */
#include "hb_internal.h"
#include "hbtest.h"

static uint8_t store[4096];
static const uint8_t uuid_a[HB_UUID_LEN] = {0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t uuid_b[HB_UUID_LEN] = {0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

/* "name,name,..." of the message, for order checks */
static const char *names(const hb_msg *m)
{
    static char buf[1024];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m->nfields; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", m->field[i].name);
    return buf;
}

static void add_get_set(void)
{
    hb_msg m;
    hb_msg_init(&m, store, sizeof(store));
    CHECK_INT(hb_msg_add_str(&m, "t", "status"), 0);
    CHECK_INT(hb_msg_add_str(&m, "x", "first"), 0);
    CHECK_INT(hb_msg_add_str(&m, "x", "second"), 0); /* duplicates append */
    CHECK_INT(hb_msg_add(&m, "u", HB_FIELD_BINARY, "\0\1", 2), 0);
    CHECK_STR(names(&m), "t,x,x,u");
    CHECK_STR(hb_msg_get_str(&m, "x"), "first"); /* first match wins */
    CHECK(hb_msg_get_str(&m, "u") == NULL);      /* binary is not a string */
    CHECK(hb_msg_get(&m, "u") != NULL);
    CHECK(hb_msg_get(&m, "missing") == NULL);
    CHECK(hb_msg_get(&m, "") == NULL);

    /* set: first match in place (shorter and longer values), else append */
    CHECK_INT(hb_msg_set_str(&m, "x", "1st"), 0);
    CHECK_INT(hb_msg_set_str(&m, "t", "a much longer value than before"), 0);
    CHECK_INT(hb_msg_set(&m, "u", HB_FIELD_STRING, "now text", 8), 0);
    CHECK_INT(hb_msg_set_str(&m, "new", "v"), 0);
    CHECK_STR(names(&m), "t,x,x,u,new");
    CHECK_STR(hb_msg_get_str(&m, "t"), "a much longer value than before");
    CHECK_STR(hb_msg_get_str(&m, "x"), "1st");
    CHECK_STR(hb_msg_get_str(&m, "u"), "now text");
    CHECK_INT(m.field[2].value_len, 6); /* the duplicate is untouched */

    /* a value taken from the message itself */
    CHECK_INT(hb_msg_set_str(&m, "new", hb_msg_get_str(&m, "t")), 0);
    CHECK_STR(hb_msg_get_str(&m, "new"), "a much longer value than before");

    hb_msg_reset(&m);
    CHECK_INT(m.nfields, 0);
    CHECK_INT(m.store_used, 0);
}

static void rejects(void)
{
    hb_msg m;
    hb_msg_init(&m, store, sizeof(store));
    static const char *bad_names[] = {"", "a=b", ">>>", ">>>x", "<<<", "(1)x", "(", "a\nb"};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
        CHECK_INT(hb_msg_add_str(&m, bad_names[i], "v"), -EINVAL);
    char long_name[HB_NAME_MAX + 2];
    memset(long_name, 'n', sizeof(long_name));
    long_name[HB_NAME_MAX] = '\0';
    CHECK_INT(hb_msg_add_str(&m, long_name, "v"), 0);
    long_name[HB_NAME_MAX] = 'n';
    long_name[HB_NAME_MAX + 1] = '\0';
    CHECK_INT(hb_msg_add_str(&m, long_name, "v"), -EINVAL);
    CHECK(hb_name_valid("##", 2));   /* real nodes only log this one */
    CHECK(hb_name_valid("a(1)", 4));
    CHECK(!hb_name_valid(NULL, 0));

    CHECK_INT(hb_msg_add(&m, "s", HB_FIELD_STRING, "a\0b", 3), -EINVAL);
    CHECK_INT(hb_msg_add(&m, "b", HB_FIELD_BINARY, "a\0b", 3), 0);
    CHECK_INT(hb_msg_add(&m, "t", (hb_field_type)2, "x", 1), -EINVAL);
    CHECK_INT(hb_msg_add(&m, "t", HB_FIELD_STRING, NULL, 1), -EINVAL);
    CHECK_INT(hb_msg_add(&m, NULL, HB_FIELD_STRING, "x", 1), -EINVAL);
    CHECK_INT(hb_msg_add_str(&m, "t", NULL), -EINVAL);
    CHECK_INT(hb_msg_set(&m, "b", HB_FIELD_STRING, "a\0b", 3), -EINVAL);

    /* field count and store limits */
    hb_msg_reset(&m);
    for (unsigned i = 0; i < HB_MSG_MAX_FIELDS; i++)
        CHECK_INT(hb_msg_add_str(&m, "f", "v"), 0);
    CHECK_INT(hb_msg_add_str(&m, "f", "v"), -EMSGSIZE);
    static uint8_t small[8];
    hb_msg_init(&m, small, sizeof(small));
    CHECK_INT(hb_msg_add_str(&m, "abc", "defg"), -ENOSPC); /* needs "abc\0defg\0" = 9 */
    CHECK_INT(m.nfields, 0);
    CHECK_INT(m.store_used, 0);
    CHECK_INT(hb_msg_add_str(&m, "abc", "def"), 0); /* "abc\0def\0" */
    CHECK_INT(hb_msg_set_str(&m, "abc", "de"), 0);  /* shorter: in place */
    CHECK_INT(hb_msg_set_str(&m, "abc", "defgh"), -ENOSPC);
    CHECK_STR(hb_msg_get_str(&m, "abc"), "de");
    hb_msg_init(&m, NULL, 0);
    CHECK_INT(hb_msg_add_str(&m, "a", ""), -ENOSPC);
}

static hb_control control(void)
{
    hb_control c = {.src = "node1", .srcuuid = uuid_a, .destuuid = uuid_b, .seq = 0x1a,
                    .hg = 0x6b0255ff, .ts = 0x6b0255fe, .ld = "0.29 0.56 0.36 2/114 31407",
                    .ttl = 3};
    return c;
}

static void control_fields(void)
{
    hb_msg m;
    hb_control c = control();

    /* ordinary message: all seven, in order, hex/decimal as on the wire */
    hb_msg_init(&m, store, sizeof(store));
    hb_msg_add_str(&m, "t", "status");
    hb_msg_add_str(&m, "st", "up");
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    CHECK_STR(names(&m), "t,st,src,srcuuid,seq,hg,ts,ld,ttl");
    CHECK_STR(hb_msg_get_str(&m, "seq"), "1a");
    CHECK_STR(hb_msg_get_str(&m, "hg"), "6b0255ff");
    CHECK_STR(hb_msg_get_str(&m, "ts"), "6b0255fe");
    CHECK_STR(hb_msg_get_str(&m, "ttl"), "3");
    const hb_field *u = hb_msg_get(&m, "srcuuid");
    CHECK(u && u->type == HB_FIELD_BINARY);
    if (u)
        CHECK_MEM(u->value, u->value_len, uuid_a, HB_UUID_LEN);
    CHECK(hb_msg_get(&m, "destuuid") == NULL); /* no dest, no destuuid */
    CHECK(!hb_msg_is_ns(&m));

    /* again (a retransmission built anew): values replaced in place */
    c.seq = 0x1b;
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    CHECK_STR(names(&m), "t,st,src,srcuuid,seq,hg,ts,ld,ttl");
    CHECK_STR(hb_msg_get_str(&m, "seq"), "1b");

    /* originator-supplied src (e.g. from the FIFO) is overwritten in place */
    hb_msg_reset(&m);
    hb_msg_add_str(&m, "src", "someone");
    hb_msg_add_str(&m, "t", "resource");
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    CHECK_STR(names(&m), "src,t,srcuuid,seq,hg,ts,ld,ttl");
    CHECK_STR(hb_msg_get_str(&m, "src"), "node1");

    /* repnodes: dest first; destuuid right after the message's own fields */
    hb_msg_reset(&m);
    hb_msg_add_str(&m, "dest", "node2");
    hb_msg_add_str(&m, "t", "repnodes");
    hb_msg_add_str(&m, "nodelist", "node1 node2");
    hb_msg_add_str(&m, "delnodelist", "");
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    CHECK_STR(names(&m), "dest,t,nodelist,delnodelist,destuuid,src,srcuuid,seq,hg,ts,ld,ttl");
    u = hb_msg_get(&m, "destuuid");
    if (u)
        CHECK_MEM(u->value, u->value_len, uuid_b, HB_UUID_LEN);

    /* dest but uuid unknown: no destuuid */
    hb_control no_dest_uuid = c;
    no_dest_uuid.destuuid = NULL;
    hb_msg_reset(&m);
    hb_msg_add_str(&m, "t", "reqnodes");
    hb_msg_add_str(&m, "dest", "node2");
    CHECK_INT(hb_msg_add_control_fields(&m, &no_dest_uuid), 0);
    CHECK_STR(names(&m), "t,dest,src,srcuuid,seq,hg,ts,ld,ttl");

    /* NS_ types: no seq, no ld, and fields already there are kept */
    hb_msg_reset(&m);
    hb_msg_add_str(&m, "t", "NS_ackmsg");
    hb_msg_add_str(&m, "dest", "node2");
    hb_msg_add_str(&m, "ackseq", "1");
    CHECK(hb_msg_is_ns(&m));
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    CHECK_STR(names(&m), "t,dest,ackseq,destuuid,src,srcuuid,hg,ts,ttl");
    hb_msg_reset(&m);
    hb_msg_add_str(&m, "t", "NS_rexmit");
    hb_msg_add_str(&m, "src", "node9");
    hb_msg_add_str(&m, "ts", "1");
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    CHECK_STR(names(&m), "t,src,ts,srcuuid,hg,ttl");
    CHECK_STR(hb_msg_get_str(&m, "src"), "node9");
    CHECK_STR(hb_msg_get_str(&m, "ts"), "1");

    /* argument checks */
    hb_msg_reset(&m);
    CHECK_INT(hb_msg_add_control_fields(&m, &c), -EINVAL); /* no t */
    hb_msg_add(&m, "t", HB_FIELD_BINARY, "x", 1);
    CHECK_INT(hb_msg_add_control_fields(&m, &c), -EINVAL); /* t not a string */
    hb_msg_reset(&m);
    hb_msg_add_str(&m, "t", "status");
    hb_control bad = c;
    bad.src = NULL;
    CHECK_INT(hb_msg_add_control_fields(&m, &bad), -EINVAL);
    CHECK_INT(hb_msg_add_control_fields(&m, NULL), -EINVAL);
    bad = c;
    bad.ld = NULL; /* needed for an ordinary message ... */
    CHECK_INT(hb_msg_add_control_fields(&m, &bad), -EINVAL);
    hb_msg_set_str(&m, "t", "NS_ackmsg"); /* ... not for an NS_ one */
    CHECK_INT(hb_msg_add_control_fields(&m, &bad), 0);
    CHECK_STR(names(&m), "t,src,srcuuid,hg,ts,ttl");
}

static void signing(void)
{
    static hb_keys keys;
    hb_keys_init(&keys);
    hb_msg m;
    hb_msg_init(&m, store, sizeof(store));
    hb_msg_add_str(&m, "t", "status");
    CHECK_INT(hb_msg_sign(&m, &keys), -ENOENT);
    uint8_t out[512];
    CHECK_INT(hb_encode_udp(&m, &keys, out, sizeof(out)), -ENOENT);

    hb_keys_set(&keys, 3, HB_AUTH_SHA1, "k", 1);
    hb_keys_set_signing(&keys, 3);
    hb_control c = control();
    hb_msg_add_control_fields(&m, &c);
    CHECK_INT(hb_msg_sign(&m, &keys), 0);
    CHECK_STR(names(&m), "t,src,srcuuid,seq,hg,ts,ld,ttl,auth");
    const char *auth = hb_msg_get_str(&m, "auth");
    CHECK(auth && strncmp(auth, "3 ", 2) == 0 && strlen(auth) == 42);
    CHECK_REASON(hb_verify_inner(&keys, &m), HB_DROP_NONE);
    CHECK_INT(hb_msg_sign(&m, &keys), 0); /* idempotent, auth stays last and single */
    CHECK_STR(names(&m), "t,src,srcuuid,seq,hg,ts,ld,ttl,auth");

    CHECK_INT(hb_encode_udp(&m, &keys, out, 100), -ENOSPC);
    ssize_t n = hb_encode_udp(&m, &keys, out, sizeof(out));
    CHECK(n > 0);
    /* the trailer is "42:3 <40 hex>," */
    CHECK(n > 46 && memcmp(out + n - 46, "42:3 ", 5) == 0 && out[n - 1] == ',');

    /* a field changed after signing breaks the inner auth */
    hb_msg_set_str(&m, "st", "x");
    CHECK_REASON(hb_verify_inner(&keys, &m), HB_DROP_BAD_AUTH);
}

/* The control fields' hex, as Heartbeat's "%lx": no leading zeros, lower case. */
static void hex_fields(void)
{
    char out[17];
    CHECK_INT((int)hb_hex_u64(out, 0), 1);
    CHECK_STR(out, "0");
    CHECK_INT((int)hb_hex_u64(out, 0x1a2b3c), 6);
    CHECK_STR(out, "1a2b3c");
    CHECK_INT((int)hb_hex_u64(out, UINT64_MAX), 16);
    CHECK_STR(out, "ffffffffffffffff");
    CHECK_INT((int)hb_hex_u64(out, 0x8000000000000000ULL), 16);
    CHECK_STR(out, "8000000000000000");
}

int main(void)
{
    hex_fields();
    add_get_set();
    rejects();
    control_fields();
    signing();
    return hbt_finish("test_msg");
}
