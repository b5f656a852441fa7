/*
 * hb_base64.c - the base64 of Heartbeat's classic form (binary fields).
 *
 * Decoding is strict: only the canonical encoding of some byte string is
 * accepted, so decode -> encode gives back the received bytes, which the
 * inner auth digest (computed over the re-encoded text) relies on.
 */
#include "hb_internal.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

size_t hb_base64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t chunk = (uint32_t)in[i] << 16;
        if (i + 1 < n) chunk |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n) chunk |= in[i + 2];
        out[o++] = alphabet[(chunk >> 18) & 63];
        out[o++] = alphabet[(chunk >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(chunk >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[chunk & 63] : '=';
    }
    return o;
}

ssize_t hb_base64_decoded_len(const char *in, size_t n)
{
    if (n % 4 != 0)
        return -1;
    if (n == 0)
        return 0;
    size_t pad = in[n - 1] == '=' ? (in[n - 2] == '=' ? 2 : 1) : 0;
    for (size_t i = 0; i < n - pad; i++)
        if (sextet(in[i]) < 0)
            return -1;
    /* the bits below the last real character must be zero (canonical form) */
    int last = sextet(in[n - pad - 1]);
    if ((pad == 1 && (last & 0x3)) || (pad == 2 && (last & 0xF)))
        return -1;
    return (ssize_t)(n / 4 * 3 - pad);
}

void hb_base64_decode(const char *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t chunk = 0;
        int chars = 0;
        for (int k = 0; k < 4 && in[i + k] != '='; k++, chars++)
            chunk |= (uint32_t)sextet(in[i + k]) << (18 - 6 * k);
        out[o++] = (uint8_t)(chunk >> 16);
        if (chars > 2) out[o++] = (uint8_t)(chunk >> 8);
        if (chars > 3) out[o++] = (uint8_t)chunk;
    }
}
