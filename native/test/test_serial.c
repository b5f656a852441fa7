/* test_serial.c - the serial reader and writer (pure parts, no tty):
 *   - both directions of a real serial link (vectors/serial/, raw dumps) come out
 *     message by message, byte for byte, in any chunking, and every message
 *     passes hb_receive() with the captured sha1 key; the writer re-encodes
 *     each one byte-identically;
 *   - each injection of captures/serial-garbage-tests.txt (S1..S8) has the
 *     outcome the real node had;
 *   - the edges no capture shows: NUL and 8-bit bytes, bad start/end lines,
 *     the size limit, reset;
 *   - the writer: fragments, their delay, partial writes, timeouts, errors,
 *     the resync marker, the queue limits, and writer -> reader round trips.
 *
 *   test_serial [VECTOR_DIR] */
#include "hbtest.h"

static hb_serial_reader rd;
static hb_serial_writer wr;
static hb_keys keys;
static uint8_t store[HB_MSG_MAX];
static uint8_t file_buf[1u << 17];
static uint8_t wire[1u << 20]; /* a byte stream being built or written */
static const uint8_t uuid2[HB_UUID_LEN] = {0x22, 0x46, 0x99, 0x4b, 0x13, 0xad, 0x48, 0x7f,
                                           0x82, 0xbe, 0x79, 0xa8, 0xbf, 0x8e, 0x7f, 0xe3};

/* ------------------------------------------------------------ collecting */

#define MAX_OUT 1024

/* What came out of a reader for one input stream. */
static struct out {
    size_t n;
    int reason[MAX_OUT];       /* hb_receive() result per message */
    char t[MAX_OUT][32];       /* its `t` when accepted */
    long firstseq[MAX_OUT];    /* NS_rexmit firstseq when accepted, else -1 */
    uint8_t bytes[1u << 20];   /* all messages, concatenated */
    size_t len;
} out;

static uint64_t rng_state;
static unsigned rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng_state >> 33);
}

/* chunk = 0: everything at once; > 0: that many bytes a time; < 0: random 1..-chunk */
static void run_reader(hb_serial_reader *r, const uint8_t *data, size_t len, int chunk)
{
    out.n = 0;
    out.len = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t take = len - pos;
        if (chunk > 0 && take > (size_t)chunk)
            take = (size_t)chunk;
        if (chunk < 0 && take > 1 + rng() % (unsigned)-chunk)
            take = 1 + rng() % (unsigned)-chunk;
        const uint8_t *p = data + pos;
        size_t left = take;
        while (left > 0) {
            const uint8_t *m;
            size_t ml;
            size_t used = hb_serial_reader_feed(r, p, left, &m, &ml);
            CHECK(used > 0 && used <= left);
            p += used;
            left -= used;
            if (m == NULL)
                continue;
            CHECK(ml >= 8 && memcmp(m, ">>>\n", 4) == 0 && memcmp(m + ml - 4, "<<<\n", 4) == 0);
            if (out.n < MAX_OUT && out.len + ml <= sizeof(out.bytes)) {
                hb_msg msg;
                hb_msg_init(&msg, store, sizeof(store));
                int reason = hb_receive(&keys, m, ml, &msg, NULL);
                out.reason[out.n] = reason;
                out.t[out.n][0] = '\0';
                out.firstseq[out.n] = -1;
                if (reason == HB_DROP_NONE) {
                    snprintf(out.t[out.n], sizeof(out.t[0]), "%s", hb_msg_get_str(&msg, "t"));
                    const char *fs = hb_msg_get_str(&msg, "firstseq");
                    if (strcmp(out.t[out.n], "NS_rexmit") == 0 && fs)
                        out.firstseq[out.n] = atol(fs);
                }
                memcpy(out.bytes + out.len, m, ml);
                out.len += ml;
                out.n++;
            }
        }
        pos += take;
    }
}

static size_t accepted(void)
{
    size_t k = 0;
    for (size_t i = 0; i < out.n; i++)
        k += out.reason[i] == HB_DROP_NONE;
    return k;
}

/* ------------------------------------------------------------ captures */

static size_t read_file(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/serial/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    size_t n = fread(file_buf, 1, sizeof(file_buf), f);
    CHECK(feof(f));
    fclose(f);
    return n;
}

/* Every captured message: out in order, byte for byte, authentic; the
 * writer's encoding of its fields is the same bytes. */
