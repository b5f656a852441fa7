/*
 * icmp_msg.c - ICMP echo requests and replies for ping nodes (ha.cf `ping`,
 * `ping6`, `ping_group`; heartbeat-wire §4.1, §8): pure encoders and
 * decoders over caller-supplied buffers (RFC 792, RFC 4443, RFC 1071).
 * Every rejection of a received datagram has a name.
 */
#include <string.h>

#include "hb_internal.h"

#define ICMP4_ECHO_REPLY   0
#define ICMP4_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129
#define IPPROTO_ICMP4      1
#define IPPROTO_ICMP6      58

static const uint8_t stamp_magic[4] = {'h', 'b', 'd', '1'};

static const char *const drop_names[HB_ICMP_DROP_COUNT] = {
    [HB_ICMP_OK] = "ok",
    [HB_ICMP_TOO_SHORT] = "too_short",
    [HB_ICMP_NOT_IPV4] = "not_ipv4",
    [HB_ICMP_BAD_IHL] = "bad_ihl",
    [HB_ICMP_BAD_TOTAL_LENGTH] = "bad_total_length",
    [HB_ICMP_BAD_IP_CHECKSUM] = "bad_ip_checksum",
    [HB_ICMP_FRAGMENT] = "fragment",
    [HB_ICMP_NOT_ICMP] = "not_icmp",
    [HB_ICMP_BAD_CHECKSUM] = "bad_checksum",
    [HB_ICMP_NOT_ECHO_REPLY] = "not_echo_reply",
    [HB_ICMP_BAD_CODE] = "bad_code",
    [HB_ICMP_OTHER_ID] = "other_id",
    [HB_ICMP_BAD_STAMP] = "bad_stamp",
    [HB_ICMP_OTHER_TAG] = "other_tag",
};

