/* fuzz_icmp.c - the ping reply parsers on any bytes (the first two bytes are
 * the id we wait for).  Properties: no crash; the reason has a name; an
 * accepted reply's payload lies inside the datagram and its checksum holds;
 * an accepted reply re-encodes (as a request, type and checksum aside) to its
 * own bytes; and a reply built by the encoders from the input is accepted
 * with the same id, seq and payload. */
#include "fuzz_common.h"

static uint8_t built[70000];

static void check_reason(hb_icmp_drop r)
{
    FUZZ_ASSERT(r >= HB_ICMP_OK && r < HB_ICMP_DROP_COUNT);
    FUZZ_ASSERT(strcmp(hb_icmp_drop_name(r), "unknown") != 0);
}

static void check_reencodes(const uint8_t *icmp, size_t len, const hb_icmp_echo *e, bool v6)
{
    ssize_t n = v6 ? hb_icmp6_echo_request(built, sizeof(built), e->id, e->seq, e->payload,
                                           e->payload_len)
                   : hb_icmp4_echo_request(built, sizeof(built), e->id, e->seq, e->payload,
                                           e->payload_len);
    FUZZ_ASSERT(n >= 0 && (size_t)n == len);
    FUZZ_ASSERT(built[1] == icmp[1] && memcmp(built + 4, icmp + 4, len - 4) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint16_t want_id = (uint16_t)(data[0] << 8 | data[1]);
    const uint8_t *buf = data + 2;
    size_t len = size - 2;
    hb_icmp_echo e;

    hb_icmp_drop r = hb_icmp4_parse_reply(buf, len, want_id, &e);
    check_reason(r);
    if (r == HB_ICMP_OK) {
        size_t ihl = (size_t)(buf[0] & 15) * 4;
        size_t total = (size_t)(buf[2] << 8 | buf[3]);
        FUZZ_ASSERT(e.id == want_id && e.payload == buf + ihl + 8);
        FUZZ_ASSERT(e.payload_len == total - ihl - 8 && total <= len);
        FUZZ_ASSERT(hb_inet_checksum(buf, ihl) == 0);
        FUZZ_ASSERT(hb_inet_checksum(buf + ihl, total - ihl) == 0);
        check_reencodes(buf + ihl, total - ihl, &e, false);
    }

    r = hb_icmp6_parse_reply(buf, len, want_id, &e);
    check_reason(r);
    if (r == HB_ICMP_OK) {
        FUZZ_ASSERT(buf[0] == 129 && e.payload == buf + 8 && e.payload_len == len - 8);
        check_reencodes(buf, len, &e, true);
    }

    uint64_t sent;
    r = hb_ping_stamp_decode(buf, len, want_id, &sent);
    check_reason(r);
    FUZZ_ASSERT(r == HB_ICMP_OK || r == HB_ICMP_BAD_STAMP || r == HB_ICMP_OTHER_TAG);

    /* round trip: the input as a payload, behind an IPv4 header with
     * (NOP) options of a length taken from the input */
    size_t ihl = 20 + (size_t)(data[1] % 11) * 4;
    size_t plen = len > 1400 ? 1400 : len;
    uint8_t *ip = built;
    memset(ip, 0, ihl);
    ip[0] = (uint8_t)(0x40 | ihl / 4);
    ip[8] = 64;
    ip[9] = 1;
    memset(ip + 20, 1, ihl - 20);
    ssize_t n = hb_icmp4_echo_request(ip + ihl, sizeof(built) - ihl, want_id, data[0], buf, plen);
    FUZZ_ASSERT(n == (ssize_t)(8 + plen));
    ip[ihl] = 0; /* the echo: type reply, checksum adjusted (RFC 1624) */
    uint16_t sum = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
    uint32_t adjusted = (uint32_t)sum + 0x0800;
    adjusted = (adjusted & 0xffff) + (adjusted >> 16);
    ip[ihl + 2] = (uint8_t)(adjusted >> 8);
    ip[ihl + 3] = (uint8_t)adjusted;
    size_t total = ihl + (size_t)n;
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    uint16_t hsum = hb_inet_checksum(ip, ihl);
    ip[10] = (uint8_t)(hsum >> 8);
    ip[11] = (uint8_t)hsum;
    r = hb_icmp4_parse_reply(ip, total, want_id, &e);
    FUZZ_ASSERT(r == HB_ICMP_OK);
    FUZZ_ASSERT(e.seq == data[0] && e.payload_len == plen && memcmp(e.payload, buf, plen) == 0);

    n = hb_icmp6_echo_request(built, sizeof(built), want_id, 7, buf, plen);
    FUZZ_ASSERT(n == (ssize_t)(8 + plen) && built[2] == 0 && built[3] == 0);
    built[0] = 129;
    r = hb_icmp6_parse_reply(built, (size_t)n, want_id, &e);
    FUZZ_ASSERT(r == HB_ICMP_OK && e.seq == 7 && memcmp(e.payload, buf, plen) == 0);
    return 0;
}
