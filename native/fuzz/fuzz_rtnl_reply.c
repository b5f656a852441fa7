/* fuzz_rtnl_reply.c - the rtnetlink reply path of the virtual-IP code on
 * arbitrary bytes taken as one received datagram: the reply follower
 * (hb_nl_rx, as a dump and as a single request) and the address, route and
 * link decoders on every message, then findif over whatever routes decode.
 * Properties: no crash or out-of-bounds read (ASan), only the documented
 * results, decoded values inside their ranges, and an address that decodes
 * re-encodes into a request that decodes to the same address.
 * Seeds: the kernel's answers to ip(8) (corpus/fuzz_rtnl_reply, written by
 * test/vectors/rtnl/seeds.py from vectors/rtnl/ip-captured.txt). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "hbcore.h"

#define FUZZ_ASSERT(cond)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                            \
        }                                                                       \
    } while (0)

static int decoded_ok(int rc) { return rc == 0 || rc == -EBADMSG || rc == -EPROTO; }

static size_t alen(uint8_t family) { return family == AF_INET ? 4 : 16; }

/* decode(encode(a)) == a, for the fields a request carries */
static void round_trip_addr(const hb_rtnl_addr *a)
{
    hb_rtnl_addr req = *a;
    if (req.ifindex == 0 || req.ifindex > INT32_MAX)
        req.ifindex = 1;
    if (a->family != AF_INET) {
        req.label[0] = '\0';
        req.has_broadcast = false;
    }
    uint8_t buf[HB_RTNL_REQ_MAX];
    ssize_t n = hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &req);
    FUZZ_ASSERT(n > 0);
    hb_nl_msg m;
    const uint8_t *pos = buf;
    size_t rem = (size_t)n;
    FUZZ_ASSERT(hb_nl_next(&pos, &rem, &m) == 1 && rem == 0);
    m.type = RTM_NEWADDR; /* a request has the reply's type already */
    hb_rtnl_addr again;
    FUZZ_ASSERT(hb_rtnl_decode_addr(&m, &again) == 0);
    FUZZ_ASSERT(again.family == req.family && again.prefixlen == req.prefixlen &&
                again.ifindex == req.ifindex && again.flags == req.flags &&
                again.scope == req.scope && again.has_broadcast == req.has_broadcast);
    FUZZ_ASSERT(memcmp(again.addr, req.addr, 16) == 0);
    FUZZ_ASSERT(strcmp(again.label, req.label) == 0);
    if (req.has_broadcast)
        FUZZ_ASSERT(memcmp(again.broadcast, req.broadcast, 4) == 0);
}

static hb_rtnl_route routes[32];
static unsigned nroutes;

static int on_message(void *ctx, const hb_nl_msg *m)
{
    (void)ctx;
    hb_rtnl_addr a;
    hb_rtnl_route r;
    hb_rtnl_link l;
    int rc = hb_rtnl_decode_addr(m, &a);
    FUZZ_ASSERT(decoded_ok(rc));
    if (rc == 0) {
        FUZZ_ASSERT(a.family == AF_INET || a.family == AF_INET6);
        FUZZ_ASSERT(a.prefixlen <= 8 * alen(a.family));
        FUZZ_ASSERT(memchr(a.label, 0, sizeof(a.label)) != NULL);
        FUZZ_ASSERT(a.family == AF_INET || !a.has_broadcast);
        for (size_t i = alen(a.family); i < 16; i++)
            FUZZ_ASSERT(a.addr[i] == 0);
        round_trip_addr(&a);
    }
    rc = hb_rtnl_decode_route(m, &r);
    FUZZ_ASSERT(decoded_ok(rc));
    if (rc == 0) {
        FUZZ_ASSERT(r.family == AF_INET || r.family == AF_INET6);
        FUZZ_ASSERT(r.dst_len <= 8 * alen(r.family));
        /* its own prefix covers its destination */
        FUZZ_ASSERT(hb_rtnl_route_covers(&r, r.family, r.dst));
        if (nroutes < 32)
            routes[nroutes++] = r;
    }
    rc = hb_rtnl_decode_link(m, &l);
    FUZZ_ASSERT(decoded_ok(rc));
    if (rc == 0) {
        FUZZ_ASSERT(l.ifindex > 0 && l.ifindex <= INT32_MAX);
        FUZZ_ASSERT(l.name[0] != '\0' && memchr(l.name, 0, sizeof(l.name)) != NULL);
        FUZZ_ASSERT(l.hwaddr_len <= sizeof(l.hwaddr));
    }
    return 0;
}

/* findif over the decoded routes, for addresses taken from them */
static void findif(void)
{
    for (unsigned i = 0; i < nroutes; i++) {
        const hb_rtnl_route *probe = &routes[i];
        hb_findif_sel s;
        hb_findif_init(&s, probe->family, probe->dst, probe->oif);
        for (unsigned k = 0; k < nroutes; k++)
            hb_findif_offer(&s, &routes[k]);
        if (s.found) {
            FUZZ_ASSERT(hb_rtnl_route_covers(&s.best, probe->family, probe->dst));
            FUZZ_ASSERT(s.best.table == RT_TABLE_MAIN && !s.best.has_gateway && s.best.dst_len);
        }
        if (s.found_want) {
            FUZZ_ASSERT(s.found && s.best_want.oif == probe->oif);
            FUZZ_ASSERT(s.best_want.dst_len <= s.best.dst_len);
        }
        uint8_t b[4];
        if (probe->family == AF_INET && hb_ipv4_broadcast(probe->dst, probe->dst_len, b))
            FUZZ_ASSERT(probe->dst_len <= 30 && (b[3] & 1));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hb_nl_rx rx;
    uint32_t seq = 0, pid = 0;
    if (size >= 16) {
        memcpy(&seq, data + 8, 4);
        memcpy(&pid, data + 12, 4);
    }
    nroutes = 0;
    for (int dump = 0; dump <= 1; dump++) {
        hb_nl_rx_init(&rx, seq, pid, dump, on_message, NULL);
        int rc = hb_nl_rx_feed(&rx, data, size);
        FUZZ_ASSERT(rc == 0 || rc == 1 || rc == -EBADMSG);
        if (rc == 1) {
            int result = hb_nl_rx_result(&rx);
            FUZZ_ASSERT(result <= 0 && result >= -4095);
        }
    }
    findif();
    return 0;
}
