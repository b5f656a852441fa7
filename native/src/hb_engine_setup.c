/* Creating and tearing down the engine, and reading its state. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "hb_engine_priv.h"

#if defined(__SANITIZE_ADDRESS__)
#define HB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HB_ASAN 1
#endif
#endif
#ifdef HB_ASAN
#include <sanitizer/asan_interface.h>
#endif

static const char *const engine_drop_names[HB_EDROP_COUNT] = {
    [HB_EDROP_UNKNOWN_NODE] = "unknown_node", [HB_EDROP_OWN_MESSAGE] = "own_message",
    [HB_EDROP_REPLAY] = "replay",             [HB_EDROP_OLD_SEQ] = "old_seq",
    [HB_EDROP_DUPLICATE] = "duplicate",       [HB_EDROP_NO_SEQ] = "no_seq",
    [HB_EDROP_NOT_FOR_US] = "not_for_us",     [HB_EDROP_BAD_CONTROL] = "bad_control",
    [HB_EDROP_SERIAL_GARBAGE] = "serial_garbage",
};

const char *hb_engine_drop_name(int reason)
{
    return reason >= 0 && reason < HB_EDROP_COUNT ? engine_drop_names[reason] : "unknown";
}

static const char *const counter_names[HB_CTR_DROP_BASE] = {
    [HB_CTR_RX_DATAGRAMS] = "rx_datagrams",
    [HB_CTR_RX_BYTES] = "rx_bytes",
    [HB_CTR_RX_ACCEPTED] = "rx_accepted",
    [HB_CTR_TX_DATAGRAMS] = "tx_datagrams",
    [HB_CTR_TX_BYTES] = "tx_bytes",
    [HB_CTR_TX_ERRORS] = "tx_errors",
    [HB_CTR_STATUS_SENT] = "status_sent",
    [HB_CTR_MESSAGES_SENT] = "messages_sent",
    [HB_CTR_REXMIT_REQUESTS_SENT] = "rexmit_requests_sent",
    [HB_CTR_REXMIT_REQUESTS_RECEIVED] = "rexmit_requests_received",
    [HB_CTR_REXMITS_SENT] = "rexmits_sent",
    [HB_CTR_NAKS_SENT] = "naks_sent",
    [HB_CTR_ACKS_SENT] = "acks_sent",
    [HB_CTR_LATE_HEARTBEATS] = "late_heartbeats",
    [HB_CTR_TARDY_WAKEUPS] = "tardy_wakeups",
    [HB_CTR_NODE_DEATHS] = "node_deaths",
    [HB_CTR_PING_SENT] = "ping_sent",
    [HB_CTR_PING_REPLIES] = "ping_replies",
    [HB_CTR_EVENTS_DROPPED] = "events_dropped",
    [HB_CTR_STALLS_FORGIVEN] = "stalls_forgiven",
    [HB_CTR_WAKEUPS] = "wakeups",
};

const char *hb_counter_name(int counter)
{
    static char names[HB_CTR_COUNT][48];
    if (counter < 0 || counter >= HB_CTR_COUNT)
        return "unknown";
    if (counter < HB_CTR_DROP_BASE)
        return counter_names[counter];
    if (names[counter][0] == '\0') {
        if (counter < HB_CTR_EDROP_BASE)
            snprintf(names[counter], sizeof names[counter], "drop_%s", hb_drop_reason_name(counter - HB_CTR_DROP_BASE));
        else
            snprintf(names[counter], sizeof names[counter], "edrop_%s", hb_engine_drop_name(counter - HB_CTR_EDROP_BASE));
    }
    return names[counter];
}

void hb_format_sockaddr(const struct sockaddr_storage *sa, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(out, cap, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(out, cap, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(out, cap, "?");
    }
}

int hb_engine_add_fd(hb_engine *e, int fd, uint32_t kind, uint32_t index, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.u64 = ((uint64_t)kind << 32) | index};
    return epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

static int link_index(hb_engine *e, const char *name)
{
    for (size_t i = 0; i < e->nlinks; i++)
        if (strcmp(e->link_names[i], name) == 0)
            return (int)i;
    if (e->nlinks == HB_ENGINE_MAX_MEDIA)
        return -1;
    snprintf(e->link_names[e->nlinks], HB_LINK_NAME_MAX, "%s", name);
    return (int)e->nlinks++;
}

static bool valid_config(const hb_engine_config *c, char *err, size_t errlen)
{
    const char *why = NULL;
    if (c->node_name[0] == '\0')
        why = "no node name";
    else if (c->nnodes == 0 || c->nnodes > HB_ENGINE_MAX_NODES)
        why = "node count out of range";
    else if (c->nmedia > HB_ENGINE_MAX_MEDIA)
        why = "too many media";
    else if (c->nping > HB_ENGINE_MAX_PING)
        why = "too many ping nodes";
    else if (c->keepalive_ms == 0 || c->deadtime_ms <= 2 * c->keepalive_ms)
        why = "deadtime must be more than twice keepalive";
    else if (c->standby_deadtime_ms > c->deadtime_ms && c->standby_keepalive_ms <= c->keepalive_ms)
        why = "standby_deadtime needs a standby_keepalive longer than keepalive";
    else if (c->standby_deadtime_ms > c->deadtime_ms && c->standby_deadtime_ms <= 2 * c->standby_keepalive_ms)
        why = "standby_deadtime must be more than twice standby_keepalive";
    /* Without a standby_deadtime the standby's dt is deadtime itself. */
    else if (c->standby_deadtime_ms <= c->deadtime_ms && c->standby_keepalive_ms > 0 &&
             c->deadtime_ms <= 2 * c->standby_keepalive_ms)
        why = "deadtime must be more than twice standby_keepalive";
    else if (c->keys.sign_index < 0)
        why = "no signing key";
    if (why)
        snprintf(err, errlen, "%s", why);
    return why == NULL;
}

