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
