/* fuzz_classic.c - the classic decoder.  Properties: decoding never reads out
 * of bounds; decode(encode(m)) == m; encoding is canonical (encode(decode(
 * encode(m))) == encode(m)); a signed message verifies. */
#include "fuzz_common.h"

static uint8_t encoded[HB_MSG_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hb_msg m, back;
    size_t used = 0;
    hb_msg_init(&m, fuzz_store_a, size);
    if (hb_decode_classic(&m, data, size, &used) != HB_DROP_NONE)
        return 0;
    fuzz_check_invariants(&m);
    FUZZ_ASSERT(used <= size);

    ssize_t n = hb_encode_classic(&m, encoded, sizeof(encoded));
    if (n < 0) { /* base64 grows binary values: only a limit can stop it */
        FUZZ_ASSERT(n == -EMSGSIZE);
        return 0;
    }
    hb_msg_init(&back, fuzz_store_b, sizeof(fuzz_store_b));
    size_t back_used = 0;
    FUZZ_ASSERT(hb_decode_classic(&back, encoded, (size_t)n, &back_used) == HB_DROP_NONE);
    FUZZ_ASSERT(back_used == (size_t)n && fuzz_msg_equal(&m, &back));
    ssize_t n2 = hb_encode_classic(&back, fuzz_out, sizeof(fuzz_out));
    FUZZ_ASSERT(n2 == n && memcmp(fuzz_out, encoded, (size_t)n) == 0);

    /* the inner text is the classic text minus frame and auth lines */
    ssize_t inner = hb_encode_inner_text(&m, fuzz_out, sizeof(fuzz_out));
    FUZZ_ASSERT(inner >= 0 && inner <= n - 8);

    if (hb_msg_sign(&m, fuzz_keys()) == 0)
        FUZZ_ASSERT(hb_verify_inner(fuzz_keys(), &m) == HB_DROP_NONE);
    return 0;
}