const char *hb_icmp_drop_name(int reason)
{
    if (reason < 0 || reason >= HB_ICMP_DROP_COUNT)
        return "unknown";
    return drop_names[reason];
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

/* One's complement sum of big-endian 16-bit words (RFC 1071), not yet folded;
 * an odd last byte counts as its high half. */
static uint64_t sum16(uint64_t sum, const uint8_t *p, size_t len)
{
    for (; len >= 2; p += 2, len -= 2)
        sum += get16(p);
    if (len)
        sum += (uint64_t)p[0] << 8;
    return sum;
}

static uint16_t fold_complement(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t hb_inet_checksum(const void *data, size_t len)
{
    return fold_complement(sum16(0, data, len));
}

uint16_t hb_icmp6_checksum(const uint8_t src[16], const uint8_t dst[16], const void *icmp6,
                           size_t len)
{
    /* RFC 8200 §8.1 pseudo-header: src, dst, 32-bit length, 3 zero bytes, 58. */
    uint64_t sum = sum16(0, src, 16);
    sum = sum16(sum, dst, 16);
    sum += (uint64_t)(len >> 16) + (len & 0xffff);
    sum += IPPROTO_ICMP6;
    return fold_complement(sum16(sum, icmp6, len));
}

static ssize_t echo_request(uint8_t *out, size_t cap, uint8_t type, uint16_t id, uint16_t seq,
                            const void *payload, size_t payload_len, size_t payload_max)
{
    if (out == NULL || (payload == NULL && payload_len != 0))
        return -EINVAL;
    if (payload_len > payload_max)
        return -EMSGSIZE;
    if (cap < HB_ICMP_HEADER_LEN + payload_len)
        return -ENOSPC;
    if (payload_len != 0)
        memmove(out + HB_ICMP_HEADER_LEN, payload, payload_len);
    out[0] = type;
    out[1] = 0; /* code */
    put16(out + 2, 0);
    put16(out + 4, id);
    put16(out + 6, seq);
    return (ssize_t)(HB_ICMP_HEADER_LEN + payload_len);
}

ssize_t hb_icmp4_echo_request(uint8_t *out, size_t cap, uint16_t id, uint16_t seq,
                              const void *payload, size_t payload_len)
{
    ssize_t n = echo_request(out, cap, ICMP4_ECHO_REQUEST, id, seq, payload, payload_len,
                             HB_ICMP4_PAYLOAD_MAX);
    if (n > 0)
        put16(out + 2, hb_inet_checksum(out, (size_t)n));
    return n;
}

ssize_t hb_icmp6_echo_request(uint8_t *out, size_t cap, uint16_t id, uint16_t seq,
                              const void *payload, size_t payload_len)
{
    /* Checksum left 0: the kernel fills it on raw ICMPv6 sockets. */
    return echo_request(out, cap, ICMP6_ECHO_REQUEST, id, seq, payload, payload_len,
                        HB_ICMP6_PAYLOAD_MAX);
}

/* The ICMP header rung shared by both families. */
static hb_icmp_drop check_echo_reply(const uint8_t *icmp, size_t len, uint8_t reply_type,
                                     uint16_t want_id, hb_icmp_echo *echo)
{
    if (icmp[0] != reply_type)
        return HB_ICMP_NOT_ECHO_REPLY;
    if (icmp[1] != 0)
        return HB_ICMP_BAD_CODE;
    if (get16(icmp + 4) != want_id)
        return HB_ICMP_OTHER_ID;
    if (echo != NULL) {
        echo->id = want_id;
        echo->seq = get16(icmp + 6);
        echo->payload = icmp + HB_ICMP_HEADER_LEN;
        echo->payload_len = len - HB_ICMP_HEADER_LEN;
    }
    return HB_ICMP_OK;
}

hb_icmp_drop hb_icmp4_parse_reply(const uint8_t *buf, size_t len, uint16_t want_id,
                                  hb_icmp_echo *echo)
{
    if (buf == NULL || len < HB_IPV4_HEADER_MIN)
        return HB_ICMP_TOO_SHORT;
    if (buf[0] >> 4 != 4)
        return HB_ICMP_NOT_IPV4;
    size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
    if (ihl < HB_IPV4_HEADER_MIN || ihl > len)
        return HB_ICMP_BAD_IHL;
    if (len < ihl + HB_ICMP_HEADER_LEN)
        return HB_ICMP_TOO_SHORT;
    /* Linux raw sockets hand over the header as received: total length in
     * network order, header included.  Link-layer padding may follow it. */
    size_t total = get16(buf + 2);
    if (total < ihl + HB_ICMP_HEADER_LEN || total > len)
        return HB_ICMP_BAD_TOTAL_LENGTH;
    if (hb_inet_checksum(buf, ihl) != 0)
        return HB_ICMP_BAD_IP_CHECKSUM;
    if ((get16(buf + 6) & 0x3fff) != 0) /* MF flag or fragment offset */
        return HB_ICMP_FRAGMENT;
    if (buf[9] != IPPROTO_ICMP4)
        return HB_ICMP_NOT_ICMP;
    const uint8_t *icmp = buf + ihl;
    size_t icmp_len = total - ihl;
    if (hb_inet_checksum(icmp, icmp_len) != 0)
        return HB_ICMP_BAD_CHECKSUM;
    return check_echo_reply(icmp, icmp_len, ICMP4_ECHO_REPLY, want_id, echo);
}

hb_icmp_drop hb_icmp6_parse_reply(const uint8_t *buf, size_t len, uint16_t want_id,
                                  hb_icmp_echo *echo)
{
    if (buf == NULL || len < HB_ICMP_HEADER_LEN)
        return HB_ICMP_TOO_SHORT;
    return check_echo_reply(buf, len, ICMP6_ECHO_REPLY, want_id, echo);
}

void hb_ping_stamp_encode(uint8_t out[HB_PING_STAMP_LEN], uint64_t tag, uint64_t sent_ms)
{
    memcpy(out, stamp_magic, sizeof(stamp_magic));
    put64(out + 4, tag);
    put64(out + 12, sent_ms);
}

hb_icmp_drop hb_ping_stamp_decode(const uint8_t *payload, size_t len, uint64_t want_tag,
                                  uint64_t *sent_ms)
{
    if (payload == NULL || len < HB_PING_STAMP_LEN ||
        memcmp(payload, stamp_magic, sizeof(stamp_magic)) != 0)
        return HB_ICMP_BAD_STAMP;
    if (get64(payload + 4) != want_tag)
        return HB_ICMP_OTHER_TAG;
    if (sent_ms != NULL)
        *sent_ms = get64(payload + 12);
    return HB_ICMP_OK;
}
