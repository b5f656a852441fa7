/* test_examples.c - the three worked examples of heartbeat-wire §3.6, built
 * from scratch (message fields + control fields + both digests) and compared
 * byte for byte with what the real nodes sent (frame 1 of bcast-crc.pcap,
 * bcast-md5.pcap and bcast-sha1.pcap). */
#include "hbtest.h"

static uint8_t store[4096];
static uint8_t out[HB_MSG_MAX];
static uint8_t want[1024];
static uint8_t uuid[HB_UUID_LEN];

struct example {
    const char *name;
    hb_auth_method method;
    const char *key;
    const char *uuid_hex;
    const char *fields[8]; /* name, value pairs of the message's own fields */
    hb_control control;
    const char *inner_text;
    size_t body_len;
    const char *inner_auth;
    const char *trailer;
    const char *datagram_hex;
};

static const struct example examples[] = {
    {
        "example 1: crc status (bcast-crc.pcap frame 1)", HB_AUTH_CRC, "",
        "96fdda71d6b6479e98db46f1e300ffad",
        {"t", "status", "st", "init", "dt", "fa0", "protocol", "1"},
        {.src = "node1", .seq = 1, .hg = 0x6b0255b2, .ts = 0x6b0255b1,
         .ld = "0.29 0.58 0.35 1/100 18673", .ttl = 3},
        "t=status\nst=init\ndt=fa0\nprotocol=1\nsrc=node1\n(1)srcuuid=lv3acda2R56Y20bx4wD/rQ==\n"
        "seq=1\nhg=6b0255b2\nts=6b0255b1\nld=0.29 0.58 0.35 1/100 18673\nttl=3\n",
        229, "1 6a08dcb3", "10:1 ace5ba5a,",
        "2323230a31313a283029743d7374617475732c31303a28302973743d696e6974"
        "2c393a28302964743d6661302c31333a28302970726f746f636f6c3d312c3132"
        "3a2830297372633d6e6f6465312c32373a283129737263757569643d96fdda71"
        "d6b6479e98db46f1e300ffad2c383a2830297365713d312c31343a2830296867"
        "3d36623032353562322c31343a28302974733d36623032353562312c33323a28"
        "30296c643d302e323920302e353820302e333520312f3130302031383637332c"
        "383a28302974746c3d332c31383a283029617574683d31203661303864636233"
        "2c2525250a31303a312061636535626135612c",
    },
    {
        "example 2: md5 NS_ackmsg with destuuid (bcast-md5.pcap frame 1)", HB_AUTH_MD5,
        "s3cr3t-md5", "18a607973dd14dc3802bf637e51bea4e",
        {"t", "NS_ackmsg", "dest", "node1", "ackseq", "1"},
        /* seq and ld are given but must be left out of an NS_ message */
        {.src = "node1", .seq = 99, .hg = 0x6b025644, .ts = 0x6b025643,
         .ld = "not sent", .ttl = 3},
        "t=NS_ackmsg\ndest=node1\nackseq=1\n(1)destuuid=GKYHlz3RTcOAK/Y35RvqTg==\nsrc=node1\n"
        "(1)srcuuid=GKYHlz3RTcOAK/Y35RvqTg==\nhg=6b025644\nts=6b025643\nttl=3\n",
        230, "1 dba2f0507a9280a311d6c58857dc94a0", "34:1 009ff0b095b32e16b1099c576d99d13a,",
        "2323230a31343a283029743d4e535f61636b6d73672c31333a28302964657374"
        "3d6e6f6465312c31313a28302961636b7365713d312c32383a28312964657374"
        "757569643d18a607973dd14dc3802bf637e51bea4e2c31323a2830297372633d"
        "6e6f6465312c32373a283129737263757569643d18a607973dd14dc3802bf637"
        "e51bea4e2c31343a28302968673d36623032353634342c31343a28302974733d"
        "36623032353634332c383a28302974746c3d332c34323a283029617574683d31"
        "2064626132663035303761393238306133313164366335383835376463393461"
        "302c2525250a33343a3120303039666630623039356233326531366231303939"
        "63353736643939643133612c",
    },
    {
        "example 3: sha1 status (bcast-sha1.pcap frame 1)", HB_AUTH_SHA1, "hwtestkey",
        "d208d38d21ad49e88283bd33804efc85",
        {"t", "status", "st", "init", "dt", "fa0", "protocol", "1"},
        {.src = "node1", .seq = 1, .hg = 0x6b0255ff, .ts = 0x6b0255fe,
         .ld = "0.29 0.56 0.36 2/114 31407", .ttl = 3},
        "t=status\nst=init\ndt=fa0\nprotocol=1\nsrc=node1\n(1)srcuuid=0gjTjSGtSeiCg70zgE78hQ==\n"
        "seq=1\nhg=6b0255ff\nts=6b0255fe\nld=0.29 0.56 0.36 2/114 31407\nttl=3\n",
        261, "1 29df16d08713158cadbfd08e691d96d8f51cc4a1",
        "42:1 8fed4bcebfbbbdf21d59b8935d76267f82e5983c,",
        "2323230a31313a283029743d7374617475732c31303a28302973743d696e6974"
        "2c393a28302964743d6661302c31333a28302970726f746f636f6c3d312c3132"
        "3a2830297372633d6e6f6465312c32373a283129737263757569643dd208d38d"
        "21ad49e88283bd33804efc852c383a2830297365713d312c31343a2830296867"
        "3d36623032353566662c31343a28302974733d36623032353566652c33323a28"
        "30296c643d302e323920302e353620302e333620322f3131342033313430372c"
        "383a28302974746c3d332c35303a283029617574683d31203239646631366430"
        "3837313331353863616462666430386536393164393664386635316363346131"
        "2c2525250a34323a312038666564346263656266626262646632316435396238"
        "3933356437363236376638326535393833632c",
    },
};

