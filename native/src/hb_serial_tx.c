/*
 * hb_serial_tx.c - the serial writer: what Heartbeat's serial_write() does
 * (heartbeat-wire §2.2 "Writer"), without blocking.
 *
 * Heartbeat re-signs every message for the serial line (inner `auth` only,
 * classic text: hb_serial_encode), cuts it into 512-byte write()s and sleeps
 * 512 / (baud / 8) s between two of them; each write() runs under a 500 ms
 * alarm, and a write that does not finish in time makes it tcflush() the tty.  Here the sleep
 * becomes a "not before" time, the alarm a deadline, and the bytes wait in a
 * fixed queue until the tty takes them.  The I/O lives in hb_serial_port.c.
 *
 * Queue layout: unsent bytes are buf[head..tail), messages follow each other
 * and their lengths sit in a ring (slot_len); cur_sent bytes of the first
 * message are already written.  The resync marker "\n<<<\n" is not queued: it
 * is sent from a constant before the first message when resync_left > 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hbcore.h"

static const uint8_t resync[] = "\n<<<\n"; /* ends a half-sent frame at the peer */
#define RESYNC_LEN (sizeof(resync) - 1)

bool hb_serial_baud_valid(unsigned baud)
{
    switch (baud) {
    case 9600: case 19200: case 38400: case 57600: case 115200: case 230400: case 460800:
        return true;
    default:
        return false;
    }
}

unsigned hb_serial_frag_delay_ms(unsigned baud)
{
    if (!hb_serial_baud_valid(baud))
        return 0;
    unsigned bytes_per_s = baud / 8; /* Heartbeat: FRAGSIZE / (rate_bps / 8) s */
    return (HB_SERIAL_FRAG_SIZE * 1000u + bytes_per_s - 1) / bytes_per_s;
}

int hb_serial_writer_init(hb_serial_writer *w, unsigned baud)
{
    if (!hb_serial_baud_valid(baud))
        return -EINVAL;
    w->frag_delay_ms = hb_serial_frag_delay_ms(baud);
    w->not_before_ms = INT64_MIN;
    w->eligible_ms = 0;
    w->head = w->tail = 0;
    w->cur_sent = 0;
    w->first = w->nslots = 0;
    /* The peer may be inside a frame someone left unfinished (our previous
     * run, line noise); Heartbeat's BREAK flushes its tty, not its reader. */
    w->resync_left = RESYNC_LEN;
    memset(w->counter, 0, sizeof(w->counter));
    return 0;
}

static bool unsafe_for_serial(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= 0x80 || p[i] == '\r' || p[i] == '\0')
            return true;
    return false;
}

static bool is_auth(const hb_field *f)
{
    return f->name_len == 4 && memcmp(f->name, "auth", 4) == 0;
}

/* Heartbeat's serial_write() re-signs every message (add_msg_auth) and
 * writes its classic form.  This is hb_msg_sign() + hb_encode_classic()
 * without touching msg: the inner text is written into `out` as scratch,
 * digested, then overwritten by the classic text of a shallow copy whose
 * `auth` field (first one in place, further ones dropped, else appended -
 * as hb_msg_sign() does) carries the new digest. */
