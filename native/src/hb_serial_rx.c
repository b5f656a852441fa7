/*
 * hb_serial_rx.c - the serial reader: Heartbeat's serial_read()/ttygets()
 * (heartbeat-wire §2.2 "Serial specifics", §9) as a pure state machine that
 * is fed whatever read() returned and hands out complete classic messages.
 *
 * What the real reader does, line by line (a line ends at '\n'; it is a C
 * string, so a NUL byte ends its content):
 *   - skip lines until one STARTS with ">>>" [obs S2, S3, S8];
 *   - collect lines until one STARTS with "<<<", counting the bytes: when
 *     they reach MAXMSG the frame is given up and hunting resumes at the
 *     next line;
 *   - give the frame to string2msg, which needs it to begin with exactly
 *     ">>>\n" (else: dropped), stops at exactly "<<<\n" (a longer "<<<..."
 *     line is parsed as a field and fails), and rejects a field whose name
 *     starts with ">>>" ("illegal field") - which is how an unterminated
 *     message swallows the next one [obs S6].
 * Only exact frames are handed out here, so hb_receive() sees the same
 * bytes a real node would accept; a doomed frame is still followed to its
 * end (and measured) exactly as Heartbeat follows it, then counted once.
 * Not reproduced: Heartbeat cuts a line of 256 KiB or more into 256 KiB
 * pieces (writing one byte past its buffer); here such a line stays one.
 */
#include <string.h>

#include "hbcore.h"

enum rx_state {
    RX_HUNT = 0, /* between frames: looking for a ">>>" line */
    RX_FRAME,    /* collecting lines until "<<<" */
};

/* Heartbeat's limits (serial_read): the bytes collected so far must stay
 * below MAXMSG, the whole frame plus its NUL too. */
#define BODY_MAX (HB_MSG_MAX - 1u)
#define FRAME_MAX HB_SERIAL_MSG_MAX

static const char *const counter_names[HB_SERIAL_COUNTER_COUNT] = {
    [HB_SERIAL_RX_BYTES] = "rx_bytes",
    [HB_SERIAL_RX_MSGS] = "rx_msgs",
    [HB_SERIAL_RX_GARBAGE_BYTES] = "rx_garbage_bytes",
    [HB_SERIAL_RX_BAD_START] = "rx_bad_start",
    [HB_SERIAL_RX_BAD_END] = "rx_bad_end",
    [HB_SERIAL_RX_SWALLOWED] = "rx_swallowed",
    [HB_SERIAL_RX_OVERFLOW] = "rx_overflow",
    [HB_SERIAL_RX_READ_ERRORS] = "rx_read_errors",
    [HB_SERIAL_TX_BYTES] = "tx_bytes",
    [HB_SERIAL_TX_MSGS] = "tx_msgs",
    [HB_SERIAL_TX_WRITES] = "tx_writes",
    [HB_SERIAL_TX_BLOCKED] = "tx_blocked",
    [HB_SERIAL_TX_QUEUE_FULL] = "tx_queue_full",
    [HB_SERIAL_TX_ERRORS] = "tx_errors",
    [HB_SERIAL_TX_TIMEOUTS] = "tx_timeouts",
    [HB_SERIAL_TX_DROPPED] = "tx_dropped",
    [HB_SERIAL_TX_RESYNCS] = "tx_resyncs",
};

const char *hb_serial_counter_name(int counter)
{
    if (counter < 0 || counter >= HB_SERIAL_COUNTER_COUNT || counter_names[counter] == NULL)
        return "unknown";
    return counter_names[counter];
}

static void start_line(hb_serial_reader *r)
{
    r->line_cut = false;
    r->line_len = 0;
    r->line_raw = 0;
}

void hb_serial_reader_reset(hb_serial_reader *r)
{
    r->state = RX_HUNT;
    r->doomed = 0;
    r->handed_out = false;
    r->len = 0;
    start_line(r);
}

void hb_serial_reader_init(hb_serial_reader *r)
{
    memset(r->counter, 0, sizeof(r->counter));
    hb_serial_reader_reset(r);
}

static bool line_starts(const hb_serial_reader *r, const char *marker)
{
    return r->line_len >= 3 && memcmp(r->head, marker, 3) == 0;
}

/* The current line is complete (its '\n' consumed).  True when it completed
 * a message (buf[0..len) is it).  r->len counts the frame's bytes as
 * Heartbeat does, whether they are kept (a good frame) or not (doomed). */
