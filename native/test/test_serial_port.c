/* test_serial_port.c - the serial port on real ptys (posix_openpt; no socat):
 *   - the UUCP lock: name, format, refused while its owner lives, stale locks
 *     taken over, removed on close, nothing left after a failed open;
 *   - termios as read back after hb_serial_open();
 *   - signed messages writer -> pty -> relay -> pty -> reader at 19200 and
 *     115200 baud, with multi-fragment messages and their delay;
 *   - a tty that stops taking bytes: EAGAIN and short writes keep the rest,
 *     a write timeout drops the queue and the resync marker saves the next
 *     message; a write error after hangup.
 * The lock directory is a fresh temporary one.
 *
 *   test_serial_port [VECTOR_DIR] */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hbtest.h"

static hb_serial_port pa, pb;
static hb_serial_reader rd;
static hb_keys keys;
static char lockdir[256];
static uint8_t store[HB_MSG_MAX];
static uint8_t stream[1u << 20];
static const uint8_t uuid1[HB_UUID_LEN] = {0x6e, 0xcb, 0xe4, 0x42, 0x16, 0x08, 0x41, 0x91,
                                           0x8c, 0x76, 0xee, 0xaf, 0x79, 0xc3, 0x21, 0xd8};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A pty pair: the master fd (non-blocking), the slave's path in `path`. */
static int open_pty(char *path, size_t cap)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    CHECK(m >= 0);
    CHECK_INT(grantpt(m), 0);
    CHECK_INT(unlockpt(m), 0);
    CHECK_INT(ptsname_r(m, path, cap), 0);
    return m;
}

static void lock_path_of(const char *device, char *out, size_t cap)
{
    char name[128];
    CHECK(hb_serial_lock_name(device, name, sizeof(name)) > 0);
    snprintf(out, cap, "%s/%s", lockdir, name);
}

static void write_file(const char *path, const void *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_INT(write(fd, text, len), len);
    close(fd);
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n > 0 ? (size_t)n : 0;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A pid that existed and is gone now. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    CHECK(pid > 0);
    waitpid(pid, NULL, 0);
    return pid;
}

/* ------------------------------------------------------------ lock */

static void lock_names(void)
{
    char name[128];
    CHECK_INT(hb_serial_lock_name("/dev/pts/3", name, sizeof(name)), 9);
    CHECK_STR(name, "LCK..pts3");
    CHECK_INT(hb_serial_lock_name("/dev/ttyS0", name, sizeof(name)), 10);
    CHECK_STR(name, "LCK..ttyS0");
    CHECK(hb_serial_lock_name("/dev/serial/by-id/usb-FTDI_FT232R-if00-port0", name,
                              sizeof(name)) > 0);
    CHECK_STR(name, "LCK..serialbyidusbFTDIFT232Rif00port0");
    CHECK(hb_serial_lock_name("/tmp/x", name, sizeof(name)) > 0); /* 5 bytes skipped, whatever */
    CHECK_STR(name, "LCK..x");
    char longdev[200] = "/dev/";
    memset(longdev + 5, 'a', 150);
    longdev[155] = '\0';
    CHECK_INT(hb_serial_lock_name(longdev, name, sizeof(name)), 5 + 63);
    CHECK_INT(hb_serial_lock_name("/dev/", name, sizeof(name)), -EINVAL);
    CHECK_INT(hb_serial_lock_name("/dev/.-/", name, sizeof(name)), -EINVAL);
    CHECK_INT(hb_serial_lock_name(NULL, name, sizeof(name)), -EINVAL);
    CHECK_INT(hb_serial_lock_name("/dev/ttyS0", name, 8), -ENOSPC);
    printf("  lock names like Heartbeat's\n");
}

