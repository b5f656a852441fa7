/* Ping nodes (ha.cf ping / ping6 / ping_group). */
#include <errno.h>
#include <stdio.h>

#include "hb_engine_priv.h"

int hb_engine_ping_open(hb_engine *e, char *err, size_t errlen)
{
    if (e->cfg.nping == 0)
        return 0;
    snprintf(err, errlen, "ping nodes are not available in this build");
    return -ENOTSUP;
}

void hb_engine_ping_close(hb_engine *e)
{
    (void)e;
}

void hb_engine_ping_io(hb_engine *e, uint32_t index, int64_t now)
{
    (void)e, (void)index, (void)now;
}

int64_t hb_engine_ping_timers(hb_engine *e, int64_t now)
{
    (void)e, (void)now;
    return INT64_MAX;
}
