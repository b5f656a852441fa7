/* Realtime scheduling for the heartbeat thread (ha.cf `realtime`, `rtprio`):
 * a busy machine must not delay heartbeats (features.md §5 #4). */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include "hb_engine_internal.h"

int hb_rt_set_fifo(int prio)
{
    int lo = sched_get_priority_min(SCHED_FIFO);
    int hi = sched_get_priority_max(SCHED_FIFO);
    if (prio <= 0)
        prio = (lo + hi) / 2;
    if (prio < lo || prio > hi)
        return -EINVAL;
    struct sched_param sp = {.sched_priority = prio};
    int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
    return rc == 0 ? 0 : -rc;
}

/* Locks one region (rounded out to pages).  hbd never uses mlockall(): V8
 * releases heap pages with madvise(MADV_DONTNEED), which fails on locked
 * pages, and V8 aborts on that failure.  The engine locks its own state,
 * buffers and thread stack instead: the whole working set of the heartbeat
 * path. */
int hb_rt_lock_region(const void *addr, size_t len)
{
    return mlock(addr, len) == 0 ? 0 : -errno;
}

/* The heartbeat thread shares its locks with the JS thread (commands, status
 * reads, the event queue).  With plain mutexes a JS thread preempted while
 * holding one would stall a SCHED_FIFO heartbeat thread for as long as the
 * scheduler keeps it off the CPU (priority inversion); with priority
 * inheritance the holder runs at the waiter's priority until it unlocks. */
int hb_rt_mutex_init(pthread_mutex_t *m)
{
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc == 0)
        rc = pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    if (rc == 0)
        rc = pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    if (rc == 0)
        return 0;
    /* Without PI support a plain mutex still works, only without the boost. */
    pthread_mutex_init(m, NULL);
    return -rc;
}