static void lock_file(void)
{
    char dev[128], lock[512], text[64], path[512];
    int m = open_pty(dev, sizeof(dev));
    lock_path_of(dev, lock, sizeof(lock));

    /* created by open, HDB text "%11ld\n", world-readable */
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), 0);
    CHECK_STR(pa.lock_path, lock);
    char want[32];
    snprintf(want, sizeof(want), "%11ld\n", (long)getpid());
    CHECK_INT(read_file(lock, text, sizeof(text)), 12);
    CHECK_STR(text, want);
    struct stat st;
    CHECK(stat(lock, &st) == 0 && (st.st_mode & 0777) == 0644);

    /* a second open from another (live) process is refused */
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        static hb_serial_port other;
        int rc = hb_serial_open(&other, dev, 19200, lockdir);
        _exit(rc == -EBUSY ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(hb_serial_lock(lockdir, dev, path, sizeof(path)), 0); /* our own pid: a leftover */
    CHECK_INT(read_file(lock, text, sizeof(text)), 12);
    CHECK_STR(text, want);

    /* removed on close; close twice is fine */
    CHECK_INT(hb_serial_close(&pa), 0);
    CHECK(!exists(lock));
    CHECK_INT(pa.fd, -1);
    CHECK_INT(hb_serial_close(&pa), 0);

    /* stale: a dead pid, in the 11-byte FHS format other tools write */
    snprintf(text, sizeof(text), "%10ld\n", (long)dead_pid());
    write_file(lock, text, strlen(text));
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), 0);
    CHECK_INT(read_file(lock, text, sizeof(text)), 12);
    CHECK_STR(text, want);
    CHECK_INT(hb_serial_close(&pa), 0);

    /* a live owner holds it; once it is gone, the lock is stale */
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    snprintf(text, sizeof(text), "%11ld\n", (long)child);
    write_file(lock, text, strlen(text));
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), -EBUSY);
    CHECK_INT(pa.fd, -1);
    CHECK(exists(lock)); /* not ours: untouched */
    CHECK_INT(hb_serial_unlock(lock), -EPERM);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), 0);
    CHECK_INT(hb_serial_close(&pa), 0);

    /* pid 1 and negative pids never hold a line (Heartbeat: pid > 1) */
    write_file(lock, "          1\n", 12);
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), 0);
    CHECK_INT(hb_serial_close(&pa), 0);

    /* unreadable text: maybe being written right now, stale once old */
    write_file(lock, "\x01\x02\x03\x04", 4);
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), -EAGAIN);
    struct timespec old[2] = {{.tv_sec = time(NULL) - 10}, {.tv_sec = time(NULL) - 10}};
    CHECK_INT(utimensat(AT_FDCWD, lock, old, 0), 0);
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), 0);
    CHECK_INT(hb_serial_close(&pa), 0);
    write_file(lock, "", 0);
    CHECK_INT(utimensat(AT_FDCWD, lock, old, 0), 0);
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), 0);
    CHECK_INT(hb_serial_close(&pa), 0);

    /* failed opens leave no lock behind */
    CHECK_INT(hb_serial_open(&pa, dev, 4800, lockdir), -EINVAL);
    CHECK_INT(hb_serial_open(&pa, "dev/pts/0", 19200, lockdir), -EINVAL);
    CHECK_INT(hb_serial_open(&pa, "/dev/null", 19200, lockdir), -ENOTTY);
    char nulllock[512];
    lock_path_of("/dev/null", nulllock, sizeof(nulllock));
    CHECK(!exists(nulllock));
    CHECK_INT(hb_serial_open(&pa, "/dev/hbd-no-such-tty", 19200, lockdir), -ENOENT);
    snprintf(path, sizeof(path), "%s/no-such-dir", lockdir);
    CHECK_INT(hb_serial_open(&pa, dev, 19200, path), -ENOENT);
    CHECK(!exists(lock));
    CHECK_INT(hb_serial_unlock(lock), 0); /* already gone */
    close(m);
    printf("  lock file: HDB format, refused while held, stale ones taken over, removed\n");
}

/* ------------------------------------------------------------ termios */

