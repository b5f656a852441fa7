/* test_time.c - dating a datagram read late: the kernel stamps it on the
 * wall clock, deadlines run on the monotonic one (hb_engine_rx.c). */
#include "hbtest.h"
#include "hb_engine_internal.h"

#define MS 1000000LL

static void converts_by_the_clock_offset(void)
{
    /* Wall clock 1e9 s ahead of the monotonic one; stamped 7.4 ms ago. */
    int64_t mono_now = 5000 * MS + 900000, real_now = mono_now + 1000000000LL * 1000000000LL;
    CHECK_INT(hb_arrival_mono_ms(real_now - 7400000, real_now, mono_now, 0), 4993);
    CHECK_INT(hb_arrival_mono_ms(real_now, real_now, mono_now, 0), 5000);
}

static void clamped_to_the_read_window(void)
{
    int64_t mono_now = 5000 * MS, real_now = 9000000 * MS;
    /* A wall-clock step back after the stamp: not in the future. */
    CHECK_INT(hb_arrival_mono_ms(real_now + 300 * MS, real_now, mono_now, 4990), 5000);
    /* A step forward: not before the previous read (the peer was not silent that long). */
    CHECK_INT(hb_arrival_mono_ms(real_now - 3000 * MS, real_now, mono_now, 4990), 4990);
    /* Within the window: as stamped. */
    CHECK_INT(hb_arrival_mono_ms(real_now - 4 * MS, real_now, mono_now, 4990), 4996);
    /* A floor past now (cannot happen; stays sane): now. */
    CHECK_INT(hb_arrival_mono_ms(real_now - 4 * MS, real_now, mono_now, 6000), 5000);
}

int main(void)
{
    converts_by_the_clock_offset();
    clamped_to_the_read_window();
    return hbt_finish("test_time");
}
