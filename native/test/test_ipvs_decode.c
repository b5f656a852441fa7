/* test_ipvs_decode.c - IPVS replies (ipvs_msg.c) and whole exchanges:
 * the kernel's answers to ipvsadm recorded in the VM (vectors/ipvs/) are
 * followed with hb_nl_rx and decoded, and must say what ipvsadm printed
 * (vectors/ipvs/ipvsadm-output/); then malformed replies built from a good
 * one are rejected with -EBADMSG / -EPROTO and unknown attributes skipped. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <linux/ip_vs.h>
#include <linux/netlink.h>

#include "test_ipvs_vectors.h"

/* ------------------------------------------------------ replaying exchanges */

#define MAX_ITEMS 16

typedef struct collected {
    int kind; /* 's'ervice, 'd'est, 'm' daemon, 't'imeouts, 'i'nfo */
    int count;
    int decode_error;
    hb_ipvs_service svc[MAX_ITEMS];
    hb_ipvs_dest dest[MAX_ITEMS];
    hb_ipvs_daemon daemon[MAX_ITEMS];
    hb_ipvs_timeouts timeouts;
    hb_ipvs_info info;
} collected;

static int collect(void *ctx, const hb_nl_msg *m)
{
    collected *c = ctx;
    int rc;
    if (c->count == MAX_ITEMS)
        return -ENOSPC;
    switch (c->kind) {
    case 's': rc = hb_ipvs_decode_service(m, &c->svc[c->count]); break;
    case 'd': rc = hb_ipvs_decode_dest(m, &c->dest[c->count]); break;
    case 'm': rc = hb_ipvs_decode_daemon(m, &c->daemon[c->count]); break;
    case 't': rc = hb_ipvs_decode_timeouts(m, &c->timeouts); break;
    case 'i': rc = hb_ipvs_decode_info(m, &c->info); break;
    default: rc = -EINVAL;
    }
    if (rc) {
        c->decode_error = rc;
        return rc;
    }
    c->count++;
    return 0;
}

/* Feeds the replies that follow the nth request of `label` (until the next
 * request) through hb_nl_rx; returns the exchange's result, or 1 if the
 * replies ended before the answer was complete. */
static int replay(const char *label, int nth, int kind, collected *c)
{
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    size_t i;
    int seen = -1;
    for (i = 0; i < iv_count; i++) {
        if (strcmp(iv_all[i].label, label) == 0 && iv_all[i].request && ++seen == nth)
            break;
    }
    if (i == iv_count)
        return 2;
    hb_nl_msg req;
    iv_first_msg(&iv_all[i], &req);
    hb_nl_rx rx;
    hb_nl_rx_init(&rx, req.seq, req.pid, (req.flags & NLM_F_DUMP) == NLM_F_DUMP, collect, c);
    for (i++; i < iv_count && !iv_all[i].request; i++) {
        int rc = hb_nl_rx_feed(&rx, iv_all[i].bytes, iv_all[i].len);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return hb_nl_rx_result(&rx);
    }
    return 1;
}

static const hb_ipvs_service *find_svc(const collected *c, uint16_t proto, uint16_t port,
                                       uint32_t fwmark)
{
    for (int i = 0; i < c->count; i++) {
        const hb_ipvs_service *s = &c->svc[i];
        if (fwmark ? s->fwmark == fwmark : (s->protocol == proto && s->port == port))
            return s;
    }
    fprintf(stderr, "service %u/%u/%u not in the dump\n", proto, port, fwmark);
    return NULL;
}

static const hb_ipvs_dest *find_dest(const collected *c, const char *addr)
{
    char text[INET6_ADDRSTRLEN];
    for (int i = 0; i < c->count; i++)
        if (strcmp(hb_ipvs_addr_text(c->dest[i].af, c->dest[i].addr, text, sizeof(text)), addr) == 0)
            return &c->dest[i];
    fprintf(stderr, "destination %s not in the dump\n", addr);
    return NULL;
}