static void captures(const char *dir, const char *name, size_t want)
{
    size_t len = read_file(dir, name);
    static uint8_t first[sizeof(out.bytes)];
    size_t first_len = 0;
    const int chunkings[] = {0, 1, 7, 200, 512, -64, -3000};
    for (size_t c = 0; c < sizeof(chunkings) / sizeof(chunkings[0]); c++) {
        hb_serial_reader_init(&rd);
        rng_state = c;
        run_reader(&rd, file_buf, len, chunkings[c]);
        CHECK_INT(out.n, want);
        CHECK_INT(accepted(), want);
        CHECK_MEM(out.bytes, out.len, file_buf, len); /* nothing but messages in a dump */
        CHECK_INT(rd.counter[HB_SERIAL_RX_BYTES], len);
        CHECK_INT(rd.counter[HB_SERIAL_RX_MSGS], want);
        CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], 0);
        if (c == 0) {
            memcpy(first, out.bytes, out.len);
            first_len = out.len;
        } else {
            CHECK_MEM(out.bytes, out.len, first, first_len);
        }
    }

    /* the writer re-signs and re-encodes each to the same bytes */
    size_t pos = 0, same = 0, n = 0;
    static uint8_t enc[HB_MSG_MAX];
    while (pos < len) {
        const uint8_t *end = memmem(file_buf + pos, len - pos, "<<<\n", 4);
        CHECK(end != NULL);
        if (end == NULL)
            break;
        size_t mlen = (size_t)(end + 4 - (file_buf + pos));
        hb_msg msg;
        hb_msg_init(&msg, store, sizeof(store));
        CHECK_REASON(hb_receive(&keys, file_buf + pos, mlen, &msg, NULL), HB_DROP_NONE);
        ssize_t e = hb_serial_encode(&msg, &keys, enc, sizeof(enc));
        same += e == (ssize_t)mlen && memcmp(enc, file_buf + pos, mlen) == 0;
        n++;
        pos += mlen;
    }
    CHECK_INT(same, want);
    CHECK_INT(n, want);
    printf("  %s: %zu messages, all authentic, in 7 chunkings; writer re-encodes all\n", name,
           want);
}

/* ------------------------------------------------ serial-garbage-tests.txt */

/* A classic NS_rexmit from node2 as the injector built it (signed with the
 * link's key); corrupt = flip a digit of the digest. */
static size_t rexmit(uint8_t *dst, size_t cap, long first, long last, bool corrupt)
{
    static uint8_t s[4096];
    char a[24], b[24];
    hb_msg m;
    hb_msg_init(&m, s, sizeof(s));
    snprintf(a, sizeof(a), "%ld", first);
    snprintf(b, sizeof(b), "%ld", last);
    CHECK_INT(hb_msg_add_str(&m, "t", "NS_rexmit"), 0);
    CHECK_INT(hb_msg_add_str(&m, "dest", "node1"), 0);
    CHECK_INT(hb_msg_add_str(&m, "firstseq", a), 0);
    CHECK_INT(hb_msg_add_str(&m, "lastseq", b), 0);
    hb_control c = {.src = "node2", .srcuuid = uuid2, .hg = 0x6b0256fe, .ts = 0x6b025800,
                    .ttl = 3};
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    ssize_t n = hb_serial_encode(&m, &keys, dst, cap);
    CHECK(n > 0);
    if (n <= 0)
        return 0;
    if (corrupt) {
        uint8_t *d = memmem(dst, (size_t)n, "auth=1 ", 7);
        CHECK(d != NULL);
        if (d)
            d[7] = d[7] == '0' ? '1' : '0';
    }
    return (size_t)n;
}

/* A status heartbeat from node2 (what node2 itself was sending meanwhile). */
static size_t status(uint8_t *dst, size_t cap, unsigned seq)
{
    static uint8_t s[4096];
    hb_msg m;
    hb_msg_init(&m, s, sizeof(s));
    CHECK_INT(hb_msg_add_str(&m, "t", "status"), 0);
    CHECK_INT(hb_msg_add_str(&m, "st", "active"), 0);
    CHECK_INT(hb_msg_add_str(&m, "dt", "7d0"), 0);
    CHECK_INT(hb_msg_add_str(&m, "protocol", "1"), 0);
    hb_control c = {.src = "node2", .srcuuid = uuid2, .seq = seq, .hg = 0x6b0256fe,
                    .ts = 0x6b025800, .ld = "0.10 0.20 0.30 1/140 9134", .ttl = 3};
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    ssize_t n = hb_serial_encode(&m, &keys, dst, cap);
    CHECK(n > 0);
    return n > 0 ? (size_t)n : 0;
}

static size_t put(size_t at, const void *bytes, size_t n)
{
    memcpy(wire + at, bytes, n);
    return at + n;
}

static size_t put_str(size_t at, const char *s)
{
    return put(at, s, strlen(s));
}

/* The NS_rexmits the node answered: firstseq of each accepted one. */
static bool retransmitted(long firstseq)
{
    for (size_t i = 0; i < out.n; i++)
        if (out.reason[i] == HB_DROP_NONE && out.firstseq[i] == firstseq)
            return true;
    return false;
}

/* Each injection, in the middle of node2's own traffic (a status before and
 * after), run in several chunkings. */
