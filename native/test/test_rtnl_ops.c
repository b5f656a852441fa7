/* test_rtnl_ops.c - the address, route and link operations against the
 * running kernel, inside a network namespace of this program's own (root
 * and ip(8) needed; skipped otherwise): adding and removing IPv4 addresses
 * with a label and a broadcast address and IPv6 ones with and without DAD,
 * the kernel's refusals with their texts, listing, findif over two
 * interfaces and two subnets, the kernel's own route lookup, and a dump
 * abandoned by its callback. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hbtest.h"

static int run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "test_rtnl_ops: `%s` failed (%d)\n", cmd, rc);
    return rc;
}

static hb_rtnl_addr spec(const char *text, uint8_t prefixlen)
{
    hb_rtnl_addr a;
    memset(&a, 0, sizeof(a));
    a.family = strchr(text, ':') ? AF_INET6 : AF_INET;
    a.prefixlen = prefixlen;
    CHECK(inet_pton(a.family, text, a.addr) == 1);
    return a;
}

typedef struct found {
    int n;
    hb_rtnl_addr want;
    hb_rtnl_addr got;
    int links;
    int routes;
    bool saw_lo, saw_hbr0, saw_hbr1;
} found;

static int find_addr(void *ctx, const hb_rtnl_addr *a)
{
    found *f = ctx;
    if (a->family == f->want.family && memcmp(a->addr, f->want.addr, 16) == 0) {
        f->n++;
        f->got = *a;
    }
    return 0;
}

static bool listed(hb_rtnl *r, uint8_t family, uint32_t ifindex, const hb_rtnl_addr *want,
                   hb_rtnl_addr *got)
{
    found f;
    memset(&f, 0, sizeof(f));
    f.want = *want;
    CHECK_INT(hb_rtnl_addr_list(r, family, ifindex, find_addr, &f), 0);
    if (got)
        *got = f.got;
    return f.n == 1;
}

static int count_link(void *ctx, const hb_rtnl_link *l)
{
    found *f = ctx;
    f->links++;
    f->saw_lo |= strcmp(l->name, "lo") == 0 && l->type == ARPHRD_LOOPBACK;
    f->saw_hbr0 |= strcmp(l->name, "hbr0") == 0 && l->hwaddr_len == 6;
    f->saw_hbr1 |= strcmp(l->name, "hbr1") == 0;
    return 0;
}

static int count_route(void *ctx, const hb_rtnl_route *rt)
{
    found *f = ctx;
    CHECK_INT(rt->table, RT_TABLE_MAIN);
    f->routes++;
    return 0;
}

static int stop_at_first(void *ctx, const hb_rtnl_addr *a)
{
    (void)a;
    ++*(int *)ctx;
    return -ECANCELED;
}

static void addresses(hb_rtnl *r, uint32_t hbr0)
{
    hb_rtnl_addr a = spec("10.9.0.1", 24), got;
    a.has_broadcast = true;
    CHECK(inet_pton(AF_INET, "10.9.0.255", a.broadcast) == 1);
    snprintf(a.label, sizeof(a.label), "hbr0:0");
    CHECK_INT(hb_rtnl_addr_add(r, "hbr0", &a), 0);
    CHECK(listed(r, AF_INET, hbr0, &a, &got));
    CHECK_STR(got.label, "hbr0:0");
    CHECK(got.has_broadcast);
    CHECK_MEM(got.broadcast, 4, a.broadcast, 4);
    CHECK_INT(got.prefixlen, 24);
    CHECK_INT(got.ifindex, hbr0);
    CHECK(listed(r, 0, 0, &a, NULL));            /* every family, every interface */
    CHECK(!listed(r, AF_INET6, 0, &a, NULL));    /* filtered by family */
    CHECK(!listed(r, AF_INET, hbr0 + 1, &a, NULL)); /* and by interface */

    /* present already: the kernel's EEXIST, our text, its text */
    CHECK_INT(hb_rtnl_addr_add(r, "hbr0", &a), -EEXIST);
    CHECK_STR(hb_rtnl_last_error(r), "adding 10.9.0.1/24 to hbr0");
    CHECK_STR(hb_rtnl_kernel_message(r), "ipv4: Address already assigned");
    /* a second address in the subnet becomes secondary; no label = the name */
    hb_rtnl_addr b = spec("10.9.0.2", 24);
    CHECK_INT(hb_rtnl_addr_add(r, "hbr0", &b), 0);
    CHECK(listed(r, AF_INET, hbr0, &b, &got));
    CHECK(got.flags & IFA_F_SECONDARY);
    CHECK_STR(got.label, "hbr0");
    CHECK(!got.has_broadcast);
    CHECK_INT(hb_rtnl_addr_del(r, "hbr0", &b), 0);
    /* by index instead of name */
    b.ifindex = hbr0;
    CHECK_INT(hb_rtnl_addr_add(r, NULL, &b), 0);
    CHECK_INT(hb_rtnl_addr_del(r, NULL, &b), 0);
    CHECK_STR(hb_rtnl_last_error(r), "");

    /* refusals before the kernel */
    hb_rtnl_addr bad = a;
    snprintf(bad.label, sizeof(bad.label), "hbr1:0");
    CHECK_INT(hb_rtnl_addr_add(r, "hbr0", &bad), -EINVAL);
    CHECK_STR(hb_rtnl_last_error(r),
              "adding 10.9.0.1/24 to hbr0 "
              "(the label hbr1:0 does not begin with the interface name)");
    CHECK_INT(hb_rtnl_addr_add(r, "nosuch0", &b), -ENODEV);
    CHECK_STR(hb_rtnl_last_error(r), "adding 10.9.0.2/24 to nosuch0");
    bad = spec("10.9.0.3", 24);
    CHECK_INT(hb_rtnl_addr_add(r, NULL, &bad), -EINVAL); /* neither name nor index */

    /* IPv6 without DAD is usable at once; with DAD it starts tentative */
    hb_rtnl_addr v6 = spec("2001:db8:9::1", 64);
    v6.flags = IFA_F_NODAD;
    CHECK_INT(hb_rtnl_addr_add(r, "hbr0", &v6), 0);
    CHECK(listed(r, AF_INET6, hbr0, &v6, &got));
    CHECK(got.flags & IFA_F_NODAD);
    CHECK(!(got.flags & IFA_F_TENTATIVE));
    CHECK_STR(got.label, "");
    hb_rtnl_addr dad = spec("2001:db8:9::2", 64);
    CHECK_INT(hb_rtnl_addr_add(r, "hbr0", &dad), 0);
    CHECK(listed(r, AF_INET6, hbr0, &dad, &got));
    CHECK(got.flags & IFA_F_TENTATIVE);
    CHECK_INT(hb_rtnl_addr_add(r, "hbr0", &v6), -EEXIST);
    CHECK_INT(hb_rtnl_addr_del(r, "hbr0", &dad), 0);
    /* a delete must name the prefix length the address has */
    v6.prefixlen = 80;
    CHECK_INT(hb_rtnl_addr_del(r, "hbr0", &v6), -EADDRNOTAVAIL);
    CHECK_STR(hb_rtnl_last_error(r), "removing 2001:db8:9::1/80 from hbr0");
    v6.prefixlen = 64;

    /* a callback that stops a dump: its error comes back, the socket stays usable */
    int calls = 0;
    CHECK_INT(hb_rtnl_addr_list(r, 0, 0, stop_at_first, &calls), -ECANCELED);
    CHECK_INT(calls, 1);
    CHECK(listed(r, AF_INET6, hbr0, &v6, NULL));
}