static void termios_flags(void)
{
    const unsigned bauds[] = {9600, 19200, 38400, 57600, 115200, 230400, 460800};
    const speed_t speeds[] = {B9600, B19200, B38400, B57600, B115200, B230400, B460800};
    char dev[128];
    int m = open_pty(dev, sizeof(dev));
    /* start from a cooked tty with everything Heartbeat clears switched on */
    int s = open(dev, O_RDWR | O_NOCTTY);
    struct termios t;
    CHECK_INT(tcgetattr(s, &t), 0);
    t.c_iflag |= IXON | IXOFF | IXANY | ICRNL | INLCR | IGNBRK | PARMRK;
    t.c_lflag |= ICANON | ECHO | ECHONL | ISIG | IEXTEN;
    t.c_oflag |= OPOST;
    t.c_cflag |= PARENB | CSTOPB;
    CHECK_INT(tcsetattr(s, TCSANOW, &t), 0);
    close(s);

    for (size_t i = 0; i < 7; i++) {
        CHECK_INT(hb_serial_open(&pa, dev, bauds[i], lockdir), 0);
        CHECK_INT(tcgetattr(pa.fd, &t), 0);
        tcflag_t want_i = IGNCR | ISTRIP | BRKINT | INPCK;
        tcflag_t never_i = IXON | IXOFF | IXANY | ICRNL | INLCR | IGNBRK | PARMRK;
        CHECK((t.c_iflag & want_i) == want_i);
        CHECK((t.c_iflag & never_i) == 0);
        CHECK((t.c_oflag & OPOST) == 0);
        CHECK((t.c_cflag & CSIZE) == CS8);
        tcflag_t want_c = CREAD | CLOCAL | CRTSCTS;
        CHECK((t.c_cflag & want_c) == want_c);
        CHECK((t.c_cflag & (PARENB | CSTOPB)) == 0);
        CHECK((t.c_lflag & (ICANON | ECHO | ECHONL | ISIG | IEXTEN)) == 0);
        CHECK_INT(t.c_cc[VMIN], 1);
        CHECK_INT(t.c_cc[VTIME], 1);
        CHECK_INT(cfgetispeed(&t), speeds[i]);
        CHECK_INT(cfgetospeed(&t), speeds[i]);
        int fl = fcntl(pa.fd, F_GETFL), fdfl = fcntl(pa.fd, F_GETFD);
        CHECK((fl & O_ACCMODE) == O_RDWR && (fl & O_NONBLOCK));
        CHECK(fdfl & FD_CLOEXEC);
        CHECK_INT(pa.baud, bauds[i]);
        CHECK_INT(pa.tx.frag_delay_ms, hb_serial_frag_delay_ms(bauds[i]));
        CHECK_INT(hb_serial_close(&pa), 0);
    }

    /* the kernel applies IGNCR and ISTRIP on the way in */
    CHECK_INT(hb_serial_open(&pa, dev, 19200, lockdir), 0);
    CHECK_INT(write(m, "a\r\xe2\n", 4), 4);
    uint8_t buf[16];
    ssize_t n = -1;
    for (int i = 0; i < 100 && n < 0; i++) {
        n = hb_serial_port_read(&pa, buf, sizeof(buf));
        if (n == -EAGAIN)
            poll(&(struct pollfd){.fd = pa.fd, .events = POLLIN}, 1, 10);
    }
    CHECK_MEM(buf, n, "ab\n", 3);
    CHECK_INT(hb_serial_port_read(&pa, buf, sizeof(buf)), -EAGAIN);
    CHECK_INT(hb_serial_close(&pa), 0);
    close(m);
    printf("  termios read back: raw 8N1 CRTSCTS CLOCAL CREAD IGNCR ISTRIP VMIN=1 VTIME=1, "
           "7 rates\n");
}

/* ------------------------------------------------------------ messages */

static hb_msg make_msg(uint8_t *s, size_t cap, const char *src, unsigned seq, size_t datalen)
{
    static char value[8192];
    hb_msg msg;
    hb_msg_init(&msg, s, cap);
    CHECK_INT(hb_msg_add_str(&msg, "t", datalen ? "bulk" : "status"), 0);
    if (datalen) {
        for (size_t i = 0; i < datalen && i < sizeof(value) - 1; i++)
            value[i] = (char)('A' + (i * 7 + seq) % 26);
        value[datalen < sizeof(value) ? datalen : sizeof(value) - 1] = '\0';
        CHECK_INT(hb_msg_add_str(&msg, "data", value), 0);
    } else {
        CHECK_INT(hb_msg_add_str(&msg, "st", "active"), 0);
        CHECK_INT(hb_msg_add_str(&msg, "dt", "7d0"), 0);
        CHECK_INT(hb_msg_add_str(&msg, "protocol", "1"), 0);
    }
    hb_control c = {.src = src, .srcuuid = uuid1, .seq = seq, .hg = 0x6b0256fb,
                    .ts = 0x6b0256fa, .ld = "1.12 0.96 0.57 2/140 9134", .ttl = 3};
    CHECK_INT(hb_msg_add_control_fields(&msg, &c), 0);
    return msg;
}

/* Reads everything the master has; appends to stream[*at]. */
static void drain_master(int m, size_t *at)
{
    for (;;) {
        ssize_t n = read(m, stream + *at, sizeof(stream) - *at);
        if (n <= 0)
            break;
        *at += (size_t)n;
    }
}

