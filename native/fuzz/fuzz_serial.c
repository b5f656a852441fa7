/* fuzz_serial.c - the serial reader on arbitrary byte streams in arbitrary
 * chunkings.  Input: byte 0 picks the chunking, the rest is the stream; when
 * bit 7 of byte 0 is set, 0xFF 0xFF k c in the stream stands for (k + 1) *
 * 1024 bytes c (so a 4 KiB input can reach the 256 KiB frame limit; kept
 * optional because such inputs run a thousand times slower).  Properties: no out-of-bounds access; each feed
 * consumes 1..len bytes; every message handed out starts with ">>>\n", ends
 * with "<<<\n", fits HB_SERIAL_MSG_MAX, holds no NUL, CR or 8-bit byte and no
 * other ">>>"/"<<<" line; the messages and counters do not depend on the
 * chunking; the receive ladder takes every message without harm. */
#include "fuzz_common.h"

#define EXPANDED_MAX (HB_SERIAL_MSG_MAX + 16384u) /* just past the frame limit */

static hb_serial_reader rd;
static uint8_t stream[EXPANDED_MAX];

static size_t expand(const uint8_t *in, size_t n, bool runs)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (runs && in[i] == 0xFF && i + 3 < n && in[i + 1] == 0xFF) {
            size_t run = ((size_t)in[i + 2] + 1) * 1024;
            if (run > EXPANDED_MAX - len)
                run = EXPANDED_MAX - len;
            memset(stream + len, in[i + 3], run);
            len += run;
            i += 3;
        } else if (len < EXPANDED_MAX) {
            stream[len++] = in[i];
        }
    }
    return len;
}

/* (library calls, not byte loops: the fuzzer's comparison tracing makes
 * per-byte loops in this file the bottleneck) */
static void check_message(const uint8_t *m, size_t n)
{
    FUZZ_ASSERT(n >= 8 && n <= HB_SERIAL_MSG_MAX);
    FUZZ_ASSERT(memcmp(m, ">>>\n", 4) == 0 && memcmp(m + n - 4, "<<<\n", 4) == 0);
    FUZZ_ASSERT(memchr(m, '\0', n) == NULL && memchr(m, '\r', n) == NULL);
    uint64_t high = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, m + i, 8);
        high |= w;
    }
    for (; i < n; i++)
        high |= m[i];
    FUZZ_ASSERT((high & 0x8080808080808080ull) == 0);
    /* no ">>>" or "<<<" line between the first and the last */
    const uint8_t *inner = memmem(m + 3, n - 4 - 3, "\n>>>", 4);
    FUZZ_ASSERT(inner == NULL);
    inner = memmem(m + 3, n - 4 - 3, "\n<<<", 4);
    FUZZ_ASSERT(inner == NULL);

    hb_msg msg;
    hb_msg_init(&msg, fuzz_store_a, n);
    if (hb_receive(fuzz_keys(), m, n, &msg, NULL) == HB_DROP_NONE)
        fuzz_check_invariants(&msg);
}

/* The messages of the first run, to compare the second with. */
static uint8_t seen[EXPANDED_MAX];
static size_t seen_len[EXPANDED_MAX / 8], seen_count, seen_bytes;

/* Feeds stream[0..len) in chunks (chunk_max 0 = all at once); the first run
 * records the messages handed out, a later one must hand out the same;
 * counters are left in rd. */
static void run(size_t len, unsigned seed, size_t chunk_max, bool first)
{
    uint64_t rnd = seed;
    size_t k = 0, off = 0;
    hb_serial_reader_init(&rd);
    size_t pos = 0;
    while (pos < len) {
        size_t take = len - pos;
        if (chunk_max > 0) {
            rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
            size_t c = 1 + (size_t)(rnd >> 33) % chunk_max;
            if (take > c)
                take = c;
        }
        const uint8_t *p = stream + pos;
        while (take > 0) {
            const uint8_t *m;
            size_t ml;
            size_t used = hb_serial_reader_feed(&rd, p, take, &m, &ml);
            FUZZ_ASSERT(used >= 1 && used <= take);
            p += used;
            take -= used;
            pos += used;
            if (m == NULL) {
                FUZZ_ASSERT(take == 0); /* only a message stops a feed early */
                continue;
            }
            FUZZ_ASSERT(m == rd.buf);
            if (first) { /* a message is never longer than the input it came from */
                check_message(m, ml);
                FUZZ_ASSERT(seen_count < EXPANDED_MAX / 8 && seen_bytes + ml <= EXPANDED_MAX);
                memcpy(seen + seen_bytes, m, ml);
                seen_len[seen_count++] = ml;
                seen_bytes += ml;
            } else {
                FUZZ_ASSERT(k < seen_count && seen_len[k] == ml);
                FUZZ_ASSERT(memcmp(seen + off, m, ml) == 0);
                off += ml;
                k++;
            }
        }
    }
    FUZZ_ASSERT(first || k == seen_count);
    FUZZ_ASSERT(rd.counter[HB_SERIAL_RX_BYTES] == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    size_t len = expand(data + 1, size - 1, mode & 0x80);

    seen_count = seen_bytes = 0;
    run(len, 0, 0, true);
    uint64_t counters[HB_SERIAL_COUNTER_COUNT];
    memcpy(counters, rd.counter, sizeof(counters));

    size_t chunk_max = (size_t)1 << ((mode & 0x7f) % 12); /* 1 .. 2048 bytes a feed */
    if (chunk_max < len / 512) /* long runs: at most ~1000 feeds, for speed */
        chunk_max = len / 512;
    run(len, mode, chunk_max, false);
    FUZZ_ASSERT(memcmp(counters, rd.counter, sizeof(counters)) == 0);
    return 0;
}
