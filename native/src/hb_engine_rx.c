/* Reading the UDP media.  At short keepalives the sockets are not watched
 * at all: every wake-up of the heartbeat thread (its timer, mostly) first
 * reads what is queued, dated by the kernel's receive timestamp.  A peer's
 * heartbeat then costs no wake-up of its own - half of the thread's wake-ups
 * at a 10 ms keepalive - and death detection is unchanged: deadlines are
 * checked only after the read, against the time each heartbeat came.  Other
 * messages wait at most until the next tick (HB_RX_COALESCE_MAX_MS). */
#include <errno.h>
#include <sys/epoll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "hb_engine_priv.h"

static int64_t ns_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* The kernel's receive stamp of one datagram, or -1. */
static int64_t stamp_ns(struct msghdr *mh)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            return ns_of(&ts);
        }
    }
    return -1;
}

static void drain(hb_engine *e, hb_udp_rx *rx, int64_t now, int64_t real_now_ns, int64_t mono_now_ns)
{
    /* Unwatched sockets are not read again until the next tick: take more. */
    int budget = rx->stamped ? 1024 : 256;
    while (budget-- > 0) {
        struct sockaddr_storage from;
        union {
            char buf[CMSG_SPACE(sizeof(struct timespec))];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {.iov_base = e->rxbuf, .iov_len = e->bufcap};
        struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
        if (rx->stamped) {
            mh.msg_control = ctl.buf;
            mh.msg_controllen = sizeof ctl.buf;
        }
        ssize_t n = recvmsg(rx->fd, &mh, MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                uint64_t suppressed;
                if (hb_engine_rate_ok(e, 200 + (size_t)rx->link, now, &suppressed))
                    hb_engine_emit_simple(e, HB_EV_MEDIUM_ERROR, NULL, e->link_names[rx->link], NULL, errno, 0,
                                          "receiving heartbeat datagrams");
            }
            return;
        }
        int64_t at = now;
        if (rx->stamped) {
            int64_t stamp = stamp_ns(&mh);
            if (stamp >= 0)
                at = hb_arrival_mono_ms(stamp, real_now_ns, mono_now_ns, e->rx_read_ms);
        }
        e->rx_from = &from;
        hb_engine_on_message_bytes(e, rx->link, e->rxbuf, (size_t)n, NULL, at);
        e->rx_from = NULL;
    }
}

/* Both clocks read back to back: their offset dates the kernel's stamps. */
static void read_clocks(int64_t *mono_ns, int64_t *real_ns)
{
    struct timespec mono, real;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &real);
    *mono_ns = ns_of(&mono);
    *real_ns = ns_of(&real);
}

void hb_engine_rx_ready(hb_engine *e, size_t index, int64_t now)
{
    hb_udp_rx *rx = &e->rx[index];
    if (!rx->stamped) {
        drain(e, rx, now, 0, 0);
        return;
    }
    int64_t mono_ns, real_ns;
    read_clocks(&mono_ns, &real_ns);
    drain(e, rx, mono_ns / 1000000, real_ns, mono_ns);
    e->rx_read_ms = mono_ns / 1000000;
}

void hb_engine_rx_read_unwatched(hb_engine *e)
{
    if (!e->rx_unwatched)
        return;
    int64_t mono_ns, real_ns;
    read_clocks(&mono_ns, &real_ns);
    int64_t now = mono_ns / 1000000;
    for (size_t i = 0; i < e->nrx; i++)
        if (e->rx[i].stamped)
            drain(e, &e->rx[i], now, real_ns, mono_ns);
    e->rx_read_ms = now;
}

/* Reading at every wake-up pays while the peers send as often as we wake.  A
 * quiet standby sends a few times a second: then a datagram waking the
 * thread is cheaper than a read that finds nothing at every tick.  Judged by
 * the gaps seen, not by dt (a node's dt is longer for its first 5 s too). */
static bool every_live_peer_quiet(const hb_engine *e)
{
    bool any = false;
    for (size_t i = 0; i < e->nnodes; i++) {
        const hb_node_state *n = &e->nodes[i];
        if (n->is_self || n->is_ping || !n->heard || n->dead)
            continue;
        if (!n->sends_rarely)
            return false;
        any = true;
    }
    return any;
}

void hb_engine_rx_fit_to_peers(hb_engine *e)
{
    if (!e->rx_stamped_media)
        return;
    bool unwatched = !every_live_peer_quiet(e);
    if (unwatched == e->rx_unwatched)
        return;
    if (!unwatched) {
        /* A socket neither watched nor read would go deaf: all or none. */
        for (size_t i = 0; i < e->nrx; i++) {
            if (e->rx[i].stamped && hb_engine_add_fd(e, e->rx[i].fd, HB_FD_RX, (uint32_t)i, EPOLLIN) < 0) {
                for (size_t j = 0; j < i; j++)
                    if (e->rx[j].stamped)
                        epoll_ctl(e->epfd, EPOLL_CTL_DEL, e->rx[j].fd, NULL);
                return; /* still read at every wake-up */
            }
        }
    } else {
        for (size_t i = 0; i < e->nrx; i++)
            if (e->rx[i].stamped)
                epoll_ctl(e->epfd, EPOLL_CTL_DEL, e->rx[i].fd, NULL);
    }
    e->rx_unwatched = unwatched;
}

bool hb_engine_rx_unwatched(hb_engine *e, hb_udp_rx *rx)
{
    if (e->cfg.keepalive_ms > HB_RX_COALESCE_MAX_MS)
        return false;
    int on = 1;
    if (setsockopt(rx->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
        return false; /* no stamps: watched as usual, read when a datagram comes */
    rx->stamped = true;
    e->rx_unwatched = true;
    e->rx_stamped_media = true;
    return true;
}
