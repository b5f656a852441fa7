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