static void garbage_tests(void)
{
    uint8_t msg[4096], msg2[4096], st[4096];
    for (int chunk = 0; chunk >= -17; chunk -= 17) {
        rng_state = 42;
        size_t sl = status(st, sizeof(st), 0x100);
        size_t n, at;

        /* S1 valid classic NS_rexmit -> retransmitted */
        n = rexmit(msg, sizeof(msg), 2441, 2444, false);
        at = put(put(put(0, st, sl), msg, n), st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(out.n, 3);
        CHECK_INT(accepted(), 3);
        CHECK(retransmitted(2441));

        /* S2 garbage line between messages -> skipped, traffic unharmed */
        static const char s2[] = "this is garbage\r\n\x01\x02 more garbage\n";
        at = put(put(put(put(0, st, sl), s2, sizeof(s2) - 1), msg, n), st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(accepted(), 3);
        CHECK(retransmitted(2441));
        CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], sizeof(s2) - 1);

        /* S2 as the real test had it: garbage alone (node1 retransmitted NO) */
        at = put(put(put(0, st, sl), s2, sizeof(s2) - 1), st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(out.n, 2);
        CHECK_INT(accepted(), 2);

        /* S3 'xx' before ">>>" on the same line -> the whole message is
         * skipped line by line; the next one is fine */
        n = rexmit(msg, sizeof(msg), 2450, 2453, false);
        at = put(put(put(put(0, st, sl), "xx", 2), msg, n), st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK(!retransmitted(2450));
        CHECK_INT(out.n, 2);
        CHECK_INT(accepted(), 2);
        CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], n + 2);

        /* S4 bad inner auth -> handed out, rejected by the ladder */
        n = rexmit(msg, sizeof(msg), 2460, 2463, true);
        at = put(put(put(0, st, sl), msg, n), st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(out.n, 3);
        CHECK_REASON(out.reason[1], HB_DROP_BAD_AUTH);
        CHECK(!retransmitted(2460));

        /* S5 a line lacking '=' -> NV failure */
        at = put(put(put_str(put(0, st, sl), ">>>\nt=NS_rexmit\nbogus\n<<<\n"), st, sl), "", 0);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(out.n, 3);
        CHECK_REASON(out.reason[1], HB_DROP_PARSE_ERROR);
        CHECK_INT(accepted(), 2);

        /* S6 unterminated -> swallows node2's next real message ("illegal
         * field"); the one after that is fine again */
        size_t sl2 = status(msg2, sizeof(msg2), 0x101);
        size_t sl3 = status(st, sizeof(st), 0x102);
        at = put_str(0, ">>>\nt=NS_rexmit\ndest=node1\n");
        at = put(put(at, msg2, sl2), st, sl3);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(out.n, 1);
        CHECK_INT(accepted(), 1);
        CHECK_INT(rd.counter[HB_SERIAL_RX_SWALLOWED], 1);
        CHECK(out.len == sl3 && memcmp(out.bytes, st, sl3) == 0);
        sl = status(st, sizeof(st), 0x100);

        /* S7 CRLF line ends (IGNCR) -> retransmitted */
        n = rexmit(msg, sizeof(msg), 2490, 2493, false);
        at = 0;
        for (size_t i = 0; i < n; i++)
            at = msg[i] == '\n' ? put(at, "\r\n", 2) : put(at, msg + i, 1);
        at = put(at, st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(accepted(), 2);
        CHECK(retransmitted(2490));
        CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], 0);

        /* S8 a netstring on serial -> silently skipped */
        static const char s8[] = "###\n8:(0)t=NS_x,%%%\n";
        at = put(put(put(0, st, sl), s8, sizeof(s8) - 1), st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, chunk);
        CHECK_INT(out.n, 2);
        CHECK_INT(accepted(), 2);
        CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], sizeof(s8) - 1);
    }
    printf("  S1..S8: the real node's outcome for every injection\n");
}

/* ------------------------------------------------------------ reader edges */

