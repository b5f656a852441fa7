/*
 * rtnl_ops.c - address, route and link operations over one NETLINK_ROUTE
 * socket: one call = one request (built by rtnl_msg.c) and its answer
 * (followed by nl_socket.c), errors as -errno plus a text saying what
 * failed.  Nothing is allocated after hb_rtnl_open(); the callers of the
 * dumps get each decoded entry on the stack.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "hbcore.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct hb_rtnl {
    hb_nl_sock nl;
    char error[HB_RTNL_ERROR_MAX];
    char kernel_msg[HB_NL_EXT_MSG_MAX];
    uint8_t req[HB_RTNL_REQ_MAX];
};

/* ------------------------------------------------------------------ helpers */

/* Records what the failing call was doing; returns rc. */
__attribute__((format(printf, 3, 4))) static int fail(hb_rtnl *r, int rc, const char *fmt, ...)
{
    if (rc >= 0)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    return rc;
}

static void begin(hb_rtnl *r)
{
    r->error[0] = '\0';
    r->kernel_msg[0] = '\0';
}

static int request(hb_rtnl *r, ssize_t len, hb_nl_msg_cb cb, void *ctx)
{
    if (len < 0)
        return (int)len;
    return hb_nl_request(&r->nl, r->req, (size_t)len, cb, ctx, r->kernel_msg,
                         sizeof(r->kernel_msg));
}


/* ------------------------------------------------------------------ open */

