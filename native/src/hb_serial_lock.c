/*
 * hb_serial_lock.c - the UUCP lock file Heartbeat takes on its serial line
 * (heartbeat-wire §2.2; cluster-glue's tty lock as used by the serial
 * plugin): "<lockdir>/LCK..<alphanumerics of the path after /dev/>", HDB
 * format (the pid as ASCII, here "%11ld\n" like Heartbeat, 12 bytes), created
 * as a temporary file and hard-linked into place so that it appears complete.
 * A lock whose pid no longer exists is stale and replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hbcore.h"

#define DEV_PREFIX_LEN 5 /* strlen("/dev/"), skipped whatever it is, as Heartbeat does */
#define RAW_NAME_MAX 63  /* Heartbeat's rawname[64] */
#define LOCK_TEXT_LEN 12 /* "%11ld\n" */
#define YOUNG_SECONDS 2  /* an unreadable lock this fresh may still be being written */

static bool ascii_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hb_serial_lock_name(const char *device, char *out, size_t cap)
{
    if (device == NULL || strlen(device) <= DEV_PREFIX_LEN)
        return -EINVAL;
    char raw[RAW_NAME_MAX + 1];
    size_t n = 0;
    for (const char *p = device + DEV_PREFIX_LEN; *p != '\0' && n < RAW_NAME_MAX; p++)
        if (ascii_alnum(*p))
            raw[n++] = *p;
    raw[n] = '\0';
    if (n == 0)
        return -EINVAL;
    int len = snprintf(out, cap, "LCK..%s", raw);
    return len < 0 || (size_t)len >= cap ? -ENOSPC : len;
}

/* The pid in a lock file's text, as sscanf("%ld") reads it; -1 if none. */
static long parse_pid(const char *text)
{
    while (*text == ' ' || *text == '\t' || *text == '\n')
        text++;
    bool negative = *text == '-';
    if (*text == '-' || *text == '+')
        text++;
    if (*text < '0' || *text > '9')
        return -1;
    long pid = 0;
    for (; *text >= '0' && *text <= '9'; text++) {
        if (pid > (INT_MAX - 9) / 10)
            return -1; /* no such pid: treat like unreadable text */
        pid = pid * 10 + (*text - '0');
    }
    return negative ? 1 : pid; /* never a lock holder (<= 1) */
}

/* Reads the pid of an existing lock file: >= 0 the pid (0: present but
 * unreadable/empty), -ENOENT none, other -errno.  *young: modified less than
 * YOUNG_SECONDS ago. */
static long lock_owner(const char *path, bool *young)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char text[LOCK_TEXT_LEN + 1];
    ssize_t n = read(fd, text, sizeof(text) - 1);
    struct stat st;
    *young = fstat(fd, &st) == 0 && time(NULL) - st.st_mtime < YOUNG_SECONDS;
    close(fd);
    text[n > 0 ? n : 0] = '\0';
    long pid = parse_pid(text);
    return pid < 0 ? 0 : pid;
}

/* 0 when no live lock is in the way (a stale one was removed). */
static int clear_stale(const char *path)
{
    bool young = false;
    long pid = lock_owner(path, &young);
    if (pid == -ENOENT)
        return 0;
    if (pid < 0)
        return (int)pid;
    if (pid == 0 && young)
        return -EAGAIN; /* Heartbeat sleeps a second here and looks again */
    /* Heartbeat's rule: only a pid > 1 other than ours that exists (or that
     * we may not signal) holds the line.  Our own pid is a leftover of an
     * earlier run (pids repeat in containers). */
    if (pid > 1 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
        return -EBUSY;
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int hb_serial_lock(const char *lock_dir, const char *device, char *path_out, size_t cap)
{
    char name[RAW_NAME_MAX + 8], path[HB_SERIAL_PATH_MAX], tmp[HB_SERIAL_PATH_MAX];
    int rc = hb_serial_lock_name(device, name, sizeof(name));
    if (rc < 0)
        return rc;
    if (lock_dir == NULL)
        lock_dir = HB_SERIAL_DEFAULT_LOCK_DIR;
    long me = (long)getpid();
    int a = snprintf(path, sizeof(path), "%s/%s", lock_dir, name);
    int b = snprintf(tmp, sizeof(tmp), "%s/tmp%ld-%s", lock_dir, me, name + 5);
    if (a < 0 || b < 0 || (size_t)a >= sizeof(path) || (size_t)b >= sizeof(tmp))
        return -ENAMETOOLONG;
    if ((size_t)a >= cap)
        return -ENOSPC;

    rc = clear_stale(path);
    if (rc < 0)
        return rc;

    unlink(tmp); /* a leftover of ours */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    char text[LOCK_TEXT_LEN + 1];
    snprintf(text, sizeof(text), "%11ld\n", me);
    rc = 0;
    if (fchmod(fd, 0644) < 0) /* lock files are world-readable, whatever the umask */
        rc = -errno;
    ssize_t w = rc == 0 ? write(fd, text, LOCK_TEXT_LEN) : 0;
    if (rc == 0 && w != LOCK_TEXT_LEN)
        rc = w < 0 ? -errno : -EIO;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && link(tmp, path) < 0)
        rc = errno == EEXIST ? -EBUSY : -errno; /* EEXIST: someone was faster */
    unlink(tmp);
    if (rc == 0)
        memcpy(path_out, path, (size_t)a + 1);
    return rc;
}

int hb_serial_unlock(const char *lock_path)
{
    if (lock_path == NULL || lock_path[0] == '\0')
        return -EINVAL;
    bool young;
    long pid = lock_owner(lock_path, &young);
    if (pid == -ENOENT)
        return 0;
    if (pid < 0)
        return (int)pid;
    if (pid != (long)getpid())
        return -EPERM; /* someone else's now: leave it */
    return unlink(lock_path) < 0 ? -errno : 0;
}