static void addr_is(uint16_t af, const uint8_t addr[16], const char *want)
{
    char text[INET6_ADDRSTRLEN];
    CHECK_STR(hb_ipvs_addr_text(af, addr, text, sizeof(text)), want);
}

/* ipvsadm -L -n (list.out) and --stats (list-stats.out) */
static void decodes_service_dump(void)
{
    collected c;
    CHECK_INT(replay("list", 0, 's', &c), 0);
    CHECK_INT(c.count, 7);
    const hb_ipvs_service *s;

    /* TCP  10.0.0.100:80 wlc, 3 connections through it */
    if ((s = find_svc(&c, IPPROTO_TCP, 80, 0))) {
        CHECK_INT(s->af, AF_INET);
        addr_is(s->af, s->addr, "10.0.0.100");
        CHECK_STR(s->sched_name, "wlc");
        CHECK_INT(s->flags, IP_VS_SVC_F_HASHED);
        CHECK_INT(s->timeout, 0);
        CHECK_INT(s->netmask, 0xffffffff);
        CHECK(s->has_stats);
        CHECK_INT(s->stats.conns, 3);
        CHECK_INT(s->stats.inpkts, 24);
        CHECK_INT(s->stats.outpkts, 21);
        CHECK_INT(s->stats.inbytes, 1326);
        CHECK_INT(s->stats.outbytes, 1749);
    }
    /* UDP  10.0.0.100:53 wlc persistent 600 mask 255.255.255.0 ops */
    if ((s = find_svc(&c, IPPROTO_UDP, 53, 0))) {
        CHECK_STR(s->sched_name, "wlc");
        CHECK_INT(s->flags, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED | IP_VS_SVC_F_ONEPACKET);
        CHECK_INT(s->timeout, 600);
        CHECK_INT(s->netmask, 0xffffff00);
        CHECK_STR(s->pe_name, "");
    }
    /* UDP  10.0.0.100:5060 rr persistent 60 pe sip */
    if ((s = find_svc(&c, IPPROTO_UDP, 5060, 0))) {
        CHECK_STR(s->pe_name, "sip");
        CHECK_INT(s->timeout, 60);
    }
    /* SCTP 10.0.0.100:3868 sh (sh-fallback,sh-port) */
    if ((s = find_svc(&c, IPPROTO_SCTP, 3868, 0))) {
        CHECK_STR(s->sched_name, "sh");
        CHECK_INT(s->flags, IP_VS_SVC_F_HASHED | IP_VS_SVC_F_SCHED_SH_FALLBACK |
                                IP_VS_SVC_F_SCHED_SH_PORT);
    }
    /* TCP  [2001:db8::100]:443 lc persistent 120 mask 64 */
    if ((s = find_svc(&c, IPPROTO_TCP, 443, 0))) {
        CHECK_INT(s->af, AF_INET6);
        addr_is(s->af, s->addr, "2001:db8::100");
        CHECK_INT(s->netmask, 64);
        CHECK_INT(s->timeout, 120);
    }
    /* FWM  7 wrr persistent 360; FWM  9 IPv6 rr */
    if ((s = find_svc(&c, 0, 0, 7))) {
        CHECK_INT(s->af, AF_INET);
        CHECK_STR(s->sched_name, "wrr");
        CHECK_INT(s->timeout, 360);
        CHECK_INT(s->protocol, 0);
    }
    if ((s = find_svc(&c, 0, 0, 9))) {
        CHECK_INT(s->af, AF_INET6);
        CHECK_INT(s->netmask, 128);
    }

    CHECK_INT(replay("list-empty", 0, 's', &c), 0);
    CHECK_INT(c.count, 0);
    /* a single GET (no dump): reply + ACK */
    CHECK_INT(replay("list-one", 0, 's', &c), 0);
    CHECK_INT(c.count, 1);
    CHECK_INT(c.svc[0].port, 80);
}