static bool end_line(hb_serial_reader *r)
{
    bool start = line_starts(r, ">>>"), end = line_starts(r, "<<<");
    bool done = false;

    if (r->state == RX_HUNT) {
        if (!start) {
            r->counter[HB_SERIAL_RX_GARBAGE_BYTES] += r->line_raw;
        } else if (r->line_len + 1 > BODY_MAX) {
            r->counter[HB_SERIAL_RX_OVERFLOW]++; /* "MSG_START exceeds MAXMSG" */
        } else {
            r->state = RX_FRAME;
            r->len = r->line_len + 1;
            /* ">>>xx": string2msg finds no ">>>\n" and drops the frame */
            r->doomed = r->line_len == 3 ? 0 : HB_SERIAL_RX_BAD_START;
            if (!r->doomed)
                memcpy(r->buf, ">>>\n", 4);
        }
    } else if (end) {
        r->state = RX_HUNT;
        if (r->len + r->line_len + 1 > FRAME_MAX)
            r->counter[HB_SERIAL_RX_OVERFLOW]++;
        else if (r->doomed)
            r->counter[r->doomed]++;
        else if (r->line_len != 3)
            r->counter[HB_SERIAL_RX_BAD_END]++;
        else
            done = true;
        if (done) {
            memcpy(r->buf + r->len, "<<<\n", 4);
            r->len += 4;
            r->counter[HB_SERIAL_RX_MSGS]++;
        }
    } else if (r->len + r->line_len + 1 > BODY_MAX) {
        r->counter[HB_SERIAL_RX_OVERFLOW]++;
        r->state = RX_HUNT; /* Heartbeat gives up and hunts from the next line */
    } else {
        if (start && !r->doomed) /* the next message's ">>>": an illegal field */
            r->doomed = HB_SERIAL_RX_SWALLOWED;
        if (!r->doomed) /* the content is in buf already (see feed) */
            r->buf[r->len + r->line_len] = '\n';
        r->len += r->line_len + 1;
    }
    start_line(r);
    return done;
}

/* The rest of the current line cannot change anything but the garbage count:
 * its content is cut, or its first bytes already decided its fate. */
static bool line_decided(const hb_serial_reader *r)
{
    if (r->line_cut)
        return true;
    if (r->line_len < 3 || r->state == RX_FRAME) /* a frame measures every line */
        return false;
    return memcmp(r->head, ">>>", 3) != 0 || r->line_len > BODY_MAX; /* hunting */
}

/* Offset of the next byte that reads as '\n' after ISTRIP, or n. */
static size_t find_newline(const uint8_t *p, size_t n)
{
    const uint8_t *a = memchr(p, '\n', n);
    const uint8_t *b = memchr(p, '\n' | 0x80, a ? (size_t)(a - p) : n);
    return b ? (size_t)(b - p) : a ? (size_t)(a - p) : n;
}

size_t hb_serial_reader_feed(hb_serial_reader *r, const uint8_t *in, size_t len,
                             const uint8_t **msg, size_t *msg_len)
{
    *msg = NULL;
    *msg_len = 0;
    if (r->handed_out) { /* the caller is done with the last message */
        r->handed_out = false;
        r->len = 0;
    }
    size_t i = 0;
    while (i < len) {
        /* fast paths for the middle of a line: skip to its end, or copy a
         * run of plain content bytes into the frame */
        if (line_decided(r)) {
            size_t n = find_newline(in + i, len - i);
            r->line_raw += n;
            i += n;
            if (i == len)
                break;
        } else if (r->state == RX_FRAME && r->line_len >= 3) {
            size_t at = r->len + r->line_len, n = 0;
            size_t room = !r->doomed && at < BODY_MAX ? BODY_MAX - at : 0;
            for (; i + n < len; n++) {
                uint8_t c = in[i + n] & 0x7f; /* ISTRIP */
                if (c == '\n' || c == '\r' || c == '\0')
                    break;
                if (n < room) /* a line that does not fit overflows when it ends */
                    r->buf[at + n] = c;
            }
            r->line_len += n;
            r->line_raw += n;
            i += n;
            if (i == len)
                break;
        }

        /* one byte: line starts, CR, NUL, '\n' */
        uint8_t c = in[i++] & 0x7f; /* ISTRIP */
        r->line_raw++;
        if (c == '\r') /* IGNCR */
            continue;
        if (c == '\n') {
            if (end_line(r)) {
                r->counter[HB_SERIAL_RX_BYTES] += i;
                r->handed_out = true;
                *msg = r->buf;
                *msg_len = r->len;
                return i;
            }
            continue;
        }
        if (r->line_cut)
            continue;
        if (c == '\0') { /* the rest of the line is past the C string's end */
            r->line_cut = true;
            continue;
        }
        if (r->line_len < sizeof(r->head))
            r->head[r->line_len] = c;
        /* in a good frame, content goes straight into place (a line that
         * does not fit overflows the frame when it ends) */
        if (r->state == RX_FRAME && !r->doomed && r->len + r->line_len < BODY_MAX)
            r->buf[r->len + r->line_len] = c;
        r->line_len++;
    }
    r->counter[HB_SERIAL_RX_BYTES] += len;
    return len;
}
