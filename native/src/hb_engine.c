/* The heartbeat engine thread (see hbcore.h).  One epoll loop owns every
 * medium and sleeps until the earliest absolute CLOCK_MONOTONIC deadline:
 * the next status send, a node's or a link's death, a due retransmission
 * request.  Receiving a datagram only moves timestamps; the deadlines are
 * recomputed from them (style.md §6).  At short keepalives the UDP media
 * are read at each wake-up rather than watched (hb_engine_rx.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "hb_engine_priv.h"
#include "hb_internal.h"

/* ------------------------------------------------------------- utilities */

static void set_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

void hb_engine_count(hb_engine *e, int counter, uint64_t n)
{
    __atomic_fetch_add(&e->counters[counter], n, __ATOMIC_RELAXED);
}

void hb_engine_emit(hb_engine *e, hb_event *ev)
{
    ev->mono_ms = (uint64_t)hb_mono_ms();
    if (!hb_evq_push(&e->evq, ev))
        hb_engine_count(e, HB_CTR_EVENTS_DROPPED, 1);
}

void hb_engine_emit_simple(hb_engine *e, hb_event_type type, const char *node, const char *link, const char *status,
                           int64_t value, int64_t value2, const char *text)
{
    hb_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    set_text(ev.node, sizeof ev.node, node);
    set_text(ev.link, sizeof ev.link, link);
    set_text(ev.status, sizeof ev.status, status);
    ev.value = value;
    ev.value2 = value2;
    set_text(ev.text, sizeof ev.text, text);
    hb_engine_emit(e, &ev);
}

/* Log-type events (drops, medium errors) at most once per second per key,
 * with the number suppressed in between (style.md §4: rate-limited logs). */
bool hb_engine_rate_ok(hb_engine *e, size_t key, int64_t now, uint64_t *suppressed)
{
    hb_rate *r = &e->rate[key % HB_RATE_KEYS];
    if (r->last_ms != 0 && now - r->last_ms < 1000) {
        r->suppressed++;
        return false;
    }
    *suppressed = r->suppressed;
    r->suppressed = 0;
    r->last_ms = now;
    return true;
}

