/* test_rtnl_msg.c - rtnetlink requests and replies for virtual IPs against
 * what iproute2 6.1 and the kernel exchanged (vectors/rtnl/ip-captured.txt,
 * recorded by vectors/rtnl/capture.sh; the topology is described there):
 * our requests have ip(8)'s layouts byte for byte (sequence numbers and two
 * deliberate differences aside), the kernel's replies decode to what
 * `ip` printed (vectors/rtnl/ip-output.txt), findif picks the right
 * connected route from the captured tables, and malformed replies are
 * refused. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/socket.h>

#include "hbtest.h"

/* ------------------------------------------------------------ vectors */

#define RV_MAX 160
#define RV_BYTES 16384

typedef struct rv_datagram {
    char label[64];
    bool request;
    uint8_t bytes[RV_BYTES];
    size_t len;
} rv_datagram;

static rv_datagram rv_all[RV_MAX];
static size_t rv_count;

static void rv_load(int argc, char **argv)
{
    static char line[2 * RV_BYTES + 256];
    FILE *f = hbt_open_vectors(argc, argv, "rtnl/ip-captured.txt");
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *save = NULL;
        char *label = strtok_r(line, " \n", &save);
        char *dir = strtok_r(NULL, " \n", &save);
        char *hex = strtok_r(NULL, " \n", &save);
        if (!hex || rv_count == RV_MAX || strlen(label) >= sizeof(rv_all[0].label)) {
            fprintf(stderr, "bad vector line\n");
            exit(2);
        }
        rv_datagram *d = &rv_all[rv_count++];
        snprintf(d->label, sizeof(d->label), "%s", label);
        d->request = strcmp(dir, "req") == 0;
        long n = hbt_unhex(hex, d->bytes, sizeof(d->bytes));
        if (n < 0) {
            fprintf(stderr, "bad hex in vector %s\n", label);
            exit(2);
        }
        d->len = (size_t)n;
    }
    fclose(f);
}

/* The nth (0-based) datagram of `label` in one direction; exits if absent
 * (the vector file and this test must agree). */
static const rv_datagram *rv_find(const char *label, bool request, int nth)
{
    int want = nth;
    for (size_t i = 0; i < rv_count; i++)
        if (rv_all[i].request == request && strcmp(rv_all[i].label, label) == 0 && nth-- == 0)
            return &rv_all[i];
    fprintf(stderr, "no vector %s %s #%d\n", label, request ? "req" : "rep", want);
    exit(2);
}

/* The first request of `label` whose message type is `type`. */
static const rv_datagram *rv_request(const char *label, uint16_t type)
{
    for (size_t i = 0; i < rv_count; i++) {
        const rv_datagram *d = &rv_all[i];
        uint16_t t;
        memcpy(&t, d->bytes + 4, 2);
        if (d->request && strcmp(d->label, label) == 0 && t == type)
            return d;
    }
    fprintf(stderr, "no %s request of type %u\n", label, type);
    exit(2);
}

static uint32_t seq_of(const rv_datagram *d)
{
    uint32_t seq;
    memcpy(&seq, d->bytes + 8, 4);
    return seq;
}

/* Our encoding against ip(8)'s, after copying over what legitimately
 * differs: the flags (2 bytes at 6) when patch_flags, and the bytes listed. */
static void same_as_ip(const char *label, const rv_datagram *d, const uint8_t *ours, ssize_t n,
                       bool patch_flags, const size_t *patch, size_t npatch)
{
    uint8_t want[RV_BYTES];
    CHECK(n > 0);
    if (n <= 0)
        return;
    memcpy(want, d->bytes, d->len);
    if (patch_flags && d->len >= 8)
        memcpy(want + 6, ours + 6, 2);
    for (size_t i = 0; i < npatch; i++)
        if (patch[i] < d->len && patch[i] < (size_t)n)
            want[patch[i]] = ours[patch[i]];
    if ((size_t)n != d->len || memcmp(ours, want, d->len) != 0) {
        fprintf(stderr, "%s: our request differs from ip(8)'s\n", label);
        for (size_t i = 0; i < (size_t)n || i < d->len; i++)
            fprintf(stderr, "%s%02x/%02x", i % 16 ? " " : "\n  ",
                    i < (size_t)n ? ours[i] : 0, i < d->len ? want[i] : 0);
        fprintf(stderr, "\n");
    }
    CHECK_MEM(ours, n, want, d->len);
}

static void v4(const char *text, uint8_t out[16])
{
    memset(out, 0, 16);
    CHECK(inet_pton(AF_INET, text, out) == 1);
}

static void v6(const char *text, uint8_t out[16])
{
    CHECK(inet_pton(AF_INET6, text, out) == 1);
}

static hb_rtnl_addr addr_spec(uint8_t family, const char *text, uint8_t prefixlen,
                              uint32_t ifindex)
{
    hb_rtnl_addr a;
    memset(&a, 0, sizeof(a));
    a.family = family;
    a.prefixlen = prefixlen;
    a.ifindex = ifindex;
    if (family == AF_INET)
        v4(text, a.addr);
    else
        v6(text, a.addr);
    return a;
}

/* ------------------------------------------------------------ requests */

