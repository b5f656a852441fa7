/*
 * ipvs_ops.c - the IPVS operations: each call builds one request
 * (ipvs_msg.c), sends it and follows the answer (nl_socket.c), decodes the
 * replies into the caller's callback, and leaves a text of what was being
 * done in h->error for the caller's error message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>

#include "hbcore.h"

#define SVC_TEXT 80

static void describe(hb_ipvs *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void describe(hb_ipvs *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->error, sizeof(h->error), fmt, ap);
    va_end(ap);
}

/* Appends " (text)" to the description, as far as it fits. */
static void annotate(hb_ipvs *h, const char *text)
{
    size_t n = strlen(h->error);
    if (text && *text && n < sizeof(h->error))
        snprintf(h->error + n, sizeof(h->error) - n, " (%s)", text);
}

/* Sends one request; decodes nothing itself (cb does). */
static int run(hb_ipvs *h, const hb_ipvs_request *req, hb_nl_msg_cb cb, void *ctx)
{
    if (h->nl.fd < 0)
        return -EBADF;
    uint32_t seq = hb_nl_next_seq(&h->nl);
    ssize_t n = hb_ipvs_encode(h->req, sizeof(h->req), h->family.id, seq, req);
    if (n < 0) {
        annotate(h, "cannot encode the request");
        return (int)n;
    }
    char ext[HB_NL_EXT_MSG_MAX];
    int rc = hb_nl_request(&h->nl, h->req, (size_t)n, cb, ctx, ext, sizeof(ext));
    if (rc < 0 && ext[0]) {
        char k[HB_NL_EXT_MSG_MAX + 16];
        snprintf(k, sizeof(k), "kernel: %s", ext);
        annotate(h, k);
    }
    return rc;
}

/* What a bare strerror() would say badly about IPVS. */
static int explain(hb_ipvs *h, int rc, const char *esrch, const char *enoent)
{
    if (rc == -ESRCH)
        annotate(h, esrch);
    else if (rc == -ENOENT)
        annotate(h, enoent);
    return rc;
}

/* ------------------------------------------------------------ open / close */

static int on_family(void *ctx, const hb_nl_msg *m)
{
    return hb_genl_decode_family(m, ctx);
}

int hb_ipvs_open(hb_ipvs *h, const char *netns_path)
{
    memset(h, 0, sizeof(*h));
    h->nl.fd = -1;
    int rc = hb_nl_open(&h->nl, NETLINK_GENERIC, netns_path);
    if (rc) {
        describe(h, "opening a generic netlink socket%s%s", netns_path ? " in " : "",
                 netns_path ? netns_path : "");
        return rc;
    }
    describe(h, "looking up the generic netlink family " IPVS_GENL_NAME);
    uint8_t buf[64];
    ssize_t n = hb_genl_encode_getfamily(buf, sizeof(buf), hb_nl_next_seq(&h->nl), IPVS_GENL_NAME);
    rc = n < 0 ? (int)n : hb_nl_request(&h->nl, buf, (size_t)n, on_family, &h->family, NULL, 0);
    if (rc == 0 && h->family.id == 0)
        rc = -EBADMSG;
    if (rc) {
        if (rc == -ENOENT)
            annotate(h, "is the ip_vs module loaded?");
        hb_nl_close(&h->nl);
        return rc;
    }
    h->error[0] = '\0';
    return 0;
}

void hb_ipvs_close(hb_ipvs *h)
{
    hb_nl_close(&h->nl);
}

const char *hb_ipvs_last_error(const hb_ipvs *h)
{
    return h->error;
}

/* ------------------------------------------------------------ replies */

/* One decoded reply per callback, of whichever kind the request asked for. */
typedef struct reply_ctx {
    hb_ipvs *h;
    int (*decode)(struct reply_ctx *c, const hb_nl_msg *m);
    hb_ipvs_service_cb svc_cb;
    hb_ipvs_dest_cb dest_cb;
    hb_ipvs_daemon_cb daemon_cb;
    void *user;
    void *out; /* single-reply commands: where to decode */
    unsigned count;
} reply_ctx;

static int on_reply(void *ctx, const hb_nl_msg *m)
{
    reply_ctx *c = ctx;
    if (m->type != c->h->family.id)
        return -EBADMSG;
    c->count++;
    return c->decode(c, m);
}

static int decode_service(reply_ctx *c, const hb_nl_msg *m)
{
    hb_ipvs_service svc;
    hb_ipvs_service *dst = c->out ? c->out : &svc;
    int rc = hb_ipvs_decode_service(m, dst);
    return rc == 0 && c->svc_cb ? c->svc_cb(c->user, dst) : rc;
}