static void findif(hb_rtnl *r, uint32_t hbr0, uint32_t hbr1)
{
    hb_findif fi;
    uint8_t addr[16] = {0};
    char text[16];
    inet_pton(AF_INET, "10.9.0.77", addr);
    CHECK_INT(hb_rtnl_findif(r, AF_INET, addr, NULL, &fi), 0);
    CHECK_STR(fi.ifname, "hbr0");
    CHECK_INT(fi.ifindex, hbr0);
    CHECK_INT(fi.prefixlen, 24);
    CHECK(fi.has_broadcast);
    CHECK_STR(inet_ntop(AF_INET, fi.broadcast, text, sizeof(text)), "10.9.0.255");
    CHECK(!fi.differs);
    /* the right interface named: no difference; another: the computed one */
    CHECK_INT(hb_rtnl_findif(r, AF_INET, addr, "hbr0", &fi), 0);
    CHECK(!fi.differs);
    CHECK_INT(hb_rtnl_findif(r, AF_INET, addr, "hbr1", &fi), 0);
    CHECK(fi.differs);
    CHECK_STR(fi.ifname, "hbr0");
    CHECK_INT(hb_rtnl_findif(r, AF_INET, addr, "nosuch0", &fi), -ENODEV);
    CHECK_STR(hb_rtnl_last_error(r),
              "finding the interface for 10.9.0.77 (reading interface nosuch0)");
    /* the second subnet on the second interface */
    inet_pton(AF_INET, "10.9.1.50", addr);
    CHECK_INT(hb_rtnl_findif(r, AF_INET, addr, NULL, &fi), 0);
    CHECK_STR(fi.ifname, "hbr1");
    CHECK_INT(fi.ifindex, hbr1);
    CHECK_INT(fi.prefixlen, 26);
    CHECK_STR(inet_ntop(AF_INET, fi.broadcast, text, sizeof(text)), "10.9.1.63");
    /* nothing connected covers it (a gatewayed route does not count) */
    inet_pton(AF_INET, "172.20.0.1", addr);
    CHECK_INT(hb_rtnl_findif(r, AF_INET, addr, NULL, &fi), -ENETUNREACH);
    CHECK_STR(hb_rtnl_last_error(r),
              "finding the interface for 172.20.0.1 (no connected route covers it)");
    inet_pton(AF_INET, "10.200.0.1", addr);
    CHECK_INT(hb_rtnl_findif(r, AF_INET, addr, NULL, &fi), -ENETUNREACH);
    /* IPv6 */
    uint8_t a6[16];
    inet_pton(AF_INET6, "2001:db8:9::77", a6);
    CHECK_INT(hb_rtnl_findif(r, AF_INET6, a6, NULL, &fi), 0);
    CHECK_STR(fi.ifname, "hbr0");
    CHECK_INT(fi.prefixlen, 64);
    CHECK(!fi.has_broadcast);
    inet_pton(AF_INET6, "fe80::77", a6);
    CHECK_INT(hb_rtnl_findif(r, AF_INET6, a6, NULL, &fi), -EINVAL);
    CHECK_INT(hb_rtnl_findif(r, AF_INET6, a6, "hbr1", &fi), 0);
    CHECK_STR(fi.ifname, "hbr1");
    CHECK_INT(hb_rtnl_findif(r, 7, a6, NULL, &fi), -EINVAL);

    /* the kernel's own lookup */
    hb_rtnl_route rt;
    inet_pton(AF_INET, "10.9.0.77", addr);
    CHECK_INT(hb_rtnl_route_get(r, AF_INET, addr, &rt), 0);
    CHECK_INT(rt.oif, hbr0);
    CHECK_INT(rt.dst_len, 24);
    CHECK_INT(rt.scope, RT_SCOPE_LINK);
    inet_pton(AF_INET, "172.20.0.1", addr);
    CHECK_INT(hb_rtnl_route_get(r, AF_INET, addr, &rt), 0);
    CHECK(rt.has_gateway);
    inet_pton(AF_INET, "10.200.0.1", addr);
    CHECK_INT(hb_rtnl_route_get(r, AF_INET, addr, &rt), -ENETUNREACH);
    CHECK_STR(hb_rtnl_last_error(r), "looking up the route to 10.200.0.1");

    found f;
    memset(&f, 0, sizeof(f));
    CHECK_INT(hb_rtnl_route_list(r, AF_INET, count_route, &f), 0);
    CHECK_INT(f.routes, 3); /* 10.9.0.0/24, 10.9.1.0/26, 172.20.0.0/16 via */
}