static void requests_match_ip(void)
{
    uint8_t buf[HB_RTNL_REQ_MAX];
    const rv_datagram *d;

    /* ip addr add 10.0.0.100/24 brd 10.0.0.255 dev eth0 label eth0:0 */
    hb_rtnl_addr a = addr_spec(AF_INET, "10.0.0.100", 24, 3);
    a.has_broadcast = true;
    CHECK(inet_pton(AF_INET, "10.0.0.255", a.broadcast) == 1);
    snprintf(a.label, sizeof(a.label), "eth0:0");
    d = rv_request("addr-add-v4-label", RTM_NEWADDR);
    same_as_ip("addr-add-v4-label", d,
               buf, hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, seq_of(d), &a), false, NULL,
               0);

    /* ip addr add 10.0.0.101/24 dev eth0 */
    a = addr_spec(AF_INET, "10.0.0.101", 24, 3);
    d = rv_request("addr-add-v4-plain", RTM_NEWADDR);
    same_as_ip("addr-add-v4-plain", d, buf,
               hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, seq_of(d), &a), false, NULL, 0);

    /* ip addr add 2001:db8::100/64 dev eth0 nodad */
    a = addr_spec(AF_INET6, "2001:db8::100", 64, 3);
    a.flags = IFA_F_NODAD;
    d = rv_request("addr-add-v6-nodad", RTM_NEWADDR);
    same_as_ip("addr-add-v6-nodad", d, buf,
               hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, seq_of(d), &a), false, NULL, 0);

    /* ip addr add 2001:db8::101/64 dev eth0 */
    a = addr_spec(AF_INET6, "2001:db8::101", 64, 3);
    d = rv_request("addr-add-v6-dad", RTM_NEWADDR);
    same_as_ip("addr-add-v6-dad", d, buf,
               hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, seq_of(d), &a), false, NULL, 0);

    /* ip addr del 10.0.0.100/24 dev eth0; ip addr del 2001:db8::100/64 dev eth0 */
    a = addr_spec(AF_INET, "10.0.0.100", 24, 3);
    d = rv_request("addr-del-v4", RTM_DELADDR);
    same_as_ip("addr-del-v4", d, buf,
               hb_rtnl_encode_addr(buf, sizeof(buf), RTM_DELADDR, seq_of(d), &a), false, NULL, 0);
    a = addr_spec(AF_INET6, "2001:db8::100", 64, 3);
    d = rv_request("addr-del-v6", RTM_DELADDR);
    same_as_ip("addr-del-v6", d, buf,
               hb_rtnl_encode_addr(buf, sizeof(buf), RTM_DELADDR, seq_of(d), &a), false, NULL, 0);

    /* ip -4 addr show / ip -6 addr show: the address dumps */
    d = rv_request("addr-dump-v4", RTM_GETADDR);
    same_as_ip("addr-dump-v4", d, buf,
               hb_rtnl_encode_addr_dump(buf, sizeof(buf), seq_of(d), AF_INET), false, NULL, 0);
    d = rv_request("addr-dump-v6", RTM_GETADDR);
    same_as_ip("addr-dump-v6", d, buf,
               hb_rtnl_encode_addr_dump(buf, sizeof(buf), seq_of(d), AF_INET6), false, NULL, 0);

    /* ip -4/-6 route show table main */
    d = rv_request("route-dump-v4", RTM_GETROUTE);
    same_as_ip("route-dump-v4", d, buf,
               hb_rtnl_encode_route_dump(buf, sizeof(buf), seq_of(d), AF_INET), false, NULL, 0);
    d = rv_request("route-dump-v6", RTM_GETROUTE);
    same_as_ip("route-dump-v6", d, buf,
               hb_rtnl_encode_route_dump(buf, sizeof(buf), seq_of(d), AF_INET6), false, NULL, 0);

    /* ip route get [fibmatch]: we add NLM_F_ACK (an answer must end with an
     * NLMSG_ERROR for hb_nl_rx); everything else is ip(8)'s, including
     * RTM_F_LOOKUP_TABLE for IPv4 only */
    uint8_t dst[16];
    v4("10.0.0.100", dst);
    d = rv_request("route-get-v4", RTM_GETROUTE);
    ssize_t n = hb_rtnl_encode_route_get(buf, sizeof(buf), seq_of(d), AF_INET, dst, false);
    same_as_ip("route-get-v4", d, buf, n, true, NULL, 0);
    CHECK_INT(buf[6], NLM_F_REQUEST | NLM_F_ACK);
    d = rv_request("route-fibmatch-v4", RTM_GETROUTE);
    same_as_ip("route-fibmatch-v4", d, buf,
               hb_rtnl_encode_route_get(buf, sizeof(buf), seq_of(d), AF_INET, dst, true), true,
               NULL, 0);
    v6("2001:db8:5::100", dst);
    d = rv_request("route-fibmatch-v6", RTM_GETROUTE);
    same_as_ip("route-fibmatch-v6", d, buf,
               hb_rtnl_encode_route_get(buf, sizeof(buf), seq_of(d), AF_INET6, dst, true), true,
               NULL, 0);

    /* ip link show dev eth0 (its name lookup): we add NLM_F_ACK and ask for
     * RTEXT_FILTER_SKIP_STATS only, where ip(8) also asks for VF details */
    d = rv_find("link-get", true, 1);
    static const size_t ext_mask[] = {36};
    n = hb_rtnl_encode_link_get(buf, sizeof(buf), seq_of(d), 0, "eth0");
    same_as_ip("link-get", d, buf, n, true, ext_mask, 1);
    CHECK_INT(buf[36], RTEXT_FILTER_SKIP_STATS);
    /* by index: ip(8)'s lookup of the interface index 2 during `ip route` */
    d = rv_request("route-dump-v6", RTM_GETLINK);
    n = hb_rtnl_encode_link_get(buf, sizeof(buf), seq_of(d), 3, NULL);
    same_as_ip("link-get by index", d, buf, n, true, ext_mask, 1);

    /* the link dump: ip(8) asks AF_PACKET with VF details; we only check the frame */
    n = hb_rtnl_encode_link_dump(buf, sizeof(buf), 7);
    CHECK_INT(n, 40);
    hb_nl_msg m;
    const uint8_t *pos = buf;
    size_t rem = (size_t)n;
    CHECK_INT(hb_nl_next(&pos, &rem, &m), 1);
    CHECK_INT(m.type, RTM_GETLINK);
    CHECK_INT(m.flags, NLM_F_REQUEST | NLM_F_DUMP);
    CHECK_INT(m.seq, 7);
}

