/*
 * hb_peer.c - receive-side state per cluster node: generations (§6.4),
 * sequence numbers and the missing seqs (§6.3), when to ask for them again
 * (§6.5) and when to ack (§6.6).  Pure: the caller passes the time and the
 * random numbers, and does the logging and sending the result asks for.
 *
 * Behaviour follows Heartbeat 3.0.6 (should_drop_message, is_lost_packet,
 * schedule_rexmit_request, send_ack_if_needed, HBDoMsg_T_ACKMSG); the few
 * deliberate differences are marked "Differs:".
 */
#include <string.h>

#include "hb_internal.h"

static const char *const verdict_names[HB_SEQ_VERDICT_COUNT] = {
    [HB_SEQ_ACCEPT] = "accept",
    [HB_SEQ_DUPLICATE] = "duplicate",
    [HB_SEQ_OLD] = "old",
    [HB_SEQ_REPLAY] = "replay",
    [HB_SEQ_STALE_STATUS] = "stale_status",
    [HB_SEQ_INVALID] = "invalid",
};

const char *hb_seq_verdict_name(int verdict)
{
    if (verdict < 0 || verdict >= HB_SEQ_VERDICT_COUNT)
        return "unknown";
    return verdict_names[verdict];
}

static uint64_t add_saturated(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* splitmix64's output function: turns one caller-supplied random value into
 * independent-looking values per missing seq (mix64(mix64(random) + seq), so
 * even small or consecutive random values give unrelated delays). */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* §6.5: the first request for a missing seq waits a random 50..max ms (0..max
 * when max < 100), so that a seq that is merely late (out-of-order sending is
 * normal, §6.3) arrives before anyone asks for it; inclusive bounds, as
 * Heartbeat's cl_rand_from_interval(). */
static uint64_t first_request_delay(const hb_peer *peer, uint64_t random, uint64_t seq)
{
    uint64_t hi = peer->max_rexmit_delay_ms;
    uint64_t lo = hi < 100 ? 0 : 50;
    return lo + mix64(mix64(random) + seq) % (hi - lo + 1);
}

void hb_peer_init(hb_peer *peer, unsigned ack_trigger, unsigned max_rexmit_delay_ms)
{
    memset(peer, 0, sizeof(*peer));
    peer->ack_trigger = ack_trigger % HB_ACK_DIV;
    peer->max_rexmit_delay_ms = max_rexmit_delay_ms ? max_rexmit_delay_ms : HB_REXMIT_DELAY_MS;
}

void hb_peer_reset(hb_peer *peer)
{
    peer->last_seq = 0;
    peer->nmissing = 0;
    peer->acked_by_peer = 0;
}

bool hb_peer_should_ack(const hb_peer *peer, uint64_t seq)
{
    /* §6.6: send_ack_if_needed() - the trigger residue, and nothing missing
     * below it (the peer frees its history up to the acked seq). */
    if (seq == 0 || seq % HB_ACK_DIV != peer->ack_trigger)
        return false;
    return peer->nmissing == 0 || seq <= peer->missing[0].seq;
}

static void ack_if_due(const hb_peer *peer, uint64_t seq, hb_seq_result *r)
{
    if (hb_peer_should_ack(peer, seq)) {
        r->ack = true;
        r->ack_seq = seq;
    }
}

/* Index of `seq` in the (ascending) missing list, or -1. */
static long find_missing(const hb_peer *peer, uint64_t seq)
{
    size_t lo = 0, hi = peer->nmissing;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (peer->missing[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < peer->nmissing && peer->missing[lo].seq == seq ? (long)lo : -1;
}

/* Drops the `n` lowest missing seqs. */
static void drop_lowest(hb_peer *peer, size_t n)
{
    memmove(peer->missing, peer->missing + n, (peer->nmissing - n) * sizeof(peer->missing[0]));
    peer->nmissing -= n;
}

/* §6.3: remembers last_seq+1 .. seq-1 (at most HB_GAP_RESET_LIMIT of them),
 * each with its first request time.  A full list gives up its lowest seqs,
 * as Heartbeat replaces the lowest numbered one.  Differs: Heartbeat keeps
 * asking for a seq it pushed out; here it is simply no longer missing. */
static void remember_gap(hb_peer *peer, uint64_t seq, const hb_seq_input *in, hb_seq_result *r)
{
    size_t count = (size_t)(seq - peer->last_seq - 1);
    if (peer->nmissing + count > HB_MISSING_MAX) {
        size_t excess = peer->nmissing + count - HB_MISSING_MAX;
        r->forgotten = (uint32_t)excess;
        drop_lowest(peer, excess);
    }
    for (uint64_t k = peer->last_seq + 1; k < seq; k++) {
        hb_missing_seq *m = &peer->missing[peer->nmissing++];
        m->seq = k;
        m->request_at_ms = add_saturated(in->now_ms, first_request_delay(peer, in->random, k));
    }
}

/* is_lost_packet(): `seq` arrived (or was NAKed); stop asking for it.  When
 * it was the lowest gap, ack the highest trigger seq below the next gap -
 * only if another gap remains.  That last condition is Heartbeat's quirk
 * (it clears first_missing_seq before testing it), visible on the wire in
 * rexmit-under-loss.txt: filling the only gap sends no ack. */
static bool forget_missing(hb_peer *peer, uint64_t seq, hb_seq_result *r)
{
    long i = find_missing(peer, seq);
    if (i < 0)
        return false;
    memmove(peer->missing + i, peer->missing + i + 1,
            (peer->nmissing - (size_t)i - 1) * sizeof(peer->missing[0]));
    peer->nmissing--;
    r->filled_gap = true;
    if (peer->nmissing == 0) {
        r->none_missing = true;
        return true;
    }
    if (i == 0) {
        uint64_t last_to_ack = peer->missing[0].seq - 1;
        uint64_t below = last_to_ack % HB_ACK_DIV;
        uint64_t back = below >= peer->ack_trigger ? below - peer->ack_trigger
                                                   : below + HB_ACK_DIV - peer->ack_trigger;
        /* Heartbeat's arithmetic underflows when no such seq exists; skip. */
        if (last_to_ack > back && last_to_ack - back >= seq) {
            r->ack = true;
            r->ack_seq = last_to_ack - back;
        }
    }
    return true;
}

static void note_status(hb_peer *peer, const hb_seq_input *in)
{
    if (in->is_status && in->seq > peer->status_seq)
        peer->status_seq = in->seq;
}

/* §6.4: the generation rung.  Returns HB_SEQ_ACCEPT to go on to the seq rung.
 * Differs: Heartbeat looks at hg only on status messages (and then only
 * remembers it); any sequenced message reveals a restart here, so a restarted
 * node's first non-status message is not mistaken for an old one. */
static hb_seq_verdict check_generation(hb_peer *peer, const hb_seq_input *in, hb_seq_result *r)
{
    if (in->generation < peer->generation)
        return HB_SEQ_REPLAY;
    if (in->generation > peer->generation) {
        r->restarted = peer->generation != 0; /* the first hg ever is no restart */
        hb_peer_reset(peer);
        peer->status_seq = 0;
        peer->generation = in->generation;
        return HB_SEQ_ACCEPT;
    }
    if (in->is_status && in->generation != 0 && in->node_dead) {
        /* Same process, yet we declared it dead: a partition healed - unless
         * this is an old status from before the death. */
        if (in->seq <= peer->status_seq)
            return HB_SEQ_STALE_STATUS;
        r->returned_after_partition = true;
    }
    return HB_SEQ_ACCEPT;
}

/* §6.3: the sequence rung. */
static hb_seq_verdict check_seq(hb_peer *peer, const hb_seq_input *in, hb_seq_result *r)
{
    uint64_t seq = in->seq;
    r->prev_last_seq = peer->last_seq;

    if (peer->last_seq == 0 || seq == peer->last_seq + 1) {
        peer->last_seq = seq;
        ack_if_due(peer, seq, r);
        return HB_SEQ_ACCEPT;
    }
    if (seq == peer->last_seq)
        return HB_SEQ_DUPLICATE;

    if (seq > peer->last_seq) {
        r->lost = seq - peer->last_seq - 1;
        if (r->lost > HB_GAP_RESET_LIMIT) {
            /* Something bad happened: start over rather than ask for
             * hundreds of seqs. */
            hb_peer_reset(peer);
            r->reset_on_big_gap = true;
        } else {
            remember_gap(peer, seq, in, r);
        }
        peer->last_seq = seq; /* no ack here, as in Heartbeat */
        return HB_SEQ_ACCEPT;
    }

    if (forget_missing(peer, seq, r))
        return HB_SEQ_ACCEPT;
    if (r->returned_after_partition) {
        /* The node kept counting while we did not hear it; its numbering
         * starts over for us. */
        hb_peer_reset(peer);
        peer->last_seq = seq;
        ack_if_due(peer, seq, r);
        return HB_SEQ_ACCEPT;
    }
    return HB_SEQ_OLD;
}

hb_seq_verdict hb_peer_receive(hb_peer *peer, const hb_seq_input *in, hb_seq_result *out)
{
    hb_seq_result r;
    memset(&r, 0, sizeof(r));
    if (in->seq == 0)
        r.verdict = HB_SEQ_INVALID;
    else
        r.verdict = check_generation(peer, in, &r);
    if (r.verdict == HB_SEQ_ACCEPT)
        r.verdict = check_seq(peer, in, &r);
    if (r.verdict == HB_SEQ_ACCEPT)
        note_status(peer, in);
    if (out != NULL)
        *out = r;
    return r.verdict;
}

bool hb_peer_nak(hb_peer *peer, uint64_t seq, hb_seq_result *out)
{
    hb_seq_result r;
    memset(&r, 0, sizeof(r));
    bool found = forget_missing(peer, seq, &r);
    if (out != NULL)
        *out = r;
    return found;
}

size_t hb_peer_rexmit_due(hb_peer *peer, uint64_t now_ms, bool peer_up, uint64_t *seqs,
                          size_t cap)
{
    /* §6.5: repeat every max_rexmit_delay while missing.  Differs: Heartbeat
     * drops the request timer for good when the node is not up/active at the
     * moment it fires; here the request waits another period, so the gap is
     * asked for again once the node is back up. */
    uint64_t next = add_saturated(now_ms, peer->max_rexmit_delay_ms);
    size_t n = 0;
    for (size_t i = 0; i < peer->nmissing; i++) {
        hb_missing_seq *m = &peer->missing[i];
        if (m->request_at_ms > now_ms)
            continue;
        if (peer_up) {
            if (n == cap)
                break;
            seqs[n++] = m->seq;
        }
        m->request_at_ms = next;
    }
    return n;
}

uint64_t hb_peer_rexmit_deadline(const hb_peer *peer)
{
    uint64_t deadline = UINT64_MAX;
    for (size_t i = 0; i < peer->nmissing; i++)
        if (peer->missing[i].request_at_ms < deadline)
            deadline = peer->missing[i].request_at_ms;
    return deadline;
}

hb_ack_verdict hb_peer_ack_received(hb_peer *peer, uint64_t ackseq, uint64_t our_newest_seq)
{
    /* HBDoMsg_T_ACKMSG: an ack beyond what we sent is corrupt; a late or
     * repeated one changes nothing. */
    if (ackseq > our_newest_seq)
        return HB_ACK_BEYOND_SENT;
    if (ackseq <= peer->acked_by_peer)
        return HB_ACK_OLD;
    peer->acked_by_peer = ackseq;
    return HB_ACK_ADVANCED;
}