static void reader_edges(void)
{
    uint8_t msg[4096], st[4096];
    size_t n = rexmit(msg, sizeof(msg), 7, 9, false), sl = status(st, sizeof(st), 5), at;

    /* ">>>xx" start line: the frame (through its "<<<") is dropped, even the
     * message it swallows; hunting resumes after it */
    at = put_str(0, ">>>xx\nt=x\n");
    at = put(put(at, msg, n), st, sl);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(out.n, 1);
    CHECK_INT(accepted(), 1);
    CHECK_INT(rd.counter[HB_SERIAL_RX_BAD_START], 1);
    CHECK(out.len == sl && memcmp(out.bytes, st, sl) == 0);

    /* "<<<" with more on the line ends the frame and dooms it */
    memcpy(wire, msg, n);
    at = put_str(n - 1, "x\n");
    at = put(at, st, sl);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(out.n, 1);
    CHECK_INT(rd.counter[HB_SERIAL_RX_BAD_END], 1);
    CHECK(out.len == sl && memcmp(out.bytes, st, sl) == 0);

    /* ">>>" and "<<<" followed by CRs only are exact (IGNCR) */
    at = put_str(0, ">>>\r\r\n");
    at = put(at, msg + 4, n - 8);
    at = put_str(at, "<<<\r\n");
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 1);
    CHECK_INT(accepted(), 1);

    /* ISTRIP: every byte with bit 7 set still reads as the message */
    for (size_t i = 0; i < n; i++)
        wire[i] = msg[i] | 0x80;
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, n, 0);
    CHECK_INT(accepted(), 1);
    CHECK_MEM(out.bytes, out.len, msg, n);

    /* a NUL ends a line's content, as in Heartbeat's C strings: the rest of
     * the line is ignored (here: a NUL after "ttl=3") */
    uint8_t *ttl = memmem(msg, n, "\nttl=3\n", 7);
    CHECK(ttl != NULL);
    size_t cut = (size_t)(ttl - msg) + 6;
    at = put(0, msg, cut);
    at = put(at, "\0junk\x80", 6);
    at = put(at, msg + cut, n - cut);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, -5);
    CHECK_INT(accepted(), 1);
    CHECK_MEM(out.bytes, out.len, msg, n);
    /* ... and "<<\0<" is not an end line, ">>\0>" not a start line */
    at = put(0, ">>\0>\n", 5);
    at = put(at, msg, n - 4);
    at = put(at, "<<\0<\n", 5);
    at = put_str(at, "<<<\n");
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(out.n, 1);
    CHECK_REASON(out.reason[0], HB_DROP_PARSE_ERROR); /* "<<" is a line without '=' */
    CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], 5);

    /* empty lines inside a frame are kept (the decoder skips them) */
    at = put_str(0, ">>>\n\n\n");
    at = put(at, msg + 4, n - 4);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(accepted(), 1);
    CHECK_INT(out.len, n + 2);

    /* a partial frame survives any split and is forgotten by reset */
    hb_serial_reader_init(&rd);
    run_reader(&rd, msg, n / 2, 0);
    CHECK_INT(out.n, 0);
    hb_serial_reader_reset(&rd);
    at = put(put(0, msg + n / 2, n - n / 2), st, sl);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(out.n, 1);
    CHECK(out.len == sl && memcmp(out.bytes, st, sl) == 0);

    /* size limit: a frame of exactly HB_SERIAL_MSG_MAX bytes comes out (and
     * is too big for nothing else), one byte more is dropped and hunting
     * resumes at the next line */
    for (int extra = 0; extra <= 1; extra++) {
        size_t total = HB_SERIAL_MSG_MAX + (size_t)extra;
        at = put_str(0, ">>>\nbig=");
        size_t fill = total - at - 1 - 4;
        memset(wire + at, 'a', fill);
        at = put_str(at + fill, "\n<<<\n");
        CHECK_INT(at, total);
        at = put(at, st, sl);
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, extra ? 4096 : 0);
        CHECK_INT(out.n, extra ? 1 : 2);
        CHECK_INT(rd.counter[HB_SERIAL_RX_OVERFLOW], extra);
        if (!extra)
            CHECK_INT(out.len, total + sl);
        CHECK(out.len >= sl && memcmp(out.bytes + out.len - sl, st, sl) == 0);
    }
    /* Heartbeat's two limits: collected bytes below MAXMSG, the frame plus
     * NUL too.  A body of exactly MAXMSG - 1 bytes survives, but then even
     * a ">>>" line overflows it: hunting resumes after that line, so the
     * message it started is lost too */
    at = put_str(0, ">>>\nbig=");
    memset(wire + at, 'b', HB_MSG_MAX - 1 - at - 1);
    at = put_str(HB_MSG_MAX - 1 - 1, "\n");
    CHECK_INT(at, HB_MSG_MAX - 1);
    at = put(put(at, msg, n), st, sl);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(out.n, 1);
    CHECK(out.len == sl && memcmp(out.bytes, st, sl) == 0);
    CHECK_INT(rd.counter[HB_SERIAL_RX_OVERFLOW], 1);
    CHECK_INT(rd.counter[HB_SERIAL_RX_SWALLOWED], 0);
    CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], n - 4); /* its ">>>" line overflowed */

    /* a doomed frame is measured like any other: when it overflows, hunting
     * resumes at once (it does not wait for a "<<<") */
    at = put_str(0, ">>>xx\nx=");
    memset(wire + at, 'd', 300000);
    at = put_str(at + 300000, "\n");
    at = put(put(at, msg, n), st, sl);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(out.n, 2);
    CHECK_INT(accepted(), 2);
    CHECK_INT(rd.counter[HB_SERIAL_RX_OVERFLOW], 1);
    CHECK_INT(rd.counter[HB_SERIAL_RX_BAD_START], 0); /* each drop counted once */

    /* a line far longer than the buffer while hunting or in a frame */
    at = put_str(0, ">>>\nx=");
    memset(wire + at, 'z', 700000);
    at = put(put_str(at + 700000, "\n"), st, sl);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 65536);
    CHECK_INT(out.n, 1);
    CHECK_INT(rd.counter[HB_SERIAL_RX_OVERFLOW], 1);
    memset(wire, 'q', 700000);
    at = put(put_str(700000, "\n"), st, sl);
    hb_serial_reader_init(&rd);
    run_reader(&rd, wire, at, 0);
    CHECK_INT(out.n, 1);
    CHECK_INT(rd.counter[HB_SERIAL_RX_GARBAGE_BYTES], 700001);

    CHECK_STR(hb_serial_counter_name(HB_SERIAL_RX_SWALLOWED), "rx_swallowed");
    CHECK_STR(hb_serial_counter_name(HB_SERIAL_TX_RESYNCS), "tx_resyncs");
    CHECK_STR(hb_serial_counter_name(HB_SERIAL_COUNTER_COUNT), "unknown");
    CHECK_STR(hb_serial_counter_name(-1), "unknown");
    for (int i = 0; i < HB_SERIAL_COUNTER_COUNT; i++)
        CHECK(strcmp(hb_serial_counter_name(i), "unknown") != 0);
    printf("  reader edges: bad start/end, CR, ISTRIP, NUL, empty lines, reset, size limit\n");
}