static int setup_nodes(hb_engine *e)
{
    const hb_engine_config *c = &e->cfg;
    e->self = -1;
    for (size_t i = 0; i < c->nnodes; i++) {
        hb_node_state *n = &e->nodes[e->nnodes++];
        snprintf(n->name, sizeof n->name, "%s", c->nodes[i]);
        n->is_self = strcmp(n->name, c->node_name) == 0;
        n->dt_ms = c->deadtime_ms;
        n->last_status_ms = -1;
        snprintf(n->status, sizeof n->status, "init");
        hb_peer_init(&n->peer, (unsigned)(hb_engine_random(e) % HB_ACK_DIV), c->max_rexmit_delay_ms);
        n->flow_control = true;
        if (n->is_self)
            e->self = (int)i;
        for (size_t l = 0; l < HB_ENGINE_MAX_MEDIA; l++)
            n->links[l].last_rx_ms = -1;
    }
    if (e->self < 0)
        return -ENOENT;
    for (size_t i = 0; i < c->nping; i++) {
        hb_node_state *n = &e->nodes[e->nnodes++];
        snprintf(n->name, sizeof n->name, "%s", c->ping[i].name);
        n->is_ping = true;
        n->dt_ms = c->deadping_ms;
        n->last_status_ms = -1;
        snprintf(n->status, sizeof n->status, "init");
    }
    snprintf(e->own_status, sizeof e->own_status, "init");
    return 0;
}

static int open_network_media(hb_engine *e, char *err, size_t errlen)
{
    for (size_t i = 0; i < e->cfg.nmedia; i++) {
        const hb_medium_config *m = &e->cfg.media[i];
        if (m->kind == HB_MEDIUM_SERIAL)
            continue;
        int link = link_index(e, m->iface);
        if (link < 0)
            return -ENOSPC;
        hb_udp_tx *tx = &e->tx[e->ntx];
        int rc = hb_udp_open_tx(m, tx, err, errlen);
        if (rc < 0)
            return rc;
        tx->link = link;
        e->ntx++;
        int family = (m->kind == HB_MEDIUM_UCAST6 || m->kind == HB_MEDIUM_MCAST6) ? AF_INET6 : AF_INET;
        hb_udp_rx *shared = NULL;
        for (size_t r = 0; r < e->nrx; r++)
            if (e->rx[r].family == family && e->rx[r].port == m->port && strcmp(e->rx[r].iface, m->iface) == 0)
                shared = &e->rx[r];
        if (shared) {
            if ((rc = hb_udp_join(m, shared, err, errlen)) < 0)
                return rc;
            continue;
        }
        hb_udp_rx *rx = &e->rx[e->nrx];
        if ((rc = hb_udp_open_rx(m, rx, err, errlen)) < 0)
            return rc;
        rx->link = link;
        if (!hb_engine_rx_unwatched(e, rx) && (rc = hb_engine_add_fd(e, rx->fd, HB_FD_RX, (uint32_t)e->nrx, EPOLLIN)) < 0) {
            close(rx->fd);
            snprintf(err, errlen, "adding a socket to epoll");
            return rc;
        }
        e->nrx++;
    }
    return 0;
}

