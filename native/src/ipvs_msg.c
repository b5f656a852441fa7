/*
 * ipvs_msg.c - IPVS generic netlink requests and replies <-> the plain
 * structs of hbcore.h.  Pure: caller buffers, no I/O, no allocation.
 *
 * The layout follows what ipvsadm 1.31 (libipvs) sends, attribute by
 * attribute, so that the known-answer tests can compare bytes with real
 * ipvsadm captures (native/test/vectors/ipvs/):
 *   service  AF, FWMARK | PROTOCOL ADDR(16 bytes) PORT(be16), then for
 *            NEW/SET: SCHED_NAME, [PE_NAME], FLAGS {flags, mask ~0},
 *            TIMEOUT, NETMASK (IPv4: the mask in network order; IPv6: the
 *            prefix length as a plain u32 - the kernel reads it that way)
 *   dest     ADDR_FAMILY, ADDR, PORT(be16), FWD_METHOD, WEIGHT, TUN_TYPE(u8),
 *            TUN_PORT(be16), TUN_FLAGS(u16), U_THRESH, L_THRESH
 *   daemon   STATE, MCAST_IFN, SYNC_ID, [SYNC_MAXLEN(u16)], [MCAST_PORT(u16)],
 *            [MCAST_TTL(u8)], [MCAST_GROUP(in_addr) | MCAST_GROUP6]
 * One difference: requests that only name a service (delete, zero, the
 * destination commands) carry its identity only; ipvsadm also sends empty
 * settings, which the kernel ignores there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>

#include "hbcore.h"

/* ------------------------------------------------------------------ encode */

static bool has_nul(const char *s, size_t cap) { return memchr(s, 0, cap) != NULL; }

static void put_service(hb_nl_builder *b, const hb_ipvs_service *s, bool full)
{
    hb_nl_nest_begin(b, IPVS_CMD_ATTR_SERVICE);
    hb_nl_put_u16(b, IPVS_SVC_ATTR_AF, s->af);
    if (s->fwmark) {
        hb_nl_put_u32(b, IPVS_SVC_ATTR_FWMARK, s->fwmark);
    } else {
        hb_nl_put_u16(b, IPVS_SVC_ATTR_PROTOCOL, s->protocol);
        hb_nl_put(b, IPVS_SVC_ATTR_ADDR, s->addr, sizeof(s->addr));
        hb_nl_put_be16(b, IPVS_SVC_ATTR_PORT, s->port);
    }
    if (full) {
        struct ip_vs_flags flags = {.flags = s->flags, .mask = ~0u};
        uint32_t netmask = s->af == AF_INET6 ? s->netmask : htonl(s->netmask);
        hb_nl_put_str(b, IPVS_SVC_ATTR_SCHED_NAME, s->sched_name);
        if (s->pe_name[0])
            hb_nl_put_str(b, IPVS_SVC_ATTR_PE_NAME, s->pe_name);
        hb_nl_put(b, IPVS_SVC_ATTR_FLAGS, &flags, sizeof(flags));
        hb_nl_put_u32(b, IPVS_SVC_ATTR_TIMEOUT, s->timeout);
        hb_nl_put(b, IPVS_SVC_ATTR_NETMASK, &netmask, sizeof(netmask));
    }
    hb_nl_nest_end(b);
}

static void put_dest(hb_nl_builder *b, const hb_ipvs_dest *d, uint16_t svc_af)
{
    hb_nl_nest_begin(b, IPVS_CMD_ATTR_DEST);
    hb_nl_put_u16(b, IPVS_DEST_ATTR_ADDR_FAMILY, d->af ? d->af : svc_af);
    hb_nl_put(b, IPVS_DEST_ATTR_ADDR, d->addr, sizeof(d->addr));
    hb_nl_put_be16(b, IPVS_DEST_ATTR_PORT, d->port);
    hb_nl_put_u32(b, IPVS_DEST_ATTR_FWD_METHOD, d->fwd_method);
    hb_nl_put_u32(b, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d->weight);
    hb_nl_put_u8(b, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type);
    hb_nl_put_be16(b, IPVS_DEST_ATTR_TUN_PORT, d->tun_port);
    hb_nl_put_u16(b, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags);
    hb_nl_put_u32(b, IPVS_DEST_ATTR_U_THRESH, d->u_threshold);
    hb_nl_put_u32(b, IPVS_DEST_ATTR_L_THRESH, d->l_threshold);
    hb_nl_nest_end(b);
}