static void decodes_dest_dumps(void)
{
    collected c;
    const hb_ipvs_dest *d;
    /* ipvsadm -L -n dumps the destinations of TCP :80 first */
    CHECK_INT(replay("list", 1, 'd', &c), 0);
    CHECK_INT(c.count, 5);
    if ((d = find_dest(&c, "10.0.1.2"))) { /* -> 10.0.1.2:80 Masq 1 0 3 */
        CHECK_INT(d->af, AF_INET);
        CHECK_INT(d->port, 80);
        CHECK_INT(d->fwd_method, IP_VS_CONN_F_MASQ);
        CHECK_INT(d->weight, 1);
        CHECK_INT(d->active_conns, 0);
        CHECK_INT(d->inact_conns, 3);
        CHECK(d->has_stats);
        CHECK_INT(d->stats.conns, 3);
        CHECK_INT(d->stats.inbytes, 1326);
    }
    if ((d = find_dest(&c, "10.0.0.3"))) { /* edited: w 10, thresholds cleared */
        CHECK_INT(d->port, 8080);
        CHECK_INT(d->weight, 10);
        CHECK_INT(d->u_threshold, 0);
        CHECK_INT(d->l_threshold, 0);
    }
    if ((d = find_dest(&c, "10.0.0.5"))) { /* GUE 6080 with checksums */
        CHECK_INT(d->fwd_method, IP_VS_CONN_F_TUNNEL);
        CHECK_INT(d->tun_type, IP_VS_CONN_F_TUNNEL_TYPE_GUE);
        CHECK_INT(d->tun_port, 6080);
        CHECK_INT(d->tun_flags, IP_VS_TUNNEL_ENCAP_FLAG_CSUM);
        CHECK_INT(d->weight, 3);
    }
    if ((d = find_dest(&c, "10.0.0.6")))
        CHECK_INT(d->tun_type, IP_VS_CONN_F_TUNNEL_TYPE_GRE);
    if ((d = find_dest(&c, "10.0.0.7")))
        CHECK_INT(d->tun_type, IP_VS_CONN_F_TUNNEL_TYPE_IPIP);

    CHECK_INT(replay("list", 5, 'd', &c), 0); /* TCP [2001:db8::100]:443 */
    CHECK_INT(c.count, 1);
    if ((d = find_dest(&c, "2001:db8::2"))) {
        CHECK_INT(d->af, AF_INET6);
        CHECK_INT(d->port, 443);
        CHECK_INT(d->weight, 5);
    }
    CHECK_INT(replay("list", 6, 'd', &c), 0); /* FWM 7 */
    if ((d = find_dest(&c, "10.0.0.8"))) {
        CHECK_INT(d->port, 0);
        CHECK_INT(d->tun_port, 6081);
        CHECK_INT(d->tun_flags, IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM);
    }
    CHECK_INT(replay("list", 7, 'd', &c), 0); /* FWM 9 IPv6 */
    if ((d = find_dest(&c, "2001:db8::3")))
        CHECK_INT(d->fwd_method, IP_VS_CONN_F_DROUTE);
    CHECK_INT(replay("list", 2, 'd', &c), 0); /* UDP :53 has none */
    CHECK_INT(c.count, 0);
}