int hb_engine_serial_link(hb_engine *e, const char *device)
{
    return link_index(e, device);
}

/* ------------------------------------------------------------- the arena */

/* Where each piece of the working set lies in the arena (sys_arena.c), after
 * the engine itself at offset 0 (the thread's stack is not there: see
 * sys_arena.c).  Datagrams are < 64 KiB (UDP); serial
 * messages are bounded by the reader. */
#define HB_ENGINE_BUFCAP 65536u
enum { ARENA_BUFS = 6 };
typedef struct hb_arena_layout {
    size_t history, bufs[ARENA_BUFS];
} hb_arena_layout;

/* Between pieces: an overrun of one buffer never writes into the next
 * (poisoned under AddressSanitizer, which cannot see inside a mapping). */
#define ARENA_GAP 64u

static size_t place(size_t *at, size_t len, size_t align)
{
    size_t off = (*at + ARENA_GAP + align - 1) / align * align;
    *at = off + len;
    return off;
}

/* The bytes the arena needs. */
static size_t arena_layout(hb_arena_layout *l)
{
    size_t at = sizeof(hb_engine);
    l->history = place(&at, sizeof(hb_history), 64);
    for (size_t i = 0; i < ARENA_BUFS; i++)
        l->bufs[i] = place(&at, HB_ENGINE_BUFCAP, 64);
    return at;
}

static void arena_carve(hb_engine *e, const hb_arena_layout *l, size_t len)
{
    uint8_t *base = (uint8_t *)e;
    e->arena_len = len;
    e->history = (hb_history *)(void *)(base + l->history);
    uint8_t **bufs[ARENA_BUFS] = {&e->txbuf, &e->rxbuf, &e->scratch, &e->store_rx, &e->store_tx, &e->store_aux};
    for (size_t i = 0; i < ARENA_BUFS; i++)
        *bufs[i] = base + l->bufs[i];
    e->bufcap = HB_ENGINE_BUFCAP;
#ifdef HB_ASAN
    /* Every byte no piece owns: the gaps and the tail of the mapping. */
    size_t starts[] = {l->history, l->bufs[0], l->bufs[1], l->bufs[2], l->bufs[3], l->bufs[4], l->bufs[5], hb_arena_size(len)};
    size_t ends[] = {sizeof(hb_engine), l->history + sizeof(hb_history), l->bufs[0] + HB_ENGINE_BUFCAP, l->bufs[1] + HB_ENGINE_BUFCAP,
                     l->bufs[2] + HB_ENGINE_BUFCAP, l->bufs[3] + HB_ENGINE_BUFCAP, l->bufs[4] + HB_ENGINE_BUFCAP,
                     l->bufs[5] + HB_ENGINE_BUFCAP};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        ASAN_POISON_MEMORY_REGION(base + ends[i], starts[i] - ends[i]);
#endif
}

hb_engine *hb_engine_create(const hb_engine_config *cfg, hb_engine_notify_fn notify, void *notify_arg, int *err,
                            char *errtext, size_t errtext_len)
{
    *err = 0;
    if (errtext_len)
        errtext[0] = '\0';
    if (!valid_config(cfg, errtext, errtext_len)) {
        *err = -EINVAL;
        return NULL;
    }
    hb_arena_layout at;
    size_t arena_len = arena_layout(&at);
    hb_engine *e = hb_arena_map(arena_len);
    if (!e) {
        *err = -ENOMEM;
        return NULL;
    }
    arena_carve(e, &at, arena_len);
    e->cfg = *cfg;
    e->send_interval_ms = cfg->keepalive_ms;
    e->epfd = e->timerfd = e->wakefd = -1;
    e->ping_fd4 = e->ping_fd6 = -1;
    hb_rt_mutex_init(&e->lock);
    hb_rt_mutex_init(&e->cmd_lock);
    int rc = hb_evq_init(&e->evq, notify, notify_arg);
    if (rc < 0)
        goto fail;
    hb_history_init(e->history, cfg->max_rexmit_delay_ms);
    if (getrandom(&e->rng, sizeof e->rng, 0) != (ssize_t)sizeof e->rng || e->rng == 0)
        e->rng = (uint64_t)hb_mono_ms() * 2654435761u + 1;
    hb_msg_init(&e->msg_rx, e->store_rx, e->bufcap);
    hb_msg_init(&e->msg_tx, e->store_tx, e->bufcap);
    hb_msg_init(&e->msg_aux, e->store_aux, e->bufcap);
    if ((rc = setup_nodes(e)) < 0) {
        snprintf(errtext, errtext_len, "this node (%s) is not in the node list", cfg->node_name);
        goto fail;
    }
    e->epfd = epoll_create1(EPOLL_CLOEXEC);
    e->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    e->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (e->epfd < 0 || e->timerfd < 0 || e->wakefd < 0) {
        rc = -errno;
        snprintf(errtext, errtext_len, "creating epoll/timerfd/eventfd");
        goto fail;
    }
    if ((rc = hb_engine_add_fd(e, e->timerfd, HB_FD_TIMER, 0, EPOLLIN)) < 0 ||
        (rc = hb_engine_add_fd(e, e->wakefd, HB_FD_WAKE, 0, EPOLLIN)) < 0) {
        snprintf(errtext, errtext_len, "adding timerfd/eventfd to epoll");
        goto fail;
    }
    if ((rc = open_network_media(e, errtext, errtext_len)) < 0)
        goto fail;
    if ((rc = hb_engine_serial_open(e, errtext, errtext_len)) < 0)
        goto fail;
    if ((rc = hb_engine_ping_open(e, errtext, errtext_len)) < 0)
        goto fail;
    if (e->ntx == 0 && e->nlinks == 0) {
        rc = -EINVAL;
        snprintf(errtext, errtext_len, "no heartbeat medium");
        goto fail;
    }
    return e;
fail:
    *err = rc;
    hb_engine_destroy(e);
    return NULL;
}