static void put_daemon(hb_nl_builder *b, const hb_ipvs_daemon *d, bool full)
{
    hb_nl_nest_begin(b, IPVS_CMD_ATTR_DAEMON);
    hb_nl_put_u32(b, IPVS_DAEMON_ATTR_STATE, d->state);
    hb_nl_put_str(b, IPVS_DAEMON_ATTR_MCAST_IFN, d->mcast_ifn);
    hb_nl_put_u32(b, IPVS_DAEMON_ATTR_SYNC_ID, d->syncid);
    if (full) {
        if (d->sync_maxlen)
            hb_nl_put_u16(b, IPVS_DAEMON_ATTR_SYNC_MAXLEN, d->sync_maxlen);
        if (d->mcast_port)
            hb_nl_put_u16(b, IPVS_DAEMON_ATTR_MCAST_PORT, d->mcast_port);
        if (d->mcast_ttl)
            hb_nl_put_u8(b, IPVS_DAEMON_ATTR_MCAST_TTL, d->mcast_ttl);
        if (d->mcast_af == AF_INET)
            hb_nl_put(b, IPVS_DAEMON_ATTR_MCAST_GROUP, d->mcast_group, 4);
        else if (d->mcast_af == AF_INET6)
            hb_nl_put(b, IPVS_DAEMON_ATTR_MCAST_GROUP6, d->mcast_group, 16);
    }
    hb_nl_nest_end(b);
}

bool hb_ipvs_is_dump(const hb_ipvs_request *req)
{
    return req->cmd == IPVS_CMD_GET_DEST || req->cmd == IPVS_CMD_GET_DAEMON ||
           (req->cmd == IPVS_CMD_GET_SERVICE && req->svc == NULL);
}

ssize_t hb_ipvs_encode(void *buf, size_t cap, uint16_t family, uint32_t seq,
                       const hb_ipvs_request *req)
{
    const hb_ipvs_service *svc = req->svc;
    const hb_ipvs_dest *dest = req->dest;
    const hb_ipvs_daemon *daemon = req->daemon;
    uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | (hb_ipvs_is_dump(req) ? NLM_F_DUMP : 0);
    hb_nl_builder b;

    if (svc && !(has_nul(svc->sched_name, sizeof(svc->sched_name)) &&
                 has_nul(svc->pe_name, sizeof(svc->pe_name))))
        return -EINVAL;
    if (daemon && !has_nul(daemon->mcast_ifn, sizeof(daemon->mcast_ifn)))
        return -EINVAL;

    hb_genl_begin(&b, buf, cap, family, flags, seq, req->cmd, IPVS_GENL_VERSION);
    switch (req->cmd) {
    case IPVS_CMD_NEW_SERVICE:
    case IPVS_CMD_SET_SERVICE:
        if (!svc)
            return -EINVAL;
        put_service(&b, svc, true);
        break;
    case IPVS_CMD_DEL_SERVICE:
    case IPVS_CMD_GET_DEST:
        if (!svc)
            return -EINVAL;
        put_service(&b, svc, false);
        break;
    case IPVS_CMD_GET_SERVICE:
    case IPVS_CMD_ZERO:
        if (svc)
            put_service(&b, svc, false);
        break;
    case IPVS_CMD_NEW_DEST:
    case IPVS_CMD_SET_DEST:
    case IPVS_CMD_DEL_DEST:
        if (!svc || !dest)
            return -EINVAL;
        put_service(&b, svc, false);
        put_dest(&b, dest, svc->af);
        break;
    case IPVS_CMD_NEW_DAEMON:
    case IPVS_CMD_DEL_DAEMON:
        if (!daemon)
            return -EINVAL;
        put_daemon(&b, daemon, req->cmd == IPVS_CMD_NEW_DAEMON);
        break;
    case IPVS_CMD_SET_CONFIG:
        if (!req->timeouts)
            return -EINVAL;
        hb_nl_put_u32(&b, IPVS_CMD_ATTR_TIMEOUT_TCP, req->timeouts->tcp);
        hb_nl_put_u32(&b, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, req->timeouts->tcp_fin);
        hb_nl_put_u32(&b, IPVS_CMD_ATTR_TIMEOUT_UDP, req->timeouts->udp);
        break;
    case IPVS_CMD_GET_DAEMON:
    case IPVS_CMD_GET_CONFIG:
    case IPVS_CMD_GET_INFO:
    case IPVS_CMD_FLUSH:
        break;
    default:
        return -EINVAL;
    }
    return hb_nl_end(&b);
}