/* Feeds a byte stream to a fresh reader: number of accepted messages; the
 * last emitted message is left in last/last_len. */
static uint8_t last[HB_MSG_MAX];
static size_t last_len;
static int count_accepted(const uint8_t *data, size_t len, int *emitted)
{
    int ok = 0;
    *emitted = 0;
    hb_serial_reader_init(&rd);
    while (len > 0) {
        const uint8_t *msg;
        size_t ml;
        size_t n = hb_serial_reader_feed(&rd, data, len, &msg, &ml);
        data += n;
        len -= n;
        if (msg == NULL)
            continue;
        hb_msg dec;
        hb_msg_init(&dec, store, sizeof(store));
        ok += hb_receive(&keys, msg, ml, &dec, NULL) == HB_DROP_NONE;
        (*emitted)++;
        memcpy(last, msg, ml);
        last_len = ml;
    }
    return ok;
}

/* Two ports joined by a null modem (the test relays between the masters, as
 * socat does); A sends `na` messages (one of them multi-fragment), B sends
 * two; every one must arrive authentic, B must see the big one no earlier
 * than two fragment delays after it was queued. */
static void round_trip(unsigned baud)
{
    char da[128], db[128];
    int ma = open_pty(da, sizeof(da)), mb = open_pty(db, sizeof(db));
    CHECK_INT(hb_serial_open(&pa, da, baud, lockdir), 0);
    CHECK_INT(hb_serial_open(&pb, db, baud, lockdir), 0);

    static uint8_t s[65536], enc[8][8192];
    size_t enc_len[8];
    const size_t sizes[] = {0, 1300, 0, 40, 0, 0};
    int64_t t0 = mono_ms(), big_queued = 0, big_seen = 0;
    for (unsigned i = 0; i < 6; i++) {
        hb_serial_port *p = i < 4 ? &pa : &pb;
        hb_msg msg = make_msg(s, sizeof(s), i < 4 ? "node1" : "node2", i + 1, sizes[i]);
        ssize_t n = hb_serial_encode(&msg, &keys, enc[i], sizeof(enc[i]));
        CHECK(n > 0);
        enc_len[i] = (size_t)n;
        CHECK_INT(hb_serial_writer_queue(&p->tx, enc[i], enc_len[i], t0), 0);
        if (sizes[i] > 1000)
            big_queued = mono_ms();
    }
    CHECK(enc_len[1] > 1024); /* three fragments */

    unsigned got_a = 0, got_b = 0;
    hb_serial_port *ports[2] = {&pa, &pb};
    int masters[2] = {ma, mb};
    int64_t deadline = t0 + 5000;
    while ((got_a < 2 || got_b < 4) && mono_ms() < deadline) {
        int64_t now = mono_ms(), wake = deadline;
        struct pollfd pfd[4];
        for (int i = 0; i < 2; i++) {
            int r = hb_serial_port_flush(ports[i], now);
            CHECK(r >= 0);
            int64_t w = hb_serial_writer_wake_ms(&ports[i]->tx, now);
            if (w < wake)
                wake = w;
            pfd[i] = (struct pollfd){.fd = ports[i]->fd,
                                     .events = POLLIN | (r == HB_SERIAL_FLUSH_BLOCKED ? POLLOUT : 0)};
            pfd[2 + i] = (struct pollfd){.fd = masters[i], .events = POLLIN};
        }
        int timeout = wake > now ? (int)(wake - now) : 0;
        poll(pfd, 4, timeout);
        /* relay: what A's line sends, B's line receives, and back */
        for (int i = 0; i < 2; i++) {
            uint8_t buf[4096];
            ssize_t n;
            while ((n = read(masters[i], buf, sizeof(buf))) > 0)
                CHECK_INT(write(masters[1 - i], buf, (size_t)n), n);
        }
        for (int i = 0; i < 2; i++) {
            uint8_t buf[4096];
            ssize_t n;
            while ((n = hb_serial_port_read(ports[i], buf, sizeof(buf))) > 0) {
                const uint8_t *p = buf;
                while (n > 0) {
                    const uint8_t *msg;
                    size_t ml;
                    size_t used = hb_serial_reader_feed(&ports[i]->rx, p, (size_t)n, &msg, &ml);
                    p += used;
                    n -= (ssize_t)used;
                    if (msg == NULL)
                        continue;
                    hb_msg dec;
                    hb_msg_init(&dec, store, sizeof(store));
                    CHECK_REASON(hb_receive(&keys, msg, ml, &dec, NULL), HB_DROP_NONE);
                    unsigned k = i == 1 ? got_b++ : 4 + got_a++;
                    if (k < 6)
                        CHECK_MEM(msg, ml, enc[k], enc_len[k]);
                    if (k == 1)
                        big_seen = mono_ms();
                }
            }
        }
    }
    CHECK_INT(got_b, 4);
    CHECK_INT(got_a, 2);
    unsigned delay = hb_serial_frag_delay_ms(baud);
    CHECK(big_seen - big_queued >= 2 * (int64_t)delay);
    uint64_t ca[HB_SERIAL_COUNTER_COUNT], cb[HB_SERIAL_COUNTER_COUNT];
    hb_serial_port_counters(&pa, ca);
    hb_serial_port_counters(&pb, cb);
    CHECK_INT(ca[HB_SERIAL_TX_MSGS], 4);
    CHECK_INT(cb[HB_SERIAL_RX_MSGS], 4);
    CHECK_INT(ca[HB_SERIAL_RX_MSGS], 2);
    CHECK_INT(ca[HB_SERIAL_TX_RESYNCS], 1);
    CHECK_INT(cb[HB_SERIAL_RX_GARBAGE_BYTES], 5); /* A's opening "\n<<<\n" */
    CHECK_INT(ca[HB_SERIAL_TX_BYTES], cb[HB_SERIAL_RX_BYTES]);
    CHECK_INT(ca[HB_SERIAL_TX_WRITES], 1 + 3 + 3); /* marker, 3 one-fragment, 3 fragments */
    CHECK_INT(hb_serial_close(&pa), 0);
    CHECK_INT(hb_serial_close(&pb), 0);
    close(ma);
    close(mb);
    printf("  round trip at %u baud: 6 signed messages, big one after %lld ms (>= 2 x %u)\n",
           baud, (long long)(big_seen - big_queued), delay);
}