static void decodes_daemons_config_info(void)
{
    collected c;
    char text[INET6_ADDRSTRLEN];
    /* master (mcast=vip0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)
     * backup (mcast=vip0, syncid=8, maxlen=1400, group=239.1.2.3, port=9000, ttl=2) */
    CHECK_INT(replay("daemon-list", 0, 'm', &c), 0);
    CHECK_INT(c.count, 2);
    CHECK_INT(c.daemon[0].state, IP_VS_STATE_MASTER);
    CHECK_STR(c.daemon[0].mcast_ifn, "vip0");
    CHECK_INT(c.daemon[0].syncid, 7);
    CHECK_INT(c.daemon[0].sync_maxlen, 1472);
    CHECK_INT(c.daemon[0].mcast_af, AF_INET);
    CHECK_STR(hb_ipvs_addr_text(AF_INET, c.daemon[0].mcast_group, text, sizeof(text)), "224.0.0.81");
    CHECK_INT(c.daemon[0].mcast_port, 8848);
    CHECK_INT(c.daemon[0].mcast_ttl, 1);
    CHECK_INT(c.daemon[1].state, IP_VS_STATE_BACKUP);
    CHECK_INT(c.daemon[1].syncid, 8);
    CHECK_INT(c.daemon[1].sync_maxlen, 1400);
    CHECK_STR(hb_ipvs_addr_text(AF_INET, c.daemon[1].mcast_group, text, sizeof(text)), "239.1.2.3");
    CHECK_INT(c.daemon[1].mcast_port, 9000);
    CHECK_INT(c.daemon[1].mcast_ttl, 2);
    /* master (mcast=vip0, syncid=0, maxlen=1452, group=ff02::1:81, ...) */
    CHECK_INT(replay("daemon-list6", 0, 'm', &c), 0);
    CHECK_INT(c.count, 2);
    CHECK_INT(c.daemon[0].mcast_af, AF_INET6);
    CHECK_INT(c.daemon[0].sync_maxlen, 1452);
    CHECK_STR(hb_ipvs_addr_text(AF_INET6, c.daemon[0].mcast_group, text, sizeof(text)), "ff02::1:81");

    CHECK_INT(replay("cfg-get", 0, 't', &c), 0); /* Timeout (tcp tcpfin udp): 901 121 301 */
    CHECK_INT(c.timeouts.tcp, 901);
    CHECK_INT(c.timeouts.tcp_fin, 121);
    CHECK_INT(c.timeouts.udp, 301);
    CHECK_INT(replay("info", 0, 'i', &c), 0); /* IP Virtual Server version 1.2.1 (size=4096) */
    CHECK_INT(c.info.version, 0x010201);
    CHECK_INT(c.info.conn_tab_size, 4096);
}

/* What the kernel answered ipvsadm's failing and succeeding commands. */
static void kernel_errors(void)
{
    collected c;
    CHECK_INT(replay("svc-add-tcp4", 0, 's', &c), 0);
    CHECK_INT(replay("svc-add-exists", 0, 's', &c), -EEXIST);   /* Service already exists */
    CHECK_INT(replay("svc-del-missing", 0, 's', &c), -ESRCH);   /* No such service */
    CHECK_INT(replay("dst-add-nosvc", 0, 's', &c), -ESRCH);     /* Service not defined */
    CHECK_INT(replay("dst-del-missing", 0, 's', &c), -ENOENT);  /* No such destination */
    CHECK_INT(replay("daemon-stop-missing", 0, 's', &c), -ESRCH); /* No daemon is running */
    CHECK_INT(replay("daemon-start-backup", 0, 's', &c), 0);
    CHECK_INT(replay("flush", 0, 's', &c), 0);
}

/* ------------------------------------------------------ malformed replies */

enum mutation {
    M_NONE, M_UNKNOWN_ATTRS, M_NO_SCHED, M_AF_U32, M_AF_UNKNOWN, M_ADDR_SHORT, M_ADDR_LONG,
    M_FLAGS_SHORT, M_SCHED_NO_NUL, M_SCHED_TOO_LONG, M_FWMARK_ZERO, M_STATS_BAD_SIZE,
    M_STATS32_ONLY, M_NO_PORT, M_NEST_OVERRUN, M_COUNT
};

