/* test_crc.c - Heartbeat's crc digest: check value, %lx printing, captured digests. */
#include "hbtest.h"

static const char *crc_text_of(const char *s, char out[9])
{
    hb_crc32_text(hb_crc32(s, strlen(s)), out);
    return out;
}

static void check_value(void)
{
    char text[9];
    CHECK_INT(hb_crc32("123456789", 9), 0x765e7680);
    CHECK_STR(crc_text_of("123456789", text), "765e7680");
    CHECK_INT(hb_crc32("", 0), 0xffffffff); /* init 0, complemented */
}

/* POSIX cksum = the same CRC continued over the length bytes; `printf 123456789
 * | cksum` prints 930766865.  Confirms "cksum without the length suffix". */
static void relation_to_cksum(void)
{
    uint32_t crc = hb_crc32_update(hb_crc32_init(), "123456789", 9);
    uint8_t length_byte = 9; /* cksum appends the length, least significant byte first */
    crc = hb_crc32_update(crc, &length_byte, 1);
    CHECK_INT(hb_crc32_final(crc), 930766865u);
}

static void streaming_equals_one_shot(void)
{
    const char *s = "t=status\nst=init\n";
    uint32_t crc = hb_crc32_init();
    for (size_t i = 0; s[i]; i++)
        crc = hb_crc32_update(crc, s + i, 1);
    CHECK_INT(hb_crc32_final(crc), hb_crc32(s, strlen(s)));
}

static void printed_without_leading_zeros(void)
{
    char text[9];
    CHECK_INT(hb_crc32_text(0x0beac3d4, text), 7);
    CHECK_STR(text, "beac3d4");
    CHECK_INT(hb_crc32_text(0x85c652, text), 6);
    CHECK_STR(text, "85c652");
    CHECK_INT(hb_crc32_text(0, text), 1);
    CHECK_STR(text, "0");
    CHECK_INT(hb_crc32_text(0xffffffff, text), 8);
    CHECK_STR(text, "ffffffff");
}

/* heartbeat-wire §3.6 example 1: the inner text of bcast-crc.pcap frame 1. */
static void captured_inner_digest(void)
{
    static const char inner[] =
        "t=status\n" "st=init\n" "dt=fa0\n" "protocol=1\n" "src=node1\n"
        "(1)srcuuid=lv3acda2R56Y20bx4wD/rQ==\n" "seq=1\n" "hg=6b0255b2\n" "ts=6b0255b1\n"
        "ld=0.29 0.58 0.35 1/100 18673\n" "ttl=3\n";
    char text[9];
    CHECK_INT(strlen(inner), 147);
    CHECK_STR(crc_text_of(inner, text), "6a08dcb3");
}

/* Captured datagrams whose crc digests print with fewer than 8 digits. */
static void captured_short_digests(int argc, char **argv)
{
    FILE *f = hbt_open_vectors(argc, argv, "udp-captured.txt");
    static hbt_vector v;
    int seen = 0;
    while (hbt_next_vector(f, &v) == 1) {
        const hb_auth_entry *e = hb_keys_entry(&v.keys, v.keys.sign_index);
        if (e == NULL || e->method != HB_AUTH_CRC)
            continue;
        /* the outer trailer is "LEN:1 <crc>," after "%%%\n" */
        const uint8_t *end = v.bytes + v.len;
        const uint8_t *body_end = NULL;
        for (const uint8_t *p = v.bytes; p + 4 <= end; p++)
            if (memcmp(p, "%%%\n", 4) == 0)
                body_end = p + 4;
        CHECK(body_end != NULL);
        if (body_end == NULL)
            continue;
        const char *digest = memchr(body_end, ' ', (size_t)(end - body_end));
        CHECK(digest != NULL);
        if (digest == NULL)
            continue;
        digest++;
        size_t digest_len = (size_t)((const char *)end - digest - 1);
        if (digest_len >= 8)
            continue;
        char text[9];
        size_t n = hb_crc32_text(hb_crc32(v.bytes, (size_t)(body_end - v.bytes)), text);
        CHECK_MEM(text, n, digest, digest_len);
        seen++;
    }
    fclose(f);
    CHECK(seen >= 3);
    printf("  %d captured crc trailers with short digests match\n", seen);
}

int main(int argc, char **argv)
{
    check_value();
    relation_to_cksum();
    streaming_equals_one_shot();
    printed_without_leading_zeros();
    captured_inner_digest();
    captured_short_digests(argc, argv);
    return hbt_finish("test_crc");
}