/* ------------------------------------------------------------------ decode */

/* The attributes of a reply whose command must be `want`. */
static int reply_attrs(const hb_nl_msg *m, uint8_t want, const uint8_t **attrs, size_t *len)
{
    uint8_t cmd;
    if (hb_genl_header(m, &cmd, NULL, attrs, len) != 0)
        return -EBADMSG;
    return cmd == want ? 0 : -EPROTO;
}

/* The nested attribute `type` of a reply, parsed into tb[0..max]. */
static int reply_nest(const hb_nl_msg *m, uint8_t want_cmd, uint16_t type, hb_nl_attr *tb,
                      unsigned max)
{
    const uint8_t *attrs;
    size_t len;
    int rc = reply_attrs(m, want_cmd, &attrs, &len);
    if (rc)
        return rc;
    hb_nl_attr top[IPVS_CMD_ATTR_MAX + 1];
    if (hb_nl_parse(attrs, len, top, IPVS_CMD_ATTR_MAX) != 0 || top[type].data == NULL)
        return -EBADMSG;
    return hb_nl_parse(top[type].data, top[type].len, tb, max) ? -EBADMSG : 0;
}

static size_t addr_len(uint16_t af) { return af == AF_INET ? 4 : af == AF_INET6 ? 16 : 0; }

/* An address attribute: at least the family's size (the kernel sends all 16
 * bytes of union nf_inet_addr), at most 16.  af 0 = not known yet. */
static int get_addr(const hb_nl_attr *a, uint16_t af, uint8_t out[16])
{
    if (a->data == NULL)
        return -EBADMSG;
    size_t need = af ? addr_len(af) : 4;
    if (need == 0 || a->len < need || a->len > 16)
        return -EBADMSG;
    memset(out, 0, 16);
    memcpy(out, a->data, af ? need : a->len);
    return 0;
}

/* Required, optional: absent is fine, a wrong size never is. */
#define REQ(call) \
    do { if ((call) != 0) return -EBADMSG; } while (0)
#define OPT(call) \
    do { if ((call) == -EBADMSG) return -EBADMSG; } while (0)

/* A stats nest: STATS (u32 counters, u64 bytes) or STATS64 (all u64). */
static int get_stats(const hb_nl_attr *nest, hb_ipvs_stats *st)
{
    hb_nl_attr tb[IPVS_STATS_ATTR_MAX + 1];
    uint64_t *field[] = {
        [IPVS_STATS_ATTR_CONNS] = &st->conns,     [IPVS_STATS_ATTR_INPKTS] = &st->inpkts,
        [IPVS_STATS_ATTR_OUTPKTS] = &st->outpkts, [IPVS_STATS_ATTR_INBYTES] = &st->inbytes,
        [IPVS_STATS_ATTR_OUTBYTES] = &st->outbytes, [IPVS_STATS_ATTR_CPS] = &st->cps,
        [IPVS_STATS_ATTR_INPPS] = &st->inpps,     [IPVS_STATS_ATTR_OUTPPS] = &st->outpps,
        [IPVS_STATS_ATTR_INBPS] = &st->inbps,     [IPVS_STATS_ATTR_OUTBPS] = &st->outbps,
    };
    memset(st, 0, sizeof(*st));
    if (hb_nl_parse(nest->data, nest->len, tb, IPVS_STATS_ATTR_MAX) != 0)
        return -EBADMSG;
    for (unsigned t = IPVS_STATS_ATTR_CONNS; t <= IPVS_STATS_ATTR_OUTBPS; t++) {
        if (tb[t].data == NULL)
            continue;
        if (tb[t].len == 8) {
            memcpy(field[t], tb[t].data, 8);
        } else if (tb[t].len == 4) {
            uint32_t v;
            memcpy(&v, tb[t].data, 4);
            *field[t] = v;
        } else {
            return -EBADMSG;
        }
    }
    return 0;
}