/* ------------------------------------------------------------ writer */

/* A message with a `data` field of vlen bytes (multi-fragment when large). */
static hb_msg big_msg(uint8_t *s, size_t cap, size_t vlen, unsigned seq)
{
    static char value[HB_MSG_MAX];
    hb_msg m;
    hb_msg_init(&m, s, cap);
    for (size_t i = 0; i < vlen; i++)
        value[i] = (char)('a' + (i + seq) % 26);
    value[vlen] = '\0';
    CHECK_INT(hb_msg_add_str(&m, "t", "bulk"), 0);
    CHECK_INT(hb_msg_add_str(&m, "data", value), 0);
    hb_control c = {.src = "node2", .srcuuid = uuid2, .seq = seq, .hg = 0x6b0256fe,
                    .ts = 0x6b025800, .ld = "0.10 0.20 0.30 1/140 9134", .ttl = 3};
    CHECK_INT(hb_msg_add_control_fields(&m, &c), 0);
    return m;
}

static void writer_basics(void)
{
    CHECK(hb_serial_baud_valid(9600) && hb_serial_baud_valid(460800));
    CHECK(!hb_serial_baud_valid(0) && !hb_serial_baud_valid(4800) && !hb_serial_baud_valid(921600));
    const unsigned bauds[] = {9600, 19200, 38400, 57600, 115200, 230400, 460800};
    const unsigned delays[] = {427, 214, 107, 72, 36, 18, 9}; /* ceil(512000 / (baud/8)) */
    for (size_t i = 0; i < 7; i++)
        CHECK_INT(hb_serial_frag_delay_ms(bauds[i]), delays[i]);
    CHECK_INT(hb_serial_frag_delay_ms(1200), 0);
    CHECK_INT(hb_serial_writer_init(&wr, 1200), -EINVAL);
    CHECK_INT(hb_serial_writer_init(&wr, 19200), 0);

    /* nothing queued: nothing to write, no deadline */
    const uint8_t *d;
    CHECK_INT(hb_serial_writer_next(&wr, 0, &d), 0);
    CHECK(hb_serial_writer_wake_ms(&wr, 0) == HB_SERIAL_NO_DEADLINE);
    CHECK(!hb_serial_writer_expire(&wr, 100000));

    /* encode: signed, classic, refuses what a serial line would mangle */
    static uint8_t s[HB_MSG_MAX], enc[HB_MSG_MAX];
    hb_msg m = big_msg(s, sizeof(s), 10, 1);
    ssize_t n = hb_serial_encode(&m, &keys, enc, sizeof(enc));
    CHECK(n > 0);
    hb_msg back;
    hb_msg_init(&back, store, sizeof(store));
    CHECK_REASON(hb_receive(&keys, enc, (size_t)n, &back, NULL), HB_DROP_NONE);
    CHECK_INT(hb_serial_encode(&m, &keys, enc, 20), -ENOSPC);
    CHECK_INT(hb_msg_set_str(&m, "data", "caf\xc3\xa9"), 0);
    CHECK_INT(hb_serial_encode(&m, &keys, enc, sizeof(enc)), -EILSEQ);
    CHECK_INT(hb_msg_set_str(&m, "data", "a\rb"), 0);
    CHECK_INT(hb_serial_encode(&m, &keys, enc, sizeof(enc)), -EILSEQ);
    /* msg is left alone, and the result is hb_msg_sign() + hb_encode_classic():
     * auth in the place of the first auth field, others dropped, or appended */
    static uint8_t s2[4096], enc2[4096];
    const char *layouts[] = {"", "auth", "auth auth", "mid", "mid auth"};
    for (size_t l = 0; l < 5; l++) {
        hb_msg a;
        hb_msg_init(&a, s2, sizeof(s2));
        CHECK_INT(hb_msg_add_str(&a, "t", "x"), 0);
        if (strncmp(layouts[l], "mid", 3) == 0)
            CHECK_INT(hb_msg_add_str(&a, "auth", "1 stale"), 0);
        CHECK_INT(hb_msg_add_str(&a, "src", "node2"), 0);
        CHECK_INT(hb_msg_add_str(&a, "ts", "1"), 0);
        if (strstr(layouts[l], "auth"))
            CHECK_INT(hb_msg_add_str(&a, "auth", "1 0000"), 0);
        if (strcmp(layouts[l], "auth auth") == 0)
            CHECK_INT(hb_msg_add_str(&a, "auth", "2 1111"), 0);
        size_t before_fields = a.nfields, before_used = a.store_used;
        n = hb_serial_encode(&a, &keys, enc, sizeof(enc));
        CHECK(n > 0);
        CHECK_INT(a.nfields, before_fields);
        CHECK_INT(a.store_used, before_used);
        CHECK_INT(hb_msg_sign(&a, &keys), 0);
        ssize_t n2 = hb_encode_classic(&a, enc2, sizeof(enc2));
        CHECK_MEM(enc, n, enc2, n2);
    }
    hb_keys none;
    hb_keys_init(&none);
    CHECK_INT(hb_serial_encode(&m, &none, enc, sizeof(enc)), -ENOENT);
    static uint8_t big[2 * HB_MSG_MAX];
    m = big_msg(big, sizeof(big), HB_SERIAL_MSG_MAX - 150, 1); /* over the line limit */
    CHECK_INT(hb_serial_encode(&m, &keys, enc, sizeof(enc)), -EMSGSIZE);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, 0, 0), -EMSGSIZE);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, HB_SERIAL_MSG_MAX + 1, 0), -EMSGSIZE);
    CHECK_INT(hb_serial_writer_queue_msg(&wr, &m, &keys, 0), -EMSGSIZE);
    CHECK_INT(hb_serial_writer_queued(&wr), 0);

    /* 64 slots */
    for (unsigned i = 0; i < HB_SERIAL_TX_SLOTS; i++)
        CHECK_INT(hb_serial_writer_queue(&wr, ">>>\n<<<\n", 8, 0), 0);
    CHECK_INT(hb_serial_writer_queue(&wr, ">>>\n<<<\n", 8, 0), -ENOBUFS);
    m = big_msg(s, sizeof(s), 10, 1);
    CHECK_INT(hb_serial_writer_queue_msg(&wr, &m, &keys, 0), -ENOBUFS);
    CHECK_INT(wr.counter[HB_SERIAL_TX_QUEUE_FULL], 2);
    CHECK_INT(hb_serial_writer_pending(&wr), 8 * HB_SERIAL_TX_SLOTS);

    /* bytes: two near-maximal messages do not fit at once */
    CHECK_INT(hb_serial_writer_init(&wr, 19200), 0);
    memset(enc, 'x', HB_SERIAL_MSG_MAX);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, HB_SERIAL_MSG_MAX, 0), 0);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, HB_SERIAL_TX_CAP - HB_SERIAL_MSG_MAX, 0), 0);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, 1, 0), -ENOBUFS);
    printf("  writer: baud rates, fragment delays, encoding rules, queue limits\n");
}

