/* Sequencing, generations, retransmission and acks (wire §6.3-6.6). */
#include <inttypes.h>
#include <stdio.h>

#include "hb_engine_priv.h"

hb_seq_outcome hb_engine_seq_check(hb_engine *e, hb_node_state *n, uint64_t hg, uint64_t seq, bool ns, int64_t now)
{
    (void)now;
    if (!n->have_generation) {
        n->have_generation = true;
        n->generation = hg;
    } else if (hg < n->generation) {
        return HB_SEQ_OUT_REPLAY;
    } else if (hg > n->generation) {
        n->generation = hg;
        n->seq.have = false;
        n->restarted_since_death = true;
        hb_engine_emit_simple(e, HB_EV_NODE_RESTART, n->name, NULL, NULL, (int64_t)hg, 0, NULL);
    }
    if (ns)
        return HB_SEQ_OUT_ACCEPT;
    if (!n->seq.have || seq > n->seq.last_seq) {
        n->seq.have = true;
        n->seq.last_seq = seq;
        return HB_SEQ_OUT_ACCEPT;
    }
    return seq == n->seq.last_seq ? HB_SEQ_OUT_DUPLICATE : HB_SEQ_OUT_OLD;
}

void hb_engine_history_add(hb_engine *e, uint64_t seq, const uint8_t *dgram, size_t len, int64_t now)
{
    (void)e, (void)seq, (void)dgram, (void)len, (void)now;
}

void hb_engine_on_ns_message(hb_engine *e, hb_node_state *n, const hb_msg *m, const char *type, int64_t now)
{
    (void)e, (void)n, (void)m, (void)type, (void)now;
}

void hb_engine_maybe_ack(hb_engine *e, hb_node_state *n, uint64_t seq, int64_t now)
{
    (void)e, (void)n, (void)seq, (void)now;
}

int64_t hb_engine_rexmit_timers(hb_engine *e, int64_t now)
{
    (void)e, (void)now;
    return INT64_MAX;
}
