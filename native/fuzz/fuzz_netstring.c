/* fuzz_netstring.c - the netstring decoder.  Properties: decoding never
 * reads out of bounds; an accepted body re-encodes to exactly the same bytes;
 * decode(encode(m)) == m; a datagram signed from m passes the ladder; the
 * field finder (hb_netstring_find_value) stays inside the input and, on an
 * accepted body, finds the value the decoder found. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hb_msg m, back;
    size_t body_len = 0;
    /* a store as large as the input must always be enough */
    hb_msg_init(&m, fuzz_store_a, size);
    size_t at = 0, value_len = 0;
    bool found = hb_netstring_find_value(data, size, "seq", &at, &value_len);
    FUZZ_ASSERT(!found || (at <= size && value_len <= size - at));
    if (hb_decode_netstring(&m, data, size, &body_len) != HB_DROP_NONE)
        return 0;
    fuzz_check_invariants(&m);
    FUZZ_ASSERT(body_len <= size);
    const hb_field *seq = hb_msg_get(&m, "seq");
    FUZZ_ASSERT(found == (seq != NULL));
    if (seq)
        FUZZ_ASSERT(seq->value_len == value_len && memcmp(seq->value, data + at, value_len) == 0);

    hb_auth_token tok;
    if (hb_parse_auth_trailer(data + body_len, size - body_len, &tok) == HB_DROP_NONE)
        FUZZ_ASSERT(tok.digest >= (const char *)data + body_len &&
                    tok.digest + tok.digest_len <= (const char *)data + size);

    ssize_t n = hb_encode_netstring(&m, fuzz_out, sizeof(fuzz_out));
    FUZZ_ASSERT(n == (ssize_t)body_len && memcmp(fuzz_out, data, body_len) == 0);

    hb_msg_init(&back, fuzz_store_b, sizeof(fuzz_store_b));
    size_t back_len = 0;
    FUZZ_ASSERT(hb_decode_netstring(&back, fuzz_out, (size_t)n, &back_len) == HB_DROP_NONE);
    FUZZ_ASSERT(back_len == (size_t)n && fuzz_msg_equal(&m, &back));

    /* sign it like a sender would: the ladder accepts (or wants t/src/ts) */
    n = hb_encode_udp(&m, fuzz_keys(), fuzz_out, sizeof(fuzz_out));
    if (n < 0) {
        FUZZ_ASSERT(n == -EMSGSIZE || n == -ENOSPC); /* auth field needs room */
        return 0;
    }
    hb_drop_reason r = hb_receive(fuzz_keys(), fuzz_out, (size_t)n, &back, NULL);
    FUZZ_ASSERT(r == HB_DROP_NONE || r == HB_DROP_MISSING_FIELDS);
    FUZZ_ASSERT(fuzz_msg_equal(&m, &back));
    FUZZ_ASSERT(hb_verify_inner(fuzz_keys(), &back) == HB_DROP_NONE);
    return 0;
}
