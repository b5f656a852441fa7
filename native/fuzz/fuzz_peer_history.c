/* fuzz_peer_history.c - the send-side history driven by random adds (any
 * length, skipped seqs), acks and NS_rexmit ranges, against a plain model of
 * heartbeat-wire §6.5: the answer must equal the model's item for item,
 * every resend must carry exactly the bytes that were added, and the answer
 * never exceeds HB_REXMIT_BATCH items. */
#include "fuzz_common.h"

#define SEQ_SPACE 5000u /* ten rings' worth */

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

static hb_history hist;
static hb_rexmit_answer ans;

/* the model */
static int32_t kept_len[SEQ_SPACE]; /* -1: not kept */
static uint64_t resent_at[SEQ_SPACE];
static bool resent[SEQ_SPACE];
static uint64_t newest, released;
static unsigned guard;

/* The datagram of seq: its seq up front, then a seq-dependent byte (cheap
 * to write: per-byte loops dominate an instrumented run). */
static void fill(uint64_t seq, uint8_t *out, size_t len)
{
    memset(out, (int)(seq * 131 % 251), len);
    memcpy(out, &seq, len < sizeof(seq) ? len : sizeof(seq));
}

static uint64_t model_floor(void)
{
    uint64_t f = released + 1;
    if (newest >= HB_HISTORY_SLOTS && newest - HB_HISTORY_SLOTS + 1 > f)
        f = newest - HB_HISTORY_SLOTS + 1;
    return f;
}

static void do_add(reader *r)
{
    static uint8_t buf[HB_HISTORY_DATAGRAM_MAX + 300];
    uint8_t a = take(r), b = take(r);
    uint64_t seq = newest + 1 + (a % 4 == 0 ? a % 7 : 0);
    size_t len = (size_t)b * 5; /* 0..1275: some too long */
    if (seq >= SEQ_SPACE)
        return;
    fill(seq, buf, len);
    int rc = hb_history_add(&hist, seq, buf, len);
    for (uint64_t s = newest + 1; s < seq; s++)
        kept_len[s] = -1;
    newest = seq;
    resent[seq] = false;
    if (len > HB_HISTORY_DATAGRAM_MAX) {
        FUZZ_ASSERT(rc == -EMSGSIZE);
        kept_len[seq] = -1;
    } else {
        FUZZ_ASSERT(rc == 0);
        kept_len[seq] = (int32_t)len;
    }
    FUZZ_ASSERT(hist.newest == newest);
    /* not above the newest */
    FUZZ_ASSERT(hb_history_add(&hist, seq - (a & 1), buf, 1) == -EINVAL);
}