static void request_errors(void)
{
    uint8_t buf[HB_RTNL_REQ_MAX];
    hb_rtnl_addr a = addr_spec(AF_INET, "10.0.0.100", 24, 3);
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_GETADDR, 1, &a), -EINVAL);
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, NULL), -EINVAL);
    a.prefixlen = 33;
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a), -EINVAL);
    a.prefixlen = 32;
    CHECK(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a) > 0);
    a.ifindex = 0;
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a), -EINVAL);
    a.ifindex = 3;
    a.family = 7;
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a), -EINVAL);
    a = addr_spec(AF_INET, "10.0.0.100", 24, 3);
    memset(a.label, 'x', sizeof(a.label)); /* no NUL */
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a), -EINVAL);
    a = addr_spec(AF_INET6, "2001:db8::1", 129, 3);
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a), -EINVAL);
    a.prefixlen = 64;
    snprintf(a.label, sizeof(a.label), "eth0:0"); /* IPv6 has no labels */
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a), -EINVAL);
    a.label[0] = '\0';
    a.has_broadcast = true;
    CHECK_INT(hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a), -EINVAL);
    a.has_broadcast = false;
    /* too small a buffer */
    CHECK_INT(hb_rtnl_encode_addr(buf, 40, RTM_NEWADDR, 1, &a), -ENOSPC);
    CHECK(hb_rtnl_encode_addr(buf, 64, RTM_NEWADDR, 1, &a) == 64);
    /* flags beyond ifa_flags' 8 bits go in IFA_FLAGS too (noprefixroute) */
    a.flags = IFA_F_NODAD | IFA_F_NOPREFIXROUTE;
    ssize_t n = hb_rtnl_encode_addr(buf, sizeof(buf), RTM_NEWADDR, 1, &a);
    CHECK_INT(n, 72);
    CHECK_INT(buf[18], IFA_F_NODAD);
    hb_nl_attr tb[IFA_FLAGS + 1];
    CHECK_INT(hb_nl_parse(buf + 24, (size_t)n - 24, tb, IFA_FLAGS), 0);
    uint32_t flags = 0;
    CHECK_INT(hb_nl_get_u32(&tb[IFA_FLAGS], &flags), 0);
    CHECK_INT(flags, IFA_F_NODAD | IFA_F_NOPREFIXROUTE);

    CHECK_INT(hb_rtnl_encode_addr_dump(buf, sizeof(buf), 1, 3), -EINVAL);
    CHECK(hb_rtnl_encode_addr_dump(buf, sizeof(buf), 1, 0) == 24);
    CHECK_INT(hb_rtnl_encode_route_dump(buf, sizeof(buf), 1, 0), -EINVAL);
    uint8_t dst[16] = {10};
    CHECK_INT(hb_rtnl_encode_route_get(buf, sizeof(buf), 1, AF_INET, NULL, true), -EINVAL);
    CHECK_INT(hb_rtnl_encode_route_get(buf, sizeof(buf), 1, 0, dst, true), -EINVAL);
    CHECK_INT(hb_rtnl_encode_route_get(buf, 20, 1, AF_INET, dst, true), -ENOSPC);
    CHECK_INT(hb_rtnl_encode_link_get(buf, sizeof(buf), 1, 0, NULL), -EINVAL);
    CHECK_INT(hb_rtnl_encode_link_get(buf, sizeof(buf), 1, 3, "eth0"), -EINVAL);
    CHECK_INT(hb_rtnl_encode_link_get(buf, sizeof(buf), 1, 0, ""), -EINVAL);
    CHECK_INT(hb_rtnl_encode_link_get(buf, sizeof(buf), 1, 0, "sixteen-chars-xx"), -EINVAL);
    CHECK(hb_rtnl_encode_link_get(buf, sizeof(buf), 1, 0, "fifteen-chars-x") > 0);
}

