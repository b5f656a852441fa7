/* fuzz_ipvs_reply.c - the netlink reply path of the IPVS client on arbitrary
 * bytes taken as one received datagram: the reply follower (hb_nl_rx, as a
 * dump and as a single request), the controller's family decoder and the
 * five IPVS decoders on every message.  Properties: no crash or
 * out-of-bounds read (ASan), only the documented results, and whatever
 * decodes re-encodes into a request that decodes to the same struct.
 * Seeds: the kernel's answers to ipvsadm captured in the VM
 * (corpus/fuzz_ipvs_reply, written by test/vm/capture/pcap2vectors.py). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/ip_vs.h>
#include <linux/netlink.h>

#include "hbcore.h"

#define FUZZ_ASSERT(cond)                                                       \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                            \
        }                                                                       \
    } while (0)

static int decoded_ok(int rc) { return rc == 0 || rc == -EBADMSG || rc == -EPROTO; }

static uint8_t req[HB_IPVS_REQ_MAX];

/* decode(encode(x)) == x for a decoded reply struct, via a request. */
static const hb_nl_msg *reencode(const hb_ipvs_request *r)
{
    static hb_nl_msg m;
    ssize_t n = hb_ipvs_encode(req, sizeof(req), 0x20, 1, r);
    FUZZ_ASSERT(n > 0);
    const uint8_t *pos = req;
    size_t rem = (size_t)n;
    FUZZ_ASSERT(hb_nl_next(&pos, &rem, &m) == 1 && rem == 0);
    return &m;
}

static void round_trip_service(const hb_ipvs_service *s)
{
    hb_ipvs_service again;
    hb_ipvs_request r = {.cmd = IPVS_CMD_NEW_SERVICE, .svc = s};
    FUZZ_ASSERT(hb_ipvs_decode_service(reencode(&r), &again) == 0);
    hb_ipvs_service want;
    memcpy(&want, s, sizeof(want));
    want.has_stats = false; /* requests carry no counters */
    memset(&want.stats, 0, sizeof(want.stats));
    FUZZ_ASSERT(memcmp(&want, &again, sizeof(want)) == 0);
}

static void round_trip_dest(const hb_ipvs_dest *d)
{
    hb_ipvs_service svc;
    hb_ipvs_dest again;
    memset(&svc, 0, sizeof(svc));
    svc.af = AF_INET6; /* a dest without ADDR_FAMILY (af 0) is sent as the service's */
    svc.fwmark = 1;
    hb_ipvs_request r = {.cmd = IPVS_CMD_NEW_DEST, .svc = &svc, .dest = d};
    FUZZ_ASSERT(hb_ipvs_decode_dest(reencode(&r), &again) == 0);
    hb_ipvs_dest want;
    memcpy(&want, d, sizeof(want));
    if (want.af == 0)
        want.af = AF_INET6;
    want.active_conns = want.inact_conns = want.persist_conns = 0;
    want.has_stats = false;
    memset(&want.stats, 0, sizeof(want.stats));
    FUZZ_ASSERT(memcmp(&want, &again, sizeof(want)) == 0);
}

static void round_trip_daemon(const hb_ipvs_daemon *d)
{
    hb_ipvs_daemon again;
    hb_ipvs_request r = {.cmd = IPVS_CMD_NEW_DAEMON, .daemon = d};
    FUZZ_ASSERT(hb_ipvs_decode_daemon(reencode(&r), &again) == 0);
    FUZZ_ASSERT(memcmp(d, &again, sizeof(again)) == 0);
}

static int on_message(void *ctx, const hb_nl_msg *m)
{
    hb_ipvs_service s;
    hb_ipvs_dest d;
    hb_ipvs_daemon dm;
    hb_ipvs_timeouts t;
    hb_ipvs_info info;
    hb_genl_family f;
    (void)ctx;
    int rc = hb_ipvs_decode_service(m, &s);
    FUZZ_ASSERT(decoded_ok(rc));
    if (rc == 0) {
        FUZZ_ASSERT(memchr(s.sched_name, 0, sizeof(s.sched_name)) != NULL);
        FUZZ_ASSERT(s.af == AF_INET || s.af == AF_INET6);
        round_trip_service(&s);
    }
    rc = hb_ipvs_decode_dest(m, &d);
    FUZZ_ASSERT(decoded_ok(rc));
    if (rc == 0) {
        FUZZ_ASSERT(d.fwd_method <= IP_VS_CONN_F_FWD_MASK);
        round_trip_dest(&d);
    }
    rc = hb_ipvs_decode_daemon(m, &dm);
    FUZZ_ASSERT(decoded_ok(rc));
    if (rc == 0)
        round_trip_daemon(&dm);
    FUZZ_ASSERT(decoded_ok(hb_ipvs_decode_timeouts(m, &t)));
    FUZZ_ASSERT(decoded_ok(hb_ipvs_decode_info(m, &info)));
    rc = hb_genl_decode_family(m, &f);
    FUZZ_ASSERT(decoded_ok(rc));
    if (rc == 0)
        FUZZ_ASSERT(f.id >= NLMSG_MIN_TYPE && memchr(f.name, 0, sizeof(f.name)));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hb_nl_rx rx;
    int rc;
    /* the first message's seq/pid are "ours", so real replies get through */
    uint32_t seq = 0, pid = 0;
    if (size >= 16) {
        memcpy(&seq, data + 8, 4);
        memcpy(&pid, data + 12, 4);
    }
    for (int dump = 0; dump <= 1; dump++) {
        hb_nl_rx_init(&rx, seq, pid, dump, on_message, NULL);
        rc = hb_nl_rx_feed(&rx, data, size);
        FUZZ_ASSERT(rc == 0 || rc == 1 || rc == -EBADMSG);
        if (rc == 1) {
            int result = hb_nl_rx_result(&rx);
            FUZZ_ASSERT(result <= 0 && result >= -4095);
            FUZZ_ASSERT(memchr(rx.ext_msg, 0, sizeof(rx.ext_msg)) != NULL);
        }
    }
    return 0;
}
