/*
 * rtnl_msg.c - rtnetlink messages for virtual IPs: address, route and link
 * requests built in caller buffers, their replies decoded, and findif's
 * choice of a connected route.  Pure: no I/O, no allocation, no globals.
 * Framing and attributes come from nl_msg.c.
 *
 * Wire format (linux/rtnetlink.h, if_addr.h, if_link.h): after the 16-byte
 * struct nlmsghdr comes a fixed family header - struct ifaddrmsg (8 bytes:
 * family, prefixlen, flags, scope, index), struct rtmsg (12: family,
 * dst_len, src_len, tos, table, protocol, scope, type, flags) or struct
 * ifinfomsg (16: family, pad, type, index, flags, change) - then
 * attributes.  The request layouts are those iproute2 6.1 sends (recorded
 * in test/vectors/rtnl/ip-captured.txt).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "hbcore.h"

_Static_assert(HB_IFA_F_SECONDARY == IFA_F_SECONDARY && HB_IFA_F_NODAD == IFA_F_NODAD &&
                   HB_IFA_F_DADFAILED == IFA_F_DADFAILED &&
                   HB_IFA_F_TENTATIVE == IFA_F_TENTATIVE &&
                   HB_IFA_F_NOPREFIXROUTE == IFA_F_NOPREFIXROUTE,
               "IFA_F_* copies in hbcore.h");
_Static_assert(HB_IFF_UP == IFF_UP && HB_IFF_LOWER_UP == 0x10000, "IFF_* copies in hbcore.h");
_Static_assert(HB_RTNL_IFNAME_MAX == IFNAMSIZ, "IFNAMSIZ");

/* ------------------------------------------------------------------ helpers */

static size_t addr_len(uint8_t family)
{
    return family == AF_INET ? 4u : family == AF_INET6 ? 16u : 0u;
}

/* Appends a fixed family header right after the netlink header.  The
 * builder has no call for this (generic netlink's header is its own
 * begin), so it is done here through the builder's public fields, with the
 * same sticky-error rules. */
static uint8_t *put_fixed(hb_nl_builder *b, size_t n)
{
    if (b->err)
        return NULL;
    size_t padded = NLMSG_ALIGN(n);
    if (padded > b->cap - b->len) {
        b->err = -ENOSPC;
        return NULL;
    }
    uint8_t *p = b->buf + b->len;
    memset(p, 0, padded);
    b->len += padded;
    return p;
}

/* The payload after a fixed header of n bytes: attributes and their length. */
static int after_fixed(const hb_nl_msg *m, size_t n, const uint8_t **attrs, size_t *len)
{
    if (m->len < n)
        return -EBADMSG;
    size_t skip = NLMSG_ALIGN(n) <= m->len ? NLMSG_ALIGN(n) : m->len;
    *attrs = m->payload + skip;
    *len = m->len - skip;
    return 0;
}

/* An address attribute of exactly the family's size into out[16]. */
static int get_addr(const hb_nl_attr *a, uint8_t family, uint8_t out[16], bool *present)
{
    if (a->data == NULL)
        return 0;
    size_t n = addr_len(family);
    if (a->len != n)
        return -EBADMSG;
    memset(out, 0, 16);
    memcpy(out, a->data, n);
    if (present)
        *present = true;
    return 0;
}

/* ------------------------------------------------------------------ requests */

ssize_t hb_rtnl_encode_addr(void *buf, size_t cap, uint16_t type, uint32_t seq,
                            const hb_rtnl_addr *a)
{
    size_t n = a ? addr_len(a->family) : 0;
    if (n == 0 || (type != RTM_NEWADDR && type != RTM_DELADDR) || a->prefixlen > 8 * n ||
        a->ifindex == 0 || a->ifindex > INT32_MAX)
        return -EINVAL;
    size_t label_len = strnlen(a->label, sizeof(a->label));
    if (label_len == sizeof(a->label) || (label_len && a->family != AF_INET) ||
        (a->has_broadcast && a->family != AF_INET))
        return -EINVAL;

    uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
    if (type == RTM_NEWADDR)
        flags |= NLM_F_EXCL | NLM_F_CREATE;
    hb_nl_builder b;
    hb_nl_begin(&b, buf, cap, type, flags, seq, 0);
    struct ifaddrmsg *ifa = (struct ifaddrmsg *)put_fixed(&b, sizeof(*ifa));
    if (ifa) {
        ifa->ifa_family = a->family;
        ifa->ifa_prefixlen = a->prefixlen;
        ifa->ifa_flags = (uint8_t)(a->flags & 0xffu);
        ifa->ifa_scope = a->scope;
        ifa->ifa_index = a->ifindex;
    }
    hb_nl_put(&b, IFA_LOCAL, a->addr, n);
    if (a->has_broadcast)
        hb_nl_put(&b, IFA_BROADCAST, a->broadcast, 4);
    if (label_len)
        hb_nl_put_str(&b, IFA_LABEL, a->label);
    hb_nl_put(&b, IFA_ADDRESS, a->addr, n);
    if (a->flags & ~0xffu)
        hb_nl_put_u32(&b, IFA_FLAGS, a->flags);
    return hb_nl_end(&b);
}