/* ------------------------------------------------------------ replies */

typedef struct collected {
    int n;
    int other; /* messages of another type */
    hb_rtnl_addr addr[16];
    hb_rtnl_route route[16];
    hb_rtnl_link link[8];
} collected;

/* Every message of every reply datagram of `label`, decoded. */
static void collect(const char *label, collected *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < rv_count; i++) {
        const rv_datagram *d = &rv_all[i];
        if (d->request || strcmp(d->label, label) != 0)
            continue;
        const uint8_t *pos = d->bytes;
        size_t rem = d->len;
        hb_nl_msg m;
        int rc;
        while ((rc = hb_nl_next(&pos, &rem, &m)) == 1) {
            int k = c->n;
            if (m.type == RTM_NEWADDR && k < 16) {
                CHECK_INT(hb_rtnl_decode_addr(&m, &c->addr[k]), 0);
                CHECK_INT(hb_rtnl_decode_route(&m, &c->route[k]), -EPROTO);
                c->n++;
            } else if (m.type == RTM_NEWROUTE && k < 16) {
                CHECK_INT(hb_rtnl_decode_route(&m, &c->route[k]), 0);
                CHECK_INT(hb_rtnl_decode_link(&m, &c->link[0]), -EPROTO);
                c->n++;
            } else {
                c->other++;
            }
        }
        CHECK_INT(rc, 0);
    }
}

static void link_replies(void)
{
    /* ip link show dev eth0: the answer to the name lookup */
    const rv_datagram *d = rv_find("link-get", false, 1);
    hb_nl_msg m;
    const uint8_t *pos = d->bytes;
    size_t rem = d->len;
    CHECK_INT(hb_nl_next(&pos, &rem, &m), 1);
    hb_rtnl_link l;
    CHECK_INT(hb_rtnl_decode_link(&m, &l), 0);
    CHECK_STR(l.name, "eth0");
    CHECK_INT(l.ifindex, 3);
    CHECK_INT(l.type, ARPHRD_ETHER);
    CHECK_INT(l.mtu, 1500);
    CHECK(l.flags & IFF_UP);
    CHECK(l.flags & 0x10000); /* IFF_LOWER_UP (linux/if.h; net/if.h lacks it) */
    CHECK_INT(l.operstate, 6); /* IF_OPER_UP */
    static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
    CHECK_MEM(l.hwaddr, l.hwaddr_len, mac, 6);
    hb_rtnl_addr a;
    CHECK_INT(hb_rtnl_decode_addr(&m, &a), -EPROTO);

    /* ip -o link show: the five interfaces of the dump, in index order */
    static const char *const names[] = {"lo", "eth0p", "eth0", "eth1p", "eth1"};
    int seen = 0;
    d = rv_find("link-dump", false, 1);
    pos = d->bytes;
    rem = d->len;
    while (hb_nl_next(&pos, &rem, &m) == 1) {
        CHECK_INT(hb_rtnl_decode_link(&m, &l), 0);
        if (seen < 5) {
            CHECK_STR(l.name, names[seen]);
            CHECK_INT(l.ifindex, seen + 1);
        }
        seen++;
    }
    CHECK_INT(seen, 5);
    /* lo: loopback, 65536, a 6-byte zero address */
    pos = d->bytes;
    rem = d->len;
    hb_nl_next(&pos, &rem, &m);
    hb_rtnl_decode_link(&m, &l);
    CHECK_INT(l.type, ARPHRD_LOOPBACK);
    CHECK_INT(l.mtu, 65536);
    CHECK(l.flags & IFF_LOOPBACK);
}

