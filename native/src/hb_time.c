/* Clocks: CLOCK_MONOTONIC for every deadline, wall clock only for the `ts`
 * field peers expect. */
#include <time.h>

#include "hb_engine_internal.h"

int64_t hb_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t hb_wall_seconds(void)
{
    return (uint64_t)time(NULL);
}

int64_t hb_arrival_mono_ms(int64_t stamp_real_ns, int64_t real_now_ns, int64_t mono_now_ns, int64_t floor_ms)
{
    int64_t now_ms = mono_now_ns / 1000000;
    int64_t ms = (mono_now_ns - (real_now_ns - stamp_real_ns)) / 1000000;
    if (ms > now_ms)
        ms = now_ms;
    if (ms < floor_ms)
        ms = floor_ms < now_ms ? floor_ms : now_ms;
    return ms;
}