/* A line that stops taking bytes (nobody reads the master). */
static void blocked_line(void)
{
    char dev[128];
    int m = open_pty(dev, sizeof(dev));
    CHECK_INT(hb_serial_open(&pa, dev, 460800, lockdir), 0);
    static uint8_t s[2 * HB_MSG_MAX];
    static char value[60001];
    memset(value, 'v', 60000);
    int64_t now = 1000;

    for (int part = 0; part < 2; part++) {
        for (unsigned i = 0; i < 3; i++) {
            hb_msg msg;
            hb_msg_init(&msg, s, sizeof(s));
            CHECK_INT(hb_msg_add_str(&msg, "t", "bulk"), 0);
            value[0] = (char)('a' + i);
            CHECK_INT(hb_msg_add_str(&msg, "data", value), 0);
            hb_control c = {.src = "node1", .srcuuid = uuid1, .seq = 10 + i, .hg = 1, .ts = 1,
                            .ld = "0", .ttl = 3};
            CHECK_INT(hb_msg_add_control_fields(&msg, &c), 0);
            CHECK_INT(hb_serial_writer_queue_msg(&pa.tx, &msg, &keys, now), 0);
        }
        int r;
        int guard = 0;
        while ((r = hb_serial_port_flush(&pa, now)) == HB_SERIAL_FLUSH_WAIT && guard++ < 10000)
            now = hb_serial_writer_wake_ms(&pa.tx, now);
        CHECK_INT(r, HB_SERIAL_FLUSH_BLOCKED); /* the pty holds far less than 180 kB */
        CHECK(hb_serial_writer_pending(&pa.tx) > 0);
        CHECK(pa.tx.counter[HB_SERIAL_TX_BLOCKED] >= 1);
        CHECK_INT(hb_serial_writer_wake_ms(&pa.tx, now),
                  pa.tx.eligible_ms + HB_SERIAL_WRITE_TIMEOUT_MS);

        if (part == 0) { /* the reader comes back: everything arrives */
            size_t at = 0;
            for (guard = 0; guard < 100000; guard++) {
                drain_master(m, &at);
                r = hb_serial_port_flush(&pa, now);
                if (r == HB_SERIAL_FLUSH_IDLE)
                    break;
                if (r == HB_SERIAL_FLUSH_WAIT)
                    now = hb_serial_writer_wake_ms(&pa.tx, now);
                else
                    poll(&(struct pollfd){.fd = m, .events = POLLIN}, 1, 10);
            }
            CHECK_INT(r, HB_SERIAL_FLUSH_IDLE);
            drain_master(m, &at);
            int emitted;
            CHECK_INT(count_accepted(stream, at, &emitted), 3);
            CHECK_INT(pa.tx.counter[HB_SERIAL_TX_MSGS], 3);
            CHECK_INT(pa.tx.counter[HB_SERIAL_TX_TIMEOUTS], 0);
        } else { /* nobody for 500 ms: queue dropped, output flushed */
            CHECK_INT(hb_serial_port_flush(&pa, now + HB_SERIAL_WRITE_TIMEOUT_MS - 1 -
                                                    (now - pa.tx.eligible_ms)),
                      HB_SERIAL_FLUSH_BLOCKED);
            now = pa.tx.eligible_ms + HB_SERIAL_WRITE_TIMEOUT_MS;
            CHECK_INT(hb_serial_port_flush(&pa, now), HB_SERIAL_FLUSH_IDLE);
            CHECK_INT(pa.tx.counter[HB_SERIAL_TX_TIMEOUTS], 1);
            CHECK_INT(pa.tx.counter[HB_SERIAL_TX_DROPPED], 3);
            CHECK_INT(hb_serial_writer_queued(&pa.tx), 0);
            /* the next message: marker first, then it arrives intact */
            hb_msg msg = make_msg(s, sizeof(s), "node1", 99, 0);
            CHECK_INT(hb_serial_writer_queue_msg(&pa.tx, &msg, &keys, now), 0);
            size_t at = 0;
            for (guard = 0; guard < 1000; guard++) {
                drain_master(m, &at);
                if ((r = hb_serial_port_flush(&pa, now)) == HB_SERIAL_FLUSH_IDLE)
                    break;
                poll(&(struct pollfd){.fd = m, .events = POLLIN}, 1, 10);
            }
            drain_master(m, &at);
            int emitted;
            int ok = count_accepted(stream, at, &emitted);
            CHECK_INT(ok, 1);
            hb_msg dec;
            hb_msg_init(&dec, store, sizeof(store));
            CHECK_REASON(hb_receive(&keys, last, last_len, &dec, NULL), HB_DROP_NONE);
            CHECK_STR(hb_msg_get_str(&dec, "seq"), "63");
            CHECK_INT(pa.tx.counter[HB_SERIAL_TX_RESYNCS], 2);
        }
    }

    /* hangup: the other side is gone, write() fails, the message is dropped */
    close(m);
    hb_msg msg = make_msg(s, sizeof(s), "node1", 100, 0);
    CHECK_INT(hb_serial_writer_queue_msg(&pa.tx, &msg, &keys, now), 0);
    CHECK_INT(hb_serial_port_flush(&pa, now), -EIO);
    CHECK_INT(pa.tx.counter[HB_SERIAL_TX_ERRORS], 1);
    CHECK_INT(hb_serial_writer_queued(&pa.tx), 0);
    uint8_t buf[16];
    ssize_t n = hb_serial_port_read(&pa, buf, sizeof(buf));
    CHECK_INT(n, 0); /* a hung-up pty reads EOF */
    CHECK_INT(pa.rx.counter[HB_SERIAL_RX_READ_ERRORS], 1);
    CHECK_INT(hb_serial_close(&pa), 0);
    printf("  blocked line: EAGAIN keeps the rest, 500 ms timeout drops the queue, "
           "resync saves the next message, EIO after hangup\n");
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    hb_keys_init(&keys);
    CHECK_INT(hb_keys_set(&keys, 1, HB_AUTH_SHA1, "hwtestkey", 9), 0);
    CHECK_INT(hb_keys_set_signing(&keys, 1), 0);
    const char *tmp = getenv("TMPDIR");
    snprintf(lockdir, sizeof(lockdir), "%s/hbd-serial-lock-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(lockdir) == NULL) {
        perror("mkdtemp");
        return 2;
    }

    lock_names();
    lock_file();
    termios_flags();
    round_trip(19200);
    round_trip(115200);
    blocked_line();

    CHECK_INT(rmdir(lockdir), 0); /* every lock file was removed */
    return hbt_finish("test_serial_port");
}