static void addr_replies(void)
{
    collected c;
    char text[64];
    /* ip -4 -o addr show (see ip-output.txt) */
    collect("addr-dump-v4", &c);
    CHECK_INT(c.n, 5);
    const hb_rtnl_addr *a = &c.addr[0];
    CHECK_STR(inet_ntop(AF_INET, a->addr, text, sizeof(text)), "127.0.0.1");
    CHECK_INT(a->prefixlen, 8);
    CHECK_INT(a->scope, RT_SCOPE_HOST);
    CHECK_STR(a->label, "lo");
    CHECK(a->flags & IFA_F_PERMANENT);
    a = &c.addr[1]; /* 10.0.0.1/24 brd 10.0.0.255 scope global eth0 */
    CHECK_STR(inet_ntop(AF_INET, a->addr, text, sizeof(text)), "10.0.0.1");
    CHECK_INT(a->ifindex, 3);
    CHECK(a->has_broadcast);
    CHECK_STR(inet_ntop(AF_INET, a->broadcast, text, sizeof(text)), "10.0.0.255");
    CHECK_STR(a->label, "eth0");
    CHECK(!(a->flags & IFA_F_SECONDARY));
    a = &c.addr[2]; /* 10.0.0.100/24 brd 10.0.0.255 scope global secondary eth0:0 */
    CHECK_STR(inet_ntop(AF_INET, a->addr, text, sizeof(text)), "10.0.0.100");
    CHECK_STR(a->label, "eth0:0");
    CHECK(a->flags & IFA_F_SECONDARY);
    CHECK(a->has_broadcast);
    a = &c.addr[3]; /* 10.0.0.101/24 scope global secondary eth0: no broadcast */
    CHECK_STR(inet_ntop(AF_INET, a->addr, text, sizeof(text)), "10.0.0.101");
    CHECK(!a->has_broadcast);
    CHECK_STR(a->label, "eth0");
    a = &c.addr[4];
    CHECK_STR(inet_ntop(AF_INET, a->addr, text, sizeof(text)), "192.168.5.1");
    CHECK_INT(a->ifindex, 5);

    /* ip -6 -o addr show */
    collect("addr-dump-v6", &c);
    CHECK_INT(c.n, 9);
    int tentative = 0, nodad = 0, found = 0;
    for (int i = 0; i < c.n; i++) {
        a = &c.addr[i];
        CHECK_INT(a->family, AF_INET6);
        CHECK(!a->has_broadcast);
        CHECK_STR(a->label, "");
        inet_ntop(AF_INET6, a->addr, text, sizeof(text));
        if (a->flags & IFA_F_TENTATIVE)
            tentative++;
        if (a->flags & IFA_F_NODAD)
            nodad++;
        if (strcmp(text, "2001:db8::101") == 0) { /* added without nodad: in DAD */
            found++;
            CHECK(a->flags & IFA_F_TENTATIVE);
            CHECK_INT(a->prefixlen, 64);
            CHECK_INT(a->ifindex, 3);
        }
        if (strcmp(text, "2001:db8::100") == 0) {
            found++;
            CHECK_INT(a->flags, IFA_F_NODAD | IFA_F_PERMANENT);
        }
    }
    CHECK_INT(found, 2);
    CHECK_INT(tentative, 5); /* 2001:db8::101 and the four link-local addresses */
    CHECK_INT(nodad, 3);
}

static void route_replies(void)
{
    collected c;
    char text[64];
    /* ip -4 route show table main (ip-output.txt) */
    collect("route-dump-v4", &c);
    CHECK_INT(c.n, 5);
    const hb_rtnl_route *r = &c.route[0]; /* default via 10.0.0.254 dev eth0 */
    CHECK_INT(r->dst_len, 0);
    CHECK(r->has_gateway);
    CHECK_STR(inet_ntop(AF_INET, r->gateway, text, sizeof(text)), "10.0.0.254");
    CHECK_INT(r->oif, 3);
    CHECK_INT(r->table, RT_TABLE_MAIN);
    r = &c.route[1]; /* 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 */
    CHECK_STR(inet_ntop(AF_INET, r->dst, text, sizeof(text)), "10.0.0.0");
    CHECK_INT(r->dst_len, 24);
    CHECK_INT(r->protocol, RTPROT_KERNEL);
    CHECK_INT(r->scope, RT_SCOPE_LINK);
    CHECK_INT(r->type, RTN_UNICAST);
    CHECK(!r->has_gateway);
    CHECK(r->has_prefsrc);
    CHECK_STR(inet_ntop(AF_INET, r->prefsrc, text, sizeof(text)), "10.0.0.1");
    CHECK_INT(r->priority, 0);
    r = &c.route[2]; /* 10.0.0.0/24 dev eth1 scope link metric 200 */
    CHECK_INT(r->oif, 5);
    CHECK_INT(r->priority, 200);
    CHECK(!r->has_prefsrc);
    r = &c.route[3]; /* 172.16.0.0/16 via 10.0.0.254 dev eth0 */
    CHECK_INT(r->dst_len, 16);
    CHECK(r->has_gateway);
    CHECK_INT(r->scope, RT_SCOPE_UNIVERSE);

    collect("route-dump-v6", &c);
    CHECK_INT(c.n, 6);
    CHECK_STR(inet_ntop(AF_INET6, c.route[0].dst, text, sizeof(text)), "2001:db8::");
    CHECK_INT(c.route[0].priority, 256);
    CHECK_INT(c.route[0].oif, 3);

    /* ip route get fibmatch: the table entry itself */
    collect("route-fibmatch-v4", &c);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.route[0].dst_len, 24);
    CHECK_INT(c.route[0].oif, 3);
    CHECK_INT(c.route[0].scope, RT_SCOPE_LINK);
    collect("route-fibmatch-v6", &c);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.route[0].oif, 5);
    /* ip route get without fibmatch: the cached host route */
    collect("route-get-v4", &c);
    CHECK_INT(c.n, 1);
    CHECK_INT(c.route[0].dst_len, 32);
    CHECK(c.route[0].flags & RTM_F_CLONED);
}

