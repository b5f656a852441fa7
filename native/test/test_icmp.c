/* test_icmp.c - ICMP echo for ping nodes: RFC 1071 checksums, packets that
 * iputils ping sent and received on lo (test/vectors/icmp-ping-captured.txt),
 * every drop reason of the reply parsers, and the hbd stamp. */
#include "hbtest.h"

/* ------------------------------------------------------------------ helpers */

typedef struct icmp_vector {
    char id[32];
    int family;
    uint8_t bytes[2048];
    size_t len;
} icmp_vector;

/* "<id> <family> <hex>"; 1 = got one, 0 = end, -1 = bad line. */
static int next_icmp_vector(FILE *f, icmp_vector *v)
{
    static char line[8192];
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *save = NULL;
        char *id = strtok_r(line, " \n", &save);
        char *family = strtok_r(NULL, " \n", &save);
        char *hex = strtok_r(NULL, " \n", &save);
        if (hex == NULL || strlen(id) >= sizeof(v->id))
            return -1;
        snprintf(v->id, sizeof(v->id), "%s", id);
        v->family = atoi(family);
        long n = hbt_unhex(hex, v->bytes, sizeof(v->bytes));
        if (n < 0)
            return -1;
        v->len = (size_t)n;
        return 1;
    }
    return 0;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void set_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Rewrites the IPv4 header checksum after a test changed the header. */
static void fix_ip_checksum(uint8_t *ip)
{
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    set_be16(ip + 10, 0);
    set_be16(ip + 10, hb_inet_checksum(ip, ihl));
}

static void fix_icmp_checksum(uint8_t *icmp, size_t len)
{
    set_be16(icmp + 2, 0);
    set_be16(icmp + 2, hb_inet_checksum(icmp, len));
}

