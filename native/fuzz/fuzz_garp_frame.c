/* fuzz_garp_frame.c - the ARP / neighbour advertisement parser on arbitrary
 * bytes taken as one Ethernet frame.  Properties: no crash or out-of-bounds
 * read (ASan), only the documented results, consistent fields, and a
 * gratuitous announcement that parses is rebuilt byte for byte by the
 * builders from what was parsed (for the frames the builders can make).
 * Seeds: the frames of send_arp, send_ua and IPv6addr, and the other
 * traffic captured with them (corpus/fuzz_garp_frame, written by
 * test/vectors/rtnl/seeds.py from vectors/garp/garp-captured.txt). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hbcore.h"

#define FUZZ_ASSERT(cond)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                            \
        }                                                                       \
    } while (0)

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t zero[6];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hb_garp_frame f;
    int rc = hb_garp_parse(data, size, &f);
    FUZZ_ASSERT(rc == 0 || rc == -EBADMSG || rc == -EPROTO);
    if (rc != 0) {
        /* a refusal leaves nothing half-filled */
        FUZZ_ASSERT(f.kind == 0 && f.family == 0);
        return 0;
    }
    uint8_t again[HB_GARP_FRAME_MAX];
    if (f.kind == HB_GARP_KIND_NA) {
        FUZZ_ASSERT(f.family == AF_INET6 && size >= 14 + 40 + 24);
        /* the frame our builder makes for it: the same, if it was one */
        hb_garp_build_na(again, f.eth_src, f.addr, (f.na_flags & 0x80) != 0);
        hb_garp_frame g;
        FUZZ_ASSERT(hb_garp_parse(again, HB_GARP_NA_LEN, &g) == 0);
        FUZZ_ASSERT(g.kind == HB_GARP_KIND_NA && g.gratuitous);
        FUZZ_ASSERT(memcmp(g.addr, f.addr, 16) == 0 && memcmp(g.hwaddr, f.eth_src, 6) == 0);
        if (size == HB_GARP_NA_LEN && f.gratuitous && (f.na_flags & 0x7f) == 0x20 &&
            memcmp(f.hwaddr, f.eth_src, 6) == 0 && memcmp(f.ip6_src, f.addr, 16) == 0 &&
            data[14] == 0x60 && data[15] == 0 && data[16] == 0 && data[17] == 0 &&
            data[59] == 0 && data[60] == 0 && data[61] == 0 && /* reserved, ignored */
            data[78] == 2 && data[79] == 1 && memcmp(data, again, 6) == 0)
            FUZZ_ASSERT(memcmp(data, again, HB_GARP_NA_LEN) == 0);
    } else {
        FUZZ_ASSERT(f.kind == HB_GARP_KIND_ARP_REQUEST || f.kind == HB_GARP_KIND_ARP_REPLY);
        FUZZ_ASSERT(f.family == AF_INET && size >= 14 + 28);
        uint16_t op = f.kind == HB_GARP_KIND_ARP_REQUEST ? 1 : 2;
        FUZZ_ASSERT(hb_garp_build_arp(again, op, f.eth_src, f.addr) == (int)HB_GARP_ARP_LEN);
        bool canonical = f.gratuitous && memcmp(f.eth_dst, bcast, 6) == 0 &&
                         memcmp(f.hwaddr, f.eth_src, 6) == 0 &&
                         memcmp(f.target_hw, op == 1 ? zero : f.eth_src, 6) == 0;
        if (canonical)
            FUZZ_ASSERT(memcmp(data, again, HB_GARP_ARP_LEN) == 0);
    }
    return 0;
}