int hb_engine_find_node(const hb_engine *e, const char *name)
{
    for (size_t i = 0; i < e->nnodes; i++)
        if (strcmp(e->nodes[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------ receiving */

static bool parse_hex(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 16);
    if (errno || *end != '\0')
        return false;
    *out = v;
    return true;
}

static void set_node_status(hb_engine *e, hb_node_state *n, const char *status)
{
    if (strcmp(n->status, status) == 0)
        return;
    set_text(n->status, sizeof n->status, status);
    hb_engine_emit_simple(e, HB_EV_NODE_STATUS, n->name, NULL, status, 0, 0, NULL);
}

static void link_heard(hb_engine *e, hb_node_state *n, int link, int64_t now)
{
    if (link < 0)
        return;
    hb_link_state *l = &n->links[link];
    /* Read in a batch, media may be read out of arrival order. */
    if (now > l->last_rx_ms)
        l->last_rx_ms = now;
    l->ever = true;
    if (!l->up) {
        l->up = true;
        hb_engine_emit_simple(e, HB_EV_LINK_STATUS, n->name, e->link_names[link], "up", 0, 0, NULL);
    }
}

static void on_status(hb_engine *e, hb_node_state *n, const hb_msg *m, int64_t now)
{
    uint64_t dt;
    const char *hbd = hb_msg_get_str(m, HB_HBD_FIELD);
    bool was_hbd = n->hbd, was_live = n->heard && !n->dead;
    if (parse_hex(hb_msg_get_str(m, "dt"), &dt) && dt > 0 && dt < 24u * 3600u * 1000u)
        n->dt_ms = (uint32_t)dt;
    n->hbd = hbd && strcmp(hbd, "1") == 0;
    if (n->heard && !n->dead) {
        int64_t gap = now - n->last_status_ms;
        if (gap > hb_engine_warntime_for(e, n)) {
            hb_engine_count(e, HB_CTR_LATE_HEARTBEATS, 1);
            hb_engine_emit_simple(e, HB_EV_LATE_HEARTBEAT, n->name, NULL, NULL, gap, gap > (int64_t)n->dt_ms, NULL);
        }
        bool rare = gap >= 4 * (int64_t)e->cfg.keepalive_ms;
        if (rare != n->sends_rarely) {
            n->sends_rarely = rare;
            hb_engine_rx_fit_to_peers(e);
        }
    }
    if (now > n->last_status_ms || n->dead || !n->heard)
        n->last_status_ms = now;
    n->stall_forgiven = false;
    n->heard = true;
    /* Protocol 1 = the peer does acks/flow control; one status without it
     * turns acks to it off for good (§5.2). */
    const char *proto = hb_msg_get_str(m, "protocol");
    if (!proto || strcmp(proto, "1") != 0)
        n->flow_control = false;
    if (n->dead) {
        n->dead = false;
        /* Same generation as before its death, newer seq: it never restarted,
         * the network was partitioned (wire §6.4). */
        if (n->last_result.returned_after_partition)
            hb_engine_emit_simple(e, HB_EV_PARTITION_RETURN, n->name, NULL, NULL, (int64_t)n->peer.generation, 0, NULL);
    }
    n->restarted_since_death = false;
    const char *st = hb_msg_get_str(m, "st");
    set_node_status(e, n, st && *st && strlen(st) < HB_STATUS_MAX ? st : "up");
    /* A peer that is not hbd (or no longer) ends a quiet standby at once. */
    if (n->hbd != was_hbd || !was_live)
        hb_engine_cadence_update(e, now);
}

/* Is an addressed message for us?  destuuid wins over dest (wire §5.1). */
static bool addressed_to_us(const hb_engine *e, const hb_msg *m)
{
    const hb_field *du = hb_msg_get(m, "destuuid");
    if (du && du->type == HB_FIELD_BINARY && du->value_len == HB_UUID_LEN)
        return memcmp(du->value, e->cfg.uuid, HB_UUID_LEN) == 0;
    const char *dest = hb_msg_get_str(m, "dest");
    return !dest || strcmp(dest, e->cfg.node_name) == 0;
}

static void deliver_to_js(hb_engine *e, const hb_msg *m, const char *src)
{
    hb_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = HB_EV_MESSAGE;
    set_text(ev.node, sizeof ev.node, src);
    ssize_t n = hb_encode_netstring(m, e->scratch, e->bufcap);
    if (n < 0)
        return;
    ev.payload = malloc((size_t)n);
    if (!ev.payload) {
        hb_engine_count(e, HB_CTR_EVENTS_DROPPED, 1);
        return;
    }
    memcpy(ev.payload, e->scratch, (size_t)n);
    ev.payload_len = (size_t)n;
    hb_engine_emit(e, &ev);
}

void hb_engine_reject(hb_engine *e, int counter_base, int reason, const char *reason_name, const char *detail, int64_t now)
{
    hb_engine_count(e, counter_base + reason, 1);
    /* Counted always; logged unless ha.cf says log_badpack off. */
    if (!e->cfg.log_bad_packets)
        return;
    uint64_t suppressed;
    if (!hb_engine_rate_ok(e, (size_t)(counter_base + reason), now, &suppressed))
        return;
    char text[256];
    snprintf(text, sizeof text, "%s%s%s (%" PRIu64 " similar suppressed)", reason_name, detail && *detail ? ": " : "",
             detail ? detail : "", suppressed);
    hb_engine_emit_simple(e, HB_EV_DROP, NULL, NULL, NULL, counter_base + reason, 0, text);
}

/* Where a datagram came from, for the messages about dropping it: formatted
 * only then (inet_ntop and printf were a visible share of every receive). */
static const char *origin_text(const hb_engine *e, const char *from, char *buf, size_t cap)
{
    if (from)
        return from;
    if (!e->rx_from)
        return "?";
    hb_format_sockaddr(e->rx_from, buf, cap);
    return buf;
}

/* One authentic-or-not message from a medium (or the serial reader).  `from`
 * names its origin; NULL: the address in e->rx_from. */
void hb_engine_on_message_bytes(hb_engine *e, int link, const uint8_t *buf, size_t len, const char *from, int64_t now)
{
    char origin[64];
    hb_engine_count(e, HB_CTR_RX_DATAGRAMS, 1);
    hb_engine_count(e, HB_CTR_RX_BYTES, len);
    hb_recv_info info;
    hb_drop_reason r = hb_receive(&e->cfg.keys, buf, len, &e->msg_rx, &info);
    if (r != HB_DROP_NONE) {
        hb_engine_reject(e, HB_CTR_DROP_BASE, r, hb_drop_reason_name(r), origin_text(e, from, origin, sizeof origin), now);
        return;
    }
    hb_msg *m = &e->msg_rx;
    const char *src = hb_msg_get_str(m, "src");
    const char *type = hb_msg_get_str(m, "t");
    int idx = hb_engine_find_node(e, src);
    if (idx < 0 || e->nodes[idx].is_ping) {
        char detail[160];
        snprintf(detail, sizeof detail, "node [%s] from %s", src, origin_text(e, from, origin, sizeof origin));
        hb_engine_reject(e, HB_CTR_EDROP_BASE, HB_EDROP_UNKNOWN_NODE, hb_engine_drop_name(HB_EDROP_UNKNOWN_NODE), detail, now);
        return;
    }
    if (idx == e->self) {
        hb_engine_count(e, HB_CTR_EDROP_BASE + HB_EDROP_OWN_MESSAGE, 1);
        return;
    }
    hb_node_state *n = &e->nodes[idx];
    const hb_field *uuid = hb_msg_get(m, "srcuuid");
    if (uuid && uuid->type == HB_FIELD_BINARY && uuid->value_len == HB_UUID_LEN) {
        memcpy(n->uuid, uuid->value, HB_UUID_LEN);
        n->have_uuid = true;
    }
    uint64_t hg = 0, seq = 0;
    bool ns = hb_msg_is_ns(m);
    if (!parse_hex(hb_msg_get_str(m, "hg"), &hg) || (!ns && !parse_hex(hb_msg_get_str(m, "seq"), &seq))) {
        int why = (!ns && !hb_msg_get_str(m, "seq")) || !hb_msg_get_str(m, "hg") ? HB_EDROP_NO_SEQ : HB_EDROP_BAD_CONTROL;
        hb_engine_reject(e, HB_CTR_EDROP_BASE, why, hb_engine_drop_name(why), src, now);
        return;
    }
    hb_seq_outcome out = hb_engine_seq_check(e, n, hg, seq, ns, now);
    if (out == HB_SEQ_OUT_REPLAY) {
        char detail[160];
        snprintf(detail, sizeof detail, "node [%s] generation %" PRIx64 " < %" PRIx64 ": attempted replay attack", src, hg,
                 n->peer.generation);
        hb_engine_reject(e, HB_CTR_EDROP_BASE, HB_EDROP_REPLAY, hb_engine_drop_name(HB_EDROP_REPLAY), detail, now);
        return;
    }
    hb_engine_count(e, HB_CTR_RX_ACCEPTED, 1);
    link_heard(e, n, link, now);
    if (out == HB_SEQ_OUT_DUPLICATE) {
        hb_engine_count(e, HB_CTR_EDROP_BASE + HB_EDROP_DUPLICATE, 1);
        return;
    }
    if (out == HB_SEQ_OUT_OLD) {
        hb_engine_count(e, HB_CTR_EDROP_BASE + HB_EDROP_OLD_SEQ, 1);
        return;
    }
    if (!addressed_to_us(e, m)) {
        hb_engine_count(e, HB_CTR_EDROP_BASE + HB_EDROP_NOT_FOR_US, 1);
        return;
    }
    if (strcmp(type, "status") == 0) {
        on_status(e, n, m, now);
    } else if (ns) {
        hb_engine_on_ns_message(e, n, m, type, now);
    } else {
        deliver_to_js(e, m, src);
    }
    if (!ns)
        hb_engine_maybe_ack(e, n, seq, now);
}

/* -------------------------------------------------------------- deadlines */

static int64_t node_deadline(const hb_engine *e, const hb_node_state *n)
{
    if (n->heard)
        return n->last_status_ms + n->dt_ms;
    return e->start_ms + e->cfg.initdead_ms;
}

static void declare_dead(hb_engine *e, hb_node_state *n)
{
    n->dead = true;
    n->sends_rarely = false;
    hb_engine_seq_node_dead(e, n);
    hb_engine_count(e, HB_CTR_NODE_DEATHS, 1);
    for (size_t l = 0; l < e->nlinks; l++) {
        if (n->links[l].up) {
            n->links[l].up = false;
            hb_engine_emit_simple(e, HB_EV_LINK_STATUS, n->name, e->link_names[l], "dead", 0, 0, NULL);
        }
    }
    set_text(n->status, sizeof n->status, "dead");
    /* The armed takeover first: the VIPs must not wait for anything. */
    int64_t now = hb_mono_ms();
    hb_engine_run_plan(e, n, now);
    hb_engine_emit_simple(e, HB_EV_NODE_STATUS, n->name, NULL, "dead", 0, 0, NULL);
    /* A dead peer no longer needs a safe cadence. */
    hb_engine_cadence_update(e, now);
}

static int64_t run_deadlines(hb_engine *e, int64_t now)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if ((int)i == e->self || n->is_ping || n->dead)
            continue;
        int64_t dl = node_deadline(e, n);
        if (now >= dl) {
            declare_dead(e, n);
            continue;
        }
        if (dl < next)
            next = dl;
        for (size_t l = 0; l < e->nlinks; l++) {
            hb_link_state *ls = &n->links[l];
            if (!ls->up)
                continue;
            int64_t ldl = ls->last_rx_ms + n->dt_ms;
            if (now >= ldl) {
                ls->up = false;
                hb_engine_emit_simple(e, HB_EV_LINK_STATUS, n->name, e->link_names[l], "dead", 0, 0, NULL);
            } else if (ldl < next) {
                next = ldl;
            }
        }
    }
    return next;
}

/* The timerfd, only where epoll_pwait2 is missing. */
static void arm_timer(hb_engine *e, int64_t at_ms)
{
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (at_ms <= 0)
        at_ms = 1;
    its.it_value.tv_sec = at_ms / 1000;
    its.it_value.tv_nsec = (at_ms % 1000) * 1000000L;
    timerfd_settime(e->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* The thread was not running for `stall` ms past its deadline (machine or
 * hypervisor pause, a kernel that did not preempt).  Silence it could not
 * watch is not evidence: on a shared host the peers were paused too and
 * could not send.  Datagrams that did arrive meanwhile were read before this
 * runs, so each live peer gets the stalled time back (never beyond now: at
 * most one full deadtime from the moment the thread runs again) - once per
 * silence: a thread that keeps waking late must not keep a dead peer alive. */
static void forgive_stall(hb_engine *e, int64_t stall, int64_t now)
{
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if ((int)i == e->self || n->is_ping || n->dead || !n->heard || n->stall_forgiven)
            continue;
        n->stall_forgiven = true;
        n->last_status_ms = n->last_status_ms + stall < now ? n->last_status_ms + stall : now;
        for (size_t l = 0; l < e->nlinks; l++)
            if (n->links[l].up)
                n->links[l].last_rx_ms = n->links[l].last_rx_ms + stall < now ? n->links[l].last_rx_ms + stall : now;
    }
}

/* Sleeps until a watched fd is ready or the absolute deadline: the timeout
 * of epoll_pwait2 (ns resolution), which saves the timerfd's read and re-arm
 * at every tick; the timerfd where the kernel lacks it. */
static int wait_until(hb_engine *e, struct epoll_event *evs, int max, int64_t deadline_ms, bool rearm)
{
#ifdef SYS_epoll_pwait2
    if (!e->sleep_by_timerfd) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t left = deadline_ms * 1000000 - ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
        if (left < 0)
            left = 0;
        struct timespec timeout = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
        long n = syscall(SYS_epoll_pwait2, e->epfd, evs, max, &timeout, NULL, (size_t)0);
        if (n >= 0 || errno != ENOSYS)
            return (int)n;
        e->sleep_by_timerfd = true;
        rearm = true;
    }
#else
    e->sleep_by_timerfd = true;
#endif
    if (rearm)
        arm_timer(e, deadline_ms);
    return epoll_wait(e->epfd, evs, max, -1);
}

/* Everything due at `now`; returns the next absolute deadline. */
static int64_t run_timers(hb_engine *e, int64_t now)
{
    /* Woken this late, the thread itself was held up (a timer slack of a few
     * ms is normal; a keepalive's worth is not). */
    int64_t stall = e->armed_ms > 0 ? now - e->armed_ms : 0;
    if (stall > (int64_t)e->cfg.keepalive_ms / 2 + 2) {
        hb_engine_count(e, HB_CTR_STALLS_FORGIVEN, 1);
        forgive_stall(e, stall, now);
    }
    if (now >= e->next_send_ms) {
        int64_t late = now - e->next_send_ms;
        if (late > (int64_t)e->cfg.keepalive_ms / 2 + 2) {
            hb_engine_count(e, HB_CTR_TARDY_WAKEUPS, 1);
            uint64_t suppressed;
            if (hb_engine_rate_ok(e, 300, now, &suppressed))
                hb_engine_emit_simple(e, HB_EV_TARDY, NULL, NULL, NULL, late, (int64_t)suppressed, NULL);
        }
        hb_engine_send_status(e, now);
        e->next_send_ms += e->send_interval_ms;
        /* After a long stall, do not fire a burst: resume the cadence now. */
        if (e->next_send_ms <= now)
            e->next_send_ms = now + e->send_interval_ms;
    }
    /* A death declared here may end standby and bring the next send forward. */
    int64_t d = run_deadlines(e, now);
    int64_t next = e->next_send_ms;
    if (d < next)
        next = d;
    d = hb_engine_rexmit_timers(e, now);
    if (d < next)
        next = d;
    d = hb_engine_ping_timers(e, now);
    if (d < next)
        next = d;
    d = hb_engine_serial_timers(e, now);
    if (d < next)
        next = d;
    d = hb_engine_announce_timers(e, now);
    if (d < next)
        next = d;
    d = hb_engine_cadence_timers(e, now);
    if (d < next)
        next = d;
    if (e->next_send_ms < next)
        next = e->next_send_ms;
    return next;
}

/* --------------------------------------------------------------- commands */

static void run_commands(hb_engine *e, int64_t now)
{
    uint64_t drain;
    if (read(e->wakefd, &drain, sizeof drain) < 0 && errno != EAGAIN)
        return;
    pthread_mutex_lock(&e->cmd_lock);
    hb_cmd *list = e->cmd_head;
    e->cmd_head = e->cmd_tail = NULL;
    pthread_mutex_unlock(&e->cmd_lock);
    while (list) {
        hb_cmd *c = list;
        list = c->next;
        if (c->kind == HB_CMD_STATUS) {
            if (strcmp(e->own_status, c->status) != 0) {
                pthread_mutex_lock(&e->lock);
                set_text(e->own_status, sizeof e->own_status, c->status);
                set_text(e->nodes[e->self].status, sizeof e->nodes[e->self].status, c->status);
                pthread_mutex_unlock(&e->lock);
                hb_engine_send_status(e, now); /* a status change goes out at once (wire §6.2) */
            }
        } else if (c->kind == HB_CMD_STANDBY) {
            pthread_mutex_lock(&e->lock);
            hb_engine_set_cadence(e, c->standby, now);
            pthread_mutex_unlock(&e->lock);
        } else if (c->kind == HB_CMD_ARM) {
            pthread_mutex_lock(&e->lock);
            hb_engine_set_plan(e, c->node, (const hb_takeover_step *)(const void *)c->body, c->body_len);
            pthread_mutex_unlock(&e->lock);
        } else if (c->kind == HB_CMD_SEND) {
            hb_msg_reset(&e->msg_tx);
            size_t used = 0;
            if (hb_decode_netstring(&e->msg_tx, c->body, c->body_len, &used) == HB_DROP_NONE) {
                const char *type = hb_msg_get_str(&e->msg_tx, "t");
                int64_t seq = hb_engine_send_msg(e, &e->msg_tx, now);
                if (seq >= 0) {
                    hb_engine_count(e, HB_CTR_MESSAGES_SENT, 1);
                    /* Heartbeat processes its own messages too (wire §6.6). */
                    if (type && strncmp(type, "NS_", 3) != 0)
                        deliver_to_js(e, &e->msg_tx, e->cfg.node_name);
                }
            }
        }
        free(c);
    }
}

/* --------------------------------------------------------------- the loop */

/* Everything the heartbeat path touches: state, history and buffers (one
 * mapping, sys_arena.c) and this thread's stack. */
static int lock_working_set(hb_engine *e)
{
    int rc = hb_rt_lock_region(e, hb_arena_size(e->arena_len));
    if (rc == 0 && e->stack)
        rc = hb_rt_lock_region(e->stack, HB_ENGINE_STACK_SIZE);
    return rc;
}

static void *engine_main(void *arg)
{
    hb_engine *e = arg;
    if (e->cfg.realtime) {
        int rc = hb_rt_set_fifo(e->cfg.rtprio);
        if (rc < 0)
            hb_engine_emit_simple(e, HB_EV_MEDIUM_ERROR, NULL, "realtime", NULL, -rc, 0, "setting SCHED_FIFO priority");
        rc = lock_working_set(e);
        if (rc < 0)
            hb_engine_emit_simple(e, HB_EV_MEDIUM_ERROR, NULL, "realtime", NULL, -rc, 0, "locking the engine's memory (mlock)");
    }
    int64_t now = hb_mono_ms();
    pthread_mutex_lock(&e->lock);
    e->start_ms = now;
    e->next_send_ms = now;
    pthread_mutex_unlock(&e->lock);
    struct epoll_event evs[32];
    while (!atomic_load(&e->stop)) {
        pthread_mutex_lock(&e->lock);
        /* Before any deadline is judged: what came since the last wake-up. */
        hb_engine_rx_read_unwatched(e);
        now = hb_mono_ms();
        int64_t next = run_timers(e, now);
        /* Woken by a datagram before the deadline, the timer is still set right. */
        bool rearm = next != e->armed_ms || next <= now;
        e->armed_ms = next;
        pthread_mutex_unlock(&e->lock);
        int n = wait_until(e, evs, 32, next, rearm);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        hb_engine_count(e, HB_CTR_WAKEUPS, 1);
        pthread_mutex_lock(&e->lock);
        now = hb_mono_ms();
        for (int i = 0; i < n; i++) {
            uint32_t kind = (uint32_t)(evs[i].data.u64 >> 32);
            uint32_t index = (uint32_t)evs[i].data.u64;
            switch (kind) {
            case HB_FD_TIMER: {
                uint64_t expirations;
                if (read(e->timerfd, &expirations, sizeof expirations) < 0) { /* spurious: recomputed above */
                }
                break;
            }
            case HB_FD_WAKE:
                pthread_mutex_unlock(&e->lock);
                run_commands(e, now);
                pthread_mutex_lock(&e->lock);
                break;
            case HB_FD_RX:
                hb_engine_rx_ready(e, index, now);
                break;
            case HB_FD_SERIAL:
                hb_engine_serial_io(e, index, evs[i].events, now);
                break;
            case HB_FD_ICMP:
                hb_engine_ping_io(e, index, now);
                break;
            default:
                break;
            }
        }
        pthread_mutex_unlock(&e->lock);
    }
    return NULL;
}

int hb_engine_start(hb_engine *e)
{
    if (e->thread_started)
        return -EALREADY;
    /* A stack of our own, of known size, so it can be locked in memory. */
    if (!e->stack && posix_memalign(&e->stack, 4096, HB_ENGINE_STACK_SIZE) != 0)
        return -ENOMEM;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, e->stack, HB_ENGINE_STACK_SIZE);
    /* The first status (init) goes out as soon as the thread runs. */
    int rc = pthread_create(&e->thread, &attr, engine_main, e);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return -rc;
    e->thread_started = true;
    return 0;
}

