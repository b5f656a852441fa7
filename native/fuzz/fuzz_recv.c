/* fuzz_recv.c - the whole receive ladder with a fixed key table (1 sha1
 * signing, 2 md5, 3 crc).  Properties: no crash for any bytes; the reason is
 * a named one; an accepted netstring datagram re-encodes to its own body; an
 * accepted classic one carries a valid inner auth. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hb_msg m;
    hb_recv_info info;
    hb_msg_init(&m, fuzz_store_a, size);
    hb_drop_reason r = hb_receive(fuzz_keys(), data, size, &m, &info);
    FUZZ_ASSERT(r >= HB_DROP_NONE && r < HB_DROP_REASON_COUNT);
    FUZZ_ASSERT(strcmp(hb_drop_reason_name(r), "unknown") != 0);
    if (r != HB_DROP_NONE)
        return 0;
    fuzz_check_invariants(&m);
    FUZZ_ASSERT(hb_msg_get_str(&m, "t") && hb_msg_get_str(&m, "src") &&
                hb_msg_get_str(&m, "ts"));
    FUZZ_ASSERT(info.auth_index >= 1 && info.auth_index <= 3);
    if (info.framing == HB_FRAMING_NETSTRING) {
        ssize_t n = hb_encode_netstring(&m, fuzz_out, sizeof(fuzz_out));
        FUZZ_ASSERT(n > 0 && (size_t)n < size && memcmp(fuzz_out, data, (size_t)n) == 0);
    } else {
        FUZZ_ASSERT(info.framing == HB_FRAMING_CLASSIC);
        FUZZ_ASSERT(hb_verify_inner(fuzz_keys(), &m) == HB_DROP_NONE);
    }
    return 0;
}
