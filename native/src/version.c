/* The core's version, reported by `hbd version` next to the JS package's. */
#include "hbcore.h"

const char *hb_core_version(void)
{
    return HB_CORE_VERSION;
}