/* Writes everything through the pure API into `wire` with writes of at most
 * `max_write` bytes (random when < 0), advancing a fake clock to each "not
 * before"; returns the stream length. */
static size_t drain(hb_serial_writer *w, int64_t *now, int max_write, size_t at)
{
    for (int guard = 0; guard < 1000000; guard++) {
        const uint8_t *d;
        size_t n = hb_serial_writer_next(w, *now, &d);
        if (n == 0) {
            if (hb_serial_writer_queued(w) == 0)
                return at;
            int64_t wake = hb_serial_writer_wake_ms(w, *now);
            CHECK(wake > *now && wake != HB_SERIAL_NO_DEADLINE);
            *now = wake;
            continue;
        }
        CHECK(n <= HB_SERIAL_FRAG_SIZE);
        size_t k = n;
        if (max_write > 0 && k > (size_t)max_write)
            k = (size_t)max_write;
        if (max_write < 0)
            k = rng() % 4 == 0 ? 0 : 1 + rng() % n; /* 0: "EAGAIN" */
        if (k == 0) {
            (*now)++;
            continue;
        }
        memcpy(wire + at, d, k);
        at += k;
        hb_serial_writer_advance(w, k, *now);
    }
    CHECK(false); /* drain did not finish */
    return at;
}

static void writer_fragments(void)
{
    static uint8_t s[HB_MSG_MAX], enc[HB_MSG_MAX];
    const uint8_t *d;
    CHECK_INT(hb_serial_writer_init(&wr, 19200), 0);
    hb_msg m = big_msg(s, sizeof(s), 1300, 7);
    ssize_t len = hb_serial_encode(&m, &keys, enc, sizeof(enc));
    CHECK(len > 1024 && len < 1536); /* three fragments */
    CHECK_INT(hb_serial_writer_queue_msg(&wr, &m, &keys, 1000), 0);
    CHECK_INT(hb_serial_writer_pending(&wr), len);

    /* first the resync marker, then fragment 1 at once */
    CHECK_INT(hb_serial_writer_next(&wr, 1000, &d), 5);
    CHECK_MEM(d, 5, "\n<<<\n", 5);
    hb_serial_writer_advance(&wr, 2, 1000); /* a short write */
    CHECK_INT(hb_serial_writer_next(&wr, 1000, &d), 3);
    CHECK_MEM(d, 3, "<<\n", 3);
    hb_serial_writer_advance(&wr, 3, 1000);
    CHECK_INT(wr.counter[HB_SERIAL_TX_RESYNCS], 1);
    CHECK_INT(hb_serial_writer_next(&wr, 1000, &d), 512);
    CHECK_MEM(d, 512, enc, 512);
    hb_serial_writer_advance(&wr, 500, 1001);
    CHECK_INT(hb_serial_writer_next(&wr, 1001, &d), 12); /* the rest of the fragment only */
    hb_serial_writer_advance(&wr, 12, 1002);
    /* fragment 2 not before 1002 + 214 */
    CHECK_INT(hb_serial_writer_next(&wr, 1215, &d), 0);
    CHECK_INT(hb_serial_writer_wake_ms(&wr, 1100), 1216);
    CHECK(!hb_serial_writer_expire(&wr, 1215)); /* waiting is not being blocked */
    CHECK_INT(hb_serial_writer_next(&wr, 1216, &d), 512);
    CHECK_MEM(d, 512, enc + 512, 512);
    hb_serial_writer_advance(&wr, 512, 1300);
    CHECK_INT(hb_serial_writer_next(&wr, 1513, &d), 0);
    CHECK_INT(hb_serial_writer_next(&wr, 1514, &d), (size_t)len - 1024);
    hb_serial_writer_advance(&wr, (size_t)len - 1024, 1514);
    CHECK_INT(hb_serial_writer_queued(&wr), 0);
    CHECK_INT(wr.counter[HB_SERIAL_TX_MSGS], 1);
    CHECK_INT(wr.counter[HB_SERIAL_TX_BYTES], len + 5);

    /* the next message goes at once (no delay after a message's last
     * fragment) and without a marker */
    m = big_msg(s, sizeof(s), 10, 8);
    CHECK_INT(hb_serial_writer_queue_msg(&wr, &m, &keys, 1515), 0);
    CHECK(hb_serial_writer_next(&wr, 1515, &d) > 100 && memcmp(d, ">>>\n", 4) == 0);

    /* blocked for 500 ms: the queue goes, a marker will precede the next */
    CHECK_INT(hb_serial_writer_queue_msg(&wr, &m, &keys, 1600), 0);
    hb_serial_writer_advance(&wr, 50, 1520);
    CHECK_INT(hb_serial_writer_wake_ms(&wr, 1700), 2015);
    CHECK(!hb_serial_writer_expire(&wr, 2014));
    CHECK(hb_serial_writer_expire(&wr, 2015));
    CHECK_INT(wr.counter[HB_SERIAL_TX_TIMEOUTS], 1);
    CHECK_INT(wr.counter[HB_SERIAL_TX_DROPPED], 2);
    CHECK_INT(hb_serial_writer_queued(&wr), 0);
    CHECK_INT(hb_serial_writer_next(&wr, 2015, &d), 0); /* the marker waits for a message */
    CHECK(hb_serial_writer_wake_ms(&wr, 2015) == HB_SERIAL_NO_DEADLINE);
    CHECK_INT(hb_serial_writer_queue_msg(&wr, &m, &keys, 3000), 0);
    CHECK_INT(hb_serial_writer_next(&wr, 3000, &d), 5);

    /* a write error: the first message is dropped, a marker follows only if
     * part of it went out */
    CHECK_INT(hb_serial_writer_init(&wr, 115200), 0);
    hb_serial_writer_advance(&wr, 5, 0); /* nothing queued: ignored */
    CHECK_INT(hb_serial_writer_queue(&wr, enc, (size_t)len, 0), 0);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, 100, 0), 0);
    CHECK_INT(hb_serial_writer_next(&wr, 0, &d), 5);
    hb_serial_writer_advance(&wr, 5, 0);
    hb_serial_writer_abort(&wr, 1); /* first message, nothing of it written */
    CHECK_INT(wr.counter[HB_SERIAL_TX_DROPPED], 1);
    CHECK_INT(hb_serial_writer_next(&wr, 1, &d), 100);
    hb_serial_writer_advance(&wr, 10, 1);
    hb_serial_writer_abort(&wr, 2); /* cut after 10 bytes */
    CHECK_INT(hb_serial_writer_queued(&wr), 0);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, 100, 3), 0);
    CHECK_INT(hb_serial_writer_next(&wr, 3, &d), 5);
    hb_serial_writer_advance(&wr, 1, 3);
    hb_serial_writer_abort(&wr, 4); /* the marker fails: the message goes, the marker stays */
    CHECK_INT(hb_serial_writer_queued(&wr), 0);
    CHECK_INT(wr.counter[HB_SERIAL_TX_DROPPED], 3);
    CHECK_INT(hb_serial_writer_queue(&wr, enc, 100, 5), 0);
    CHECK_INT(hb_serial_writer_next(&wr, 5, &d), 4);
    CHECK_MEM(d, 4, "<<<\n", 4);
    printf("  writer: fragments and their delay, short writes, timeout, errors, resync\n");
}

