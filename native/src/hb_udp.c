/* UDP heartbeat media (heartbeat-wire §4.1): bcast, ucast, mcast and their
 * IPv6 forms.  Sending uses one unbound socket per medium (ephemeral source
 * port, as real nodes); receiving uses one socket per (family, interface,
 * port), bound to the interface, so a bcast and an mcast line on the same
 * interface and port share it and no datagram is delivered twice. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hb_engine_internal.h"

static int fail(char *err, size_t errlen, int e, const char *what, const char *iface)
{
    snprintf(err, errlen, "%s on %s", what, iface);
    return -e;
}

static int set_opt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) == 0 ? 0 : -errno;
}

static int bind_to_device(int fd, const char *iface)
{
    return setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface) + 1) == 0 ? 0 : -errno;
}

/* The interface's IPv4 broadcast address (bcast sends there). */
static int broadcast_address(const char *iface, struct sockaddr_in *out)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0)
        return -errno;
    int rc = -EADDRNOTAVAIL;
    for (struct ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || strcmp(a->ifa_name, iface) != 0)
            continue;
        if ((a->ifa_flags & IFF_BROADCAST) && a->ifa_broadaddr) {
            memcpy(out, a->ifa_broadaddr, sizeof *out);
            rc = 0;
            break;
        }
    }
    freeifaddrs(list);
    return rc;
}

static bool is_v6(hb_medium_kind k)
{
    return k == HB_MEDIUM_UCAST6 || k == HB_MEDIUM_MCAST6;
}

/* Parses "addr" or "addr%scope" for IPv6 destinations. */
static int parse_v6(const char *text, const char *iface, struct sockaddr_in6 *sa, uint16_t port)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", text);
    char *pct = strchr(buf, '%');
    memset(sa, 0, sizeof *sa);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(port);
    if (pct)
        *pct = '\0';
    if (inet_pton(AF_INET6, buf, &sa->sin6_addr) != 1)
        return -EINVAL;
    sa->sin6_scope_id = if_nametoindex(pct ? pct + 1 : iface);
    return 0;
}

int hb_udp_open_tx(const hb_medium_config *m, hb_udp_tx *tx, char *err, size_t errlen)
{
    int family = is_v6(m->kind) ? AF_INET6 : AF_INET;
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, errlen, errno, "creating the sending socket", m->iface);
    tx->fd = fd;
    int rc = 0;
    const char *what = "";
    unsigned ifindex = if_nametoindex(m->iface);
    if (ifindex == 0) {
        rc = -ENODEV;
        what = "finding the interface";
        goto out;
    }
    switch (m->kind) {
    case HB_MEDIUM_BCAST: {
        struct sockaddr_in *dst = (struct sockaddr_in *)&tx->dst;
        what = "finding the interface's broadcast address";
        if ((rc = broadcast_address(m->iface, dst)) < 0)
            goto out;
        dst->sin_port = htons(m->port);
        tx->dst_len = sizeof *dst;
        what = "setting SO_BROADCAST/SO_DONTROUTE";
        if ((rc = set_opt(fd, SOL_SOCKET, SO_BROADCAST, 1)) < 0 || (rc = set_opt(fd, SOL_SOCKET, SO_DONTROUTE, 1)) < 0)
            goto out;
        what = "binding to the device";
        rc = bind_to_device(fd, m->iface);
        break;
    }
    case HB_MEDIUM_UCAST: {
        struct sockaddr_in *dst = (struct sockaddr_in *)&tx->dst;
        dst->sin_family = AF_INET;
        dst->sin_port = htons(m->port);
        what = "parsing the peer address";
        if (inet_pton(AF_INET, m->address, &dst->sin_addr) != 1) {
            rc = -EINVAL;
            goto out;
        }
        tx->dst_len = sizeof *dst;
        what = "setting IP_TOS low delay";
        if ((rc = set_opt(fd, IPPROTO_IP, IP_TOS, IPTOS_LOWDELAY)) < 0)
            goto out;
        what = "binding to the device";
        rc = bind_to_device(fd, m->iface);
        break;
    }
    case HB_MEDIUM_MCAST: {
        struct sockaddr_in *dst = (struct sockaddr_in *)&tx->dst;
        dst->sin_family = AF_INET;
        dst->sin_port = htons(m->port);
        what = "parsing the multicast group";
        if (inet_pton(AF_INET, m->address, &dst->sin_addr) != 1) {
            rc = -EINVAL;
            goto out;
        }
        tx->dst_len = sizeof *dst;
        struct ip_mreqn mr = {.imr_ifindex = (int)ifindex};
        what = "setting IP_MULTICAST_IF";
        if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) != 0) {
            rc = -errno;
            goto out;
        }
        what = "setting IP_MULTICAST_TTL/LOOP";
        if ((rc = set_opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, m->ttl)) < 0 ||
            (rc = set_opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, m->loop)) < 0)
            goto out;
        break;
    }
    case HB_MEDIUM_UCAST6:
    case HB_MEDIUM_MCAST6: {
        struct sockaddr_in6 *dst = (struct sockaddr_in6 *)&tx->dst;
        what = "parsing the IPv6 address";
        if ((rc = parse_v6(m->address, m->iface, dst, m->port)) < 0)
            goto out;
        tx->dst_len = sizeof *dst;
        if (m->kind == HB_MEDIUM_MCAST6) {
            what = "setting IPV6_MULTICAST_IF/HOPS/LOOP";
            if ((rc = set_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)ifindex)) < 0 ||
                (rc = set_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, m->ttl)) < 0 ||
                (rc = set_opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, m->loop)) < 0)
                goto out;
        } else {
            what = "binding to the device";
            rc = bind_to_device(fd, m->iface);
        }
        break;
    }
    default:
        rc = -EINVAL;
        what = "opening a non-UDP medium as UDP";
    }