int hb_rtnl_open(hb_rtnl **out, const char *netns_path)
{
    *out = NULL;
    hb_rtnl *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return -ENOMEM;
    int rc = hb_nl_open(&r->nl, NETLINK_ROUTE, netns_path);
    if (rc != 0) {
        free(r);
        return rc;
    }
    r->nl.timeout_ms = HB_RTNL_TIMEOUT_MS;
    /* Best effort (Linux >= 4.20): the kernel then checks our dump requests
     * strictly and honours their filters (the main table of a route dump). */
    int one = 1;
    (void)setsockopt(r->nl.fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
    *out = r;
    return 0;
}

void hb_rtnl_close(hb_rtnl *r)
{
    if (r == NULL)
        return;
    hb_nl_close(&r->nl);
    free(r);
}

const char *hb_rtnl_last_error(const hb_rtnl *r) { return r->error; }
const char *hb_rtnl_kernel_message(const hb_rtnl *r) { return r->kernel_msg; }

/* ------------------------------------------------------------------ links */

static int on_one_link(void *ctx, const hb_nl_msg *m)
{
    int rc = hb_rtnl_decode_link(m, ctx);
    return rc == -EPROTO ? 0 : rc;
}

/* One RTM_GETLINK; no error text (the callers word it). */
static int link_get(hb_rtnl *r, uint32_t ifindex, const char *name, hb_rtnl_link *out)
{
    memset(out, 0, sizeof(*out));
    ssize_t n = hb_rtnl_encode_link_get(r->req, sizeof(r->req), hb_nl_next_seq(&r->nl), ifindex,
                                        name);
    if (n == -EINVAL && name != NULL)
        return -ENODEV; /* a name no interface can have (empty, too long) */
    int rc = request(r, n, on_one_link, out);
    if (rc == 0 && out->ifindex == 0)
        rc = -EBADMSG; /* acknowledged without the link */
    return rc;
}

int hb_rtnl_link_get(hb_rtnl *r, const char *ifname, hb_rtnl_link *out)
{
    begin(r);
    if (ifname == NULL)
        return fail(r, -EINVAL, "reading interface (no name)");
    return fail(r, link_get(r, 0, ifname, out), "reading interface %s", ifname);
}

int hb_rtnl_link_by_index(hb_rtnl *r, uint32_t ifindex, hb_rtnl_link *out)
{
    begin(r);
    return fail(r, link_get(r, ifindex, NULL, out), "reading interface #%u", ifindex);
}

typedef struct link_walk {
    hb_rtnl_link_cb cb;
    void *ctx;
} link_walk;

static int on_link(void *ctx, const hb_nl_msg *m)
{
    link_walk *w = ctx;
    hb_rtnl_link l;
    int rc = hb_rtnl_decode_link(m, &l);
    if (rc == -EPROTO)
        return 0;
    return rc < 0 ? rc : w->cb(w->ctx, &l);
}

int hb_rtnl_link_list(hb_rtnl *r, hb_rtnl_link_cb cb, void *ctx)
{
    begin(r);
    link_walk w = {cb, ctx};
    ssize_t n = hb_rtnl_encode_link_dump(r->req, sizeof(r->req), hb_nl_next_seq(&r->nl));
    return fail(r, request(r, n, on_link, &w), "listing interfaces");
}

/* ------------------------------------------------------------------ addresses */

/* The address's interface index: ifname's, or a->ifindex without a name. */
static int resolve(hb_rtnl *r, const char *ifname, const hb_rtnl_addr *a, hb_rtnl_addr *req)
{
    *req = *a;
    if (ifname == NULL)
        return a->ifindex ? 0 : -EINVAL;
    size_t nlen = strlen(ifname);
    if (a->label[0] && strncmp(a->label, ifname, nlen) != 0)
        return -EINVAL;
    hb_rtnl_link l;
    int rc = link_get(r, 0, ifname, &l);
    if (rc == 0)
        req->ifindex = l.ifindex;
    return rc;
}

/* "10.0.0.100/24" and the interface's name (or "#index"). */
static void describe(const char *ifname, const hb_rtnl_addr *a, char *addr, size_t acap,
                     char *dev, size_t dcap)
{
    char text[HB_RTNL_ADDR_TEXT];
    snprintf(addr, acap, "%s/%u", hb_rtnl_addr_text(a->family, a->addr, text, sizeof(text)),
             a->prefixlen);
    if (ifname)
        snprintf(dev, dcap, "%s", ifname);
    else
        snprintf(dev, dcap, "#%u", a->ifindex);
}

static int addr_change(hb_rtnl *r, uint16_t type, const char *ifname, const hb_rtnl_addr *a)
{
    begin(r);
    char what[HB_RTNL_ADDR_TEXT + 8], dev[HB_RTNL_IFNAME_MAX + 12];
    describe(ifname, a, what, sizeof(what), dev, sizeof(dev));
    const char *fmt = type == RTM_NEWADDR ? "adding %s to %s" : "removing %s from %s";
    hb_rtnl_addr req;
    int rc = resolve(r, ifname, a, &req);
    if (rc == -EINVAL && ifname && a->label[0]) {
        char op[HB_RTNL_ERROR_MAX / 2];
        snprintf(op, sizeof(op), fmt, what, dev);
        return fail(r, rc, "%s (the label %s does not begin with the interface name)", op,
                    a->label);
    }
    if (rc == 0)
        rc = request(r, hb_rtnl_encode_addr(r->req, sizeof(r->req), type, hb_nl_next_seq(&r->nl),
                                            &req),
                     NULL, NULL);
    return fail(r, rc, fmt, what, dev);
}

int hb_rtnl_addr_add(hb_rtnl *r, const char *ifname, const hb_rtnl_addr *a)
{
    return addr_change(r, RTM_NEWADDR, ifname, a);
}

int hb_rtnl_addr_del(hb_rtnl *r, const char *ifname, const hb_rtnl_addr *a)
{
    return addr_change(r, RTM_DELADDR, ifname, a);
}

typedef struct addr_walk {
    hb_rtnl_addr_cb cb;
    void *ctx;
    uint8_t family;
    uint32_t ifindex;
} addr_walk;

static int on_addr(void *ctx, const hb_nl_msg *m)
{
    addr_walk *w = ctx;
    hb_rtnl_addr a;
    int rc = hb_rtnl_decode_addr(m, &a);
    if (rc == -EPROTO)
        return 0;
    if (rc < 0)
        return rc;
    if ((w->family && a.family != w->family) || (w->ifindex && a.ifindex != w->ifindex))
        return 0;
    return w->cb(w->ctx, &a);
}

int hb_rtnl_addr_list(hb_rtnl *r, uint8_t family, uint32_t ifindex, hb_rtnl_addr_cb cb,
                      void *ctx)
{
    begin(r);
    addr_walk w = {cb, ctx, family, ifindex};
    ssize_t n = hb_rtnl_encode_addr_dump(r->req, sizeof(r->req), hb_nl_next_seq(&r->nl), family);
    return fail(r, request(r, n, on_addr, &w), "listing addresses");
}

/* ------------------------------------------------------------------ routes */

typedef struct route_walk {
    hb_rtnl_route_cb cb;
    void *ctx;
    uint8_t family;
} route_walk;

static int on_route(void *ctx, const hb_nl_msg *m)
{
    route_walk *w = ctx;
    hb_rtnl_route rt;
    int rc = hb_rtnl_decode_route(m, &rt);
    if (rc == -EPROTO)
        return 0;
    if (rc < 0)
        return rc;
    /* without strict checking the kernel sends every table */
    if (rt.family != w->family || rt.table != RT_TABLE_MAIN)
        return 0;
    return w->cb(w->ctx, &rt);
}

static int route_list(hb_rtnl *r, uint8_t family, hb_rtnl_route_cb cb, void *ctx)
{
    route_walk w = {cb, ctx, family};
    ssize_t n = hb_rtnl_encode_route_dump(r->req, sizeof(r->req), hb_nl_next_seq(&r->nl), family);
    return request(r, n, on_route, &w);
}

int hb_rtnl_route_list(hb_rtnl *r, uint8_t family, hb_rtnl_route_cb cb, void *ctx)
{
    begin(r);
    return fail(r, route_list(r, family, cb, ctx), "listing the routes of the main table");
}

static int on_one_route(void *ctx, const hb_nl_msg *m)
{
    int rc = hb_rtnl_decode_route(m, ctx);
    return rc == -EPROTO ? 0 : rc;
}

int hb_rtnl_route_get(hb_rtnl *r, uint8_t family, const uint8_t dst[16], hb_rtnl_route *out)
{
    begin(r);
    char text[HB_RTNL_ADDR_TEXT];
    memset(out, 0, sizeof(*out));
    ssize_t n = hb_rtnl_encode_route_get(r->req, sizeof(r->req), hb_nl_next_seq(&r->nl), family,
                                         dst, true);
    int rc = request(r, n, on_one_route, out);
    if (rc == 0 && out->family == 0)
        rc = -EBADMSG;
    return fail(r, rc, "looking up the route to %s",
                hb_rtnl_addr_text(family, dst, text, sizeof(text)));
}

static int offer(void *ctx, const hb_rtnl_route *rt)
{
    hb_findif_offer(ctx, rt);
    return 0;
}

int hb_rtnl_findif(hb_rtnl *r, uint8_t family, const uint8_t addr[16], const char *ifname,
                   hb_findif *out)
{
    begin(r);
    char text[HB_RTNL_ADDR_TEXT];
    memset(out, 0, sizeof(*out));
    if (family != AF_INET && family != AF_INET6)
        return fail(r, -EINVAL, "finding the interface for an address of family %u", family);
    hb_rtnl_addr_text(family, addr, text, sizeof(text));
    /* fe80::/10 exists on every link: findif.sh insists on a nic too */
    if (family == AF_INET6 && addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80 && ifname == NULL)
        return fail(r, -EINVAL, "finding the interface for %s (a link-local address needs one)",
                    text);

    hb_rtnl_link l;
    uint32_t want = 0;
    if (ifname) {
        int rc = link_get(r, 0, ifname, &l);
        if (rc < 0)
            return fail(r, rc, "finding the interface for %s (reading interface %s)", text, ifname);
        want = l.ifindex;
    }
    hb_findif_sel sel;
    hb_findif_init(&sel, family, addr, want);
    int rc = route_list(r, family, offer, &sel);
    if (rc < 0)
        return fail(r, rc, "finding the interface for %s (listing the routes)", text);
    if (!sel.found)
        return fail(r, -ENETUNREACH, "finding the interface for %s (no connected route covers it)",
                    text);
    const hb_rtnl_route *best = sel.found_want ? &sel.best_want : &sel.best;
    out->differs = want != 0 && !sel.found_want;
    rc = link_get(r, best->oif, NULL, &l);
    if (rc < 0)
        return fail(r, rc, "finding the interface for %s (reading interface #%u)", text,
                    best->oif);
    out->ifindex = l.ifindex;
    memcpy(out->ifname, l.name, sizeof(out->ifname));
    out->prefixlen = best->dst_len;
    out->metric = best->priority;
    if (family == AF_INET)
        out->has_broadcast = hb_ipv4_broadcast(addr, best->dst_len, out->broadcast);
    return 0;
}