#define CHECK_ICMP(got, want)                                                   \
    do {                                                                        \
        int g_ = (int)(got), w_ = (int)(want);                                  \
        hbt_checks++;                                                           \
        if (g_ != w_) {                                                         \
            hbt_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = %s, want %s\n", __FILE__, __LINE__,     \
                    #got, hb_icmp_drop_name(g_), hb_icmp_drop_name(w_));        \
        }                                                                       \
    } while (0)

/* ------------------------------------------------------------ checksums */

/* RFC 1071 §3 worked example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
static void rfc1071_example(void)
{
    static const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_INT(hb_inet_checksum(data, sizeof(data)), 0xffff & ~0xddf2);
    uint8_t with_sum[10];
    memcpy(with_sum, data, 8);
    set_be16(with_sum + 8, hb_inet_checksum(data, 8));
    CHECK_INT(hb_inet_checksum(with_sum, 10), 0);
    /* odd length: the last byte is the high half of a word */
    static const uint8_t odd[] = {0x01, 0x02, 0x03};
    CHECK_INT(hb_inet_checksum(odd, 3), 0xffff & ~(0x0102 + 0x0300));
    CHECK_INT(hb_inet_checksum(odd, 0), 0xffff);
    /* the end-around carry: ffff + 0001 folds to 0001 */
    static const uint8_t carry[] = {0xff, 0xff, 0x00, 0x01};
    CHECK_INT(hb_inet_checksum(carry, 4), 0xfffe);
}

/* ------------------------------------------------------ captured packets */

static void captured_v4(const icmp_vector *v, int *requests, int *replies)
{
    const uint8_t *ip = v->bytes;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    const uint8_t *icmp = ip + ihl;
    size_t icmp_len = be16(ip + 2) - ihl;
    uint16_t id = be16(icmp + 4), seq = be16(icmp + 6);

    CHECK_INT(hb_inet_checksum(ip, ihl), 0);
    CHECK_INT(hb_inet_checksum(icmp, icmp_len), 0);

    hb_icmp_echo echo;
    hb_icmp_drop r = hb_icmp4_parse_reply(ip, v->len, id, &echo);
    if (icmp[0] == 8) {
        (*requests)++;
        CHECK_ICMP(r, HB_ICMP_NOT_ECHO_REPLY); /* our own request seen on lo */
        /* Re-encoding the request gives ping's bytes, checksum included. */
        uint8_t out[2048];
        ssize_t n = hb_icmp4_echo_request(out, sizeof(out), id, seq, icmp + 8, icmp_len - 8);
        CHECK_MEM(out, n, icmp, icmp_len);
    } else {
        (*replies)++;
        CHECK_ICMP(r, HB_ICMP_OK);
        CHECK_INT(echo.id, id);
        CHECK_INT(echo.seq, seq);
        CHECK_MEM(echo.payload, echo.payload_len, icmp + 8, icmp_len - 8);
        CHECK_ICMP(hb_icmp4_parse_reply(ip, v->len, (uint16_t)(id + 1), &echo),
                   HB_ICMP_OTHER_ID);
        /* Every single-bit error is caught: by a header check, or by one of
         * the two one's complement sums (they detect any single-bit error). */
        uint8_t copy[2048];
        int caught = 0;
        for (size_t bit = 0; bit < v->len * 8; bit++) {
            memcpy(copy, ip, v->len);
            copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            caught += hb_icmp4_parse_reply(copy, v->len, id, NULL) != HB_ICMP_OK;
        }
        CHECK_INT(caught, v->len * 8);
    }
}

static void captured_v6(const icmp_vector *v, int *requests, int *replies)
{
    const uint8_t *ip6 = v->bytes;
    const uint8_t *icmp = ip6 + 40;
    size_t icmp_len = be16(ip6 + 4);
    CHECK_INT(ip6[6], 58); /* next header ICMPv6, no extension headers */
    CHECK_INT(icmp_len + 40, v->len);
    uint16_t id = be16(icmp + 4), seq = be16(icmp + 6);

    /* The captured checksum is the RFC 4443 one over the pseudo-header. */
    uint8_t zeroed[2048];
    memcpy(zeroed, icmp, icmp_len);
    set_be16(zeroed + 2, 0);
    CHECK_INT(hb_icmp6_checksum(ip6 + 8, ip6 + 24, zeroed, icmp_len), be16(icmp + 2));
    CHECK_INT(hb_icmp6_checksum(ip6 + 8, ip6 + 24, icmp, icmp_len), 0);

    hb_icmp_echo echo;
    hb_icmp_drop r = hb_icmp6_parse_reply(icmp, icmp_len, id, &echo);
    if (icmp[0] == 128) {
        (*requests)++;
        CHECK_ICMP(r, HB_ICMP_NOT_ECHO_REPLY);
        uint8_t out[2048];
        ssize_t n = hb_icmp6_echo_request(out, sizeof(out), id, seq, icmp + 8, icmp_len - 8);
        CHECK_MEM(out, n, zeroed, icmp_len); /* checksum left to the kernel */
    } else {
        (*replies)++;
        CHECK_INT(icmp[0], 129);
        CHECK_ICMP(r, HB_ICMP_OK);
        CHECK_INT(echo.id, id);
        CHECK_INT(echo.seq, seq);
        CHECK_MEM(echo.payload, echo.payload_len, icmp + 8, icmp_len - 8);
        CHECK_ICMP(hb_icmp6_parse_reply(icmp, icmp_len, (uint16_t)~id, NULL), HB_ICMP_OTHER_ID);
    }
}

static void captured_packets(int argc, char **argv)
{
    FILE *f = hbt_open_vectors(argc, argv, "icmp-ping-captured.txt");
    static icmp_vector v;
    int rc, req4 = 0, rep4 = 0, req6 = 0, rep6 = 0, options = 0;
    while ((rc = next_icmp_vector(f, &v)) == 1) {
        if (v.family == 4) {
            options += (v.bytes[0] & 15) > 5;
            captured_v4(&v, &req4, &rep4);
        } else {
            CHECK_INT(v.family, 6);
            captured_v6(&v, &req6, &rep6);
        }
    }
    CHECK_INT(rc, 0);
    fclose(f);
    CHECK_INT(req4, 5);
    CHECK_INT(rep4, 5);
    CHECK_INT(req6, 3);
    CHECK_INT(rep6, 3);
    CHECK_INT(options, 2); /* ping -R: IHL 15, both ways */
}

/* ------------------------------------------------- synthetic replies (v4) */

/* A 20-byte IPv4 header + an echo reply (id 0x4242, seq 7, 20-byte stamp). */
static size_t make_reply4(uint8_t *buf, size_t ihl)
{
    uint8_t stamp[HB_PING_STAMP_LEN];
    hb_ping_stamp_encode(stamp, 0x1122334455667788u, 123456789u);
    memset(buf, 0, ihl);
    buf[0] = (uint8_t)(0x40 | ihl / 4);
    buf[8] = 64; /* TTL */
    buf[9] = 1;  /* ICMP */
    memcpy(buf + 12, "\x0a\x63\x00\x01\x0a\x63\x00\x02", 8);
    for (size_t i = 20; i < ihl; i++)
        buf[i] = 1; /* NOP options */
    ssize_t n = hb_icmp4_echo_request(buf + ihl, 512, 0x4242, 7, stamp, sizeof(stamp));
    buf[ihl] = 0; /* type echo reply */
    fix_icmp_checksum(buf + ihl, (size_t)n);
    set_be16(buf + 2, (uint16_t)(ihl + (size_t)n));
    fix_ip_checksum(buf);
    return ihl + (size_t)n;
}

static void reply4_drop_reasons(void)
{
    uint8_t b[600];
    hb_icmp_echo echo;
    size_t len = make_reply4(b, 20);
    CHECK_INT(len, 48);
    CHECK_ICMP(hb_icmp4_parse_reply(b, len, 0x4242, &echo), HB_ICMP_OK);
    CHECK_INT(echo.seq, 7);
    CHECK_INT(echo.payload_len, HB_PING_STAMP_LEN);
    CHECK(echo.payload == b + 28);
    CHECK_ICMP(hb_icmp4_parse_reply(b, len, 0x4242, NULL), HB_ICMP_OK);

    /* bytes after the total length (link padding) are ignored */
    memset(b + len, 0xee, 10);
    CHECK_ICMP(hb_icmp4_parse_reply(b, len + 10, 0x4242, &echo), HB_ICMP_OK);
    CHECK_INT(echo.payload_len, HB_PING_STAMP_LEN);

    /* sizes */
    CHECK_ICMP(hb_icmp4_parse_reply(NULL, 0, 0x4242, &echo), HB_ICMP_TOO_SHORT);
    CHECK_ICMP(hb_icmp4_parse_reply(b, 19, 0x4242, &echo), HB_ICMP_TOO_SHORT);
    CHECK_ICMP(hb_icmp4_parse_reply(b, 27, 0x4242, &echo), HB_ICMP_TOO_SHORT);
    CHECK_ICMP(hb_icmp4_parse_reply(b, len - 1, 0x4242, &echo), HB_ICMP_BAD_TOTAL_LENGTH);

    uint8_t c[600];
#define MUTATE(stmt, want)                                                      \
    do {                                                                        \
        memcpy(c, b, len);                                                      \
        stmt;                                                                   \
        CHECK_ICMP(hb_icmp4_parse_reply(c, len, 0x4242, &echo), want);          \
    } while (0)
    MUTATE(c[0] = 0x65, HB_ICMP_NOT_IPV4);
    MUTATE((c[0] = 0x44, fix_ip_checksum(c)), HB_ICMP_BAD_IHL);  /* IHL 16 bytes */
    MUTATE(c[0] = 0x4f, HB_ICMP_BAD_IHL);                        /* 60 > 48 bytes */
    MUTATE(c[0] = 0x4b, HB_ICMP_TOO_SHORT);                      /* 44 + 8 > 48 */
    MUTATE((set_be16(c + 2, 27), fix_ip_checksum(c)), HB_ICMP_BAD_TOTAL_LENGTH);
    MUTATE((set_be16(c + 2, 49), fix_ip_checksum(c)), HB_ICMP_BAD_TOTAL_LENGTH);
    MUTATE(c[8] = 63, HB_ICMP_BAD_IP_CHECKSUM);
    MUTATE((c[6] = 0x20, fix_ip_checksum(c)), HB_ICMP_FRAGMENT);  /* MF */
    MUTATE((c[7] = 0x01, fix_ip_checksum(c)), HB_ICMP_FRAGMENT);  /* offset 8 */
    MUTATE((c[6] = 0x40, fix_ip_checksum(c)), HB_ICMP_OK);        /* DF is fine */
    MUTATE((c[9] = 17, fix_ip_checksum(c)), HB_ICMP_NOT_ICMP);
    MUTATE(c[30] ^= 1, HB_ICMP_BAD_CHECKSUM);
    MUTATE((c[20] = 3, fix_icmp_checksum(c + 20, 28)), HB_ICMP_NOT_ECHO_REPLY); /* unreachable */
    MUTATE((c[20] = 8, fix_icmp_checksum(c + 20, 28)), HB_ICMP_NOT_ECHO_REPLY); /* request */
    MUTATE((c[21] = 1, fix_icmp_checksum(c + 20, 28)), HB_ICMP_BAD_CODE);
    MUTATE((c[24] = 0x43, fix_icmp_checksum(c + 20, 28)), HB_ICMP_OTHER_ID);
#undef MUTATE

    /* IP options: payload found after them */
    len = make_reply4(b, 60);
    CHECK_ICMP(hb_icmp4_parse_reply(b, len, 0x4242, &echo), HB_ICMP_OK);
    CHECK(echo.payload == b + 68);
    uint64_t sent;
    CHECK_ICMP(hb_ping_stamp_decode(echo.payload, echo.payload_len, 0x1122334455667788u, &sent),
               HB_ICMP_OK);
    CHECK_INT(sent, 123456789);

    /* an empty echo reply (8 bytes of ICMP) is fine */
    uint8_t e[28];
    memset(e, 0, sizeof(e));
    e[0] = 0x45;
    e[9] = 1;
    set_be16(e + 2, 28);
    fix_ip_checksum(e);
    set_be16(e + 24, 9);
    fix_icmp_checksum(e + 20, 8);
    CHECK_ICMP(hb_icmp4_parse_reply(e, 28, 9, &echo), HB_ICMP_OK);
    CHECK_INT(echo.payload_len, 0);
    CHECK_ICMP(hb_ping_stamp_decode(echo.payload, echo.payload_len, 0, NULL), HB_ICMP_BAD_STAMP);
}

static void reply6_drop_reasons(void)
{
    uint8_t b[64];
    uint8_t stamp[HB_PING_STAMP_LEN];
    hb_icmp_echo echo;
    hb_ping_stamp_encode(stamp, 7, 99);
    ssize_t n = hb_icmp6_echo_request(b, sizeof(b), 0xbeef, 0xfffe, stamp, sizeof(stamp));
    CHECK_INT(n, 28);
    CHECK_INT(b[0], 128);
    CHECK_INT(be16(b + 2), 0);
    CHECK_ICMP(hb_icmp6_parse_reply(b, 28, 0xbeef, &echo), HB_ICMP_NOT_ECHO_REPLY);
    b[0] = 129;
    CHECK_ICMP(hb_icmp6_parse_reply(b, 28, 0xbeef, &echo), HB_ICMP_OK);
    CHECK_INT(echo.seq, 0xfffe);
    CHECK_INT(echo.payload_len, 20);
    uint64_t sent = 0;
    CHECK_ICMP(hb_ping_stamp_decode(echo.payload, echo.payload_len, 7, &sent), HB_ICMP_OK);
    CHECK_INT(sent, 99);
    CHECK_ICMP(hb_icmp6_parse_reply(b, 8, 0xbeef, &echo), HB_ICMP_OK);
    CHECK_INT(echo.payload_len, 0);
    CHECK_ICMP(hb_icmp6_parse_reply(b, 7, 0xbeef, &echo), HB_ICMP_TOO_SHORT);
    CHECK_ICMP(hb_icmp6_parse_reply(NULL, 28, 0xbeef, &echo), HB_ICMP_TOO_SHORT);
    CHECK_ICMP(hb_icmp6_parse_reply(b, 28, 0xbeee, &echo), HB_ICMP_OTHER_ID);
    b[1] = 3;
    CHECK_ICMP(hb_icmp6_parse_reply(b, 28, 0xbeef, &echo), HB_ICMP_BAD_CODE);
    b[1] = 0;
    b[0] = 1; /* destination unreachable */
    CHECK_ICMP(hb_icmp6_parse_reply(b, 28, 0xbeef, &echo), HB_ICMP_NOT_ECHO_REPLY);
}

/* ------------------------------------------------------- encoder limits */

static void encoder_limits(void)
{
    uint8_t out[64];
    uint8_t payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_INT(hb_icmp4_echo_request(out, 16, 1, 2, payload, 8), 16);
    CHECK_INT(hb_inet_checksum(out, 16), 0);
    CHECK_INT(hb_icmp4_echo_request(out, 15, 1, 2, payload, 8), -ENOSPC);
    CHECK_INT(hb_icmp6_echo_request(out, 15, 1, 2, payload, 8), -ENOSPC);
    CHECK_INT(hb_icmp4_echo_request(out, 8, 1, 2, NULL, 0), 8);
    CHECK_INT(hb_icmp4_echo_request(out, 64, 1, 2, NULL, 3), -EINVAL);
    CHECK_INT(hb_icmp4_echo_request(NULL, 64, 1, 2, payload, 3), -EINVAL);
    CHECK_INT(hb_icmp4_echo_request(out, 64, 1, 2, payload, HB_ICMP4_PAYLOAD_MAX + 1),
              -EMSGSIZE);
    CHECK_INT(hb_icmp6_echo_request(out, 64, 1, 2, payload, HB_ICMP6_PAYLOAD_MAX + 1),
              -EMSGSIZE);

    /* the largest IPv4 echo fits a 65535-byte datagram exactly */
    static uint8_t big[65536], big_payload[HB_ICMP4_PAYLOAD_MAX];
    memset(big_payload, 0xa5, sizeof(big_payload));
    ssize_t n = hb_icmp4_echo_request(big, sizeof(big), 0xffff, 0xffff, big_payload,
                                      sizeof(big_payload));
    CHECK_INT(n + 20, 65535);
    CHECK_INT(hb_inet_checksum(big, (size_t)n), 0);

    /* id and seq are big-endian on the wire */
    hb_icmp4_echo_request(out, sizeof(out), 0x1234, 0xabcd, NULL, 0);
    CHECK_INT(out[0], 8);
    CHECK_INT(out[1], 0);
    CHECK_INT(be16(out + 4), 0x1234);
    CHECK_INT(be16(out + 6), 0xabcd);
}

static void stamp(void)
{
    uint8_t s[HB_PING_STAMP_LEN + 4];
    uint64_t sent = 0;
    hb_ping_stamp_encode(s, 0xfedcba9876543210u, 0x0102030405060708u);
    static const uint8_t want[HB_PING_STAMP_LEN] = {'h',  'b',  'd',  '1',  0xfe, 0xdc, 0xba,
                                                    0x98, 0x76, 0x54, 0x32, 0x10, 1,    2,
                                                    3,    4,    5,    6,    7,    8};
    CHECK_MEM(s, HB_PING_STAMP_LEN, want, sizeof(want));
    CHECK_ICMP(hb_ping_stamp_decode(s, HB_PING_STAMP_LEN, 0xfedcba9876543210u, &sent), HB_ICMP_OK);
    CHECK_INT(sent, 0x0102030405060708);
    CHECK_ICMP(hb_ping_stamp_decode(s, HB_PING_STAMP_LEN + 4, 0xfedcba9876543210u, NULL),
               HB_ICMP_OK); /* ping-style padding after it */
    CHECK_ICMP(hb_ping_stamp_decode(s, HB_PING_STAMP_LEN - 1, 0xfedcba9876543210u, &sent),
               HB_ICMP_BAD_STAMP);
    CHECK_ICMP(hb_ping_stamp_decode(s, HB_PING_STAMP_LEN, 0xfedcba9876543211u, &sent),
               HB_ICMP_OTHER_TAG);
    s[3] = '2';
    CHECK_ICMP(hb_ping_stamp_decode(s, HB_PING_STAMP_LEN, 0xfedcba9876543210u, &sent),
               HB_ICMP_BAD_STAMP);
    CHECK_ICMP(hb_ping_stamp_decode(NULL, 0, 0, &sent), HB_ICMP_BAD_STAMP);
}

static void names(void)
{
    CHECK_STR(hb_icmp_drop_name(HB_ICMP_OK), "ok");
    CHECK_STR(hb_icmp_drop_name(HB_ICMP_OTHER_ID), "other_id");
    CHECK_STR(hb_icmp_drop_name(HB_ICMP_DROP_COUNT), "unknown");
    CHECK_STR(hb_icmp_drop_name(-1), "unknown");
    for (int r = 0; r < HB_ICMP_DROP_COUNT; r++)
        CHECK(strcmp(hb_icmp_drop_name(r), "unknown") != 0);
}

int main(int argc, char **argv)
{
    rfc1071_example();
    captured_packets(argc, argv);
    reply4_drop_reasons();
    reply6_drop_reasons();
    encoder_limits();
    stamp();
    names();
    return hbt_finish("test_icmp");
}
