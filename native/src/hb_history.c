/*
 * hb_history.c - the sequenced datagrams this node sent, kept byte for byte
 * so NS_rexmit can be answered with the very same bytes (§6.3, §6.5), and
 * freed as the live nodes ack them (§6.6).  Fixed memory: slot seq % 500
 * holds datagram `seq`, up to HB_HISTORY_DATAGRAM_MAX bytes inline.
 *
 * Behaviour follows Heartbeat 3.0.6 (add2_xmit_hist, process_rexmit,
 * update_ackseq); differences are marked "Differs:".
 */
#include <string.h>

#include "hb_internal.h"

static const char *const action_names[HB_REXMIT_ACTION_COUNT] = {
    [HB_REXMIT_RESEND] = "resend",
    [HB_REXMIT_NAK_TOO_LOW] = "nak_too_low",
    [HB_REXMIT_NAK_NOT_FOUND] = "nak_not_found",
    [HB_REXMIT_TOO_HIGH] = "too_high",
};

const char *hb_rexmit_action_name(int action)
{
    if (action < 0 || action >= HB_REXMIT_ACTION_COUNT)
        return "unknown";
    return action_names[action];
}

const char *hb_rexmit_nak_info(hb_rexmit_action action)
{
    switch (action) {
    case HB_REXMIT_NAK_TOO_LOW:
        return "seqno too low";
    case HB_REXMIT_NAK_NOT_FOUND:
        return "seqno not found";
    default:
        return NULL;
    }
}

void hb_history_init(hb_history *h, unsigned max_rexmit_delay_ms)
{
    unsigned delay = max_rexmit_delay_ms ? max_rexmit_delay_ms : HB_REXMIT_DELAY_MS;
    memset(h, 0, sizeof(*h));
    /* ACCEPT_REXMIT_REQ_MS: a little under the requesters' repeat period, so
     * a repeated request is answered but several nodes asking at once are
     * not. */
    h->resend_guard_ms = delay > 10 ? delay - 10 : 0;
}

static hb_history_slot *slot_of(hb_history *h, uint64_t seq)
{
    return &h->slot[seq % HB_HISTORY_SLOTS];
}

int hb_history_add(hb_history *h, uint64_t seq, const void *datagram, size_t len)
{
    if (seq == 0 || seq <= h->newest || (datagram == NULL && len != 0))
        return -EINVAL;
    hb_history_slot *s = slot_of(h, seq);
    h->newest = seq; /* overwrites seq - 500: the ring (§6.6) */
    s->resent = false;
    s->resent_at_ms = 0;
    if (len > HB_HISTORY_DATAGRAM_MAX) {
        s->seq = 0;
        s->len = 0;
        return -EMSGSIZE;
    }
    s->seq = seq;
    s->len = (uint16_t)len;
    if (len != 0)
        memcpy(s->data, datagram, len);
    return 0;
}

uint64_t hb_history_floor(const hb_history *h)
{
    uint64_t floor = h->released + 1;
    if (h->newest >= HB_HISTORY_SLOTS && h->newest - HB_HISTORY_SLOTS + 1 > floor)
        floor = h->newest - HB_HISTORY_SLOTS + 1;
    return floor;
}

const uint8_t *hb_history_get(const hb_history *h, uint64_t seq, size_t *len)
{
    const hb_history_slot *s = &h->slot[seq % HB_HISTORY_SLOTS];
    if (seq < hb_history_floor(h) || seq > h->newest || s->seq != seq)
        return NULL;
    if (len != NULL)
        *len = s->len;
    return s->data;
}

void hb_history_release(hb_history *h, uint64_t acked)
{
    if (acked > h->newest)
        acked = h->newest;
    if (acked > h->released)
        h->released = acked;
}

uint64_t hb_history_unacked(const hb_history *h)
{
    return h->newest - h->released;
}

static void push(hb_rexmit_answer *a, hb_rexmit_action action, uint64_t seq,
                 const hb_history_slot *s)
{
    hb_rexmit_item *it = &a->item[a->count++];
    it->action = action;
    it->seq = seq;
    it->data = s ? s->data : NULL;
    it->len = s ? s->len : 0;
}

/* A datagram re-sent less than resend_guard_ms ago is not sent again; a
 * clock that went backwards counts as "just now". */
static bool resent_recently(const hb_history *h, const hb_history_slot *s, uint64_t now_ms)
{
    if (!s->resent)
        return false; /* the original send does not count */
    return now_ms < s->resent_at_ms || now_ms - s->resent_at_ms < h->resend_guard_ms;
}

int hb_history_answer(hb_history *h, uint64_t first, uint64_t last, uint64_t requester_acked,
                      uint64_t now_ms, hb_rexmit_answer *answer)
{
    if (answer == NULL)
        return -EINVAL;
    answer->count = 0;
    answer->skipped_acked = 0;
    answer->skipped_recent = 0;
    answer->truncated = false;
    if (first == 0 || first > last)
        return -EINVAL;

    /* Whatever the requester acked it has; jump over it at once (a huge
     * range costs nothing). */
    uint64_t seq = first;
    if (requester_acked >= first) {
        if (requester_acked >= last) {
            answer->skipped_acked = last - first + 1;
            return 0;
        }
        answer->skipped_acked = requester_acked - first + 1;
        seq = requester_acked + 1;
    }

    uint64_t floor = hb_history_floor(h);
    for (;;) {
        /* Differs: Heartbeat counts only resends towards its 50 and NAKs a
         * range of any length seq by seq; here every answer counts, which
         * bounds the work a single forged request can cause. */
        if (answer->count == HB_REXMIT_BATCH) {
            answer->truncated = true;
            break;
        }
        if (seq > h->newest) {
            /* "Rexmit of seq N requested. M is max.": nothing is sent (the
             * requester may know an earlier process of ours); every later
             * seq would say the same, so one is enough. */
            push(answer, HB_REXMIT_TOO_HIGH, seq, NULL);
            break;
        }
        hb_history_slot *s = slot_of(h, seq);
        if (seq < floor) {
            push(answer, HB_REXMIT_NAK_TOO_LOW, seq, NULL);
        } else if (s->seq != seq) {
            push(answer, HB_REXMIT_NAK_NOT_FOUND, seq, NULL);
        } else if (resent_recently(h, s, now_ms)) {
            answer->skipped_recent++;
        } else {
            s->resent = true;
            s->resent_at_ms = now_ms;
            push(answer, HB_REXMIT_RESEND, seq, s);
        }
        if (seq == last)
            break;
        seq++;
    }
    return 0;
}
