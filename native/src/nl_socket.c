/*
 * nl_socket.c - the netlink socket: open (optionally inside another network
 * namespace), send one request, receive datagrams until hb_nl_rx says the
 * answer is complete.  The only IPVS-related file that does I/O besides
 * ipvs_ops.c; all parsing is in nl_msg.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "hbcore.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DEFAULT_TIMEOUT_MS 30000u

static int open_here(hb_nl_sock *s, int protocol)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd < 0)
        return -errno;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    socklen_t salen = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &salen) != 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    /* Best effort: extended ACK text, and ACKs without a copy of the request. */
    int one = 1;
    (void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    (void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    s->fd = fd;
    s->pid = sa.nl_pid;
    return 0;
}

/* Creates the socket inside netns_path: this thread enters that namespace,
 * opens the socket (which stays bound to the namespace) and comes back.  A
 * thread that cannot return to its own namespace would silently run every
 * later job in the wrong one, so that (never seen) case aborts. */
static int open_in_netns(hb_nl_sock *s, int protocol, const char *netns_path)
{
    int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return -errno;
    int target = open(netns_path, O_RDONLY | O_CLOEXEC);
    if (target < 0) {
        int err = -errno;
        close(self);
        return err;
    }
    int rc;
    if (setns(target, CLONE_NEWNET) != 0) {
        rc = -errno;
    } else {
        rc = open_here(s, protocol);
        if (setns(self, CLONE_NEWNET) != 0) {
            fprintf(stderr, "hbcore: cannot return to the thread's network namespace: %s\n",
                    strerror(errno));
            abort();
        }
    }
    close(target);
    close(self);
    return rc;
}

int hb_nl_open(hb_nl_sock *s, int protocol, const char *netns_path)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    s->timeout_ms = DEFAULT_TIMEOUT_MS;
    s->rx = malloc(HB_NL_RX_MAX);
    if (s->rx == NULL)
        return -ENOMEM;
    int rc = netns_path ? open_in_netns(s, protocol, netns_path) : open_here(s, protocol);
    if (rc) {
        free(s->rx);
        s->rx = NULL;
        s->fd = -1;
    }
    return rc;
}

void hb_nl_close(hb_nl_sock *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->rx);
    s->rx = NULL;
}

uint32_t hb_nl_next_seq(hb_nl_sock *s)
{
    if (++s->seq == 0)
        s->seq = 1;
    return s->seq;
}

/* Reads one datagram; -ETIMEDOUT after timeout_ms of silence, -EMSGSIZE if
 * it did not fit the buffer. */
static ssize_t recv_datagram(hb_nl_sock *s, int timeout_ms)
{
    for (;;) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int n = poll(&p, 1, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -ETIMEDOUT;
        struct sockaddr_nl from;
        struct iovec iov = {.iov_base = s->rx, .iov_len = HB_NL_RX_MAX};
        struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
                            .msg_iovlen = 1};
        ssize_t r = recvmsg(s->fd, &mh, MSG_DONTWAIT);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0)
            return -errno;
        if (mh.msg_flags & MSG_TRUNC)
            return -EMSGSIZE;
        if (from.nl_pid != 0) /* only the kernel talks to us */
            continue;
        return r;
    }
}

/* After a reply we could not follow: throw away whatever is queued. */
static void drain(hb_nl_sock *s)
{
    for (;;) {
        ssize_t r = recv_datagram(s, 0);
        if (r < 0 && r != -EMSGSIZE)
            return;
    }
}

int hb_nl_request(hb_nl_sock *s, const void *req, size_t len, hb_nl_msg_cb cb, void *ctx,
                  char *ext_msg, size_t ext_cap)
{
    struct nlmsghdr h;
    if (ext_msg && ext_cap)
        ext_msg[0] = '\0';
    if (s->fd < 0)
        return -EBADF;
    if (len < sizeof(h))
        return -EINVAL;
    memcpy(&h, req, sizeof(h));

    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t sent;
    do {
        sent = sendto(s->fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
    } while (sent < 0 && errno == EINTR);
    if (sent < 0)
        return -errno;
    if ((size_t)sent != len)
        return -EIO;

    hb_nl_rx rx;
    hb_nl_rx_init(&rx, h.nlmsg_seq, s->pid, (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP, cb, ctx);
    for (;;) {
        ssize_t n = recv_datagram(s, (int)s->timeout_ms);
        if (n < 0) {
            if (n == -EMSGSIZE)
                drain(s);
            return (int)n;
        }
        int rc = hb_nl_rx_feed(&rx, s->rx, (size_t)n);
        if (rc < 0) {
            drain(s);
            return rc;
        }
        if (rc == 1)
            break;
    }
    if (ext_msg && ext_cap)
        snprintf(ext_msg, ext_cap, "%s", rx.ext_msg);
    return hb_nl_rx_result(&rx);
}