ssize_t hb_rtnl_encode_addr_dump(void *buf, size_t cap, uint32_t seq, uint8_t family)
{
    if (family != 0 && addr_len(family) == 0)
        return -EINVAL;
    hb_nl_builder b;
    hb_nl_begin(&b, buf, cap, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    struct ifaddrmsg *ifa = (struct ifaddrmsg *)put_fixed(&b, sizeof(*ifa));
    if (ifa)
        ifa->ifa_family = family;
    return hb_nl_end(&b);
}

ssize_t hb_rtnl_encode_route_dump(void *buf, size_t cap, uint32_t seq, uint8_t family)
{
    if (addr_len(family) == 0)
        return -EINVAL;
    hb_nl_builder b;
    hb_nl_begin(&b, buf, cap, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    struct rtmsg *rtm = (struct rtmsg *)put_fixed(&b, sizeof(*rtm));
    if (rtm)
        rtm->rtm_family = family;
    hb_nl_put_u32(&b, RTA_TABLE, RT_TABLE_MAIN);
    return hb_nl_end(&b);
}

ssize_t hb_rtnl_encode_route_get(void *buf, size_t cap, uint32_t seq, uint8_t family,
                                 const uint8_t dst[16], bool fib_match)
{
    size_t n = addr_len(family);
    if (n == 0 || dst == NULL)
        return -EINVAL;
    hb_nl_builder b;
    hb_nl_begin(&b, buf, cap, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, seq, 0);
    struct rtmsg *rtm = (struct rtmsg *)put_fixed(&b, sizeof(*rtm));
    if (rtm) {
        rtm->rtm_family = family;
        rtm->rtm_dst_len = (uint8_t)(8 * n);
        /* as ip(8): the table of the result is asked for IPv4 only */
        rtm->rtm_flags = (family == AF_INET ? RTM_F_LOOKUP_TABLE : 0u) |
                         (fib_match ? RTM_F_FIB_MATCH : 0u);
    }
    hb_nl_put(&b, RTA_DST, dst, n);
    return hb_nl_end(&b);
}

ssize_t hb_rtnl_encode_link_get(void *buf, size_t cap, uint32_t seq, uint32_t ifindex,
                                const char *name)
{
    if ((ifindex == 0) == (name == NULL) || ifindex > INT32_MAX ||
        (name && (name[0] == '\0' || strlen(name) >= HB_RTNL_IFNAME_MAX)))
        return -EINVAL;
    hb_nl_builder b;
    hb_nl_begin(&b, buf, cap, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, seq, 0);
    struct ifinfomsg *ifi = (struct ifinfomsg *)put_fixed(&b, sizeof(*ifi));
    if (ifi)
        ifi->ifi_index = (int)ifindex;
    hb_nl_put_u32(&b, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    if (name)
        hb_nl_put_str(&b, IFLA_IFNAME, name);
    return hb_nl_end(&b);
}

ssize_t hb_rtnl_encode_link_dump(void *buf, size_t cap, uint32_t seq)
{
    hb_nl_builder b;
    hb_nl_begin(&b, buf, cap, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    (void)put_fixed(&b, sizeof(struct ifinfomsg));
    hb_nl_put_u32(&b, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    return hb_nl_end(&b);
}

/* ------------------------------------------------------------------ replies */

int hb_rtnl_decode_addr(const hb_nl_msg *m, hb_rtnl_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (m->type != RTM_NEWADDR)
        return -EPROTO;
    struct ifaddrmsg ifa;
    const uint8_t *attrs;
    size_t alen;
    if (after_fixed(m, sizeof(ifa), &attrs, &alen) != 0)
        return -EBADMSG;
    memcpy(&ifa, m->payload, sizeof(ifa));
    if (addr_len(ifa.ifa_family) == 0 || ifa.ifa_prefixlen > 8 * addr_len(ifa.ifa_family))
        return -EBADMSG;
    hb_nl_attr tb[IFA_FLAGS + 1];
    if (hb_nl_parse(attrs, alen, tb, IFA_FLAGS) != 0)
        return -EBADMSG;
    out->family = ifa.ifa_family;
    out->prefixlen = ifa.ifa_prefixlen;
    out->flags = ifa.ifa_flags;
    out->scope = ifa.ifa_scope;
    out->ifindex = ifa.ifa_index;
    /* the address is IFA_LOCAL; IFA_ADDRESS is the same or, on a
     * point-to-point link, the peer's (and alone for IPv6) */
    bool have = false, peer = false;
    uint8_t other[16];
    if (get_addr(&tb[IFA_ADDRESS], out->family, other, &peer) != 0 ||
        get_addr(&tb[IFA_LOCAL], out->family, out->addr, &have) != 0)
        return -EBADMSG;
    if (!have && !peer)
        return -EBADMSG;
    if (!have)
        memcpy(out->addr, other, sizeof(other));
    if (tb[IFA_BROADCAST].data && out->family == AF_INET) { /* IPv6 has none */
        if (tb[IFA_BROADCAST].len != 4)
            return -EBADMSG;
        memcpy(out->broadcast, tb[IFA_BROADCAST].data, 4);
        out->has_broadcast = true;
    }
    if (tb[IFA_LABEL].data && hb_nl_get_str(&tb[IFA_LABEL], out->label, sizeof(out->label)) != 0)
        return -EBADMSG;
    if (hb_nl_get_u32(&tb[IFA_FLAGS], &out->flags) == -EBADMSG)
        return -EBADMSG;
    return 0;
}

int hb_rtnl_decode_route(const hb_nl_msg *m, hb_rtnl_route *out)
{
    memset(out, 0, sizeof(*out));
    if (m->type != RTM_NEWROUTE)
        return -EPROTO;
    struct rtmsg rtm;
    const uint8_t *attrs;
    size_t alen;
    if (after_fixed(m, sizeof(rtm), &attrs, &alen) != 0)
        return -EBADMSG;
    memcpy(&rtm, m->payload, sizeof(rtm));
    size_t n = addr_len(rtm.rtm_family);
    if (n == 0 || rtm.rtm_dst_len > 8 * n)
        return -EBADMSG;
    hb_nl_attr tb[RTA_MAX + 1];
    if (hb_nl_parse(attrs, alen, tb, RTA_MAX) != 0)
        return -EBADMSG;
    out->family = rtm.rtm_family;
    out->dst_len = rtm.rtm_dst_len;
    out->protocol = rtm.rtm_protocol;
    out->scope = rtm.rtm_scope;
    out->type = rtm.rtm_type;
    out->table = rtm.rtm_table;
    out->flags = rtm.rtm_flags;
    if (get_addr(&tb[RTA_DST], out->family, out->dst, NULL) != 0 ||
        get_addr(&tb[RTA_GATEWAY], out->family, out->gateway, &out->has_gateway) != 0 ||
        get_addr(&tb[RTA_PREFSRC], out->family, out->prefsrc, &out->has_prefsrc) != 0)
        return -EBADMSG;
    if (hb_nl_get_u32(&tb[RTA_TABLE], &out->table) == -EBADMSG ||
        hb_nl_get_u32(&tb[RTA_OIF], &out->oif) == -EBADMSG ||
        hb_nl_get_u32(&tb[RTA_PRIORITY], &out->priority) == -EBADMSG)
        return -EBADMSG;
    if (tb[RTA_VIA].data) /* a next hop of another family (IPv4 via IPv6) */
        out->has_gateway = true;
    if (tb[RTA_MULTIPATH].data)
        out->multipath = true;
    /* bits past the prefix are not part of the route */
    for (size_t i = 0; i < 16; i++) {
        unsigned keep = out->dst_len > 8 * i ? out->dst_len - 8 * i : 0;
        if (keep < 8)
            out->dst[i] &= (uint8_t)(0xff00u >> keep);
    }
    return 0;
}

int hb_rtnl_decode_link(const hb_nl_msg *m, hb_rtnl_link *out)
{
    memset(out, 0, sizeof(*out));
    if (m->type != RTM_NEWLINK)
        return -EPROTO;
    struct ifinfomsg ifi;
    const uint8_t *attrs;
    size_t alen;
    if (after_fixed(m, sizeof(ifi), &attrs, &alen) != 0)
        return -EBADMSG;
    memcpy(&ifi, m->payload, sizeof(ifi));
    if (ifi.ifi_index <= 0)
        return -EBADMSG;
    hb_nl_attr tb[IFLA_MAX + 1];
    if (hb_nl_parse(attrs, alen, tb, IFLA_MAX) != 0)
        return -EBADMSG;
    out->ifindex = (uint32_t)ifi.ifi_index;
    out->type = ifi.ifi_type;
    out->flags = ifi.ifi_flags;
    if (hb_nl_get_str(&tb[IFLA_IFNAME], out->name, sizeof(out->name)) != 0 || out->name[0] == '\0')
        return -EBADMSG;
    if (hb_nl_get_u32(&tb[IFLA_MTU], &out->mtu) == -EBADMSG ||
        hb_nl_get_u8(&tb[IFLA_OPERSTATE], &out->operstate) == -EBADMSG)
        return -EBADMSG;
    if (tb[IFLA_ADDRESS].data) {
        if (tb[IFLA_ADDRESS].len > sizeof(out->hwaddr))
            return -EBADMSG;
        out->hwaddr_len = (uint8_t)tb[IFLA_ADDRESS].len;
        memcpy(out->hwaddr, tb[IFLA_ADDRESS].data, out->hwaddr_len);
    }
    return 0;
}

/* ------------------------------------------------------------------ text */

int hb_rtnl_addr_parse(const char *text, uint8_t *family, uint8_t addr[16])
{
    memset(addr, 0, 16);
    *family = 0;
    if (text == NULL)
        return -EINVAL;
    uint8_t f = strchr(text, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(f, text, addr) != 1) {
        memset(addr, 0, 16);
        return -EINVAL;
    }
    *family = f;
    return 0;
}

const char *hb_rtnl_addr_text(uint8_t family, const uint8_t addr[16], char *out, size_t cap)
{
    if (addr_len(family) == 0 || inet_ntop(family, addr, out, (socklen_t)cap) == NULL)
        snprintf(out, cap, "?");
    return out;
}

/* ------------------------------------------------------------------ findif */

bool hb_rtnl_route_covers(const hb_rtnl_route *r, uint8_t family, const uint8_t addr[16])
{
    size_t n = addr_len(family);
    if (n == 0 || r->family != family || r->dst_len > 8 * n)
        return false;
    unsigned bits = r->dst_len;
    size_t whole = bits / 8;
    if (memcmp(r->dst, addr, whole) != 0)
        return false;
    if (bits % 8) {
        uint8_t mask = (uint8_t)(0xff00u >> (bits % 8));
        if ((r->dst[whole] & mask) != (addr[whole] & mask))
            return false;
    }
    return true;
}

/* A connected route findif would take (see hbcore.h). */
static bool eligible(const hb_rtnl_route *r)
{
    if (r->table != RT_TABLE_MAIN || r->type != RTN_UNICAST || r->dst_len == 0 ||
        r->has_gateway || r->multipath || r->oif == 0)
        return false;
    return r->family != AF_INET || r->scope == RT_SCOPE_LINK;
}

static bool better(const hb_rtnl_route *a, const hb_rtnl_route *b)
{
    if (a->dst_len != b->dst_len)
        return a->dst_len > b->dst_len;
    return a->priority < b->priority;
}

void hb_findif_init(hb_findif_sel *s, uint8_t family, const uint8_t addr[16],
                    uint32_t want_ifindex)
{
    memset(s, 0, sizeof(*s));
    s->family = family;
    memcpy(s->addr, addr, addr_len(family));
    s->want_ifindex = want_ifindex;
}

void hb_findif_offer(hb_findif_sel *s, const hb_rtnl_route *r)
{
    if (!eligible(r) || !hb_rtnl_route_covers(r, s->family, s->addr))
        return;
    if (!s->found || better(r, &s->best)) {
        s->best = *r;
        s->found = true;
    }
    if (s->want_ifindex != 0 && r->oif == s->want_ifindex &&
        (!s->found_want || better(r, &s->best_want))) {
        s->best_want = *r;
        s->found_want = true;
    }
}

bool hb_ipv4_broadcast(const uint8_t addr[4], uint8_t prefixlen, uint8_t out[4])
{
    if (prefixlen > 30)
        return false;
    uint32_t host = prefixlen == 0 ? 0xffffffffu : (0xffffffffu >> prefixlen);
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(addr[i] | (uint8_t)(host >> (24 - 8 * i)));
    return true;
}