static void do_answer(reader *r, uint64_t *now)
{
    uint8_t a = take(r), b = take(r), c = take(r), d = take(r);
    uint64_t first = newest > (uint64_t)a * 3 ? newest - (uint64_t)a * 3 : 1 + a % 4;
    uint64_t last = first + b % 80;
    if (d & 0x80)
        last = UINT64_MAX - (d & 1); /* a forged range */
    uint64_t acked = (c & 3) == 0 ? 0 : first + c % 64;
    if (d & 0x40)
        *now = *now > 5 ? *now - 5 : 0; /* a clock that went backwards */
    else
        *now += (uint64_t)(d & 0x3f) * 8;
    if ((c & 0x30) == 0x30)
        first = 0;
    int rc = hb_history_answer(&hist, first, last, acked, *now, &ans);
    if (first == 0) {
        FUZZ_ASSERT(rc == -EINVAL && ans.count == 0);
        return;
    }
    FUZZ_ASSERT(rc == 0);
    FUZZ_ASSERT(ans.count <= HB_REXMIT_BATCH);

    /* the model's answer, item by item */
    size_t i = 0;
    uint64_t skipped_recent = 0;
    bool truncated = false;
    uint64_t seq = acked >= first ? acked + 1 : first;
    uint64_t floor = model_floor();
    while (acked < last && seq <= last) {
        if (i == HB_REXMIT_BATCH) {
            truncated = true;
            break;
        }
        if (seq > newest) {
            FUZZ_ASSERT(i < ans.count && ans.item[i].action == HB_REXMIT_TOO_HIGH &&
                        ans.item[i].seq == seq && ans.item[i].data == NULL);
            i++;
            break;
        }
        FUZZ_ASSERT(seq < SEQ_SPACE);
        hb_rexmit_action want;
        if (seq < floor)
            want = HB_REXMIT_NAK_TOO_LOW;
        else if (kept_len[seq] < 0)
            want = HB_REXMIT_NAK_NOT_FOUND;
        else if (resent[seq] && (*now < resent_at[seq] || *now - resent_at[seq] < guard))
            want = HB_REXMIT_ACTION_COUNT; /* skipped */
        else
            want = HB_REXMIT_RESEND;
        if (want == HB_REXMIT_ACTION_COUNT) {
            skipped_recent++;
        } else {
            FUZZ_ASSERT(i < ans.count && ans.item[i].action == want && ans.item[i].seq == seq);
            if (want == HB_REXMIT_RESEND) {
                static uint8_t expect[HB_HISTORY_DATAGRAM_MAX];
                fill(seq, expect, (size_t)kept_len[seq]);
                FUZZ_ASSERT(ans.item[i].len == (size_t)kept_len[seq]);
                FUZZ_ASSERT(ans.item[i].len == 0 ||
                            memcmp(ans.item[i].data, expect, ans.item[i].len) == 0);
                resent[seq] = true;
                resent_at[seq] = *now;
            } else {
                FUZZ_ASSERT(ans.item[i].data == NULL && hb_rexmit_nak_info(want) != NULL);
            }
            i++;
        }
        if (seq == last)
            break;
        seq++;
    }
    FUZZ_ASSERT(i == ans.count);
    FUZZ_ASSERT(truncated == ans.truncated);
    FUZZ_ASSERT(skipped_recent == ans.skipped_recent);
    uint64_t want_acked = acked < first ? 0 : (acked >= last ? last : acked) - first + 1;
    FUZZ_ASSERT(ans.skipped_acked == want_acked);
}

static void do_release(reader *r)
{
    uint8_t a = take(r);
    uint64_t acked = (a & 0x80) ? newest + a : (newest > (uint64_t)a * 4 ? newest - a * 4u : 0);
    hb_history_release(&hist, acked);
    if (acked > newest)
        acked = newest;
    if (acked > released)
        released = acked;
    FUZZ_ASSERT(hist.released == released);
    FUZZ_ASSERT(hb_history_unacked(&hist) == newest - released);
    FUZZ_ASSERT(hb_history_floor(&hist) == model_floor());
    /* get() agrees with the model around the floor and above it */
    uint64_t from = model_floor() > 3 ? model_floor() - 3 : 1;
    for (uint64_t s = from; s <= newest && s < SEQ_SPACE; s += s < from + 8 ? 1 : 1 + newest / 16) {
        size_t len = 0;
        const uint8_t *p = hb_history_get(&hist, s, &len);
        bool want = s >= model_floor() && kept_len[s] >= 0;
        FUZZ_ASSERT((p != NULL) == want);
        if (p != NULL)
            FUZZ_ASSERT(len == (size_t)kept_len[s]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned delays[] = {250, 5, 100, 0};
    reader r = {data, size};
    unsigned delay = delays[take(&r) % 4];
    hb_history_init(&hist, delay);
    guard = delay == 0 ? 240 : (delay > 10 ? delay - 10 : 0);
    FUZZ_ASSERT(hist.resend_guard_ms == guard);
    newest = released = 0;
    uint64_t now = 1000;
    while (r.n > 0) {
        uint8_t op = take(&r);
        switch (op % 8) {
        case 0: case 1: case 2: do_add(&r); break;
        case 3: case 4: case 5: do_answer(&r, &now); break;
        case 6: do_release(&r); break;
        default: /* a burst: 200 sends, to reach the 500-slot ring quickly */
            for (int i = 0; i < 200 && newest + 1 < SEQ_SPACE; i++) {
                uint8_t one[2] = {1, (uint8_t)((op + i) & 0x3f)}; /* short ones */
                reader small = {one, 2};
                do_add(&small);
            }
            break;
        }
    }
    return 0;
}
