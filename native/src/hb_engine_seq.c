/* Sequencing, generations, retransmission and acks (wire §6.3-6.6): the
 * engine's use of the pure hb_peer (receive side) and hb_history (send side)
 * modules.  Everything here runs on the engine thread under its lock. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_engine_priv.h"
#include "hb_internal.h"

uint64_t hb_engine_random(hb_engine *e)
{
    /* xorshift64*: spreads timers, picks ack triggers; not for secrets. */
    uint64_t x = e->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    e->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

hb_seq_outcome hb_engine_seq_check(hb_engine *e, hb_node_state *n, uint64_t hg, uint64_t seq, bool ns, int64_t now)
{
    memset(&n->last_result, 0, sizeof n->last_result);
    if (ns) {
        /* NS_ messages carry no seq; only the generation guards them. */
        return n->peer.generation != 0 && hg < n->peer.generation ? HB_SEQ_OUT_REPLAY : HB_SEQ_OUT_ACCEPT;
    }
    hb_seq_input in = {
        .seq = seq,
        .generation = hg,
        .is_status = false,
        .node_dead = n->dead,
        .now_ms = (uint64_t)now,
        .random = hb_engine_random(e),
    };
    const char *t = hb_msg_get_str(&e->msg_rx, "t");
    in.is_status = t && strcmp(t, "status") == 0;
    hb_seq_result *r = &n->last_result;
    hb_seq_verdict v = hb_peer_receive(&n->peer, &in, r);
    if (r->restarted) {
        n->restarted_since_death = true;
        n->flow_control = true;
        hb_engine_emit_simple(e, HB_EV_NODE_RESTART, n->name, NULL, NULL, (int64_t)hg, 0, NULL);
    }
    if (r->lost > 0)
        hb_engine_emit_simple(e, HB_EV_LOST_PACKETS, n->name, NULL, NULL, (int64_t)r->lost, (int64_t)r->prev_last_seq,
                              r->reset_on_big_gap ? "lost a lot of packets: sequence tracking restarted" : NULL);
    switch (v) {
    case HB_SEQ_ACCEPT:
        return HB_SEQ_OUT_ACCEPT;
    case HB_SEQ_DUPLICATE:
        return HB_SEQ_OUT_DUPLICATE;
    case HB_SEQ_REPLAY:
        return HB_SEQ_OUT_REPLAY;
    case HB_SEQ_OLD:
    case HB_SEQ_STALE_STATUS:
    case HB_SEQ_INVALID:
    default:
        return HB_SEQ_OUT_OLD;
    }
}

void hb_engine_seq_node_dead(hb_engine *e, hb_node_state *n)
{
    (void)e;
    hb_peer_reset(&n->peer);
}

void hb_engine_history_add(hb_engine *e, uint64_t seq, const uint8_t *dgram, size_t len, int64_t now)
{
    (void)now;
    /* A datagram too big to keep is still "sent": a request for it gets a NAK. */
    (void)hb_history_add(e->history, seq, dgram, len);
}

/* Sends an NS_ control message built from name/value pairs. */
static void send_ns(hb_engine *e, int64_t now, const char *const *kv, size_t npairs)
{
    hb_msg_reset(&e->msg_tx);
    for (size_t i = 0; i < npairs; i++)
        if (hb_msg_add_str(&e->msg_tx, kv[2 * i], kv[2 * i + 1]) < 0)
            return;
    (void)hb_engine_send_msg(e, &e->msg_tx, now);
}

/* Frees history every live node has acknowledged (§6.6). */
static void release_history(hb_engine *e)
{
    uint64_t floor = e->seq;
    bool any_peer = false;
    for (size_t i = 0; i < e->nnodes; i++) {
        const hb_node_state *n = &e->nodes[i];
        if ((int)i == e->self || n->is_ping || n->dead || !n->heard)
            continue;
        any_peer = true;
        if (n->peer.acked_by_peer < floor)
            floor = n->peer.acked_by_peer;
    }
    if (!any_peer)
        floor = e->seq > HB_FLOW_CONTROL_LIMIT - 1 ? e->seq - (HB_FLOW_CONTROL_LIMIT - 1) : 0;
    hb_history_release(e->history, floor);
}

static bool parse_u64(const char *s, int base, uint64_t *out)
{
    if (!s || !*s)
        return false;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, base);
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