static int decode_dest(reply_ctx *c, const hb_nl_msg *m)
{
    hb_ipvs_dest d;
    int rc = hb_ipvs_decode_dest(m, &d);
    return rc == 0 && c->dest_cb ? c->dest_cb(c->user, &d) : rc;
}

static int decode_daemon(reply_ctx *c, const hb_nl_msg *m)
{
    hb_ipvs_daemon d;
    int rc = hb_ipvs_decode_daemon(m, &d);
    return rc == 0 && c->daemon_cb ? c->daemon_cb(c->user, &d) : rc;
}

static int decode_info(reply_ctx *c, const hb_nl_msg *m) { return hb_ipvs_decode_info(m, c->out); }

static int decode_timeouts(reply_ctx *c, const hb_nl_msg *m)
{
    return hb_ipvs_decode_timeouts(m, c->out);
}

/* A GET that must be answered by exactly one message. */
static int run_single(hb_ipvs *h, const hb_ipvs_request *req,
                      int (*decode)(reply_ctx *, const hb_nl_msg *), void *out)
{
    reply_ctx c = {.h = h, .decode = decode, .out = out};
    int rc = run(h, req, on_reply, &c);
    if (rc == 0 && c.count != 1)
        rc = -EBADMSG;
    return rc;
}

/* ------------------------------------------------------------ operations */

int hb_ipvs_get_info(hb_ipvs *h, hb_ipvs_info *out)
{
    describe(h, "reading the IPVS version");
    hb_ipvs_request req = {.cmd = IPVS_CMD_GET_INFO};
    return run_single(h, &req, decode_info, out);
}

int hb_ipvs_list_services(hb_ipvs *h, hb_ipvs_service_cb cb, void *ctx)
{
    describe(h, "listing the IPVS services");
    hb_ipvs_request req = {.cmd = IPVS_CMD_GET_SERVICE};
    reply_ctx c = {.h = h, .decode = decode_service, .svc_cb = cb, .user = ctx};
    return run(h, &req, on_reply, &c);
}

int hb_ipvs_get_service(hb_ipvs *h, const hb_ipvs_service *key, hb_ipvs_service *out)
{
    char s[SVC_TEXT];
    hb_ipvs_service_text(key, s, sizeof(s));
    describe(h, "reading service %s", s);
    hb_ipvs_request req = {.cmd = IPVS_CMD_GET_SERVICE, .svc = key};
    return explain(h, run_single(h, &req, decode_service, out), "no such service", NULL);
}

int hb_ipvs_list_dests(hb_ipvs *h, const hb_ipvs_service *svc, hb_ipvs_dest_cb cb, void *ctx)
{
    char s[SVC_TEXT];
    hb_ipvs_service_text(svc, s, sizeof(s));
    describe(h, "listing the destinations of %s", s);
    hb_ipvs_request req = {.cmd = IPVS_CMD_GET_DEST, .svc = svc};
    reply_ctx c = {.h = h, .decode = decode_dest, .dest_cb = cb, .user = ctx};
    int rc = run(h, &req, on_reply, &c);
    if (rc == 0 && c.count == 0) {
        /* The kernel answers an unknown service with an empty dump. */
        hb_ipvs_service found;
        hb_ipvs_request get = {.cmd = IPVS_CMD_GET_SERVICE, .svc = svc};
        rc = run_single(h, &get, decode_service, &found);
        return explain(h, rc, "no such service", NULL);
    }
    return rc;
}

int hb_ipvs_add_service(hb_ipvs *h, const hb_ipvs_service *svc)
{
    char s[SVC_TEXT];
    hb_ipvs_service_text(svc, s, sizeof(s));
    describe(h, "adding service %s", s);
    hb_ipvs_request req = {.cmd = IPVS_CMD_NEW_SERVICE, .svc = svc};
    return explain(h, run(h, &req, NULL, NULL), NULL,
                   "unknown scheduler or persistence engine");
}

int hb_ipvs_edit_service(hb_ipvs *h, const hb_ipvs_service *svc)
{
    char s[SVC_TEXT];
    hb_ipvs_service_text(svc, s, sizeof(s));
    describe(h, "editing service %s", s);
    hb_ipvs_request req = {.cmd = IPVS_CMD_SET_SERVICE, .svc = svc};
    return explain(h, run(h, &req, NULL, NULL), "no such service",
                   "unknown scheduler or persistence engine");
}

int hb_ipvs_del_service(hb_ipvs *h, const hb_ipvs_service *svc)
{
    char s[SVC_TEXT];
    hb_ipvs_service_text(svc, s, sizeof(s));
    describe(h, "deleting service %s", s);
    hb_ipvs_request req = {.cmd = IPVS_CMD_DEL_SERVICE, .svc = svc};
    return explain(h, run(h, &req, NULL, NULL), "no such service", NULL);
}