ssize_t hb_serial_encode(const hb_msg *msg, const hb_keys *keys, uint8_t *out, size_t cap)
{
    const hb_auth_entry *e = hb_keys_entry(keys, keys->sign_index);
    if (e == NULL)
        return -ENOENT;
    ssize_t n = hb_encode_inner_text(msg, out, cap);
    if (n < 0)
        return n;
    char digest[HB_DIGEST_TEXT_MAX], auth[8 + HB_DIGEST_TEXT_MAX];
    int rc = hb_auth_digest(e->method, e->key, e->key_len, out, (size_t)n, digest);
    if (rc < 0)
        return rc;
    int auth_len = snprintf(auth, sizeof(auth), "%d %s", keys->sign_index, digest);

    hb_msg copy = *msg;
    hb_field signed_auth = {.name = "auth", .name_len = 4, .value = (const uint8_t *)auth,
                            .value_len = (size_t)auth_len, .type = HB_FIELD_STRING};
    bool placed = false;
    size_t kept = 0;
    for (size_t i = 0; i < msg->nfields; i++) {
        if (!is_auth(&msg->field[i]))
            copy.field[kept++] = msg->field[i];
        else if (!placed)
            copy.field[kept++] = signed_auth, placed = true;
    }
    if (!placed) {
        if (kept == HB_MSG_MAX_FIELDS)
            return -EMSGSIZE;
        copy.field[kept++] = signed_auth;
    }
    copy.nfields = kept;

    n = hb_encode_classic(&copy, out, cap);
    if (n < 0)
        return n;
    if ((size_t)n > HB_SERIAL_MSG_MAX)
        return -EMSGSIZE;
    if (unsafe_for_serial(out, (size_t)n))
        return -EILSEQ;
    return n;
}

/* Moves the unsent bytes to the front of buf. */
static void compact(hb_serial_writer *w)
{
    if (w->head == 0)
        return;
    memmove(w->buf, w->buf + w->head, w->tail - w->head);
    w->tail -= w->head;
    w->head = 0;
}

/* Room for n more bytes at the tail (compacting if needed), or NULL. */
static uint8_t *reserve(hb_serial_writer *w, size_t n)
{
    if (w->nslots == HB_SERIAL_TX_SLOTS)
        return NULL;
    if (sizeof(w->buf) - w->tail < n)
        compact(w);
    return sizeof(w->buf) - w->tail >= n ? w->buf + w->tail : NULL;
}

static void push(hb_serial_writer *w, size_t n, int64_t now_ms)
{
    if (w->nslots == 0) { /* idle: it may go now */
        w->cur_sent = 0;
        w->eligible_ms = now_ms;
        w->not_before_ms = INT64_MIN;
    }
    w->slot_len[(w->first + w->nslots) % HB_SERIAL_TX_SLOTS] = (uint32_t)n;
    w->nslots++;
    w->tail += n;
}

int hb_serial_writer_queue(hb_serial_writer *w, const void *bytes, size_t len, int64_t now_ms)
{
    if (len == 0 || len > HB_SERIAL_MSG_MAX)
        return -EMSGSIZE;
    uint8_t *dst = reserve(w, len);
    if (dst == NULL) {
        w->counter[HB_SERIAL_TX_QUEUE_FULL]++;
        return -ENOBUFS;
    }
    memcpy(dst, bytes, len);
    push(w, len, now_ms);
    return 0;
}

int hb_serial_writer_queue_msg(hb_serial_writer *w, const hb_msg *msg, const hb_keys *keys,
                               int64_t now_ms)
{
    /* Encoded straight into the free space: no scratch buffer. */
    if (w->nslots == HB_SERIAL_TX_SLOTS) {
        w->counter[HB_SERIAL_TX_QUEUE_FULL]++;
        return -ENOBUFS;
    }
    compact(w);
    ssize_t n = hb_serial_encode(msg, keys, w->buf + w->tail, sizeof(w->buf) - w->tail);
    if (n == -ENOSPC) {
        w->counter[HB_SERIAL_TX_QUEUE_FULL]++;
        return -ENOBUFS;
    }
    if (n < 0)
        return (int)n;
    push(w, (size_t)n, now_ms);
    return 0;
}

