/* codec_bench - throughput of the heartbeat hot path's pure parts:
 * building + signing a status datagram (control fields, inner digest,
 * netstring, outer digest) and the receive ladder (framing, decode, outer
 * digest check), for crc, md5 and sha1.  Prints one JSON object per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hbcore.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t store[8192], rstore[8192], out[8192];

static ssize_t build(hb_msg *m, const hb_keys *keys, uint64_t seq)
{
    static const uint8_t uuid[HB_UUID_LEN] = {0xd2, 0x08, 0xd3, 0x8d, 0x21, 0xad, 0x49, 0xe8, 0x82, 0x83, 0xbd, 0x33, 0x80, 0x4e, 0xfc, 0x85};
    hb_msg_reset(m);
    hb_msg_add_str(m, "t", "status");
    hb_msg_add_str(m, "st", "active");
    hb_msg_add_str(m, "dt", "7d0");
    hb_msg_add_str(m, "protocol", "1");
    hb_control c = {.src = "node1", .srcuuid = uuid, .seq = seq, .hg = 0x6b0255ff, .ts = 0x6b0255fe, .ld = "0.29 0.56 0.36 2/114 31407", .ttl = 3};
    hb_msg_add_control_fields(m, &c);
    return hb_encode_udp(m, keys, out, sizeof out);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    const struct { hb_auth_method method; const char *name; const char *key; } auths[] = {
        {HB_AUTH_CRC, "crc", ""}, {HB_AUTH_MD5, "md5", "bench-md5-key"}, {HB_AUTH_SHA1, "sha1", "bench-sha1-key"}};
    for (size_t a = 0; a < 3; a++) {
        hb_keys keys;
        hb_keys_init(&keys);
        hb_keys_set(&keys, 1, auths[a].method, auths[a].key, strlen(auths[a].key));
        hb_keys_set_signing(&keys, 1);
        hb_msg m, r;
        hb_msg_init(&m, store, sizeof store);
        hb_msg_init(&r, rstore, sizeof rstore);
        uint64_t n = 0;
        ssize_t len = 0;
        double t0 = now_s(), t1;
        do {
            for (int i = 0; i < 1000; i++)
                len = build(&m, &keys, ++n);
            t1 = now_s();
        } while (t1 - t0 < seconds);
        double enc = (double)n / (t1 - t0);
        uint64_t k = 0;
        int bad = 0;
        t0 = now_s();
        do {
            for (int i = 0; i < 1000; i++, k++)
                bad += hb_receive(&keys, out, (size_t)len, &r, NULL) != HB_DROP_NONE;
            t1 = now_s();
        } while (t1 - t0 < seconds);
        double dec = (double)k / (t1 - t0);
        printf("{\"auth\":\"%s\",\"datagram_bytes\":%zd,\"encode_sign_per_s\":%.0f,\"verify_decode_per_s\":%.0f,"
               "\"encode_sign_us\":%.2f,\"verify_decode_us\":%.2f,\"rejected\":%d}\n",
               auths[a].name, len, enc, dec, 1e6 / enc, 1e6 / dec, bad);
    }
    return 0;
}
