/*
 * garp_sock.c - sends the frames of garp_msg.c from an AF_PACKET socket
 * bound to one interface.  hb_garp_open() does everything that can fail
 * slowly or needs the name (namespace, index, MAC, the frames); a round is
 * then one or two sendto() calls, which never block (a full queue drops the
 * frame, like any other datagram), so the heartbeat thread can send rounds
 * at takeover time.  Pacing between rounds is the caller's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>

#include "hbcore.h"

/* ------------------------------------------------------------------ namespaces */

int hb_netns_socket(const char *netns_path, int domain, int type, int protocol)
{
    if (netns_path == NULL) {
        int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
        return fd < 0 ? -errno : fd;
    }
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
        rc = socket(domain, type | SOCK_CLOEXEC, protocol);
        if (rc < 0)
            rc = -errno;
        /* A thread stuck in another namespace would run every later job
         * there; like nl_socket.c, that (never seen) case aborts. */
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

/* ------------------------------------------------------------------ sender */

__attribute__((format(printf, 3, 4))) static int fail(hb_garp *g, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->error, sizeof(g->error), fmt, ap);
    va_end(ap);
    return rc;
}

static const char *what(const hb_garp *g)
{
    return g->family == AF_INET ? "gratuitous ARP" : "unsolicited neighbour advertisement";
}

int hb_garp_open(hb_garp *g, const hb_garp_spec *spec, const char *netns_path)
{
    memset(g, 0, sizeof(*g));
    g->fd = -1;
    if (spec == NULL || spec->ifname == NULL || spec->ifname[0] == '\0' ||
        strlen(spec->ifname) >= sizeof(g->ifname))
        return fail(g, -EINVAL, "opening AF_PACKET (bad interface name)");
    snprintf(g->ifname, sizeof(g->ifname), "%s", spec->ifname);
    if (spec->family != AF_INET && spec->family != AF_INET6)
        return fail(g, -EINVAL, "opening AF_PACKET on %s (address family %u)", g->ifname,
                    spec->family);
    g->family = spec->family;
    memcpy(g->addr, spec->addr, spec->family == AF_INET ? 4 : 16);

    /* protocol 0: a send-only socket, nothing is queued for reading */
    int fd = hb_netns_socket(netns_path, AF_PACKET, SOCK_RAW, 0);
    if (fd < 0)
        return fail(g, fd, "opening AF_PACKET on %s%s%s", g->ifname, netns_path ? " in " : "",
                    netns_path ? netns_path : "");
    /* the ioctls answer for the socket's namespace */
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, g->ifname, strlen(g->ifname));
    if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
        int err = -errno;
        close(fd);
        return fail(g, err, "opening AF_PACKET on %s", g->ifname);
    }
    g->ifindex = (uint32_t)ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
        int err = -errno;
        close(fd);
        return fail(g, err, "reading the MAC address of %s", g->ifname);
    }
    if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
        close(fd);
        return fail(g, -EOPNOTSUPP, "announcing on %s (not an Ethernet interface, type %u)",
                    g->ifname, ifr.ifr_hwaddr.sa_family);
    }
    memcpy(g->mac, ifr.ifr_hwaddr.sa_data, 6);
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = (int)g->ifindex};
    if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
        int err = -errno;
        close(fd);
        return fail(g, err, "binding AF_PACKET to %s", g->ifname);
    }
    if (g->family == AF_INET) {
        hb_garp_build_arp(g->request, 1, g->mac, g->addr);
        hb_garp_build_arp(g->reply, 2, g->mac, g->addr);
        g->frame_len = HB_GARP_ARP_LEN;
    } else {
        hb_garp_build_na(g->request, g->mac, g->addr, spec->na_router);
        g->frame_len = HB_GARP_NA_LEN;
    }
    g->fd = fd;
    return 0;
}

static int send_frame(hb_garp *g, const uint8_t *frame)
{
    struct sockaddr_ll to = {
        .sll_family = AF_PACKET,
        .sll_ifindex = (int)g->ifindex,
        .sll_protocol = htons(g->family == AF_INET ? ETH_P_ARP : ETH_P_IPV6),
        .sll_halen = 6,
    };
    memcpy(to.sll_addr, frame, 6); /* the frame's destination */
    ssize_t n;
    do {
        n = sendto(g->fd, frame, g->frame_len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if ((size_t)n != g->frame_len)
        return -EIO;
    g->sent++;
    return 0;
}

int hb_garp_send_round(hb_garp *g, hb_garp_mode mode)
{
    char text[HB_RTNL_ADDR_TEXT];
    if (g->fd < 0)
        return fail(g, -EBADF, "announcing on %s (closed)", g->ifname);
    if (g->family == AF_INET6)
        mode = HB_GARP_REQUEST; /* the NA */
    if (mode < HB_GARP_REQUEST || mode > HB_GARP_BOTH)
        return fail(g, -EINVAL, "announcing on %s (mode %d)", g->ifname, (int)mode);
    int sent = 0;
    const uint8_t *frames[2] = {(mode & HB_GARP_REQUEST) ? g->request : NULL,
                                (mode & HB_GARP_REPLY) ? g->reply : NULL};
    for (int i = 0; i < 2; i++) {
        if (frames[i] == NULL)
            continue;
        int rc = send_frame(g, frames[i]);
        if (rc < 0)
            return fail(g, rc, "sending %s for %s on %s", what(g),
                        inet_ntop(g->family, g->addr, text, sizeof(text)) ? text : "?",
                        g->ifname);
        sent++;
    }
    return sent;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool cancelled(const int *cancel)
{
    return cancel != NULL && __atomic_load_n(cancel, __ATOMIC_ACQUIRE) != 0;
}

int hb_garp_announce(hb_garp *g, hb_garp_mode mode, unsigned count, unsigned interval_ms,
                     const int *cancel, unsigned *rounds)
{
    *rounds = 0;
    int64_t start = mono_ms();
    for (unsigned k = 0; k < count; k++) {
        int64_t due = start + (int64_t)k * interval_ms;
        for (;;) {
            if (cancelled(cancel))
                return -ECANCELED;
            int64_t left = due - mono_ms();
            if (left <= 0)
                break;
            struct timespec nap = {.tv_sec = 0, .tv_nsec = (left < 50 ? left : 50) * 1000000L};
            nanosleep(&nap, NULL); /* EINTR: the loop looks again */
        }
        int rc = hb_garp_send_round(g, mode);
        if (rc < 0)
            return rc;
        ++*rounds;
    }
    return 0;
}

void hb_garp_close(hb_garp *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
}

const char *hb_garp_last_error(const hb_garp *g) { return g->error; }