/* STATS64 when present, else STATS; neither = no stats. */
static int get_either_stats(const hb_nl_attr *s64, const hb_nl_attr *s32, bool *has,
                            hb_ipvs_stats *st)
{
    const hb_nl_attr *a = s64->data ? s64 : s32->data ? s32 : NULL;
    *has = a != NULL;
    return a ? get_stats(a, st) : 0;
}

int hb_ipvs_decode_service(const hb_nl_msg *m, hb_ipvs_service *out)
{
    hb_nl_attr tb[IPVS_SVC_ATTR_MAX + 1];
    memset(out, 0, sizeof(*out));
    int rc = reply_nest(m, IPVS_CMD_NEW_SERVICE, IPVS_CMD_ATTR_SERVICE, tb, IPVS_SVC_ATTR_MAX);
    if (rc)
        return rc;
    struct ip_vs_flags flags;
    uint32_t netmask;
    REQ(hb_nl_get_u16(&tb[IPVS_SVC_ATTR_AF], &out->af));
    if (addr_len(out->af) == 0)
        return -EBADMSG;
    if (tb[IPVS_SVC_ATTR_FWMARK].data) {
        REQ(hb_nl_get_u32(&tb[IPVS_SVC_ATTR_FWMARK], &out->fwmark));
        if (out->fwmark == 0)
            return -EBADMSG;
    } else {
        REQ(hb_nl_get_u16(&tb[IPVS_SVC_ATTR_PROTOCOL], &out->protocol));
        REQ(get_addr(&tb[IPVS_SVC_ATTR_ADDR], out->af, out->addr));
        REQ(hb_nl_get_be16(&tb[IPVS_SVC_ATTR_PORT], &out->port));
    }
    REQ(hb_nl_get_str(&tb[IPVS_SVC_ATTR_SCHED_NAME], out->sched_name, sizeof(out->sched_name)));
    OPT(hb_nl_get_str(&tb[IPVS_SVC_ATTR_PE_NAME], out->pe_name, sizeof(out->pe_name)));
    if (tb[IPVS_SVC_ATTR_FLAGS].data == NULL || tb[IPVS_SVC_ATTR_FLAGS].len != sizeof(flags))
        return -EBADMSG;
    memcpy(&flags, tb[IPVS_SVC_ATTR_FLAGS].data, sizeof(flags));
    out->flags = flags.flags;
    REQ(hb_nl_get_u32(&tb[IPVS_SVC_ATTR_TIMEOUT], &out->timeout));
    REQ(hb_nl_get_u32(&tb[IPVS_SVC_ATTR_NETMASK], &netmask));
    out->netmask = out->af == AF_INET6 ? netmask : ntohl(netmask);
    return get_either_stats(&tb[IPVS_SVC_ATTR_STATS64], &tb[IPVS_SVC_ATTR_STATS],
                            &out->has_stats, &out->stats);
}

