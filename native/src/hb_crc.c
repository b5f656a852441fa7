/*
 * hb_crc.c - Heartbeat's `crc` auth digest.
 *
 * CRC-32 as in POSIX cksum (polynomial 0x04C11DB7, MSB first, init 0, final
 * complement) but without cksum's trailing length bytes, printed with %lx.
 */
#include "hbcore.h"
#include "hb_internal.h"

uint32_t hb_crc32_init(void)
{
    return 0;
}

uint32_t hb_crc32_update(uint32_t crc, const void *data, size_t len)
{
    /* Bitwise, no table: messages are a few hundred bytes, and there is no
     * lazily built shared table to race on between threads. */
    const uint8_t *p = data;
    while (len--) {
        crc ^= (uint32_t)*p++ << 24;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    }
    return crc;
}

uint32_t hb_crc32_final(uint32_t crc)
{
    return ~crc;
}

uint32_t hb_crc32(const void *data, size_t len)
{
    return hb_crc32_final(hb_crc32_update(hb_crc32_init(), data, len));
}

size_t hb_crc32_text(uint32_t crc, char out[9])
{
    return hb_hex_u64(out, crc); /* as Heartbeat's "%x": no leading zeros */
}
