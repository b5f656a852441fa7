/*
 * hb_serial_port.c - the serial line itself (heartbeat-wire §2.2 "Serial
 * specifics", §4.2): lock, open, termios as Heartbeat's serial plugin sets
 * them, BREAK, and the non-blocking read/write calls the heartbeat thread
 * makes.  The protocol side is in hb_serial_rx.c / hb_serial_tx.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "hbcore.h"

static speed_t speed_of(unsigned baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    default: return B0;
    }
}

/* Heartbeat's ttysetup(): raw 8N1 with hardware flow control and no modem
 * control, IGNCR (CRLF line ends work [obs S7]), ISTRIP, BRKINT (a BREAK
 * from the peer flushes our input), VMIN=1 VTIME=1.  Starting from
 * cfmakeraw() makes the result independent of what the tty had before. */
static int setup_tty(int fd, unsigned baud)
{
    speed_t speed = speed_of(baud);
    struct termios t;
    if (tcgetattr(fd, &t) < 0)
        return -errno;
    cfmakeraw(&t); /* clears IGNBRK PARMRK INLCR ICRNL IXON OPOST ECHO* ICANON ISIG IEXTEN */
    t.c_iflag &= ~(tcflag_t)(IXOFF | IXANY);
#ifdef IUCLC
    t.c_iflag &= ~(tcflag_t)IUCLC;
#endif
    t.c_iflag |= IGNCR | ISTRIP | BRKINT | INPCK;
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
    t.c_cflag |= CS8 | CREAD | CLOCAL | CRTSCTS;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 1;
#ifdef __linux__
    t.c_line = 0; /* N_TTY */
#endif
    if (cfsetispeed(&t, speed) < 0 || cfsetospeed(&t, speed) < 0)
        return -EINVAL;
    if (tcsetattr(fd, TCSANOW, &t) < 0)
        return -errno;
    /* tcsetattr succeeds if ANY change took: make sure the rate did. */
    struct termios back;
    if (tcgetattr(fd, &back) < 0)
        return -errno;
    if (cfgetispeed(&back) != speed || cfgetospeed(&back) != speed)
        return -EINVAL;
    return 0;
}

int hb_serial_open(hb_serial_port *port, const char *device, unsigned baud,
                   const char *lock_dir)
{
    port->fd = -1;
    port->baud = baud;
    port->lock_path[0] = '\0';
    hb_serial_reader_init(&port->rx);
    int rc = hb_serial_writer_init(&port->tx, baud);
    if (rc < 0)
        return rc;
    if (device == NULL || device[0] != '/')
        return -EINVAL;

    rc = hb_serial_lock(lock_dir, device, port->lock_path, sizeof(port->lock_path));
    if (rc < 0) {
        port->lock_path[0] = '\0';
        return rc;
    }
    int fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
    } else {
        rc = setup_tty(fd, baud);
    }
    if (rc < 0) {
        if (fd >= 0)
            close(fd);
        hb_serial_unlock(port->lock_path);
        port->lock_path[0] = '\0';
        return rc;
    }
    tcflush(fd, TCIOFLUSH);
    /* "Cause the other guy to flush his I/O" (Heartbeat); a pty has no
     * BREAK and the result is ignored, as Heartbeat does. */
    tcsendbreak(fd, 0);
    port->fd = fd;
    return 0;
}

int hb_serial_close(hb_serial_port *port)
{
    int rc = 0;
    if (port->fd >= 0) {
        if (close(port->fd) < 0)
            rc = -errno;
        port->fd = -1;
    }
    if (port->lock_path[0] != '\0') {
        hb_serial_unlock(port->lock_path);
        port->lock_path[0] = '\0';
    }
    return rc;
}

ssize_t hb_serial_port_read(hb_serial_port *port, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(port->fd, buf, cap);
        if (n > 0)
            return n;
        if (n == 0) { /* hangup: like Heartbeat, the partial line/frame is lost */
            port->rx.counter[HB_SERIAL_RX_READ_ERRORS]++;
            hb_serial_reader_reset(&port->rx);
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return -EAGAIN;
        port->rx.counter[HB_SERIAL_RX_READ_ERRORS]++;
        return -errno;
    }
}

int hb_serial_port_flush(hb_serial_port *port, int64_t now_ms)
{
    hb_serial_writer *w = &port->tx;
    for (;;) {
        const uint8_t *data;
        size_t n = hb_serial_writer_next(w, now_ms, &data);
        if (n == 0)
            return hb_serial_writer_queued(w) > 0 ? HB_SERIAL_FLUSH_WAIT : HB_SERIAL_FLUSH_IDLE;
        ssize_t k = write(port->fd, data, n);
        if (k > 0) { /* a short write keeps the rest; the next try says EAGAIN */
            w->counter[HB_SERIAL_TX_WRITES]++;
            hb_serial_writer_advance(w, (size_t)k, now_ms);
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k == 0 || errno == EAGAIN || errno == EWOULDBLOCK) {
            w->counter[HB_SERIAL_TX_BLOCKED]++;
            if (!hb_serial_writer_expire(w, now_ms))
                return HB_SERIAL_FLUSH_BLOCKED;
            tcflush(port->fd, TCOFLUSH); /* Heartbeat flushes both ways; input is innocent */
            return HB_SERIAL_FLUSH_IDLE;
        }
        int err = errno;
        w->counter[HB_SERIAL_TX_ERRORS]++;
        hb_serial_writer_abort(w, now_ms);
        return -err;
    }
}

void hb_serial_port_counters(const hb_serial_port *port, uint64_t out[HB_SERIAL_COUNTER_COUNT])
{
    for (int i = 0; i < HB_SERIAL_COUNTER_COUNT; i++)
        out[i] = port->rx.counter[i] + port->tx.counter[i];
}
