/* test_base64.c - the base64 of classic binary fields: RFC 4648 vectors,
 * strict (canonical-only) decoding, round trips. */
#include "hb_internal.h"
#include "hbtest.h"

static void rfc4648_vectors(void)
{
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char text[16];
        uint8_t back[16];
        size_t n = hb_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), text);
        CHECK_MEM(text, n, coded[i], strlen(coded[i]));
        CHECK_INT(hb_base64_encoded_len(strlen(plain[i])), strlen(coded[i]));
        CHECK_INT(hb_base64_decoded_len(coded[i], strlen(coded[i])), strlen(plain[i]));
        hb_base64_decode(coded[i], strlen(coded[i]), back);
        CHECK_MEM(back, strlen(plain[i]), plain[i], strlen(plain[i]));
    }
}

static void captured_uuid(void)
{
    static const uint8_t uuid[16] = {0x18, 0xa6, 0x07, 0x97, 0x3d, 0xd1, 0x4d, 0xc3,
                                     0x80, 0x2b, 0xf6, 0x37, 0xe5, 0x1b, 0xea, 0x4e};
    char text[24];
    size_t n = hb_base64_encode(uuid, 16, text);
    CHECK_MEM(text, n, "GKYHlz3RTcOAK/Y35RvqTg==", 24); /* srcuuid of bcast-md5 node1 */
}

static void rejects_non_canonical(void)
{
    static const char *bad[] = {
        "Z",        "Zg",       "Zg=",     "Zg===",   /* length not a multiple of 4 */
        "Zg=a",     "=Zg=",     "Z===",    "====",    /* misplaced padding */
        "Zh==",     "Zm9=",                           /* non-zero pad bits */
        "Zm9v\n",   "Zm 9",     "Zm-v",    "Zm_v",    /* other alphabets, whitespace */
        "Zm9vYg==Zm9v",                               /* padding in the middle */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ssize_t n = hb_base64_decoded_len(bad[i], strlen(bad[i]));
        CHECK_INT(n, -1);
        if (n != -1)
            fprintf(stderr, "  ... accepted \"%s\"\n", bad[i]);
    }
}

static void round_trips(void)
{
    uint8_t data[300], back[300];
    char text[400];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof(data); len++) {
        size_t n = hb_base64_encode(data, len, text);
        CHECK_INT(hb_base64_decoded_len(text, n), len);
        hb_base64_decode(text, n, back);
        CHECK_MEM(back, len, data, len);
    }
}

int main(void)
{
    rfc4648_vectors();
    captured_uuid();
    rejects_non_canonical();
    round_trips();
    return hbt_finish("test_base64");
}