int hb_ipvs_decode_dest(const hb_nl_msg *m, hb_ipvs_dest *out)
{
    hb_nl_attr tb[IPVS_DEST_ATTR_MAX + 1];
    memset(out, 0, sizeof(*out));
    int rc = reply_nest(m, IPVS_CMD_NEW_DEST, IPVS_CMD_ATTR_DEST, tb, IPVS_DEST_ATTR_MAX);
    if (rc)
        return rc;
    uint32_t weight;
    OPT(hb_nl_get_u16(&tb[IPVS_DEST_ATTR_ADDR_FAMILY], &out->af));
    if (out->af && addr_len(out->af) == 0)
        return -EBADMSG;
    REQ(get_addr(&tb[IPVS_DEST_ATTR_ADDR], out->af, out->addr));
    REQ(hb_nl_get_be16(&tb[IPVS_DEST_ATTR_PORT], &out->port));
    REQ(hb_nl_get_u32(&tb[IPVS_DEST_ATTR_FWD_METHOD], &out->fwd_method));
    out->fwd_method &= IP_VS_CONN_F_FWD_MASK;
    REQ(hb_nl_get_u32(&tb[IPVS_DEST_ATTR_WEIGHT], &weight));
    out->weight = (int32_t)weight;
    REQ(hb_nl_get_u32(&tb[IPVS_DEST_ATTR_U_THRESH], &out->u_threshold));
    REQ(hb_nl_get_u32(&tb[IPVS_DEST_ATTR_L_THRESH], &out->l_threshold));
    OPT(hb_nl_get_u32(&tb[IPVS_DEST_ATTR_ACTIVE_CONNS], &out->active_conns));
    OPT(hb_nl_get_u32(&tb[IPVS_DEST_ATTR_INACT_CONNS], &out->inact_conns));
    OPT(hb_nl_get_u32(&tb[IPVS_DEST_ATTR_PERSIST_CONNS], &out->persist_conns));
    OPT(hb_nl_get_u8(&tb[IPVS_DEST_ATTR_TUN_TYPE], &out->tun_type));
    OPT(hb_nl_get_be16(&tb[IPVS_DEST_ATTR_TUN_PORT], &out->tun_port));
    OPT(hb_nl_get_u16(&tb[IPVS_DEST_ATTR_TUN_FLAGS], &out->tun_flags));
    return get_either_stats(&tb[IPVS_DEST_ATTR_STATS64], &tb[IPVS_DEST_ATTR_STATS],
                            &out->has_stats, &out->stats);
}

int hb_ipvs_decode_daemon(const hb_nl_msg *m, hb_ipvs_daemon *out)
{
    hb_nl_attr tb[IPVS_DAEMON_ATTR_MAX + 1];
    memset(out, 0, sizeof(*out));
    int rc = reply_nest(m, IPVS_CMD_NEW_DAEMON, IPVS_CMD_ATTR_DAEMON, tb, IPVS_DAEMON_ATTR_MAX);
    if (rc)
        return rc;
    REQ(hb_nl_get_u32(&tb[IPVS_DAEMON_ATTR_STATE], &out->state));
    REQ(hb_nl_get_str(&tb[IPVS_DAEMON_ATTR_MCAST_IFN], out->mcast_ifn, sizeof(out->mcast_ifn)));
    REQ(hb_nl_get_u32(&tb[IPVS_DAEMON_ATTR_SYNC_ID], &out->syncid));
    OPT(hb_nl_get_u16(&tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN], &out->sync_maxlen));
    OPT(hb_nl_get_u16(&tb[IPVS_DAEMON_ATTR_MCAST_PORT], &out->mcast_port));
    OPT(hb_nl_get_u8(&tb[IPVS_DAEMON_ATTR_MCAST_TTL], &out->mcast_ttl));
    const hb_nl_attr *g4 = &tb[IPVS_DAEMON_ATTR_MCAST_GROUP], *g6 = &tb[IPVS_DAEMON_ATTR_MCAST_GROUP6];
    if (g4->data) {
        if (g4->len != 4)
            return -EBADMSG;
        out->mcast_af = AF_INET;
        memcpy(out->mcast_group, g4->data, 4);
    } else if (g6->data) {
        if (g6->len != 16)
            return -EBADMSG;
        out->mcast_af = AF_INET6;
        memcpy(out->mcast_group, g6->data, 16);
    }
    return 0;
}