size_t hb_serial_writer_next(const hb_serial_writer *w, int64_t now_ms, const uint8_t **data)
{
    *data = NULL;
    if (w->nslots == 0)
        return 0;
    if (w->resync_left > 0) { /* before the next message, not a fragment of it */
        *data = resync + (RESYNC_LEN - w->resync_left);
        return w->resync_left;
    }
    if (now_ms < w->not_before_ms)
        return 0;
    size_t msg_len = w->slot_len[w->first];
    size_t frag_end = (w->cur_sent / HB_SERIAL_FRAG_SIZE + 1) * HB_SERIAL_FRAG_SIZE;
    if (frag_end > msg_len)
        frag_end = msg_len;
    *data = w->buf + w->head;
    return frag_end - w->cur_sent;
}

/* The first message is gone (written or dropped): the next one may go now. */
static void pop(hb_serial_writer *w, size_t unsent, int64_t now_ms)
{
    w->head += unsent;
    w->first = (w->first + 1) % HB_SERIAL_TX_SLOTS;
    w->nslots--;
    w->cur_sent = 0;
    w->not_before_ms = INT64_MIN;
    w->eligible_ms = now_ms;
    if (w->nslots == 0)
        w->head = w->tail = 0;
}

void hb_serial_writer_advance(hb_serial_writer *w, size_t n, int64_t now_ms)
{
    if (n == 0 || w->nslots == 0)
        return;
    w->counter[HB_SERIAL_TX_BYTES] += n;
    if (w->resync_left > 0) {
        w->resync_left -= n < w->resync_left ? (unsigned)n : w->resync_left;
        if (w->resync_left == 0) {
            w->counter[HB_SERIAL_TX_RESYNCS]++;
            w->eligible_ms = now_ms;
        }
        return;
    }
    size_t msg_len = w->slot_len[w->first];
    if (n > msg_len - w->cur_sent)
        n = msg_len - w->cur_sent;
    w->head += n;
    w->cur_sent += n;
    if (w->cur_sent == msg_len) {
        w->counter[HB_SERIAL_TX_MSGS]++;
        pop(w, 0, now_ms);
    } else if (w->cur_sent % HB_SERIAL_FRAG_SIZE == 0) {
        /* a fragment is complete: Heartbeat sleeps before the next one */
        w->not_before_ms = now_ms + (int64_t)w->frag_delay_ms;
        w->eligible_ms = w->not_before_ms;
    }
}

void hb_serial_writer_abort(hb_serial_writer *w, int64_t now_ms)
{
    if (w->nslots == 0)
        return;
    /* (if the marker itself failed, it stays pending; the message still
     * goes, or a lasting error would never drop anything) */
    if (w->cur_sent > 0)
        w->resync_left = RESYNC_LEN;
    w->counter[HB_SERIAL_TX_DROPPED]++;
    pop(w, w->slot_len[w->first] - w->cur_sent, now_ms);
}

bool hb_serial_writer_expire(hb_serial_writer *w, int64_t now_ms)
{
    if (w->nslots == 0 || now_ms < w->eligible_ms ||
        now_ms - w->eligible_ms < HB_SERIAL_WRITE_TIMEOUT_MS)
        return false;
    w->counter[HB_SERIAL_TX_TIMEOUTS]++;
    w->counter[HB_SERIAL_TX_DROPPED] += w->nslots;
    w->nslots = 0;
    w->first = 0;
    w->head = w->tail = 0;
    w->cur_sent = 0;
    w->not_before_ms = INT64_MIN;
    /* the tty's output is about to be discarded: whatever the peer got of
     * it may end inside a frame */
    w->resync_left = RESYNC_LEN;
    return true;
}

int64_t hb_serial_writer_wake_ms(const hb_serial_writer *w, int64_t now_ms)
{
    if (w->nslots == 0)
        return HB_SERIAL_NO_DEADLINE;
    if (now_ms < w->eligible_ms)
        return w->eligible_ms;
    return w->eligible_ms + HB_SERIAL_WRITE_TIMEOUT_MS;
}

size_t hb_serial_writer_pending(const hb_serial_writer *w)
{
    return w->tail - w->head;
}

unsigned hb_serial_writer_queued(const hb_serial_writer *w)
{
    return w->nslots;
}