/* Writer -> (any write sizes, EAGAINs, a timeout, an error) -> reader: every
 * message that was not dropped arrives intact and authentic. */
static void writer_to_reader(void)
{
    static uint8_t s[HB_MSG_MAX];
    const int modes[] = {0, 1, 100, -1};
    for (size_t mode = 0; mode < 4; mode++) {
        rng_state = 1000 + mode;
        CHECK_INT(hb_serial_writer_init(&wr, 57600), 0);
        int64_t now = 0;
        size_t at = 0;
        unsigned sent = 0, cut = 0;
        for (unsigned round = 0; round < 6; round++) {
            for (unsigned i = 0; i < 5; i++) {
                size_t vlen = rng() % 3 == 0 ? 600 + rng() % 3000 : rng() % 200;
                hb_msg m = big_msg(s, sizeof(s), vlen, sent + 1);
                CHECK_INT(hb_serial_writer_queue_msg(&wr, &m, &keys, now), 0);
                sent++;
            }
            if (round == 2) { /* cut a message after 700 bytes, then time out */
                size_t written = 0;
                while (written < 700 && hb_serial_writer_queued(&wr) > 0) {
                    const uint8_t *d;
                    size_t n = hb_serial_writer_next(&wr, now, &d);
                    if (n == 0) {
                        now = hb_serial_writer_wake_ms(&wr, now);
                        continue;
                    }
                    size_t k = n < 700 - written ? n : 700 - written;
                    memcpy(wire + at, d, k);
                    at += k;
                    written += k;
                    hb_serial_writer_advance(&wr, k, now);
                }
                cut += wr.cur_sent > 0;
                sent -= hb_serial_writer_queued(&wr);
                CHECK(hb_serial_writer_expire(&wr, now + HB_SERIAL_WRITE_TIMEOUT_MS));
                now += HB_SERIAL_WRITE_TIMEOUT_MS;
                continue;
            }
            if (round == 4) { /* a write error after 30 bytes of the first */
                const uint8_t *d;
                size_t n = hb_serial_writer_next(&wr, now, &d);
                CHECK(n >= 30);
                memcpy(wire + at, d, 30);
                at += 30;
                hb_serial_writer_advance(&wr, 30, now);
                hb_serial_writer_abort(&wr, now);
                sent--;
                cut++;
            }
            at = drain(&wr, &now, modes[mode], at);
        }
        hb_serial_reader_init(&rd);
        run_reader(&rd, wire, at, -1000);
        CHECK_INT(accepted(), sent);
        CHECK_INT(wr.counter[HB_SERIAL_TX_MSGS], sent);
        /* cut messages were ended by the marker and then rejected */
        CHECK_INT(out.n, sent + cut);
        CHECK(cut >= 1);
        CHECK_INT(wr.counter[HB_SERIAL_TX_RESYNCS], 3);
        CHECK_INT(rd.counter[HB_SERIAL_RX_SWALLOWED], 0);
    }
    printf("  writer -> reader: all surviving messages arrive, cut ones never swallow others\n");
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "test/vectors";
    hb_keys_init(&keys);
    CHECK_INT(hb_keys_set(&keys, 1, HB_AUTH_SHA1, "hwtestkey", 9), 0);
    CHECK_INT(hb_keys_set_signing(&keys, 1), 0);

    captures(dir, "serial-sha1-node1-to-node2.raw", 240);
    captures(dir, "serial-sha1-node2-to-node1.raw", 262);
    garbage_tests();
    reader_edges();
    writer_basics();
    writer_fragments();
    writer_to_reader();
    return hbt_finish("test_serial");
}