out:
    if (rc < 0) {
        close(fd);
        tx->fd = -1;
        return fail(err, errlen, -rc, what, m->iface);
    }
    /* Connected, the socket keeps its route: no lookup per heartbeat.  Only
     * an optimisation: without it (no address yet...) each send routes. */
    tx->connected = connect(fd, (const struct sockaddr *)&tx->dst, tx->dst_len) == 0;
    return 0;
}

/* The kernel hands every broadcast we send back to our own receiving socket
 * as a looped-back copy (PACKET_LOOPBACK).  A classic BPF filter drops those
 * copies in the kernel, so the heartbeat thread is neither woken nor spends a
 * verification for each datagram it sent itself.  Peers' broadcasts arrive
 * as PACKET_BROADCAST and pass. */
static int drop_own_loopback(int fd)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_LOOPBACK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0),
        BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
    };
    struct sock_fprog prog = {.len = (unsigned short)(sizeof code / sizeof code[0]), .filter = code};
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) == 0 ? 0 : -errno;
}

int hb_udp_open_rx(const hb_medium_config *m, hb_udp_rx *rx, char *err, size_t errlen)
{
    int family = is_v6(m->kind) ? AF_INET6 : AF_INET;
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, errlen, errno, "creating the receiving socket", m->iface);
    const char *what = "setting SO_REUSEADDR";
    int rc = set_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0 && family == AF_INET6) {
        what = "setting IPV6_V6ONLY";
        rc = set_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    }
    if (rc == 0) {
        what = "binding to the device";
        rc = bind_to_device(fd, m->iface);
    }
    /* Room for a burst of heartbeats while the thread is busy. */
    if (rc == 0)
        (void)set_opt(fd, SOL_SOCKET, SO_RCVBUF, 256 * 1024);
    if (rc == 0) {
        what = "binding to the port";
        if (family == AF_INET) {
            struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(m->port), .sin_addr = {htonl(INADDR_ANY)}};
            rc = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : -errno;
        } else {
            struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(m->port), .sin6_addr = IN6ADDR_ANY_INIT};
            rc = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 ? 0 : -errno;
        }
    }
    if (rc < 0) {
        close(fd);
        return fail(err, errlen, -rc, what, m->iface);
    }
    /* Only an optimisation: without the filter the engine drops its own copies itself. */
    if (m->kind == HB_MEDIUM_BCAST)
        (void)drop_own_loopback(fd);
    rx->fd = fd;
    rx->family = family;
    snprintf(rx->iface, sizeof rx->iface, "%s", m->iface);
    rx->port = m->port;
    return hb_udp_join(m, rx, err, errlen);
}

int hb_udp_join(const hb_medium_config *m, const hb_udp_rx *rx, char *err, size_t errlen)
{
    unsigned ifindex = if_nametoindex(m->iface);
    /* mcast with loop 1 asks for local copies (another node on this host): keep them. */
    if ((m->kind == HB_MEDIUM_MCAST || m->kind == HB_MEDIUM_MCAST6) && m->loop)
        (void)setsockopt(rx->fd, SOL_SOCKET, SO_DETACH_FILTER, NULL, 0);
    if (m->kind == HB_MEDIUM_MCAST) {
        struct ip_mreqn mr = {.imr_ifindex = (int)ifindex};
        if (inet_pton(AF_INET, m->address, &mr.imr_multiaddr) != 1)
            return fail(err, errlen, EINVAL, "parsing the multicast group", m->iface);
        if (setsockopt(rx->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) != 0 && errno != EADDRINUSE)
            return fail(err, errlen, errno, "joining the multicast group", m->iface);
    } else if (m->kind == HB_MEDIUM_MCAST6) {
        struct ipv6_mreq mr = {.ipv6mr_interface = ifindex};
        if (inet_pton(AF_INET6, m->address, &mr.ipv6mr_multiaddr) != 1)
            return fail(err, errlen, EINVAL, "parsing the IPv6 multicast group", m->iface);
        if (setsockopt(rx->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr) != 0 && errno != EADDRINUSE)
            return fail(err, errlen, errno, "joining the IPv6 multicast group", m->iface);
    }
    return 0;
}

int hb_udp_send(hb_udp_tx *tx, const uint8_t *buf, size_t len)
{
    if (tx->connected) {
        ssize_t n = send(tx->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        /* A connected socket reports an ICMP error for an earlier datagram
         * (a peer without a listener) at the next send, which it then drops;
         * an unconnected one never would.  Send that one again. */
        if (n < 0 && errno == ECONNREFUSED)
            n = send(tx->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0)
            return n == (ssize_t)len ? 0 : -EMSGSIZE;
        if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
            return -errno;
        /* The source address fixed at connect() may be gone, or the route:
         * from now on route each datagram as before. */
        struct sockaddr unspec = {.sa_family = AF_UNSPEC};
        (void)connect(tx->fd, &unspec, sizeof unspec);
        tx->connected = false;
    }
    ssize_t n = sendto(tx->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&tx->dst, tx->dst_len);
    if (n < 0)
        return -errno;
    return n == (ssize_t)len ? 0 : -EMSGSIZE;
}
