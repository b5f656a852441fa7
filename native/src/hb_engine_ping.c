/* Ping nodes (ha.cf ping / ping6 / ping_group): an ICMP echo to every
 * address each keepalive from raw sockets owned by the engine thread; a ping
 * node is `ping` while any of its addresses answered within deadping, `dead`
 * otherwise.  Replies are recognised by our echo id and a random tag in the
 * payload (icmp_msg.c), so other pingers in the namespace do not count. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "hb_engine_priv.h"

static int open_raw(hb_engine *e, int family, char *err, size_t errlen)
{
    int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0) {
        snprintf(err, errlen, "opening a raw %s socket for ping nodes", family == AF_INET ? "ICMP" : "ICMPv6");
        return -errno;
    }
    if (family == AF_INET6) {
        /* Only echo replies reach us; the kernel checksums what we send. */
        struct icmp6_filter f;
        ICMP6_FILTER_SETBLOCKALL(&f);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
        setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
    }
    int rc = hb_engine_add_fd(e, fd, HB_FD_ICMP, family == AF_INET ? 4u : 6u, EPOLLIN);
    if (rc < 0) {
        close(fd);
        snprintf(err, errlen, "adding the ICMP socket to epoll");
        return rc;
    }
    return fd;
}

int hb_engine_ping_open(hb_engine *e, char *err, size_t errlen)
{
    bool need4 = false, need6 = false;
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if (!n->is_ping)
            continue;
        const hb_ping_config *pc = &e->cfg.ping[i - e->cfg.nnodes];
        for (size_t a = 0; a < pc->naddrs; a++) {
            struct sockaddr_storage *ss = &n->addrs[n->naddrs];
            memset(ss, 0, sizeof *ss);
            struct sockaddr_in *in = (struct sockaddr_in *)ss;
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
            if (inet_pton(AF_INET, pc->addrs[a], &in->sin_addr) == 1) {
                in->sin_family = AF_INET;
                need4 = true;
            } else if (inet_pton(AF_INET6, pc->addrs[a], &in6->sin6_addr) == 1) {
                in6->sin6_family = AF_INET6;
                need6 = true;
            } else {
                snprintf(err, errlen, "ping node %s: `%s` is not a numeric address", n->name, pc->addrs[a]);
                return -EINVAL;
            }
            n->naddrs++;
        }
    }
    if (!need4 && !need6)
        return 0;
    e->ping_id = (uint16_t)(hb_engine_random(e) & 0xffff);
    e->ping_tag = hb_engine_random(e);
    if (need4 && (e->ping_fd4 = open_raw(e, AF_INET, err, errlen)) < 0)
        return e->ping_fd4;
    if (need6 && (e->ping_fd6 = open_raw(e, AF_INET6, err, errlen)) < 0)
        return e->ping_fd6;
    return 0;
}

void hb_engine_ping_close(hb_engine *e)
{
    if (e->ping_fd4 >= 0)
        close(e->ping_fd4);
    if (e->ping_fd6 >= 0)
        close(e->ping_fd6);
    e->ping_fd4 = e->ping_fd6 = -1;
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static void ping_reply(hb_engine *e, const struct sockaddr_storage *from, int64_t now)
{
    hb_engine_count(e, HB_CTR_PING_REPLIES, 1);
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if (!n->is_ping)
            continue;
        for (size_t a = 0; a < n->naddrs; a++) {
            if (!same_address(&n->addrs[a], from))
                continue;
            n->heard = true;
            n->dead = false;
            n->last_status_ms = now;
            if (strcmp(n->status, "ping") != 0) {
                snprintf(n->status, sizeof n->status, "ping");
                hb_engine_emit_simple(e, HB_EV_NODE_STATUS, n->name, NULL, "ping", 0, 0, NULL);
            }
        }
    }
}

void hb_engine_ping_io(hb_engine *e, uint32_t index, int64_t now)
{
    int fd = index == 4 ? e->ping_fd4 : e->ping_fd6;
    for (int budget = 0; budget < 64; budget++) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, e->scratch, e->bufcap, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
        if (n < 0)
            return;
        hb_icmp_echo echo;
        hb_icmp_drop d = index == 4 ? hb_icmp4_parse_reply(e->scratch, (size_t)n, e->ping_id, &echo)
                                    : hb_icmp6_parse_reply(e->scratch, (size_t)n, e->ping_id, &echo);
        uint64_t sent_ms;
        if (d == HB_ICMP_OK)
            d = hb_ping_stamp_decode(echo.payload, echo.payload_len, e->ping_tag, &sent_ms);
        if (d == HB_ICMP_OK)
            ping_reply(e, &from, now);
    }
}

static void send_pings(hb_engine *e, int64_t now)
{
    uint8_t stamp[HB_PING_STAMP_LEN];
    uint8_t pkt[HB_ICMP_HEADER_LEN + HB_PING_STAMP_LEN];
    hb_ping_stamp_encode(stamp, e->ping_tag, (uint64_t)now);
    e->ping_seq++;
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if (!n->is_ping)
            continue;
        for (size_t a = 0; a < n->naddrs; a++) {
            bool v4 = n->addrs[a].ss_family == AF_INET;
            ssize_t len = v4 ? hb_icmp4_echo_request(pkt, sizeof pkt, e->ping_id, e->ping_seq, stamp, sizeof stamp)
                             : hb_icmp6_echo_request(pkt, sizeof pkt, e->ping_id, e->ping_seq, stamp, sizeof stamp);
            socklen_t salen = v4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
            if (len > 0 && sendto(v4 ? e->ping_fd4 : e->ping_fd6, pkt, (size_t)len, MSG_DONTWAIT,
                                  (const struct sockaddr *)&n->addrs[a], salen) == len)
                hb_engine_count(e, HB_CTR_PING_SENT, 1);
        }
    }
}

int64_t hb_engine_ping_timers(hb_engine *e, int64_t now)
{
    if (e->ping_fd4 < 0 && e->ping_fd6 < 0)
        return INT64_MAX;
    if (e->next_ping_ms == 0)
        e->next_ping_ms = now;
    if (now >= e->next_ping_ms) {
        send_pings(e, now);
        e->next_ping_ms += e->cfg.keepalive_ms;
        if (e->next_ping_ms <= now)
            e->next_ping_ms = now + e->cfg.keepalive_ms;
    }
    int64_t next = e->next_ping_ms;
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if (!n->is_ping || n->dead)
            continue;
        int64_t dl = n->heard ? n->last_status_ms + n->dt_ms : e->start_ms + e->cfg.initdead_ms;
        if (now >= dl) {
            n->dead = true;
            snprintf(n->status, sizeof n->status, "dead");
            hb_engine_emit_simple(e, HB_EV_NODE_STATUS, n->name, NULL, "dead", 0, 0, NULL);
        } else if (dl < next) {
            next = dl;
        }
    }
    return next;
}