static void run_example(const struct example *ex)
{
    printf("  %s\n", ex->name);
    static hb_keys keys;
    hb_keys_init(&keys);
    CHECK_INT(hb_keys_set(&keys, 1, ex->method, ex->key, strlen(ex->key)), 0);
    CHECK_INT(hb_keys_set_signing(&keys, 1), 0);
    CHECK_INT(hbt_unhex(ex->uuid_hex, uuid, sizeof(uuid)), HB_UUID_LEN);

    hb_msg msg;
    hb_msg_init(&msg, store, sizeof(store));
    for (size_t i = 0; i < 8 && ex->fields[i]; i += 2)
        CHECK_INT(hb_msg_add_str(&msg, ex->fields[i], ex->fields[i + 1]), 0);
    hb_control c = ex->control;
    c.srcuuid = uuid;
    c.destuuid = uuid; /* only used when the message has `dest` */
    CHECK_INT(hb_msg_add_control_fields(&msg, &c), 0);

    /* the inner text, then the whole datagram */
    ssize_t n = hb_encode_inner_text(&msg, out, sizeof(out));
    CHECK_MEM(out, n, ex->inner_text, strlen(ex->inner_text));
    n = hb_encode_udp(&msg, &keys, out, sizeof(out));
    long want_len = hbt_unhex(ex->datagram_hex, want, sizeof(want));
    CHECK(want_len > 0);
    CHECK_MEM(out, n, want, want_len);
    CHECK_STR(hb_msg_get_str(&msg, "auth"), ex->inner_auth);
    CHECK_INT((size_t)n, ex->body_len + strlen(ex->trailer));
    if (n > 0 && (size_t)n >= ex->body_len)
        CHECK_MEM(out + ex->body_len, (size_t)n - ex->body_len, ex->trailer, strlen(ex->trailer));

    /* ... and the real datagram is accepted and reproduced */
    static uint8_t rx_store[1024];
    hb_msg rx;
    hb_msg_init(&rx, rx_store, sizeof(rx_store));
    CHECK_REASON(hb_receive(&keys, want, (size_t)want_len, &rx, NULL), HB_DROP_NONE);
    CHECK_REASON(hb_verify_inner(&keys, &rx), HB_DROP_NONE);
    CHECK_INT(rx.nfields, msg.nfields);
    n = hb_encode_udp(&rx, &keys, out, sizeof(out));
    CHECK_MEM(out, n, want, want_len);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++)
        run_example(&examples[i]);
    return hbt_finish("test_examples");
}
