/* Serial heartbeat media in the engine (heartbeat-wire §2.2): classic text
 * with the inner auth only, point to point.  The ports are opened (UUCP lock,
 * termios, BREAK) when the engine is created, off the JS thread; the engine
 * thread then reads, frames, writes fragment by fragment and never blocks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "hb_engine_priv.h"

static void set_events(hb_engine *e, size_t i, bool out)
{
    if (e->serial_want_out[i] == out)
        return;
    e->serial_want_out[i] = out;
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0u), .data.u64 = ((uint64_t)HB_FD_SERIAL << 32) | i};
    epoll_ctl(e->epfd, EPOLL_CTL_MOD, e->serial[i]->fd, &ev);
}

static void medium_error(hb_engine *e, size_t i, int err, const char *what, int64_t now)
{
    uint64_t suppressed;
    if (hb_engine_rate_ok(e, 400 + i, now, &suppressed))
        hb_engine_emit_simple(e, HB_EV_MEDIUM_ERROR, NULL, e->link_names[e->serial_link[i]], NULL, err, (int64_t)suppressed, what);
}

int hb_engine_serial_open(hb_engine *e, char *err, size_t errlen)
{
    const char *lock_dir = e->cfg.serial_lock_dir[0] ? e->cfg.serial_lock_dir : NULL;
    for (size_t m = 0; m < e->cfg.nmedia; m++) {
        const hb_medium_config *mc = &e->cfg.media[m];
        if (mc->kind != HB_MEDIUM_SERIAL)
            continue;
        size_t i = e->nserial;
        hb_serial_port *port = calloc(1, sizeof *port);
        if (!port)
            return -ENOMEM;
        port->fd = -1;
        int rc = hb_serial_open(port, mc->device, mc->baud, lock_dir);
        if (rc < 0) {
            free(port);
            snprintf(err, errlen, "opening serial port %s at %u baud%s", mc->device, mc->baud,
                     rc == -EBUSY || rc == -EAGAIN ? " (locked by another process)" : "");
            return rc;
        }
        e->serial[i] = port;
        e->nserial++;
        int link = hb_engine_serial_link(e, mc->device);
        if (link < 0) {
            snprintf(err, errlen, "too many media");
            return -ENOSPC;
        }
        e->serial_link[i] = link;
        e->serial_want_out[i] = false;
        if ((rc = hb_engine_add_fd(e, port->fd, HB_FD_SERIAL, (uint32_t)i, EPOLLIN)) < 0) {
            snprintf(err, errlen, "adding serial port %s to epoll", mc->device);
            return rc;
        }
    }
    return 0;
}

void hb_engine_serial_close(hb_engine *e)
{
    for (size_t i = 0; i < e->nserial; i++) {
        if (e->serial[i]) {
            hb_serial_close(e->serial[i]);
            free(e->serial[i]);
            e->serial[i] = NULL;
        }
    }
    e->nserial = 0;
}

static void flush(hb_engine *e, size_t i, int64_t now)
{
    int rc = hb_serial_port_flush(e->serial[i], now);
    if (rc < 0) {
        hb_engine_count(e, HB_CTR_TX_ERRORS, 1);
        medium_error(e, i, -rc, "writing to the serial port", now);
        set_events(e, i, false);
        return;
    }
    set_events(e, i, rc == HB_SERIAL_FLUSH_BLOCKED);
}

/* A hung-up tty stays readable forever: stop polling it and look again later. */
static void hang_up(hb_engine *e, size_t i, int err, int64_t now)
{
    epoll_ctl(e->epfd, EPOLL_CTL_DEL, e->serial[i]->fd, NULL);
    e->serial_want_out[i] = false;
    e->serial_retry_ms[i] = now + 1000;
    medium_error(e, i, err, "reading from the serial port (hung up; polling again in 1 s)", now);
}

void hb_engine_serial_io(hb_engine *e, uint32_t index, uint32_t events, int64_t now)
{
    if (index >= e->nserial || !e->serial[index])
        return;
    hb_serial_port *port = e->serial[index];
    if (events & EPOLLOUT)
        flush(e, index, now);
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    for (int budget = 0; budget < 64; budget++) {
        ssize_t n = hb_serial_port_read(port, e->rxbuf, e->bufcap);
        if (n == -EAGAIN)
            return;
        if (n <= 0) {
            hang_up(e, index, n == 0 ? EPIPE : (int)-n, now);
            return;
        }
        const uint8_t *p = e->rxbuf;
        size_t left = (size_t)n;
        uint64_t garbage_before = port->rx.counter[HB_SERIAL_RX_GARBAGE_BYTES];
        while (left > 0) {
            const uint8_t *msg = NULL;
            size_t msg_len = 0;
            size_t used = hb_serial_reader_feed(&port->rx, p, left, &msg, &msg_len);
            p += used;
            left -= used;
            if (msg)
                hb_engine_on_message_bytes(e, e->serial_link[index], msg, msg_len, e->link_names[e->serial_link[index]], now);
            if (used == 0)
                break;
        }
        uint64_t garbage = port->rx.counter[HB_SERIAL_RX_GARBAGE_BYTES] - garbage_before;
        if (garbage > 0)
            hb_engine_count(e, HB_CTR_EDROP_BASE + HB_EDROP_SERIAL_GARBAGE, garbage);
    }
}

void hb_engine_serial_transmit(hb_engine *e, const hb_msg *m, int64_t now)
{
    for (size_t i = 0; i < e->nserial; i++) {
        int rc = hb_serial_writer_queue_msg(&e->serial[i]->tx, m, &e->cfg.keys, now);
        if (rc < 0) {
            hb_engine_count(e, HB_CTR_TX_ERRORS, 1);
            medium_error(e, i, -rc, "queueing a message for the serial port", now);
            continue;
        }
        hb_engine_count(e, HB_CTR_TX_DATAGRAMS, 1);
        flush(e, i, now);
    }
}

void hb_engine_serial_retransmit(hb_engine *e, const uint8_t *dgram, size_t len, int64_t now)
{
    if (e->nserial == 0)
        return;
    size_t body = 0;
    hb_msg_reset(&e->msg_aux);
    if (hb_decode_netstring(&e->msg_aux, dgram, len, &body) == HB_DROP_NONE)
        hb_engine_serial_transmit(e, &e->msg_aux, now);
}

int64_t hb_engine_serial_timers(hb_engine *e, int64_t now)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < e->nserial; i++) {
        hb_serial_port *port = e->serial[i];
        if (e->serial_retry_ms[i] > 0) {
            if (now < e->serial_retry_ms[i]) {
                if (e->serial_retry_ms[i] < next)
                    next = e->serial_retry_ms[i];
                continue;
            }
            e->serial_retry_ms[i] = 0;
            hb_engine_add_fd(e, port->fd, HB_FD_SERIAL, (uint32_t)i, EPOLLIN);
        }
        if (hb_serial_writer_expire(&port->tx, now))
            medium_error(e, i, ETIMEDOUT, "serial write stalled for 500 ms: queue dropped", now);
        if (hb_serial_writer_pending(&port->tx) > 0) {
            flush(e, i, now);
            int64_t wake = hb_serial_writer_wake_ms(&port->tx, now);
            if (wake != HB_SERIAL_NO_DEADLINE && wake < next)
                next = wake;
        }
    }
    return next;
}
