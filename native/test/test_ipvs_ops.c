/* test_ipvs_ops.c - the IPVS operations against the running kernel.
 *
 * Without IPVS (this build host: no /proc/net/ip_vs) it checks what a
 * caller sees then: hb_ipvs_open() fails with -ENOENT and says why.  With
 * IPVS (inside the test VM, where test/vm/c-core.test.ts runs it, plain and
 * under ASan) it moves into a fresh network namespace of its own and drives
 * every operation once, including the kernel's refusals and the texts of
 * the errors. */
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ip_vs.h>

#include "hbtest.h"

static hb_ipvs_service tcp_service(const char *addr, uint16_t port, const char *sched)
{
    hb_ipvs_service s;
    memset(&s, 0, sizeof(s));
    s.af = AF_INET;
    s.protocol = IPPROTO_TCP;
    hb_ipvs_addr_parse(AF_INET, addr, s.addr);
    s.port = port;
    s.netmask = 0xffffffff;
    snprintf(s.sched_name, sizeof(s.sched_name), "%s", sched);
    return s;
}

static hb_ipvs_dest masq_dest(const char *addr, uint16_t port, int32_t weight)
{
    hb_ipvs_dest d;
    memset(&d, 0, sizeof(d));
    hb_ipvs_addr_parse(AF_INET, addr, d.addr);
    d.port = port;
    d.fwd_method = IP_VS_CONN_F_MASQ;
    d.weight = weight;
    return d;
}

static void without_ipvs(void)
{
    hb_ipvs h;
    int rc = hb_ipvs_open(&h, NULL);
    if (rc == -EPERM || rc == -EACCES || rc == -EPROTONOSUPPORT || rc == -EAFNOSUPPORT) {
        printf("test_ipvs_ops: no generic netlink here (%s), skipped\n", strerror(-rc));
        return;
    }
    CHECK_INT(rc, -ENOENT);
    CHECK_STR(hb_ipvs_last_error(&h),
              "looking up the generic netlink family IPVS (is the ip_vs module loaded?)");
    CHECK_INT(h.nl.fd, -1);
    /* calls on a handle that did not open fail cleanly */
    hb_ipvs_info info;
    CHECK_INT(hb_ipvs_get_info(&h, &info), -EBADF);
    hb_ipvs_close(&h);
}

static void bad_namespace(void)
{
    hb_ipvs h;
    CHECK_INT(hb_ipvs_open(&h, "/nonexistent/netns"), -ENOENT);
    CHECK_STR(hb_ipvs_last_error(&h), "opening a generic netlink socket in /nonexistent/netns");
    CHECK_INT(hb_ipvs_open(&h, "/dev/null"), -EINVAL); /* not a namespace file */
}

typedef struct list {
    int n;
    hb_ipvs_service svc[8];
    hb_ipvs_dest dest[8];
    hb_ipvs_daemon daemon[4];
} list;

static int on_service(void *ctx, const hb_ipvs_service *s)
{
    list *l = ctx;
    if (l->n < 8)
        l->svc[l->n] = *s;
    l->n++;
    return 0;
}

static int on_dest(void *ctx, const hb_ipvs_dest *d)
{
    list *l = ctx;
    if (l->n < 8)
        l->dest[l->n] = *d;
    l->n++;
    return 0;
}

static int on_daemon(void *ctx, const hb_ipvs_daemon *d)
{
    list *l = ctx;
    if (l->n < 4)
        l->daemon[l->n] = *d;
    l->n++;
    return 0;
}

static int stop_early(void *ctx, const hb_ipvs_service *s)
{
    (void)ctx;
    (void)s;
    return -ECANCELED;
}

/* A fresh namespace has lo down and, until lo is up, no local routing
 * table: the kernel then takes every destination address for a broadcast
 * one (inet_addr_type) and refuses it with EINVAL. */
static int lo_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    int rc = fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0 ? -1 : 0;
    ifr.ifr_flags |= IFF_UP;
    if (rc == 0)
        rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
    if (fd >= 0)
        close(fd);
    return rc;
}