void hb_engine_destroy(hb_engine *e)
{
    if (!e)
        return;
    hb_engine_stop(e);
    for (size_t i = 0; i < e->ntx; i++)
        close(e->tx[i].fd);
    for (size_t i = 0; i < e->nrx; i++)
        close(e->rx[i].fd);
    hb_engine_serial_close(e);
    hb_engine_ping_close(e);
    hb_engine_takeover_close(e);
    if (e->epfd >= 0)
        close(e->epfd);
    if (e->timerfd >= 0)
        close(e->timerfd);
    if (e->wakefd >= 0)
        close(e->wakefd);
    while (e->cmd_head) {
        hb_cmd *c = e->cmd_head;
        e->cmd_head = c->next;
        free(c);
    }
    hb_evq_destroy(&e->evq);
    pthread_mutex_destroy(&e->lock);
    pthread_mutex_destroy(&e->cmd_lock);
    free(e->stack);
    hb_arena_unmap(e, e->arena_len);
}

static void hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void hb_engine_view_get(hb_engine *e, hb_engine_view *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&e->lock);
    out->now_ms = hb_mono_ms();
    out->started_ms = e->start_ms;
    snprintf(out->own_status, sizeof out->own_status, "%s", e->own_status);
    out->seq = e->seq;
    out->send_interval_ms = e->send_interval_ms;
    out->advertised_deadtime_ms = hb_engine_advertised_deadtime(e, out->now_ms);
    out->quiet = e->quiet_phase != HB_QUIET_OFF;
    for (size_t i = 0; i < e->nnodes; i++) {
        const hb_node_state *n = &e->nodes[i];
        hb_node_view *v = &out->nodes[out->nnodes++];
        snprintf(v->name, sizeof v->name, "%s", n->name);
        v->is_ping = n->is_ping;
        v->is_self = n->is_self;
        snprintf(v->status, sizeof v->status, "%s", n->is_self ? e->own_status : n->status);
        v->last_heard_ms = n->heard ? n->last_status_ms : -1;
        v->deadtime_ms = n->is_self ? out->advertised_deadtime_ms : n->dt_ms;
        v->hbd = n->is_self || n->hbd;
        v->generation = n->is_self ? e->cfg.generation : n->peer.generation;
        v->last_seq = n->is_self ? e->seq : n->peer.last_seq;
        if (n->is_self)
            hex(e->cfg.uuid, HB_UUID_LEN, v->uuid_hex);
        else if (n->have_uuid)
            hex(n->uuid, HB_UUID_LEN, v->uuid_hex);
        if (n->is_ping)
            continue;
        for (size_t l = 0; l < e->nlinks; l++) {
            hb_link_view *lv = &v->links[v->nlinks++];
            snprintf(lv->name, sizeof lv->name, "%s", e->link_names[l]);
            /* Our own links are up while their medium is open. */
            lv->up = n->is_self ? true : n->links[l].up;
            lv->last_heard_ms = n->is_self ? out->now_ms : (n->links[l].ever ? n->links[l].last_rx_ms : -1);
        }
    }
    pthread_mutex_unlock(&e->lock);
}