int main(void)
{
    if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0 || system("ip -V >/dev/null 2>&1") != 0) {
        printf("test_rtnl_ops: needs root, network namespaces and ip(8): skipped\n");
        return hbt_finish("test_rtnl_ops");
    }
    hb_rtnl *r = NULL;
    CHECK_INT(hb_rtnl_open(&r, "/nonexistent/netns"), -ENOENT);
    CHECK(r == NULL);
    hb_rtnl_close(NULL);
    CHECK_INT(hb_rtnl_open(&r, "/proc/self/ns/net"), 0);
    if (r == NULL)
        return hbt_finish("test_rtnl_ops");

    hb_rtnl_link l;
    CHECK_INT(hb_rtnl_link_get(r, "lo", &l), 0);
    CHECK_INT(l.ifindex, 1);
    CHECK_INT(l.type, ARPHRD_LOOPBACK);
    CHECK_INT(hb_rtnl_link_get(r, "nosuch0", &l), -ENODEV);
    CHECK_STR(hb_rtnl_last_error(r), "reading interface nosuch0");
    CHECK_INT(hb_rtnl_link_get(r, "much-too-long-name", &l), -ENODEV);
    CHECK_INT(hb_rtnl_link_by_index(r, 999, &l), -ENODEV);
    CHECK_STR(hb_rtnl_last_error(r), "reading interface #999");

    if (run("ip link set lo up") || run("ip link add hbr0 type veth peer name hbr0p") ||
        run("ip link add hbr1 type veth peer name hbr1p") ||
        run("ip link set hbr0 up && ip link set hbr0p up") ||
        run("ip link set hbr1 up && ip link set hbr1p up") ||
        run("ip addr add 10.9.1.1/26 brd + dev hbr1") ||
        run("ip -6 addr add 2001:db8:19::1/64 dev hbr1 nodad"))
        return hbt_finish("test_rtnl_ops");
    uint32_t hbr0 = if_nametoindex("hbr0"), hbr1 = if_nametoindex("hbr1");
    CHECK_INT(hb_rtnl_link_get(r, "hbr0", &l), 0);
    CHECK_INT(l.ifindex, hbr0);
    CHECK_INT(l.hwaddr_len, 6);
    CHECK(l.flags & IFF_UP);
    CHECK_INT(hb_rtnl_link_by_index(r, hbr1, &l), 0);
    CHECK_STR(l.name, "hbr1");
    found f;
    memset(&f, 0, sizeof(f));
    CHECK_INT(hb_rtnl_link_list(r, count_link, &f), 0);
    CHECK_INT(f.links, 5);
    CHECK(f.saw_lo && f.saw_hbr0 && f.saw_hbr1);

    addresses(r, hbr0);
    run("ip route add 172.20.0.0/16 via 10.9.0.254");
    findif(r, hbr0, hbr1);

    hb_rtnl_addr a = spec("10.9.0.1", 24);
    CHECK_INT(hb_rtnl_addr_del(r, "hbr0", &a), 0);
    CHECK_INT(hb_rtnl_addr_del(r, "hbr0", &a), -EADDRNOTAVAIL);
    CHECK_STR(hb_rtnl_last_error(r), "removing 10.9.0.1/24 from hbr0");
    CHECK_STR(hb_rtnl_kernel_message(r), "ipv4: Address not found");
    hb_rtnl_close(r);
    return hbt_finish("test_rtnl_ops");
}