static void with_ipvs(void)
{
    hb_ipvs h;
    list l;
    if (unshare(CLONE_NEWNET) != 0) {
        printf("test_ipvs_ops: cannot unshare the network namespace (%s), skipped\n",
               strerror(errno));
        return;
    }
    CHECK_INT(lo_up(), 0);
    CHECK_INT(hb_ipvs_open(&h, NULL), 0);
    hb_ipvs_info info;
    CHECK_INT(hb_ipvs_get_info(&h, &info), 0);
    CHECK_INT(info.version, 0x010201);
    CHECK(info.conn_tab_size > 0);

    l.n = 0;
    CHECK_INT(hb_ipvs_list_services(&h, on_service, &l), 0);
    CHECK_INT(l.n, 0); /* a fresh namespace */

    hb_ipvs_service s = tcp_service("10.0.0.100", 80, "rr");
    CHECK_INT(hb_ipvs_add_service(&h, &s), 0);
    CHECK_INT(hb_ipvs_add_service(&h, &s), -EEXIST);
    CHECK_STR(hb_ipvs_last_error(&h), "adding service TCP 10.0.0.100:80");
    hb_ipvs_service bad = tcp_service("10.0.0.101", 80, "no-such-sched");
    CHECK_INT(hb_ipvs_add_service(&h, &bad), -ENOENT);
    CHECK_STR(hb_ipvs_last_error(&h),
              "adding service TCP 10.0.0.101:80 (unknown scheduler or persistence engine)");

    hb_ipvs_dest d = masq_dest("10.0.0.2", 80, 1);
    CHECK_INT(hb_ipvs_add_dest(&h, &s, &d), 0);
    CHECK_INT(hb_ipvs_add_dest(&h, &s, &d), -EEXIST);
    CHECK_STR(hb_ipvs_last_error(&h), "adding destination 10.0.0.2:80 to TCP 10.0.0.100:80");
    d.weight = -1;
    CHECK_INT(hb_ipvs_edit_dest(&h, &s, &d), -ERANGE);
    d.weight = 7;
    d.u_threshold = 100;
    d.l_threshold = 75;
    CHECK_INT(hb_ipvs_edit_dest(&h, &s, &d), 0);
    hb_ipvs_dest missing = masq_dest("10.0.0.9", 80, 1);
    CHECK_INT(hb_ipvs_del_dest(&h, &s, &missing), -ENOENT);
    CHECK_STR(hb_ipvs_last_error(&h),
              "deleting destination 10.0.0.9:80 from TCP 10.0.0.100:80 (no such destination)");

    l.n = 0;
    CHECK_INT(hb_ipvs_list_dests(&h, &s, on_dest, &l), 0);
    CHECK_INT(l.n, 1);
    CHECK_INT(l.dest[0].weight, 7);
    CHECK_INT(l.dest[0].af, AF_INET);
    CHECK_INT(l.dest[0].u_threshold, 100);
    CHECK_INT(l.dest[0].l_threshold, 75);
    CHECK(l.dest[0].has_stats);

    hb_ipvs_service nosvc = tcp_service("10.9.9.9", 1, "rr");
    CHECK_INT(hb_ipvs_add_dest(&h, &nosvc, &d), -ESRCH);
    CHECK_STR(hb_ipvs_last_error(&h),
              "adding destination 10.0.0.2:80 to TCP 10.9.9.9:1 (no such service)");
    l.n = 0;
    CHECK_INT(hb_ipvs_list_dests(&h, &nosvc, on_dest, &l), -ESRCH);
    CHECK_INT(hb_ipvs_del_service(&h, &nosvc), -ESRCH);
    hb_ipvs_service got;
    CHECK_INT(hb_ipvs_get_service(&h, &nosvc, &got), -ESRCH);

    /* edit: scheduler and persistence */
    snprintf(s.sched_name, sizeof(s.sched_name), "wlc");
    s.flags = IP_VS_SVC_F_PERSISTENT;
    s.timeout = 300;
    s.netmask = 0xffffff00;
    CHECK_INT(hb_ipvs_edit_service(&h, &s), 0);
    CHECK_INT(hb_ipvs_get_service(&h, &s, &got), 0);
    CHECK_STR(got.sched_name, "wlc");
    CHECK_INT(got.flags & ~IP_VS_SVC_F_HASHED, IP_VS_SVC_F_PERSISTENT);
    CHECK_INT(got.timeout, 300);
    CHECK_INT(got.netmask, 0xffffff00);

    /* a callback error stops the listing, and the next call still works */
    CHECK_INT(hb_ipvs_list_services(&h, stop_early, NULL), -ECANCELED);
    l.n = 0;
    CHECK_INT(hb_ipvs_list_services(&h, on_service, &l), 0);
    CHECK_INT(l.n, 1);

    CHECK_INT(hb_ipvs_zero(&h, &s), 0);
    CHECK_INT(hb_ipvs_zero(&h, NULL), 0);
    CHECK_INT(hb_ipvs_zero(&h, &nosvc), -ESRCH);

    hb_ipvs_timeouts t0, t = {.tcp = 1000, .tcp_fin = 0, .udp = 200}, t1;
    CHECK_INT(hb_ipvs_get_timeouts(&h, &t0), 0);
    CHECK_INT(t0.tcp, 900); /* the kernel's defaults in a fresh namespace */
    CHECK_INT(t0.tcp_fin, 120);
    CHECK_INT(t0.udp, 300);
    CHECK_INT(hb_ipvs_set_timeouts(&h, &t), 0);
    CHECK_INT(hb_ipvs_get_timeouts(&h, &t1), 0);
    CHECK_INT(t1.tcp, 1000);
    CHECK_INT(t1.tcp_fin, 120); /* 0 = unchanged */
    CHECK_INT(t1.udp, 200);

    /* sync daemons on lo (the only interface of a fresh namespace) */
    hb_ipvs_daemon dm;
    memset(&dm, 0, sizeof(dm));
    dm.state = IP_VS_STATE_BACKUP;
    snprintf(dm.mcast_ifn, sizeof(dm.mcast_ifn), "lo");
    dm.syncid = 9;
    CHECK_INT(hb_ipvs_start_daemon(&h, &dm), 0);
    CHECK_INT(hb_ipvs_start_daemon(&h, &dm), -EEXIST);
    CHECK_STR(hb_ipvs_last_error(&h),
              "starting the backup sync daemon on lo (syncid 9) (already running)");
    l.n = 0;
    CHECK_INT(hb_ipvs_list_daemons(&h, on_daemon, &l), 0);
    CHECK_INT(l.n, 1);
    CHECK_INT(l.daemon[0].state, IP_VS_STATE_BACKUP);
    CHECK_STR(l.daemon[0].mcast_ifn, "lo");
    CHECK_INT(l.daemon[0].syncid, 9);
    CHECK_INT(l.daemon[0].mcast_port, 8848);
    snprintf(dm.mcast_ifn, sizeof(dm.mcast_ifn), "nope0");
    dm.state = IP_VS_STATE_MASTER;
    CHECK_INT(hb_ipvs_start_daemon(&h, &dm), -ENODEV);
    CHECK_INT(hb_ipvs_stop_daemon(&h, IP_VS_STATE_BACKUP), 0);
    CHECK_INT(hb_ipvs_stop_daemon(&h, IP_VS_STATE_BACKUP), -ESRCH);
    CHECK_STR(hb_ipvs_last_error(&h), "stopping the backup sync daemon (not running)");

    CHECK_INT(hb_ipvs_del_dest(&h, &s, &d), 0);
    CHECK_INT(hb_ipvs_del_service(&h, &s), 0);
    CHECK_INT(hb_ipvs_add_service(&h, &s), 0);
    CHECK_INT(hb_ipvs_flush(&h), 0);
    l.n = 0;
    CHECK_INT(hb_ipvs_list_services(&h, on_service, &l), 0);
    CHECK_INT(l.n, 0);

    hb_ipvs_close(&h);
    CHECK_INT(hb_ipvs_flush(&h), -EBADF);
}

int main(void)
{
    bool ipvs = access("/proc/net/ip_vs", F_OK) == 0;
    bad_namespace();
    if (ipvs && geteuid() == 0)
        with_ipvs();
    else
        without_ipvs();
    return hbt_finish(ipvs ? "test_ipvs_ops (with IPVS)" : "test_ipvs_ops (no IPVS here)");
}