static int dest_cmd(hb_ipvs *h, uint8_t cmd, const char *verb, const char *prep,
                    const hb_ipvs_service *svc, const hb_ipvs_dest *dest)
{
    char s[SVC_TEXT], d[HB_IPVS_ADDR_TEXT];
    hb_ipvs_service_text(svc, s, sizeof(s));
    hb_ipvs_dest_text(dest, svc->af, d, sizeof(d));
    describe(h, "%s destination %s %s %s", verb, d, prep, s);
    hb_ipvs_request req = {.cmd = cmd, .svc = svc, .dest = dest};
    return explain(h, run(h, &req, NULL, NULL), "no such service", "no such destination");
}

int hb_ipvs_add_dest(hb_ipvs *h, const hb_ipvs_service *svc, const hb_ipvs_dest *dest)
{
    return dest_cmd(h, IPVS_CMD_NEW_DEST, "adding", "to", svc, dest);
}

int hb_ipvs_edit_dest(hb_ipvs *h, const hb_ipvs_service *svc, const hb_ipvs_dest *dest)
{
    return dest_cmd(h, IPVS_CMD_SET_DEST, "editing", "of", svc, dest);
}

int hb_ipvs_del_dest(hb_ipvs *h, const hb_ipvs_service *svc, const hb_ipvs_dest *dest)
{
    return dest_cmd(h, IPVS_CMD_DEL_DEST, "deleting", "from", svc, dest);
}

int hb_ipvs_flush(hb_ipvs *h)
{
    describe(h, "flushing the IPVS services");
    hb_ipvs_request req = {.cmd = IPVS_CMD_FLUSH};
    return run(h, &req, NULL, NULL);
}

int hb_ipvs_zero(hb_ipvs *h, const hb_ipvs_service *svc)
{
    char s[SVC_TEXT];
    if (svc) {
        hb_ipvs_service_text(svc, s, sizeof(s));
        describe(h, "zeroing the counters of %s", s);
    } else {
        describe(h, "zeroing all IPVS counters");
    }
    hb_ipvs_request req = {.cmd = IPVS_CMD_ZERO, .svc = svc};
    return explain(h, run(h, &req, NULL, NULL), "no such service", NULL);
}

int hb_ipvs_get_timeouts(hb_ipvs *h, hb_ipvs_timeouts *out)
{
    describe(h, "reading the IPVS timeouts");
    hb_ipvs_request req = {.cmd = IPVS_CMD_GET_CONFIG};
    return run_single(h, &req, decode_timeouts, out);
}

int hb_ipvs_set_timeouts(hb_ipvs *h, const hb_ipvs_timeouts *t)
{
    describe(h, "setting the IPVS timeouts to tcp %u tcpfin %u udp %u", t->tcp, t->tcp_fin,
             t->udp);
    hb_ipvs_request req = {.cmd = IPVS_CMD_SET_CONFIG, .timeouts = t};
    return run(h, &req, NULL, NULL);
}

int hb_ipvs_list_daemons(hb_ipvs *h, hb_ipvs_daemon_cb cb, void *ctx)
{
    describe(h, "listing the IPVS sync daemons");
    hb_ipvs_request req = {.cmd = IPVS_CMD_GET_DAEMON};
    reply_ctx c = {.h = h, .decode = decode_daemon, .daemon_cb = cb, .user = ctx};
    return run(h, &req, on_reply, &c);
}

static const char *role(uint32_t state)
{
    return state == IP_VS_STATE_MASTER ? "master" : state == IP_VS_STATE_BACKUP ? "backup" : "?";
}

int hb_ipvs_start_daemon(hb_ipvs *h, const hb_ipvs_daemon *d)
{
    describe(h, "starting the %s sync daemon on %.*s (syncid %u)", role(d->state),
             (int)sizeof(d->mcast_ifn), d->mcast_ifn, d->syncid);
    hb_ipvs_request req = {.cmd = IPVS_CMD_NEW_DAEMON, .daemon = d};
    int rc = run(h, &req, NULL, NULL);
    if (rc == -EEXIST)
        annotate(h, "already running");
    else if (rc == -ENODEV)
        annotate(h, "no such interface");
    return rc;
}

int hb_ipvs_stop_daemon(hb_ipvs *h, uint32_t state)
{
    describe(h, "stopping the %s sync daemon", role(state));
    hb_ipvs_daemon d = {.state = state};
    hb_ipvs_request req = {.cmd = IPVS_CMD_DEL_DAEMON, .daemon = &d};
    return explain(h, run(h, &req, NULL, NULL), "not running", NULL);
}
