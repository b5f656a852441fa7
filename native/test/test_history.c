/* test_history.c - the send-side history (heartbeat-wire §6.5, §6.6): byte
 * identical resends, every NAK reason, the 240 ms resend guard, the 500-slot
 * ring, acks, the batch limit, and node2's side of rexmit-under-loss: the
 * retransmissions real node2 sent are the bytes the history holds. */
#include "hbtest.h"

static hb_history hist;
static hb_rexmit_answer ans;

#define CHECK_ACTION(got, want)                                                 \
    do {                                                                        \
        int g_ = (int)(got), w_ = (int)(want);                                  \
        hbt_checks++;                                                           \
        if (g_ != w_) {                                                         \
            hbt_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = %s, want %s\n", __FILE__, __LINE__,     \
                    #got, hb_rexmit_action_name(g_), hb_rexmit_action_name(w_)); \
        }                                                                       \
    } while (0)

/* A recognisable datagram for seq: its length and bytes depend on seq. */
static size_t datagram_of(uint64_t seq, uint8_t *out)
{
    size_t len = 200 + seq % 131;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(seq * 31 + i);
    return len;
}

static void add_run(uint64_t first, uint64_t last)
{
    uint8_t d[HB_HISTORY_DATAGRAM_MAX];
    for (uint64_t s = first; s <= last; s++)
        CHECK_INT(hb_history_add(&hist, s, d, datagram_of(s, d)), 0);
}

static void check_resend(const hb_rexmit_item *it, uint64_t seq)
{
    uint8_t want[HB_HISTORY_DATAGRAM_MAX];
    size_t len = datagram_of(seq, want);
    CHECK_ACTION(it->action, HB_REXMIT_RESEND);
    CHECK_INT(it->seq, seq);
    CHECK_MEM(it->data, it->len, want, len);
}

static void empty(void)
{
    hb_history_init(&hist, 0);
    CHECK_INT(hist.resend_guard_ms, 240);
    CHECK_INT(hb_history_floor(&hist), 1);
    CHECK_INT(hb_history_unacked(&hist), 0);
    CHECK(hb_history_get(&hist, 1, NULL) == NULL);
    CHECK(hb_history_get(&hist, 0, NULL) == NULL);
    /* nothing sent yet: "Rexmit of seq 1 requested. 0 is max." */
    CHECK_INT(hb_history_answer(&hist, 1, 1, 0, 0, &ans), 0);
    CHECK_INT(ans.count, 1);
    CHECK_ACTION(ans.item[0].action, HB_REXMIT_TOO_HIGH);
    CHECK_INT(ans.item[0].seq, 1);
    CHECK(ans.item[0].data == NULL);
}

static void resend_and_guard(void)
{
    hb_history_init(&hist, 0);
    add_run(1, 10);
    size_t len = 0;
    uint8_t want[HB_HISTORY_DATAGRAM_MAX];
    size_t want_len = datagram_of(7, want);
    const uint8_t *kept = hb_history_get(&hist, 7, &len);
    CHECK_MEM(kept, len, want, want_len);

    /* the original send does not count: asked right away, resent */
    CHECK_INT(hb_history_answer(&hist, 3, 5, 0, 1000, &ans), 0);
    CHECK_INT(ans.count, 3);
    for (size_t i = 0; i < 3; i++)
        check_resend(&ans.item[i], 3 + i);
    CHECK(!ans.truncated);

    /* resent less than 240 ms ago: skipped (another node asked too) */
    CHECK_INT(hb_history_answer(&hist, 3, 5, 0, 1000, &ans), 0);
    CHECK_INT(ans.count, 0);
    CHECK_INT(ans.skipped_recent, 3);
    CHECK_INT(hb_history_answer(&hist, 4, 4, 0, 1239, &ans), 0);
    CHECK_INT(ans.count, 0);
    CHECK_INT(ans.skipped_recent, 1);
    CHECK_INT(hb_history_answer(&hist, 4, 4, 0, 1240, &ans), 0);
    CHECK_INT(ans.count, 1);
    check_resend(&ans.item[0], 4);
    /* a clock that went backwards counts as "just now" */
    CHECK_INT(hb_history_answer(&hist, 4, 4, 0, 500, &ans), 0);
    CHECK_INT(ans.count, 0);
    CHECK_INT(ans.skipped_recent, 1);

    /* seqs the requester acked are skipped without a word */
    CHECK_INT(hb_history_answer(&hist, 1, 10, 7, 5000, &ans), 0);
    CHECK_INT(ans.skipped_acked, 7);
    CHECK_INT(ans.count, 3);
    check_resend(&ans.item[0], 8);
    check_resend(&ans.item[2], 10);
    CHECK_INT(hb_history_answer(&hist, 2, 6, 6, 9000, &ans), 0);
    CHECK_INT(ans.skipped_acked, 5);
    CHECK_INT(ans.count, 0);
    /* a huge range costs nothing */
    CHECK_INT(hb_history_answer(&hist, 1, UINT64_MAX, UINT64_MAX - 1, 9000, &ans), 0);
    CHECK_INT(ans.count, 1);
    CHECK_ACTION(ans.item[0].action, HB_REXMIT_TOO_HIGH);
    CHECK_INT(ans.item[0].seq, UINT64_MAX);

    /* beyond the newest: one TOO_HIGH ends the answer */
    CHECK_INT(hb_history_answer(&hist, 9, 20, 0, 20000, &ans), 0);
    CHECK_INT(ans.count, 3);
    check_resend(&ans.item[0], 9);
    check_resend(&ans.item[1], 10);
    CHECK_ACTION(ans.item[2].action, HB_REXMIT_TOO_HIGH);
    CHECK_INT(ans.item[2].seq, 11);

    /* bad ranges: "Invalid rexmit seqnos" */
    CHECK_INT(hb_history_answer(&hist, 0, 3, 0, 0, &ans), -EINVAL);
    CHECK_INT(ans.count, 0);
    CHECK_INT(hb_history_answer(&hist, 5, 4, 0, 0, &ans), -EINVAL);
    CHECK_INT(hb_history_answer(&hist, 1, 1, 0, 0, NULL), -EINVAL);

    /* max_rexmit_delay below 10 ms: no guard at all */
    hb_history_init(&hist, 5);
    CHECK_INT(hist.resend_guard_ms, 0);
    add_run(1, 1);
    CHECK_INT(hb_history_answer(&hist, 1, 1, 0, 0, &ans), 0);
    CHECK_INT(hb_history_answer(&hist, 1, 1, 0, 0, &ans), 0);
    CHECK_INT(ans.count, 1);
    hb_history_init(&hist, 100);
    CHECK_INT(hist.resend_guard_ms, 90);
}

static void ring_and_naks(void)
{
    hb_history_init(&hist, 0);
    add_run(1, 600);
    CHECK_INT(hb_history_floor(&hist), 101);
    CHECK(hb_history_get(&hist, 100, NULL) == NULL);
    CHECK(hb_history_get(&hist, 101, NULL) != NULL);
    CHECK(hb_history_get(&hist, 601, NULL) == NULL);

    /* older than the oldest kept: "seqno too low" */
    CHECK_INT(hb_history_answer(&hist, 100, 101, 0, 0, &ans), 0);
    CHECK_INT(ans.count, 2);
    CHECK_ACTION(ans.item[0].action, HB_REXMIT_NAK_TOO_LOW);
    CHECK_INT(ans.item[0].seq, 100);
    CHECK_STR(hb_rexmit_nak_info(ans.item[0].action), "seqno too low");
    check_resend(&ans.item[1], 101);
    CHECK_INT(hb_history_answer(&hist, 1, 1, 0, 0, &ans), 0);
    CHECK_ACTION(ans.item[0].action, HB_REXMIT_NAK_TOO_LOW);

    /* acks free from below */
    CHECK_INT(hb_history_unacked(&hist), 600);
    hb_history_release(&hist, 300);
    CHECK_INT(hb_history_floor(&hist), 301);
    CHECK_INT(hb_history_unacked(&hist), 300);
    CHECK(hb_history_get(&hist, 300, NULL) == NULL);
    CHECK_INT(hb_history_answer(&hist, 300, 300, 0, 0, &ans), 0);
    CHECK_ACTION(ans.item[0].action, HB_REXMIT_NAK_TOO_LOW);
    hb_history_release(&hist, 200); /* never backwards */
    CHECK_INT(hb_history_floor(&hist), 301);
    hb_history_release(&hist, 10000); /* never beyond what was sent */
    CHECK_INT(hist.released, 600);
    CHECK_INT(hb_history_floor(&hist), 601);
    CHECK_INT(hb_history_unacked(&hist), 0);

    /* a datagram too long to keep: the seq counts as sent, a request for it
     * is answered "seqno not found" so the requester stops asking */
    static uint8_t big[HB_HISTORY_DATAGRAM_MAX + 1];
    CHECK_INT(hb_history_add(&hist, 601, big, sizeof(big)), -EMSGSIZE);
    CHECK_INT(hist.newest, 601);
    CHECK_INT(hb_history_add(&hist, 602, big, HB_HISTORY_DATAGRAM_MAX), 0);
    CHECK_INT(hb_history_answer(&hist, 601, 602, 0, 0, &ans), 0);
    CHECK_INT(ans.count, 2);
    CHECK_ACTION(ans.item[0].action, HB_REXMIT_NAK_NOT_FOUND);
    CHECK_STR(hb_rexmit_nak_info(ans.item[0].action), "seqno not found");
    CHECK_ACTION(ans.item[1].action, HB_REXMIT_RESEND);
    CHECK_INT(ans.item[1].len, HB_HISTORY_DATAGRAM_MAX);

    /* seqs skipped by the sender are not found either */
    CHECK_INT(hb_history_add(&hist, 606, "x", 1), 0);
    CHECK_INT(hb_history_answer(&hist, 603, 606, 0, 0, &ans), 0);
    CHECK_INT(ans.count, 4);
    CHECK_ACTION(ans.item[2].action, HB_REXMIT_NAK_NOT_FOUND);
    CHECK_ACTION(ans.item[3].action, HB_REXMIT_RESEND);
    CHECK_MEM(ans.item[3].data, ans.item[3].len, "x", 1);
    /* 606 - 500 = 106 overwritten ... but released already covers it */
    CHECK_INT(hb_history_floor(&hist), 601);

    /* what cannot be added */
    CHECK_INT(hb_history_add(&hist, 606, "x", 1), -EINVAL);
    CHECK_INT(hb_history_add(&hist, 605, "x", 1), -EINVAL);
    CHECK_INT(hb_history_add(&hist, 0, "x", 1), -EINVAL);
    CHECK_INT(hb_history_add(&hist, 700, NULL, 1), -EINVAL);
    CHECK_INT(hb_history_add(&hist, 700, NULL, 0), 0);
    CHECK_INT(hist.newest, 700);

    CHECK(hb_rexmit_nak_info(HB_REXMIT_RESEND) == NULL);
    CHECK(hb_rexmit_nak_info(HB_REXMIT_TOO_HIGH) == NULL);
}

static void batch_limit(void)
{
    hb_history_init(&hist, 0);
    add_run(1, 600);
    /* 100 seqs too low: 50 NAKs, then stop */
    CHECK_INT(hb_history_answer(&hist, 1, 600, 0, 0, &ans), 0);
    CHECK_INT(ans.count, HB_REXMIT_BATCH);
    CHECK(ans.truncated);
    CHECK_INT(ans.item[49].seq, 50);
    /* 50 resends, then stop */
    CHECK_INT(hb_history_answer(&hist, 101, 600, 0, 0, &ans), 0);
    CHECK_INT(ans.count, HB_REXMIT_BATCH);
    CHECK(ans.truncated);
    check_resend(&ans.item[0], 101);
    check_resend(&ans.item[49], 150);
    /* those 50 are skipped now, so the next 50 come */
    CHECK_INT(hb_history_answer(&hist, 101, 600, 0, 100, &ans), 0);
    CHECK_INT(ans.skipped_recent, 50);
    check_resend(&ans.item[0], 151);
    /* exactly 50: not truncated */
    CHECK_INT(hb_history_answer(&hist, 201, 250, 0, 0, &ans), 0);
    CHECK_INT(ans.count, 50);
    CHECK(!ans.truncated);
    /* mixed */
    CHECK_INT(hb_history_answer(&hist, 91, 110, 0, 1000, &ans), 0);
    CHECK_INT(ans.count, 20);
    CHECK_ACTION(ans.item[9].action, HB_REXMIT_NAK_TOO_LOW);
    CHECK_ACTION(ans.item[10].action, HB_REXMIT_RESEND);
    CHECK_INT(ans.item[10].seq, 101);
}

/* Flow control (§6.6): node A and node B ack; the history is freed up to the
 * lowest acked seq of the live nodes. */
static void flow_control(void)
{
    static hb_peer a, b;
    hb_peer_init(&a, 0, 0);
    hb_peer_init(&b, 0, 0);
    hb_history_init(&hist, 0);
    add_run(1, 300);
    CHECK_INT(hb_peer_ack_received(&a, 120, hist.newest), HB_ACK_ADVANCED);
    CHECK_INT(hb_peer_ack_received(&b, 80, hist.newest), HB_ACK_ADVANCED);
    CHECK_INT(hb_peer_ack_received(&b, 301, hist.newest), HB_ACK_BEYOND_SENT);
    uint64_t min = a.acked_by_peer < b.acked_by_peer ? a.acked_by_peer : b.acked_by_peer;
    hb_history_release(&hist, min);
    CHECK_INT(hb_history_floor(&hist), 81);
    CHECK(hb_history_unacked(&hist) < HB_FLOW_CONTROL_LIMIT);
    add_run(301, 340);
    CHECK(hb_history_unacked(&hist) > HB_FLOW_CONTROL_LIMIT); /* clients pause */
    /* A asks for 100 (it acked up to 120): skipped; B asks for it: resent */
    CHECK_INT(hb_history_answer(&hist, 100, 100, a.acked_by_peer, 0, &ans), 0);
    CHECK_INT(ans.count, 0);
    CHECK_INT(ans.skipped_acked, 1);
    CHECK_INT(hb_history_answer(&hist, 100, 100, b.acked_by_peer, 0, &ans), 0);
    check_resend(&ans.item[0], 100);
}

/* ------------------------------------------ captures/rexmit-under-loss.txt */

static void rexmit_under_loss(int argc, char **argv)
{
    FILE *f = hbt_open_vectors(argc, argv, "rexmit-under-loss.txt");
    static char line[8192];
    static uint8_t bytes[2048];
    static hb_peer from_node1, from_node2; /* node2's view of the ackers */
    hb_peer_init(&from_node1, 0, 0);
    hb_peer_init(&from_node2, 0, 0);
    hb_history_init(&hist, 0);
    size_t originals = 0, retransmissions = 0, requests = 0, resends = 0;
    const uint8_t *pending[4];
    size_t pending_len[4], npending = 0;

    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#')
            continue;
        char t[16], src[16], type[32], seq[24], first[24], last[24], ack[24], dest[16];
        char hex[4096];
        if (sscanf(line, "%15s %15s %31s %23s %23s %23s %23s %15s %4095s", t, src, type, seq,
                   first, last, ack, dest, hex) != 9)
            break;
        uint64_t now = strtoull(t, NULL, 10);
        long len = hbt_unhex(hex, bytes, sizeof(bytes));
        CHECK(len > 0);
        if (strcmp(src, "node2") == 0 && strcmp(seq, "-") != 0) {
            uint64_t s = strtoull(seq, NULL, 16);
            if (s > hist.newest) {
                originals++;
                CHECK_INT(hb_history_add(&hist, s, bytes, (size_t)len), 0);
            } else {
                /* a retransmission on the wire: the very bytes we would send */
                retransmissions++;
                size_t kept_len = 0;
                const uint8_t *kept = hb_history_get(&hist, s, &kept_len);
                CHECK_MEM(bytes, len, kept, kept_len);
                CHECK(npending > 0);
                if (npending > 0) {
                    CHECK_MEM(bytes, len, pending[0], pending_len[0]);
                    memmove(pending, pending + 1, --npending * sizeof(pending[0]));
                    memmove(pending_len, pending_len + 1, npending * sizeof(pending_len[0]));
                }
            }
        } else if (strcmp(type, "NS_ackmsg") == 0 && strcmp(dest, "node2") == 0) {
            /* node2 records a message before processing it itself, and that
             * processing may put its own ack on the wire first (ack 170
             * precedes status 170): self-acks are checked against nothing */
            bool self = strcmp(src, "node2") == 0;
            hb_peer *acker = self ? &from_node2 : &from_node1;
            CHECK_INT(hb_peer_ack_received(acker, strtoull(ack, NULL, 16),
                                           self ? UINT64_MAX : hist.newest),
                      HB_ACK_ADVANCED);
            uint64_t a1 = from_node1.acked_by_peer, a2 = from_node2.acked_by_peer;
            if (a1 && a2)
                hb_history_release(&hist, a1 < a2 ? a1 : a2);
        } else if (strcmp(type, "NS_rexmit") == 0 && strcmp(dest, "node2") == 0) {
            requests++;
            uint64_t fs = strtoull(first, NULL, 10), ls = strtoull(last, NULL, 10);
            CHECK_INT(fs, ls);
            CHECK_INT(hb_history_answer(&hist, fs, ls, from_node1.acked_by_peer, now, &ans), 0);
            /* every captured request was answered with the datagram (383 twice:
             * 251 ms apart, more than the 240 ms guard) */
            CHECK_INT(ans.count, 1);
            CHECK_ACTION(ans.item[0].action, HB_REXMIT_RESEND);
            CHECK_INT(ans.item[0].seq, fs);
            if (ans.count == 1 && npending < 4) {
                resends++;
                pending[npending] = ans.item[0].data;
                pending_len[npending++] = ans.item[0].len;
            }
            /* the same request again 1 ms later (another node, or a
             * duplicate on a second medium): not resent twice */
            CHECK_INT(hb_history_answer(&hist, fs, ls, from_node1.acked_by_peer, now + 1, &ans),
                      0);
            CHECK_INT(ans.count, 0);
            CHECK_INT(ans.skipped_recent, 1);
        }
    }
    fclose(f);
    CHECK_INT(originals, 28);
    CHECK_INT(retransmissions, 6);
    CHECK_INT(requests, 6);
    CHECK_INT(resends, 6);
    CHECK_INT(npending, 0);

    /* now that node1 acked 182, a late request for 383 is skipped, and from
     * a node that acked less it is too low (the acks freed it) */
    CHECK_INT(hb_history_answer(&hist, 383, 383, from_node1.acked_by_peer, 5400, &ans), 0);
    CHECK_INT(ans.skipped_acked, 1);
    CHECK_INT(ans.count, 0);
    CHECK_INT(hb_history_answer(&hist, 383, 383, 0x16e, 5400, &ans), 0);
    CHECK_INT(ans.count, 1);
    CHECK_ACTION(ans.item[0].action, HB_REXMIT_NAK_TOO_LOW);
    /* acks freed the history up to what both nodes acked */
    CHECK_INT(hist.released, 0x182);
}

static void names(void)
{
    CHECK_STR(hb_rexmit_action_name(HB_REXMIT_RESEND), "resend");
    CHECK_STR(hb_rexmit_action_name(HB_REXMIT_NAK_TOO_LOW), "nak_too_low");
    CHECK_STR(hb_rexmit_action_name(HB_REXMIT_NAK_NOT_FOUND), "nak_not_found");
    CHECK_STR(hb_rexmit_action_name(HB_REXMIT_TOO_HIGH), "too_high");
    CHECK_STR(hb_rexmit_action_name(HB_REXMIT_ACTION_COUNT), "unknown");
    CHECK_STR(hb_rexmit_action_name(-1), "unknown");
}

int main(int argc, char **argv)
{
    empty();
    resend_and_guard();
    ring_and_naks();
    batch_limit();
    flow_control();
    rexmit_under_loss(argc, argv);
    names();
    return hbt_finish("test_history");
}