/* A NEW_SERVICE reply for TCP 10.0.0.100:80 wlc with one mutation. */
static ssize_t service_reply(uint8_t *buf, size_t cap, enum mutation mu)
{
    hb_nl_builder b;
    uint8_t addr[20] = {10, 0, 0, 100};
    struct ip_vs_flags flags = {IP_VS_SVC_F_HASHED, ~0u};
    uint32_t mask = 0xffffffff;
    hb_genl_begin(&b, buf, cap, 0x20, NLM_F_MULTI, 1, IPVS_CMD_NEW_SERVICE, 1);
    if (mu == M_UNKNOWN_ATTRS)
        hb_nl_put_u32(&b, 200, 1); /* top level */
    hb_nl_nest_begin(&b, IPVS_CMD_ATTR_SERVICE);
    if (mu == M_UNKNOWN_ATTRS)
        hb_nl_put_str(&b, 60, "from a newer kernel");
    if (mu == M_AF_U32)
        hb_nl_put_u32(&b, IPVS_SVC_ATTR_AF, AF_INET);
    else
        hb_nl_put_u16(&b, IPVS_SVC_ATTR_AF, mu == M_AF_UNKNOWN ? 7 : AF_INET);
    if (mu == M_FWMARK_ZERO) {
        hb_nl_put_u32(&b, IPVS_SVC_ATTR_FWMARK, 0);
    } else {
        hb_nl_put_u16(&b, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
        hb_nl_put(&b, IPVS_SVC_ATTR_ADDR, addr,
                  mu == M_ADDR_SHORT ? 3 : mu == M_ADDR_LONG ? 17 : 16);
        if (mu != M_NO_PORT)
            hb_nl_put_be16(&b, IPVS_SVC_ATTR_PORT, 80);
    }
    if (mu == M_SCHED_NO_NUL)
        hb_nl_put(&b, IPVS_SVC_ATTR_SCHED_NAME, "wlc", 3);
    else if (mu == M_SCHED_TOO_LONG)
        hb_nl_put_str(&b, IPVS_SVC_ATTR_SCHED_NAME, "sixteen-letters!");
    else if (mu != M_NO_SCHED)
        hb_nl_put_str(&b, IPVS_SVC_ATTR_SCHED_NAME, "wlc");
    hb_nl_put(&b, IPVS_SVC_ATTR_FLAGS, &flags, mu == M_FLAGS_SHORT ? 4 : sizeof(flags));
    hb_nl_put_u32(&b, IPVS_SVC_ATTR_TIMEOUT, 0);
    hb_nl_put(&b, IPVS_SVC_ATTR_NETMASK, &mask, 4);
    hb_nl_nest_begin(&b, mu == M_STATS32_ONLY ? IPVS_SVC_ATTR_STATS : IPVS_SVC_ATTR_STATS64);
    if (mu == M_STATS32_ONLY)
        hb_nl_put_u32(&b, IPVS_STATS_ATTR_CONNS, 9);
    else
        hb_nl_put_u64(&b, IPVS_STATS_ATTR_CONNS, 1ull << 40);
    if (mu == M_STATS_BAD_SIZE)
        hb_nl_put(&b, IPVS_STATS_ATTR_INPKTS, "abc", 3);
    hb_nl_put_u64(&b, IPVS_STATS_ATTR_INBYTES, 12345);
    hb_nl_put_u64(&b, IPVS_STATS_ATTR_PAD, 0); /* padding attribute: ignored */
    hb_nl_nest_end(&b);
    hb_nl_nest_end(&b);
    ssize_t n = hb_nl_end(&b);
    if (n > 0 && mu == M_NEST_OVERRUN) {
        uint16_t big = 0x4000; /* the service nest claims more than there is */
        memcpy(buf + 20, &big, 2);
    }
    return n;
}

static int decode_built(const uint8_t *buf, size_t len, hb_ipvs_service *s)
{
    const uint8_t *pos = buf;
    size_t rem = len;
    hb_nl_msg m;
    if (hb_nl_next(&pos, &rem, &m) != 1)
        return -999;
    return hb_ipvs_decode_service(&m, s);
}

static void rejects_malformed_services(void)
{
    uint8_t buf[512];
    hb_ipvs_service s, ref;
    ssize_t n = service_reply(buf, sizeof(buf), M_NONE);
    CHECK_INT(decode_built(buf, (size_t)n, &ref), 0);
    CHECK_INT(ref.stats.conns, 1ull << 40);
    CHECK_INT(ref.stats.inbytes, 12345);

    for (int mu = M_NONE + 1; mu < M_COUNT; mu++) {
        n = service_reply(buf, sizeof(buf), (enum mutation)mu);
        CHECK(n > 0);
        int rc = decode_built(buf, (size_t)n, &s);
        switch (mu) {
        case M_UNKNOWN_ATTRS: /* skipped: the same service */
            CHECK_INT(rc, 0);
            CHECK(memcmp(&s, &ref, sizeof(s)) == 0);
            break;
        case M_STATS32_ONLY:
            CHECK_INT(rc, 0);
            CHECK(s.has_stats);
            CHECK_INT(s.stats.conns, 9);
            break;
        default:
            if (rc != -EBADMSG)
                fprintf(stderr, "mutation %d: rc %d\n", mu, rc);
            CHECK_INT(rc, -EBADMSG);
        }
    }

    /* every truncation of a good reply: the nest then overruns -> -EBADMSG */
    n = service_reply(buf, sizeof(buf), M_NONE);
    const uint8_t *pos = buf;
    size_t rem = (size_t)n;
    hb_nl_msg full;
    hb_nl_next(&pos, &rem, &full);
    for (size_t cut = 0; cut < full.len; cut++) {
        hb_nl_msg t = full;
        t.len = cut;
        CHECK_INT(hb_ipvs_decode_service(&t, &s), -EBADMSG);
    }
    /* another command is not a service */
    buf[16] = IPVS_CMD_NEW_DEST;
    CHECK_INT(decode_built(buf, (size_t)n, &s), -EPROTO);
    hb_ipvs_dest d;
    buf[16] = IPVS_CMD_NEW_SERVICE;
    pos = buf, rem = (size_t)n;
    hb_nl_next(&pos, &rem, &full);
    CHECK_INT(hb_ipvs_decode_dest(&full, &d), -EPROTO);
}

static int dec_service(const hb_nl_msg *m, void *o) { return hb_ipvs_decode_service(m, o); }
static int dec_dest(const hb_nl_msg *m, void *o) { return hb_ipvs_decode_dest(m, o); }
static int dec_daemon(const hb_nl_msg *m, void *o) { return hb_ipvs_decode_daemon(m, o); }
static int dec_timeouts(const hb_nl_msg *m, void *o) { return hb_ipvs_decode_timeouts(m, o); }
static int dec_info(const hb_nl_msg *m, void *o) { return hb_ipvs_decode_info(m, o); }

/* Every truncation and every single-byte corruption of every captured
 * reply: whatever the decoders say, it is 0 / -EBADMSG / -EPROTO (ASan
 * watches the reads). */
static void survives_captured_corruption(void)
{
    int (*dec[])(const hb_nl_msg *, void *) = {dec_service, dec_dest, dec_daemon,
                                                dec_timeouts, dec_info};
    union {
        hb_ipvs_service s;
        hb_ipvs_dest d;
        hb_ipvs_daemon m;
        hb_ipvs_timeouts t;
        hb_ipvs_info i;
    } out;
    static uint8_t copy[IV_BYTES];
    unsigned bad = 0;
    for (size_t v = 0; v < iv_count; v++) {
        if (iv_all[v].request)
            continue;
        const uint8_t *pos = iv_all[v].bytes;
        size_t rem = iv_all[v].len;
        hb_nl_msg m;
        while (hb_nl_next(&pos, &rem, &m) == 1) {
            if (m.type != 0x20)
                continue;
            memcpy(copy, m.payload, m.len);
            hb_nl_msg c = m;
            c.payload = copy;
            for (size_t k = 0; k < sizeof(dec) / sizeof(dec[0]); k++) {
                for (size_t cut = 0; cut <= m.len; cut += 3) {
                    c.len = cut;
                    int rc = dec[k](&c, &out);
                    bad += !(rc == 0 || rc == -EBADMSG || rc == -EPROTO);
                }
                c.len = m.len;
                for (size_t at = 0; at < m.len; at += 5) {
                    uint8_t keep = copy[at];
                    copy[at] ^= 0xa5;
                    int rc = dec[k](&c, &out);
                    bad += !(rc == 0 || rc == -EBADMSG || rc == -EPROTO);
                    copy[at] = keep;
                }
            }
        }
    }
    CHECK_INT(bad, 0);
}

static void other_malformed_replies(void)
{
    uint8_t buf[256];
    hb_nl_builder b;
    hb_nl_msg m;
    const uint8_t *pos;
    size_t rem;
    hb_ipvs_dest d;
    hb_ipvs_daemon dm;
    hb_ipvs_info info;
    uint8_t a4[16] = {10, 0, 0, 2};

    /* a destination from a kernel without ADDR_FAMILY (before 4.2): af 0 */
    hb_genl_begin(&b, buf, sizeof(buf), 0x20, NLM_F_MULTI, 1, IPVS_CMD_NEW_DEST, 1);
    hb_nl_nest_begin(&b, IPVS_CMD_ATTR_DEST);
    hb_nl_put(&b, IPVS_DEST_ATTR_ADDR, a4, 16);
    hb_nl_put_be16(&b, IPVS_DEST_ATTR_PORT, 80);
    hb_nl_put_u32(&b, IPVS_DEST_ATTR_FWD_METHOD, IP_VS_CONN_F_DROUTE | 0x100 /* other bits */);
    hb_nl_put_u32(&b, IPVS_DEST_ATTR_WEIGHT, 3);
    hb_nl_put_u32(&b, IPVS_DEST_ATTR_U_THRESH, 0);
    hb_nl_put_u32(&b, IPVS_DEST_ATTR_L_THRESH, 0);
    hb_nl_nest_end(&b);
    ssize_t n = hb_nl_end(&b);
    pos = buf, rem = (size_t)n;
    hb_nl_next(&pos, &rem, &m);
    CHECK_INT(hb_ipvs_decode_dest(&m, &d), 0);
    CHECK_INT(d.af, 0);
    CHECK_INT(d.fwd_method, IP_VS_CONN_F_DROUTE);
    CHECK(!d.has_stats);
    char text[HB_IPVS_ADDR_TEXT];
    hb_ipvs_dest_text(&d, AF_INET, text, sizeof(text));
    CHECK_STR(text, "10.0.0.2:80");

    /* ... but without WEIGHT it is no destination */
    hb_genl_begin(&b, buf, sizeof(buf), 0x20, NLM_F_MULTI, 1, IPVS_CMD_NEW_DEST, 1);
    hb_nl_nest_begin(&b, IPVS_CMD_ATTR_DEST);
    hb_nl_put(&b, IPVS_DEST_ATTR_ADDR, a4, 16);
    hb_nl_put_be16(&b, IPVS_DEST_ATTR_PORT, 80);
    hb_nl_put_u32(&b, IPVS_DEST_ATTR_FWD_METHOD, 0);
    hb_nl_put_u32(&b, IPVS_DEST_ATTR_U_THRESH, 0);
    hb_nl_put_u32(&b, IPVS_DEST_ATTR_L_THRESH, 0);
    hb_nl_nest_end(&b);
    n = hb_nl_end(&b);
    pos = buf, rem = (size_t)n;
    hb_nl_next(&pos, &rem, &m);
    CHECK_INT(hb_ipvs_decode_dest(&m, &d), -EBADMSG);

    /* a daemon whose IPv4 group is 5 bytes */
    hb_genl_begin(&b, buf, sizeof(buf), 0x20, NLM_F_MULTI, 1, IPVS_CMD_NEW_DAEMON, 1);
    hb_nl_nest_begin(&b, IPVS_CMD_ATTR_DAEMON);
    hb_nl_put_u32(&b, IPVS_DAEMON_ATTR_STATE, 1);
    hb_nl_put_str(&b, IPVS_DAEMON_ATTR_MCAST_IFN, "eth0");
    hb_nl_put_u32(&b, IPVS_DAEMON_ATTR_SYNC_ID, 1);
    hb_nl_put(&b, IPVS_DAEMON_ATTR_MCAST_GROUP, "\xe0\0\0\x51\0", 5);
    hb_nl_nest_end(&b);
    n = hb_nl_end(&b);
    pos = buf, rem = (size_t)n;
    hb_nl_next(&pos, &rem, &m);
    CHECK_INT(hb_ipvs_decode_daemon(&m, &dm), -EBADMSG);
    /* a daemon reply without its nest */
    hb_genl_begin(&b, buf, sizeof(buf), 0x20, NLM_F_MULTI, 1, IPVS_CMD_NEW_DAEMON, 1);
    n = hb_nl_end(&b);
    pos = buf, rem = (size_t)n;
    hb_nl_next(&pos, &rem, &m);
    CHECK_INT(hb_ipvs_decode_daemon(&m, &dm), -EBADMSG);

    /* info without the table size */
    hb_genl_begin(&b, buf, sizeof(buf), 0x20, 0, 1, IPVS_CMD_SET_INFO, 1);
    hb_nl_put_u32(&b, IPVS_INFO_ATTR_VERSION, 0x010201);
    n = hb_nl_end(&b);
    pos = buf, rem = (size_t)n;
    hb_nl_next(&pos, &rem, &m);
    CHECK_INT(hb_ipvs_decode_info(&m, &info), -EBADMSG);
}

/* ------------------------------------------------------ text */

static void texts(void)
{
    hb_ipvs_service s;
    char t[80];
    memset(&s, 0, sizeof(s));
    s.af = AF_INET;
    s.protocol = IPPROTO_TCP;
    CHECK_INT(hb_ipvs_addr_parse(AF_INET, "10.0.0.100", s.addr), 0);
    s.port = 80;
    hb_ipvs_service_text(&s, t, sizeof(t));
    CHECK_STR(t, "TCP 10.0.0.100:80");
    s.protocol = IPPROTO_SCTP;
    hb_ipvs_service_text(&s, t, sizeof(t));
    CHECK_STR(t, "SCTP 10.0.0.100:80");
    s.protocol = 50;
    hb_ipvs_service_text(&s, t, sizeof(t));
    CHECK_STR(t, "proto 50 10.0.0.100:80");
    s.af = AF_INET6;
    s.protocol = IPPROTO_UDP;
    CHECK_INT(hb_ipvs_addr_parse(AF_INET6, "2001:DB8:0:0::1", s.addr), 0);
    s.port = 53;
    hb_ipvs_service_text(&s, t, sizeof(t));
    CHECK_STR(t, "UDP [2001:db8::1]:53");
    s.fwmark = 9;
    hb_ipvs_service_text(&s, t, sizeof(t));
    CHECK_STR(t, "FWM 9 IPv6");
    s.af = AF_INET;
    hb_ipvs_service_text(&s, t, sizeof(t));
    CHECK_STR(t, "FWM 9");
    hb_ipvs_service_text(&s, t, 4);
    CHECK_STR(t, "FWM");

    uint8_t a[16];
    CHECK_INT(hb_ipvs_addr_parse(AF_INET, "10.0.0.256", a), -EINVAL);
    CHECK_INT(hb_ipvs_addr_parse(AF_INET, "2001:db8::1", a), -EINVAL);
    CHECK_INT(hb_ipvs_addr_parse(AF_INET6, "10.0.0.1", a), -EINVAL);
    CHECK_INT(hb_ipvs_addr_parse(0, "10.0.0.1", a), -EINVAL);
    CHECK_INT(hb_ipvs_addr_parse(AF_INET, NULL, a), -EINVAL);
    CHECK_STR(hb_ipvs_addr_text(3, a, t, sizeof(t)), "?");
}

int main(int argc, char **argv)
{
    iv_load(argc, argv);
    decodes_service_dump();
    decodes_dest_dumps();
    decodes_daemons_config_info();
    kernel_errors();
    rejects_malformed_services();
    survives_captured_corruption();
    other_malformed_replies();
    texts();
    return hbt_finish("test_ipvs_decode");
}