int hb_ipvs_decode_timeouts(const hb_nl_msg *m, hb_ipvs_timeouts *out)
{
    const uint8_t *attrs;
    size_t len;
    hb_nl_attr tb[IPVS_CMD_ATTR_MAX + 1];
    memset(out, 0, sizeof(*out));
    int rc = reply_attrs(m, IPVS_CMD_SET_CONFIG, &attrs, &len);
    if (rc)
        return rc;
    if (hb_nl_parse(attrs, len, tb, IPVS_CMD_ATTR_MAX) != 0)
        return -EBADMSG;
    /* each one only where the kernel has that protocol */
    OPT(hb_nl_get_u32(&tb[IPVS_CMD_ATTR_TIMEOUT_TCP], &out->tcp));
    OPT(hb_nl_get_u32(&tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN], &out->tcp_fin));
    OPT(hb_nl_get_u32(&tb[IPVS_CMD_ATTR_TIMEOUT_UDP], &out->udp));
    return 0;
}

int hb_ipvs_decode_info(const hb_nl_msg *m, hb_ipvs_info *out)
{
    const uint8_t *attrs;
    size_t len;
    hb_nl_attr tb[IPVS_INFO_ATTR_MAX + 1];
    memset(out, 0, sizeof(*out));
    int rc = reply_attrs(m, IPVS_CMD_SET_INFO, &attrs, &len);
    if (rc)
        return rc;
    if (hb_nl_parse(attrs, len, tb, IPVS_INFO_ATTR_MAX) != 0)
        return -EBADMSG;
    REQ(hb_nl_get_u32(&tb[IPVS_INFO_ATTR_VERSION], &out->version));
    REQ(hb_nl_get_u32(&tb[IPVS_INFO_ATTR_CONN_TAB_SIZE], &out->conn_tab_size));
    return 0;
}

/* ------------------------------------------------------------------ text */

int hb_ipvs_addr_parse(uint16_t af, const char *text, uint8_t addr[16])
{
    memset(addr, 0, 16);
    if ((af != AF_INET && af != AF_INET6) || text == NULL)
        return -EINVAL;
    return inet_pton(af, text, addr) == 1 ? 0 : -EINVAL;
}

const char *hb_ipvs_addr_text(uint16_t af, const uint8_t addr[16], char *out, size_t cap)
{
    if (cap == 0)
        return out;
    if ((af != AF_INET && af != AF_INET6) || inet_ntop(af, addr, out, (socklen_t)cap) == NULL)
        snprintf(out, cap, "?");
    return out;
}

static const char *protocol_name(uint16_t protocol, char *buf, size_t cap)
{
    switch (protocol) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 132: return "SCTP";
    default: snprintf(buf, cap, "proto %u", protocol); return buf;
    }
}

static void addr_port_text(uint16_t af, const uint8_t addr[16], uint16_t port, char *out,
                           size_t cap)
{
    char a[INET6_ADDRSTRLEN];
    hb_ipvs_addr_text(af, addr, a, sizeof(a));
    if (af == AF_INET6)
        snprintf(out, cap, "[%s]:%u", a, port);
    else
        snprintf(out, cap, "%s:%u", a, port);
}

void hb_ipvs_service_text(const hb_ipvs_service *svc, char *out, size_t cap)
{
    char ap[HB_IPVS_ADDR_TEXT], proto[16];
    if (cap == 0)
        return;
    if (svc->fwmark) {
        snprintf(out, cap, "FWM %u%s", svc->fwmark, svc->af == AF_INET6 ? " IPv6" : "");
        return;
    }
    addr_port_text(svc->af, svc->addr, svc->port, ap, sizeof(ap));
    snprintf(out, cap, "%s %s", protocol_name(svc->protocol, proto, sizeof(proto)), ap);
}

void hb_ipvs_dest_text(const hb_ipvs_dest *d, uint16_t svc_af, char *out, size_t cap)
{
    if (cap == 0)
        return;
    addr_port_text(d->af ? d->af : svc_af, d->addr, d->port, out, cap);
}
