/* Serial heartbeat media. */
#include <errno.h>
#include <stdio.h>

#include "hb_engine_priv.h"

int hb_engine_serial_open(hb_engine *e, char *err, size_t errlen)
{
    for (size_t i = 0; i < e->cfg.nmedia; i++) {
        if (e->cfg.media[i].kind == HB_MEDIUM_SERIAL) {
            snprintf(err, errlen, "serial media are not available in this build");
            return -ENOTSUP;
        }
    }
    return 0;
}

void hb_engine_serial_close(hb_engine *e)
{
    (void)e;
}

void hb_engine_serial_io(hb_engine *e, uint32_t index, uint32_t events, int64_t now)
{
    (void)e, (void)index, (void)events, (void)now;
}

void hb_engine_serial_transmit(hb_engine *e, const hb_msg *m, int64_t now)
{
    (void)e, (void)m, (void)now;
}

int64_t hb_engine_serial_timers(hb_engine *e, int64_t now)
{
    (void)e, (void)now;
    return INT64_MAX;
}