/* The kernel's refusals, followed as hb_nl_request follows them. */
static void kernel_errors(void)
{
    static const struct {
        const char *label;
        uint16_t type;
        int err;
        const char *ext;
    } cases[] = {
        {"addr-add-v4-exists", RTM_NEWADDR, -EEXIST, "ipv4: Address already assigned"},
        {"addr-del-v4-absent", RTM_DELADDR, -EADDRNOTAVAIL, "ipv4: Address not found"},
        {"route-unreach-v6", RTM_GETROUTE, -ENETUNREACH, ""},
        {"addr-add-v4-label", RTM_NEWADDR, 0, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const rv_datagram *req = rv_request(cases[i].label, cases[i].type);
        const rv_datagram *rep = NULL;
        for (size_t j = (size_t)(req - rv_all) + 1; j < rv_count && !rep; j++)
            if (!rv_all[j].request)
                rep = &rv_all[j];
        CHECK(rep != NULL);
        if (rep == NULL)
            continue;
        hb_nl_rx rx;
        hb_nl_rx_init(&rx, seq_of(req), 0, false, NULL, NULL);
        CHECK_INT(hb_nl_rx_feed(&rx, rep->bytes, rep->len), 1);
        CHECK_INT(hb_nl_rx_result(&rx), cases[i].err);
        CHECK_STR(rx.ext_msg, cases[i].ext);
    }
}

/* ------------------------------------------------------------ findif */

static void findif_on_captured_tables(void)
{
    collected c4, c6;
    collect("route-dump-v4", &c4);
    collect("route-dump-v6", &c6);
    static const struct {
        uint8_t family;
        const char *addr;
        uint32_t want;
        bool found;
        uint32_t oif;
        uint8_t dst_len;
        bool found_want;
    } cases[] = {
        /* connected on eth0 (metric 0) beats eth1's metric-200 copy */
        {AF_INET, "10.0.0.100", 0, true, 3, 24, false},
        {AF_INET, "192.168.5.77", 0, true, 5, 24, false},
        /* only a gatewayed route and the default cover it: none */
        {AF_INET, "172.16.1.1", 0, false, 0, 0, false},
        {AF_INET, "8.8.8.8", 0, false, 0, 0, false},
        /* eth1 asked for: its own (worse) route to 10.0.0.0/24 */
        {AF_INET, "10.0.0.100", 5, true, 3, 24, true},
        /* eth0p asked for: nothing there, eth1 computed */
        {AF_INET, "192.168.5.77", 2, true, 5, 24, false},
        {AF_INET6, "2001:db8::100", 0, true, 3, 64, false},
        {AF_INET6, "2001:db8:5::abcd", 0, true, 5, 64, false},
        {AF_INET6, "2001:db8:99::1", 0, false, 0, 0, false},
        /* four fe80::/64 routes with the same metric: the first listed */
        {AF_INET6, "fe80::1", 0, true, 2, 64, false},
        {AF_INET6, "fe80::1", 5, true, 2, 64, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t addr[16] = {0};
        if (cases[i].family == AF_INET)
            v4(cases[i].addr, addr);
        else
            v6(cases[i].addr, addr);
        collected *c = cases[i].family == AF_INET ? &c4 : &c6;
        hb_findif_sel s;
        hb_findif_init(&s, cases[i].family, addr, cases[i].want);
        for (int k = 0; k < c->n; k++)
            hb_findif_offer(&s, &c->route[k]);
        /* routes of the other family are ignored */
        collected *o = cases[i].family == AF_INET ? &c6 : &c4;
        for (int k = 0; k < o->n; k++)
            hb_findif_offer(&s, &o->route[k]);
        CHECK_INT(s.found, cases[i].found);
        CHECK_INT(s.found_want, cases[i].found_want);
        if (cases[i].found) {
            CHECK_INT(s.best.oif, cases[i].oif);
            CHECK_INT(s.best.dst_len, cases[i].dst_len);
        }
        if (cases[i].found_want)
            CHECK_INT(s.best_want.oif, cases[i].want);
    }

    /* longest prefix first, then the metric; table, type, scope filtered */
    hb_rtnl_route r24, r25, other_table, blackhole, global_scope;
    memset(&r24, 0, sizeof(r24));
    r24.family = AF_INET;
    r24.dst_len = 24;
    v4("10.1.1.0", r24.dst);
    r24.table = RT_TABLE_MAIN;
    r24.type = RTN_UNICAST;
    r24.scope = RT_SCOPE_LINK;
    r24.oif = 7;
    r24.priority = 0;
    r25 = r24;
    r25.dst_len = 25;
    v4("10.1.1.128", r25.dst);
    r25.oif = 8;
    r25.priority = 500;
    other_table = r25;
    other_table.dst_len = 32;
    other_table.table = RT_TABLE_LOCAL;
    blackhole = other_table;
    blackhole.table = RT_TABLE_MAIN;
    blackhole.type = RTN_BLACKHOLE;
    global_scope = blackhole;
    global_scope.type = RTN_UNICAST;
    global_scope.scope = RT_SCOPE_UNIVERSE;
    uint8_t addr[16];
    v4("10.1.1.200", addr);
    hb_findif_sel s;
    hb_findif_init(&s, AF_INET, addr, 0);
    hb_findif_offer(&s, &r24);
    hb_findif_offer(&s, &other_table);
    hb_findif_offer(&s, &blackhole);
    hb_findif_offer(&s, &global_scope);
    hb_findif_offer(&s, &r25);
    CHECK(s.found);
    CHECK_INT(s.best.oif, 8);
    v4("10.1.1.100", addr);
    hb_findif_init(&s, AF_INET, addr, 0);
    hb_findif_offer(&s, &r25);
    hb_findif_offer(&s, &r24);
    CHECK_INT(s.best.oif, 7);

    CHECK(hb_rtnl_route_covers(&r25, AF_INET, (uint8_t[16]){10, 1, 1, 255}));
    CHECK(!hb_rtnl_route_covers(&r25, AF_INET, (uint8_t[16]){10, 1, 1, 127}));
    CHECK(!hb_rtnl_route_covers(&r25, AF_INET6, (uint8_t[16]){10, 1, 1, 200}));
}

static void broadcasts(void)
{
    static const struct {
        const char *addr;
        uint8_t prefixlen;
        const char *want; /* NULL: none */
    } cases[] = {
        {"10.0.0.100", 24, "10.0.0.255"}, {"10.0.0.100", 25, "10.0.0.127"},
        {"172.16.5.4", 12, "172.31.255.255"}, {"192.168.1.1", 30, "192.168.1.3"},
        {"192.168.1.1", 31, NULL}, {"192.168.1.1", 32, NULL}, {"10.1.2.3", 0, "255.255.255.255"},
        {"10.1.2.3", 8, "10.255.255.255"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t a[16], b[4];
        char text[16];
        v4(cases[i].addr, a);
        bool has = hb_ipv4_broadcast(a, cases[i].prefixlen, b);
        CHECK_INT(has, cases[i].want != NULL);
        if (has && cases[i].want)
            CHECK_STR(inet_ntop(AF_INET, b, text, sizeof(text)), cases[i].want);
    }
}

/* ------------------------------------------------------------ malformed */

/* A message built by hand: header type, then `payload`. */
static hb_nl_msg msg(uint16_t type, const uint8_t *payload, size_t len)
{
    hb_nl_msg m = {.type = type, .payload = payload, .len = len};
    return m;
}

static void malformed_replies(void)
{
    /* take the captured 10.0.0.100 address message and damage copies */
    const rv_datagram *d = rv_find("addr-dump-v4", false, 4);
    hb_nl_msg m;
    const uint8_t *pos = d->bytes;
    size_t rem = d->len;
    for (int i = 0; i < 3; i++)
        CHECK_INT(hb_nl_next(&pos, &rem, &m), 1);
    uint8_t p[512];
    size_t len = m.len;
    CHECK(len < sizeof(p));
    memcpy(p, m.payload, len);
    hb_rtnl_addr a;
    hb_nl_msg good = msg(RTM_NEWADDR, p, len);
    CHECK_INT(hb_rtnl_decode_addr(&good, &a), 0);
    CHECK_STR(a.label, "eth0:0");

    /* every truncation of the fixed header is refused; cut attributes too */
    for (size_t cut = 0; cut < 8; cut++) {
        hb_nl_msg t = msg(RTM_NEWADDR, p, cut);
        CHECK_INT(hb_rtnl_decode_addr(&t, &a), -EBADMSG);
    }
    for (size_t cut = 9; cut < len; cut++) {
        hb_nl_msg t = msg(RTM_NEWADDR, p, cut);
        int rc = hb_rtnl_decode_addr(&t, &a);
        CHECK(rc == 0 || rc == -EBADMSG); /* a cut at an attribute boundary is whole */
    }
    hb_nl_msg only_header = msg(RTM_NEWADDR, p, 8);
    CHECK_INT(hb_rtnl_decode_addr(&only_header, &a), -EBADMSG); /* no address */

    /* the attribute after the header: IFA_ADDRESS 8 bytes; make it 6 */
    uint8_t q[512];
    memcpy(q, p, len);
    CHECK_INT(q[8], 8);
    q[8] = 6;
    hb_nl_msg bad = msg(RTM_NEWADDR, q, len);
    CHECK_INT(hb_rtnl_decode_addr(&bad, &a), -EBADMSG);
    /* an attribute running past the end */
    memcpy(q, p, len);
    q[8] = 200;
    CHECK_INT(hb_rtnl_decode_addr(&bad, &a), -EBADMSG);
    /* unknown family, prefix longer than the family allows */
    memcpy(q, p, len);
    q[0] = 17;
    CHECK_INT(hb_rtnl_decode_addr(&bad, &a), -EBADMSG);
    memcpy(q, p, len);
    q[1] = 33;
    CHECK_INT(hb_rtnl_decode_addr(&bad, &a), -EBADMSG);
    /* a label without its NUL */
    memcpy(q, p, len);
    for (size_t off = 8; off + 4 <= len;) {
        uint16_t alen, type;
        memcpy(&alen, q + off, 2);
        memcpy(&type, q + off + 2, 2);
        if (type == IFA_LABEL)
            q[off + alen - 1] = 'x';
        off += (alen + 3u) & ~3u;
    }
    CHECK_INT(hb_rtnl_decode_addr(&bad, &a), -EBADMSG);
    /* wrong message type */
    hb_nl_msg wrong = msg(RTM_NEWROUTE, p, len);
    CHECK_INT(hb_rtnl_decode_addr(&wrong, &a), -EPROTO);

    /* unknown attributes are skipped: append type 0x7ff0 and IFA_MAX+5 */
    memcpy(q, p, len);
    static const uint8_t extra[] = {8, 0, 0xf0, 0x7f, 1, 2, 3, 4, 5, 0, IFA_MAX + 5, 0, 9, 0, 0, 0};
    memcpy(q + len, extra, sizeof(extra));
    hb_nl_msg longer = msg(RTM_NEWADDR, q, len + sizeof(extra));
    CHECK_INT(hb_rtnl_decode_addr(&longer, &a), 0);
    CHECK_STR(a.label, "eth0:0");

    /* routes: bad family, dst_len, gateway size */
    collected c;
    collect("route-dump-v4", &c);
    uint8_t rt[64] = {AF_INET, 24, 0, 0, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_LINK, RTN_UNICAST,
                      0, 0, 0, 0,
                      8, 0, RTA_DST, 0, 10, 0, 0, 0xff,
                      8, 0, RTA_OIF, 0, 3, 0, 0, 0};
    hb_rtnl_route r;
    hb_nl_msg rm = msg(RTM_NEWROUTE, rt, 28);
    CHECK_INT(hb_rtnl_decode_route(&rm, &r), 0);
    CHECK_INT(r.dst[3], 0); /* host bits cleared */
    CHECK_INT(r.oif, 3);
    rt[0] = 3;
    CHECK_INT(hb_rtnl_decode_route(&rm, &r), -EBADMSG);
    rt[0] = AF_INET;
    rt[1] = 33;
    CHECK_INT(hb_rtnl_decode_route(&rm, &r), -EBADMSG);
    rt[1] = 24;
    rt[12] = 6; /* RTA_DST of 2 bytes */
    CHECK_INT(hb_rtnl_decode_route(&rm, &r), -EBADMSG);
    rt[12] = 8;
    rt[20] = 6; /* RTA_OIF of 2 bytes */
    CHECK_INT(hb_rtnl_decode_route(&rm, &r), -EBADMSG);
    rt[20] = 8;
    hb_nl_msg short_rt = msg(RTM_NEWROUTE, rt, 11);
    CHECK_INT(hb_rtnl_decode_route(&short_rt, &r), -EBADMSG);

    /* links: index 0, no name, name without NUL, hardware address too long */
    uint8_t li[96] = {0, 0, 1, 0, 3, 0, 0, 0, 0x43, 0x10, 0x01, 0, 0, 0, 0, 0,
                      9, 0, IFLA_IFNAME, 0, 'e', 't', 'h', '0', 0, 0, 0, 0};
    hb_rtnl_link l;
    hb_nl_msg lm = msg(RTM_NEWLINK, li, 28);
    CHECK_INT(hb_rtnl_decode_link(&lm, &l), 0);
    CHECK_STR(l.name, "eth0");
    li[4] = 0;
    CHECK_INT(hb_rtnl_decode_link(&lm, &l), -EBADMSG);
    li[4] = 3;
    li[24] = 'x';
    CHECK_INT(hb_rtnl_decode_link(&lm, &l), -EBADMSG);
    li[24] = 0;
    hb_nl_msg noname = msg(RTM_NEWLINK, li, 16);
    CHECK_INT(hb_rtnl_decode_link(&noname, &l), -EBADMSG);
    li[28] = 40; /* IFLA_ADDRESS with 36 bytes */
    li[30] = IFLA_ADDRESS;
    hb_nl_msg bighw = msg(RTM_NEWLINK, li, 68);
    CHECK_INT(hb_rtnl_decode_link(&bighw, &l), -EBADMSG);
    hb_nl_msg wrong_link = msg(RTM_NEWADDR, li, 28);
    CHECK_INT(hb_rtnl_decode_link(&wrong_link, &l), -EPROTO);
}

static void address_text(void)
{
    uint8_t family = 9, addr[16], want[16] = {10, 0, 0, 100};
    char text[HB_RTNL_ADDR_TEXT];
    CHECK_INT(hb_rtnl_addr_parse("10.0.0.100", &family, addr), 0);
    CHECK_INT(family, AF_INET);
    CHECK_MEM(addr, 16, want, 16);
    CHECK_STR(hb_rtnl_addr_text(family, addr, text, sizeof(text)), "10.0.0.100");
    CHECK_INT(hb_rtnl_addr_parse("2001:DB8::0:1", &family, addr), 0);
    CHECK_INT(family, AF_INET6);
    CHECK_STR(hb_rtnl_addr_text(family, addr, text, sizeof(text)), "2001:db8::1");
    static const char *const bad[] = {"", "10.0.0", "10.0.0.256", "10.0.0.1/24", "eth0",
                                      "2001:db8::1::2", " 10.0.0.1", "fe80::1%eth0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(hb_rtnl_addr_parse(bad[i], &family, addr), -EINVAL);
        CHECK_INT(family, 0);
    }
    CHECK_INT(hb_rtnl_addr_parse(NULL, &family, addr), -EINVAL);
    CHECK_STR(hb_rtnl_addr_text(3, addr, text, sizeof(text)), "?");
}

int main(int argc, char **argv)
{
    rv_load(argc, argv);
    requests_match_ip();
    request_errors();
    link_replies();
    addr_replies();
    route_replies();
    kernel_errors();
    findif_on_captured_tables();
    broadcasts();
    malformed_replies();
    address_text();
    return hbt_finish("test_rtnl_msg");
}
