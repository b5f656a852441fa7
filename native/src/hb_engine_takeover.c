/* The pre-armed takeover (issue: takeover on death).  JS arms, per peer, the
 * address and announcement steps of the groups this node would take over.
 * When the engine declares that peer dead it performs them right there on
 * its own thread - addresses over rtnetlink, the first gratuitous ARP/NA round
 * at once, later rounds on its timers - and only then reports to JS, which
 * starts whatever else the groups hold.  A paused or busy JS event loop
 * cannot delay the VIP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hb_engine_priv.h"

int hb_engine_arm_takeover(hb_engine *e, const char *peer, const hb_takeover_step *steps, size_t n)
{
    if (n > HB_TAKEOVER_MAX_STEPS)
        return -E2BIG;
    if (hb_engine_find_node(e, peer) < 0)
        return -ENOENT;
    size_t bytes = n * sizeof *steps;
    hb_cmd *c = calloc(1, sizeof *c + bytes);
    if (!c)
        return -ENOMEM;
    c->kind = HB_CMD_ARM;
    snprintf(c->node, sizeof c->node, "%s", peer);
    c->body_len = n;
    if (n)
        memcpy(c->body, steps, bytes);
    return hb_engine_push_command(e, c);
}

void hb_engine_set_plan(hb_engine *e, const char *node, const hb_takeover_step *steps, size_t n)
{
    int i = hb_engine_find_node(e, node);
    if (i < 0)
        return;
    hb_node_state *ns = &e->nodes[i];
    free(ns->plan);
    ns->plan = NULL;
    ns->plan_n = 0;
    if (n == 0)
        return;
    ns->plan = malloc(n * sizeof *steps);
    if (!ns->plan)
        return;
    memcpy(ns->plan, steps, n * sizeof *steps);
    ns->plan_n = n;
}

static int add_address(hb_engine *e, const hb_takeover_step *s, char *err, size_t errlen)
{
    if (!e->rtnl) {
        int rc = hb_rtnl_open(&e->rtnl, NULL);
        if (rc < 0) {
            snprintf(err, errlen, "opening rtnetlink: %s", strerror(-rc));
            return rc;
        }
    }
    hb_rtnl_addr a;
    memset(&a, 0, sizeof a);
    if (hb_rtnl_addr_parse(s->address, &a.family, a.addr) < 0) {
        snprintf(err, errlen, "bad address %s", s->address);
        return -EINVAL;
    }
    a.prefixlen = s->prefixlen;
    if (s->broadcast[0]) {
        uint8_t fam, bc[16];
        if (hb_rtnl_addr_parse(s->broadcast, &fam, bc) == 0 && fam == AF_INET) {
            a.has_broadcast = true;
            memcpy(a.broadcast, bc, 4);
        }
    }
    snprintf(a.label, sizeof a.label, "%s", s->label);
    if (s->nodad)
        a.flags |= 0x02; /* IFA_F_NODAD */
    int rc = hb_rtnl_addr_add(e->rtnl, s->ifname, &a);
    if (rc == -EEXIST)
        return 0;
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", hb_rtnl_last_error(e->rtnl), strerror(-rc));
    return rc;
}

static int start_announce(hb_engine *e, const hb_takeover_step *s, int64_t now, char *err, size_t errlen)
{
    hb_announcer *slot = NULL;
    for (size_t i = 0; i < HB_MAX_ANNOUNCERS && !slot; i++)
        if (!e->announcers[i].active)
            slot = &e->announcers[i];
    if (!slot) {
        snprintf(err, errlen, "too many announcements at once");
        return -ENOSPC;
    }
    hb_garp_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.ifname = s->ifname;
    if (hb_rtnl_addr_parse(s->address, &spec.family, spec.addr) < 0) {
        snprintf(err, errlen, "bad address %s", s->address);
        return -EINVAL;
    }
    int rc = hb_garp_open(&slot->garp, &spec, NULL);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", hb_garp_last_error(&slot->garp), strerror(-rc));
        return rc;
    }
    int mode = s->mode >= 1 && s->mode <= 3 ? s->mode : HB_GARP_BOTH;
    rc = hb_garp_send_round(&slot->garp, (hb_garp_mode)mode);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", hb_garp_last_error(&slot->garp), strerror(-rc));
        hb_garp_close(&slot->garp);
        return rc;
    }
    if (s->count > 1) {
        slot->active = true;
        e->announcers_active++;
        slot->left = s->count - 1;
        slot->interval_ms = s->interval_ms;
        slot->mode = mode;
        slot->next_ms = now + s->interval_ms;
    } else {
        hb_garp_close(&slot->garp);
    }
    return 0;
}

void hb_engine_run_plan(hb_engine *e, hb_node_state *n, int64_t now)
{
    if (n->plan_n == 0)
        return;
    /* Holding the peer's addresses from now on: heartbeat as the active node. */
    hb_engine_set_cadence(e, false, now);
    int64_t ok = 0, failed = 0;
    char first_error[256] = "";
    for (size_t i = 0; i < n->plan_n; i++) {
        const hb_takeover_step *s = &n->plan[i];
        char err[256] = "";
        int rc = s->kind == HB_TAKEOVER_ADDRESS ? add_address(e, s, err, sizeof err)
                                                : start_announce(e, s, now, err, sizeof err);
        if (rc < 0) {
            failed++;
            if (!first_error[0])
                snprintf(first_error, sizeof first_error, "%s", err);
        } else {
            ok++;
        }
    }
    free(n->plan);
    n->plan = NULL;
    n->plan_n = 0;
    hb_engine_emit_simple(e, HB_EV_TAKEOVER, n->name, NULL, NULL, ok, failed, first_error);
}

int64_t hb_engine_announce_timers(hb_engine *e, int64_t now)
{
    int64_t next = INT64_MAX;
    /* Runs at every wake-up; the slots are large, so skip them when idle. */
    for (size_t i = 0; i < HB_MAX_ANNOUNCERS && e->announcers_active > 0; i++) {
        hb_announcer *a = &e->announcers[i];
        if (!a->active)
            continue;
        if (now >= a->next_ms) {
            (void)hb_garp_send_round(&a->garp, (hb_garp_mode)a->mode);
            if (--a->left == 0) {
                hb_garp_close(&a->garp);
                a->active = false;
                e->announcers_active--;
                continue;
            }
            a->next_ms += a->interval_ms;
        }
        if (a->next_ms < next)
            next = a->next_ms;
    }
    return next;
}

void hb_engine_takeover_close(hb_engine *e)
{
    for (size_t i = 0; i < HB_MAX_ANNOUNCERS; i++) {
        if (e->announcers[i].active)
            hb_garp_close(&e->announcers[i].garp);
        e->announcers[i].active = false;
    }
    e->announcers_active = 0;
    for (size_t i = 0; i < e->nnodes; i++) {
        free(e->nodes[i].plan);
        e->nodes[i].plan = NULL;
    }
    if (e->rtnl)
        hb_rtnl_close(e->rtnl);
    e->rtnl = NULL;
}
