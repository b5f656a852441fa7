/* fuzz_peer.c - hb_peer driven by random event sequences (receive with any
 * seq/hg/status/dead combination, NAKs, rexmit timer runs, resets, acks).
 * Properties (heartbeat-wire §6.3-§6.6):
 *   - a seq is accepted at most once per incarnation of the sender's
 *     numbering (until a restart, a partition reset or an engine reset);
 *   - every verdict other than ACCEPT leaves the state untouched;
 *   - the missing list is ascending, below last_seq, at most 500 long, and a
 *     gap adds exactly its seqs, each first requested 50..max ms later;
 *   - acks name a trigger seq at or below the last one;
 *   - the timer returns due seqs only, ascending, reschedules them one period
 *     later, and leaves nothing due when it had room. */
#include "fuzz_common.h"

#define SEQ_SPACE 65536u

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t take(reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static hb_peer peer, before;
static uint8_t accepted[SEQ_SPACE / 8];

static bool was_missing(const hb_peer *p, uint64_t seq)
{
    for (size_t i = 0; i < p->nmissing; i++)
        if (p->missing[i].seq == seq)
            return true;
    return false;
}

static void check_structure(const hb_peer *p)
{
    FUZZ_ASSERT(p->nmissing <= HB_MISSING_MAX);
    FUZZ_ASSERT(p->ack_trigger < HB_ACK_DIV);
    if (p->last_seq == 0)
        FUZZ_ASSERT(p->nmissing == 0);
    for (size_t i = 0; i < p->nmissing; i++) {
        FUZZ_ASSERT(p->missing[i].seq >= 1 && p->missing[i].seq < p->last_seq);
        if (i > 0)
            FUZZ_ASSERT(p->missing[i - 1].seq < p->missing[i].seq);
    }
}

static void new_incarnation(void)
{
    memset(accepted, 0, sizeof(accepted));
}

static void do_receive(reader *r, uint64_t *now, uint64_t *gen)
{
    uint8_t a = take(r), b = take(r), c = take(r);
    uint64_t last = peer.last_seq, seq;
    switch (a & 3) {
    case 0: seq = last + 1; break;
    case 1: seq = last > (uint64_t)(b % 16) ? last - b % 16 : b % 4; break;
    case 2: seq = last + 1 + b % 32; break;
    default: seq = last + 1 + (uint64_t)b * 2; break; /* across the 250 limit */
    }
    if (seq >= SEQ_SPACE)
        return;
    switch ((a >> 2) & 3) {
    case 1: (*gen)++; break;
    case 2: *gen = *gen > 0 ? *gen - 1 : 0; break;
    default: break;
    }
    *now += c;
    hb_seq_input in = {.seq = seq, .generation = *gen, .is_status = (a & 0x10) != 0,
                       .node_dead = (a & 0x20) != 0, .now_ms = *now,
                       .random = (uint64_t)b << 8 | c};
    hb_seq_result res;
    memcpy(&before, &peer, sizeof(peer));
    hb_seq_verdict v = hb_peer_receive(&peer, &in, &res);
    FUZZ_ASSERT(v == res.verdict && v >= 0 && v < HB_SEQ_VERDICT_COUNT);
    FUZZ_ASSERT(strcmp(hb_seq_verdict_name(v), "unknown") != 0);
    check_structure(&peer);

    if (v != HB_SEQ_ACCEPT) {
        FUZZ_ASSERT(memcmp(&before, &peer, sizeof(peer)) == 0);
        FUZZ_ASSERT(!res.ack && !res.filled_gap && !res.restarted);
        switch (v) {
        case HB_SEQ_INVALID: FUZZ_ASSERT(seq == 0); break;
        case HB_SEQ_REPLAY: FUZZ_ASSERT(in.generation < before.generation); break;
        case HB_SEQ_DUPLICATE: FUZZ_ASSERT(seq == before.last_seq); break;
        case HB_SEQ_OLD:
            FUZZ_ASSERT(seq < before.last_seq && !was_missing(&before, seq));
            break;
        case HB_SEQ_STALE_STATUS:
            FUZZ_ASSERT(in.is_status && in.node_dead && seq <= before.status_seq);
            break;
        default: FUZZ_ASSERT(0);
        }
        return;
    }

    FUZZ_ASSERT(in.generation >= before.generation && peer.generation == in.generation);
    if (in.generation > before.generation || res.returned_after_partition)
        new_incarnation();
    FUZZ_ASSERT(res.restarted == (in.generation > before.generation && before.generation != 0));
    FUZZ_ASSERT(!(accepted[seq / 8] & (1u << (seq % 8)))); /* exactly once */
    accepted[seq / 8] |= (uint8_t)(1u << (seq % 8));
    if (in.is_status)
        FUZZ_ASSERT(peer.status_seq >= seq);

    if (res.filled_gap) {
        FUZZ_ASSERT(was_missing(&before, seq) && !was_missing(&peer, seq));
        FUZZ_ASSERT(peer.last_seq == before.last_seq && res.lost == 0);
        FUZZ_ASSERT(res.none_missing == (peer.nmissing == 0));
    } else if (in.generation == before.generation && !res.returned_after_partition) {
        FUZZ_ASSERT(before.last_seq == 0 || seq > before.last_seq);
        FUZZ_ASSERT(peer.last_seq == seq);
    }
    if (res.lost != 0) {
        FUZZ_ASSERT(res.lost == seq - res.prev_last_seq - 1);
        FUZZ_ASSERT(res.reset_on_big_gap == (res.lost > HB_GAP_RESET_LIMIT));
        if (res.reset_on_big_gap) {
            FUZZ_ASSERT(peer.nmissing == 0);
        } else {
            /* the gap's seqs are the newest missing ones, scheduled in time */
            uint64_t hi = peer.max_rexmit_delay_ms, lo = hi < 100 ? 0 : 50;
            FUZZ_ASSERT(peer.nmissing >= res.lost);
            for (uint64_t k = 0; k < res.lost; k++) {
                const hb_missing_seq *m = &peer.missing[peer.nmissing - res.lost + k];
                FUZZ_ASSERT(m->seq == res.prev_last_seq + 1 + k);
                FUZZ_ASSERT(m->request_at_ms >= in.now_ms + lo && m->request_at_ms <= in.now_ms + hi);
            }
            FUZZ_ASSERT(before.nmissing + res.lost - res.forgotten == peer.nmissing);
        }
    }
    if (res.ack) {
        FUZZ_ASSERT(res.ack_seq >= 1 && res.ack_seq <= peer.last_seq);
        FUZZ_ASSERT(res.ack_seq % HB_ACK_DIV == peer.ack_trigger);
        FUZZ_ASSERT(peer.nmissing == 0 || res.ack_seq < peer.missing[0].seq);
    }
}

static void do_nak(reader *r)
{
    uint8_t a = take(r);
    uint64_t seq = peer.last_seq > a ? peer.last_seq - a : a;
    hb_seq_result res;
    memcpy(&before, &peer, sizeof(peer));
    bool found = hb_peer_nak(&peer, seq, &res);
    FUZZ_ASSERT(found == was_missing(&before, seq) && found == res.filled_gap);
    FUZZ_ASSERT(!was_missing(&peer, seq));
    if (!found)
        FUZZ_ASSERT(memcmp(&before, &peer, sizeof(peer)) == 0);
    else
        FUZZ_ASSERT(peer.nmissing + 1 == before.nmissing);
    if (res.ack)
        FUZZ_ASSERT(res.ack_seq % HB_ACK_DIV == peer.ack_trigger && res.ack_seq >= seq);
    check_structure(&peer);
}

static void do_timer(reader *r, uint64_t *now)
{
    uint8_t a = take(r);
    uint64_t seqs[8];
    size_t cap = a % 9;
    bool up = (a & 0x80) == 0;
    if (a & 0x40) {
        uint64_t d = hb_peer_rexmit_deadline(&peer);
        if (d != UINT64_MAX && d > *now)
            *now = d;
    } else {
        *now += (uint64_t)take(r) * 4;
    }
    memcpy(&before, &peer, sizeof(peer));
    size_t n = hb_peer_rexmit_due(&peer, *now, up, seqs, cap);
    FUZZ_ASSERT(n <= cap && (up || n == 0));
    for (size_t i = 0; i < n; i++) {
        FUZZ_ASSERT(was_missing(&before, seqs[i]));
        if (i > 0)
            FUZZ_ASSERT(seqs[i - 1] < seqs[i]);
    }
    FUZZ_ASSERT(peer.nmissing == before.nmissing);
    size_t still_due = 0;
    for (size_t i = 0; i < peer.nmissing; i++) {
        FUZZ_ASSERT(peer.missing[i].seq == before.missing[i].seq);
        if (before.missing[i].request_at_ms <= *now &&
            peer.missing[i].request_at_ms != before.missing[i].request_at_ms)
            FUZZ_ASSERT(peer.missing[i].request_at_ms == *now + peer.max_rexmit_delay_ms);
        if (before.missing[i].request_at_ms > *now)
            FUZZ_ASSERT(peer.missing[i].request_at_ms == before.missing[i].request_at_ms);
        still_due += peer.missing[i].request_at_ms <= *now;
    }
    if (n < cap || !up)
        FUZZ_ASSERT(still_due == 0);
    if (still_due == 0)
        FUZZ_ASSERT(hb_peer_rexmit_deadline(&peer) > *now);
}

static void do_other(reader *r)
{
    uint8_t a = take(r);
    if (a & 1) {
        hb_peer_reset(&peer); /* the engine declared the node dead */
        FUZZ_ASSERT(peer.last_seq == 0 && peer.nmissing == 0 && peer.acked_by_peer == 0);
        new_incarnation();
        return;
    }
    uint64_t ackseq = take(r), newest = take(r);
    uint64_t old = peer.acked_by_peer;
    hb_ack_verdict v = hb_peer_ack_received(&peer, ackseq, newest);
    if (ackseq > newest)
        FUZZ_ASSERT(v == HB_ACK_BEYOND_SENT && peer.acked_by_peer == old);
    else if (ackseq <= old)
        FUZZ_ASSERT(v == HB_ACK_OLD && peer.acked_by_peer == old);
    else
        FUZZ_ASSERT(v == HB_ACK_ADVANCED && peer.acked_by_peer == ackseq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned delays[] = {250, 100, 99, 1, 1000, 0};
    reader r = {data, size};
    uint8_t a = take(&r);
    hb_peer_init(&peer, a, delays[(a >> 4) % 6]);
    FUZZ_ASSERT(peer.max_rexmit_delay_ms > 0);
    new_incarnation();
    uint64_t now = 0, gen = 1 + take(&r) % 3;
    while (r.n > 0) {
        uint8_t op = take(&r);
        switch (op % 8) {
        case 0: case 1: case 2: case 3: do_receive(&r, &now, &gen); break;
        case 4: do_nak(&r); break;
        case 5: case 6: do_timer(&r, &now); break;
        default: do_other(&r); break;
        }
        check_structure(&peer);
    }
    return 0;
}