void hb_engine_stop(hb_engine *e)
{
    if (!e->thread_started)
        return;
    atomic_store(&e->stop, true);
    uint64_t one = 1;
    if (write(e->wakefd, &one, sizeof one) < 0) { /* the flag is enough once it wakes */
    }
    pthread_join(e->thread, NULL);
    e->thread_started = false;
}

int hb_engine_push_command(hb_engine *e, hb_cmd *c)
{
    pthread_mutex_lock(&e->cmd_lock);
    if (e->cmd_tail)
        e->cmd_tail->next = c;
    else
        e->cmd_head = c;
    e->cmd_tail = c;
    pthread_mutex_unlock(&e->cmd_lock);
    uint64_t one = 1;
    return write(e->wakefd, &one, sizeof one) == sizeof one ? 0 : -errno;
}

int hb_engine_set_status(hb_engine *e, const char *status)
{
    if (!status || !*status || strlen(status) >= HB_STATUS_MAX)
        return -EINVAL;
    hb_cmd *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->kind = HB_CMD_STATUS;
    set_text(c->status, sizeof c->status, status);
    return hb_engine_push_command(e, c);
}

int hb_engine_set_standby(hb_engine *e, bool standby)
{
    hb_cmd *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->kind = HB_CMD_STANDBY;
    c->standby = standby;
    return hb_engine_push_command(e, c);
}

int hb_engine_send(hb_engine *e, const uint8_t *body, size_t body_len)
{
    if (body_len == 0 || body_len > HB_MSG_MAX / 2)
        return -EMSGSIZE;
    hb_cmd *c = calloc(1, sizeof *c + body_len);
    if (!c)
        return -ENOMEM;
    c->kind = HB_CMD_SEND;
    c->body_len = body_len;
    memcpy(c->body, body, body_len);
    return hb_engine_push_command(e, c);
}

size_t hb_engine_poll(hb_engine *e, hb_event *out, size_t max)
{
    return hb_evq_pop(&e->evq, out, max);
}

const uint64_t *hb_engine_counters(const hb_engine *e)
{
    return e->counters;
}
