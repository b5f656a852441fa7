/* How often this node heartbeats and which deadtime it advertises.
 *
 * keepalive/deadtime: the configured pair, always while holding anything.
 * standby_keepalive: a node holding nothing sends less often; the interval is
 *   kept safe for any peer (below warntime, under half of deadtime).
 * quiet standby (standby_deadtime): when every live peer is hbd (its status
 *   carries hbd=1), a node holding nothing advertises dt=standby_deadtime and
 *   then sends every standby_keepalive, which may exceed warntime: hbd peers
 *   scale their late-heartbeat warning to the advertised dt; a real Heartbeat
 *   would log each gap, hence the peer check.  The longer dt is announced for
 *   one deadtime at the old cadence before the node slows down, so a peer has
 *   heard it before the first long gap. */
#include "hb_engine_priv.h"

static bool quiet_configured(const hb_engine *e)
{
    return e->cfg.standby_deadtime_ms > e->cfg.deadtime_ms && e->cfg.standby_keepalive_ms > e->cfg.keepalive_ms;
}

/* standby_keepalive safe for any peer, or keepalive. */
static uint32_t safe_standby_interval(const hb_engine *e)
{
    uint32_t s = e->cfg.standby_keepalive_ms;
    if (s > e->cfg.keepalive_ms && s < e->cfg.warntime_ms && e->cfg.deadtime_ms > 2 * s)
        return s;
    return e->cfg.keepalive_ms;
}

/* Live peers (not ping nodes), and how many of them are hbd. */
static size_t live_peers(const hb_engine *e, size_t *hbd)
{
    size_t live = 0;
    *hbd = 0;
    for (size_t i = 0; i < e->nnodes; i++) {
        const hb_node_state *n = &e->nodes[i];
        if (n->is_self || n->is_ping || !n->heard || n->dead)
            continue;
        live++;
        if (n->hbd)
            (*hbd)++;
    }
    return live;
}

static bool every_live_peer_is_hbd(const hb_engine *e)
{
    size_t hbd;
    return live_peers(e, &hbd) == hbd;
}

bool hb_engine_only_hbd_peers(const hb_engine *e)
{
    size_t hbd;
    size_t live = live_peers(e, &hbd);
    return live > 0 && live == hbd;
}

static void apply_interval(hb_engine *e, uint32_t interval, int64_t now)
{
    if (interval == e->send_interval_ms)
        return;
    e->send_interval_ms = interval;
    if (e->next_send_ms > now + (int64_t)interval)
        e->next_send_ms = now + interval;
}

static void set_phase(hb_engine *e, hb_quiet_phase phase, int64_t now)
{
    hb_quiet_phase was = e->quiet_phase;
    e->quiet_phase = phase;
    if (phase == HB_QUIET_ANNOUNCING)
        e->quiet_since_ms = now;
    /* A shorter dt must reach the peers now: they still allow us the long one. */
    if (was != HB_QUIET_OFF && phase == HB_QUIET_OFF)
        e->next_send_ms = now;
}

static uint32_t interval_for_phase(const hb_engine *e)
{
    switch (e->quiet_phase) {
    case HB_QUIET_ON:
        return e->cfg.standby_keepalive_ms;
    case HB_QUIET_ANNOUNCING:
        /* Keep whatever cadence the peers already rely on. */
        return e->send_interval_ms;
    case HB_QUIET_OFF:
    default:
        return e->standby_wanted ? safe_standby_interval(e) : e->cfg.keepalive_ms;
    }
}

void hb_engine_cadence_update(hb_engine *e, int64_t now)
{
    uint32_t old_interval = e->send_interval_ms;
    hb_quiet_phase old_phase = e->quiet_phase;
    bool quiet = e->standby_wanted && quiet_configured(e) && every_live_peer_is_hbd(e);
    if (!quiet)
        set_phase(e, HB_QUIET_OFF, now);
    else if (e->quiet_phase == HB_QUIET_OFF)
        set_phase(e, HB_QUIET_ANNOUNCING, now);
    else if (e->quiet_phase == HB_QUIET_ANNOUNCING && now - e->quiet_since_ms >= (int64_t)e->cfg.deadtime_ms)
        set_phase(e, HB_QUIET_ON, now);
    apply_interval(e, interval_for_phase(e), now);
    /* The peers' cadence decides how their datagrams are best read. */
    hb_engine_rx_fit_to_peers(e);
    if (e->send_interval_ms != old_interval || e->quiet_phase != old_phase)
        hb_engine_emit_simple(e, HB_EV_CADENCE, NULL, NULL, e->quiet_phase == HB_QUIET_OFF ? "normal" : "quiet",
                              e->send_interval_ms, hb_engine_advertised_deadtime(e, now), NULL);
}

void hb_engine_set_cadence(hb_engine *e, bool standby, int64_t now)
{
    e->standby_wanted = standby;
    hb_engine_cadence_update(e, now);
}

int64_t hb_engine_cadence_timers(hb_engine *e, int64_t now)
{
    if (e->quiet_phase != HB_QUIET_ANNOUNCING)
        return INT64_MAX;
    int64_t end = e->quiet_since_ms + e->cfg.deadtime_ms;
    if (now < end)
        return end;
    hb_engine_cadence_update(e, now);
    return INT64_MAX;
}

uint32_t hb_engine_advertised_deadtime(const hb_engine *e, int64_t now)
{
    if (e->quiet_phase != HB_QUIET_OFF)
        return e->cfg.standby_deadtime_ms;
    /* Heartbeat advertises deadtime + 2 s during its first 5 s (wire §5.2). */
    return e->cfg.deadtime_ms + (now - e->start_ms < 5000 ? 2000u : 0u);
}

int64_t hb_engine_warntime_for(const hb_engine *e, const hb_node_state *n)
{
    /* Only an hbd peer's longer dt stretches the warning: with a real
     * Heartbeat peer hbd warns exactly where Heartbeat would. */
    if (!n->hbd || n->dt_ms <= e->cfg.deadtime_ms)
        return e->cfg.warntime_ms;
    return (int64_t)e->cfg.warntime_ms * n->dt_ms / e->cfg.deadtime_ms;
}