/* NS_rexmit: resend what we still have, NAK what we cannot (§6.5). */
static void answer_rexmit(hb_engine *e, hb_node_state *n, const hb_msg *m, int64_t now)
{
    uint64_t first, last;
    hb_engine_count(e, HB_CTR_REXMIT_REQUESTS_RECEIVED, 1);
    /* firstseq/lastseq of NS_rexmit are decimal (§5.2). */
    if (!parse_u64(hb_msg_get_str(m, "firstseq"), 10, &first) || !parse_u64(hb_msg_get_str(m, "lastseq"), 10, &last))
        return;
    hb_rexmit_answer answer;
    if (hb_history_answer(e->history, first, last, n->peer.acked_by_peer, (uint64_t)now, &answer) < 0)
        return;
    for (size_t i = 0; i < answer.count; i++) {
        const hb_rexmit_item *it = &answer.item[i];
        if (it->action == HB_REXMIT_RESEND) {
            /* Byte-identical retransmission on every UDP medium. */
            for (size_t t = 0; t < e->ntx; t++)
                if (hb_udp_send(&e->tx[t], it->data, it->len) == 0)
                    hb_engine_count(e, HB_CTR_TX_DATAGRAMS, 1);
            hb_engine_serial_retransmit(e, it->data, it->len, now);
            hb_engine_count(e, HB_CTR_REXMITS_SENT, 1);
        } else if (it->action == HB_REXMIT_TOO_HIGH) {
            hb_engine_emit_simple(e, HB_EV_REXMIT_TOO_NEW, n->name, NULL, NULL, (int64_t)it->seq, (int64_t)e->seq, NULL);
        } else {
            char seqhex[24];
            snprintf(seqhex, sizeof seqhex, "%" PRIx64, it->seq);
            const char *kv[] = {"t", "NS_nak_rexmit", "firstseq", seqhex, "dest", n->name, "info", hb_rexmit_nak_info(it->action)};
            send_ns(e, now, kv, 4);
            hb_engine_count(e, HB_CTR_NAKS_SENT, 1);
        }
    }
}

void hb_engine_on_ns_message(hb_engine *e, hb_node_state *n, const hb_msg *m, const char *type, int64_t now)
{
    if (strcmp(type, "NS_rexmit") == 0) {
        answer_rexmit(e, n, m, now);
    } else if (strcmp(type, "NS_nak_rexmit") == 0) {
        uint64_t seq;
        hb_seq_result r;
        if (parse_u64(hb_msg_get_str(m, "firstseq"), 16, &seq) && hb_peer_nak(&n->peer, seq, &r))
            hb_engine_emit_simple(e, HB_EV_IRRETRIEVABLE, n->name, NULL, NULL, (int64_t)seq, 0,
                                  hb_msg_get_str(m, "info"));
    } else if (strcmp(type, "NS_ackmsg") == 0) {
        uint64_t ackseq;
        if (parse_u64(hb_msg_get_str(m, "ackseq"), 16, &ackseq) &&
            hb_peer_ack_received(&n->peer, ackseq, e->seq) == HB_ACK_ADVANCED)
            release_history(e);
    }
}

static void send_ack(hb_engine *e, const hb_node_state *n, uint64_t ack_seq, int64_t now)
{
    char ackhex[17];
    hb_hex_u64(ackhex, ack_seq);
    const char *kv[] = {"t", "NS_ackmsg", "dest", n->name, "ackseq", ackhex};
    send_ns(e, now, kv, 3);
    hb_engine_count(e, HB_CTR_ACKS_SENT, 1);
}

void hb_engine_maybe_ack(hb_engine *e, hb_node_state *n, uint64_t seq, int64_t now)
{
    (void)seq;
    if (!n->last_result.ack || !n->flow_control)
        return;
    uint64_t ack_seq = n->last_result.ack_seq;
    /* A quiet standby (whose peers are all hbd) holds its acks for its next
     * status: an ack on its own wakes the active node for one datagram,
     * several times between two statuses.  Acks only free the sender's
     * history; a standby_keepalive's delay is far inside its 500 slots. */
    if (e->quiet_phase == HB_QUIET_ON) {
        if (!n->ack_held || ack_seq > n->ack_held_seq) {
            n->ack_held = true;
            n->ack_held_seq = ack_seq;
            n->ack_held_generation = n->peer.generation;
        }
        return;
    }
    n->ack_held = false;
    send_ack(e, n, ack_seq, now);
}

void hb_engine_flush_held_acks(hb_engine *e, int64_t now)
{
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if (!n->ack_held)
            continue;
        n->ack_held = false;
        /* Not for a peer that died or restarted since: it never sent that seq. */
        if (!n->dead && n->flow_control && n->peer.generation == n->ack_held_generation &&
            n->ack_held_seq <= n->peer.last_seq)
            send_ack(e, n, n->ack_held_seq, now);
    }
}

/* Due retransmission requests, one NS_rexmit per missing seq (§6.5). */
int64_t hb_engine_rexmit_timers(hb_engine *e, int64_t now)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < e->nnodes; i++) {
        hb_node_state *n = &e->nodes[i];
        if ((int)i == e->self || n->is_ping || n->peer.nmissing == 0)
            continue;
        uint64_t seqs[32];
        size_t k = hb_peer_rexmit_due(&n->peer, (uint64_t)now, !n->dead, seqs, 32);
        for (size_t j = 0; j < k; j++) {
            char dec[24];
            snprintf(dec, sizeof dec, "%" PRIu64, seqs[j]);
            const char *kv[] = {"t", "NS_rexmit", "dest", n->name, "firstseq", dec, "lastseq", dec};
            send_ns(e, now, kv, 4);
            hb_engine_count(e, HB_CTR_REXMIT_REQUESTS_SENT, 1);
        }
        uint64_t dl = hb_peer_rexmit_deadline(&n->peer);
        if (dl != UINT64_MAX && (int64_t)dl < next)
            next = (int64_t)dl;
    }
    return next;
}
