/* test_auth.c - key table rules, RFC 2202 HMAC vectors, the digests of the
 * three worked examples (heartbeat-wire §3.6), constant-time comparison. */
#include <pthread.h>

#include "hb_internal.h"
#include "hbtest.h"

static void fill(uint8_t *buf, uint8_t byte, size_t n)
{
    memset(buf, byte, n);
}

struct rfc2202_case {
    uint8_t key_byte; /* 0 = the 0x01..0x19 key of case 4, 'J' = "Jefe" */
    size_t md5_key_len, sha1_key_len;
    uint8_t data_byte; /* 0 = use text */
    const char *text;
    const char *md5, *sha1;
};

/* RFC 2202 sections 2 and 3: the same seven cases for HMAC-MD5 and HMAC-SHA1
 * (only the key lengths of cases 1, 3 and 5 differ). */
static const struct rfc2202_case rfc2202[] = {
    {0x0b, 16, 20, 0, "Hi There",
     "9294727a3638bb1c13f48ef8158bfc9d", "b617318655057264e28bc0b6fb378c8ef146be00"},
    {'J', 4, 4, 0, "what do ya want for nothing?",
     "750c783e6ab0b503eaa86e310a5db738", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
    {0xaa, 16, 20, 0xdd, NULL,
     "56be34521d144c88dbb8c733f0e8b3f6", "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
    {0, 25, 25, 0xcd, NULL,
     "697eaf0aca3a3aea3a75164746ffaa79", "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
    {0x0c, 16, 20, 0, "Test With Truncation",
     "56461ef2342edc00f9bab995690efd4c", "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
    {0xaa, 80, 80, 0, "Test Using Larger Than Block-Size Key - Hash Key First",
     "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd", "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
    {0xaa, 80, 80, 0, "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
     "6f630fad67cda0ee1fb1f562db3aa53e", "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
};

static void rfc2202_vectors(void)
{
    for (size_t i = 0; i < sizeof(rfc2202) / sizeof(rfc2202[0]); i++) {
        const struct rfc2202_case *c = &rfc2202[i];
        uint8_t key[80], data[80];
        size_t data_len;
        if (c->text) {
            data_len = strlen(c->text);
            memcpy(data, c->text, data_len);
        } else {
            data_len = 50;
            fill(data, c->data_byte, data_len);
        }
        for (int sha = 0; sha < 2; sha++) {
            size_t key_len = sha ? c->sha1_key_len : c->md5_key_len;
            if (c->key_byte == 'J')
                memcpy(key, "Jefe", 4);
            else if (c->key_byte == 0)
                for (size_t k = 0; k < key_len; k++)
                    key[k] = (uint8_t)(k + 1);
            else
                fill(key, c->key_byte, key_len);
            char out[HB_DIGEST_TEXT_MAX];
            int n = hb_auth_digest(sha ? HB_AUTH_SHA1 : HB_AUTH_MD5, key, key_len, data,
                                   data_len, out);
            CHECK_INT(n, sha ? 40 : 32);
            CHECK_STR(out, sha ? c->sha1 : c->md5);
        }
    }
}

/* §3.6: the inner texts are printable, so they are spelled out here; the
 * digests were computed by real nodes (and python hmac / openssl agree). */
static void worked_example_inner_digests(void)
{
    static const char ex1[] =
        "t=status\nst=init\ndt=fa0\nprotocol=1\nsrc=node1\n(1)srcuuid=lv3acda2R56Y20bx4wD/rQ==\n"
        "seq=1\nhg=6b0255b2\nts=6b0255b1\nld=0.29 0.58 0.35 1/100 18673\nttl=3\n";
    static const char ex2[] =
        "t=NS_ackmsg\ndest=node1\nackseq=1\n(1)destuuid=GKYHlz3RTcOAK/Y35RvqTg==\nsrc=node1\n"
        "(1)srcuuid=GKYHlz3RTcOAK/Y35RvqTg==\nhg=6b025644\nts=6b025643\nttl=3\n";
    static const char ex3[] =
        "t=status\nst=init\ndt=fa0\nprotocol=1\nsrc=node1\n(1)srcuuid=0gjTjSGtSeiCg70zgE78hQ==\n"
        "seq=1\nhg=6b0255ff\nts=6b0255fe\nld=0.29 0.56 0.36 2/114 31407\nttl=3\n";
    char out[HB_DIGEST_TEXT_MAX];

    CHECK_INT(strlen(ex1), 147);
    CHECK_INT(hb_auth_digest(HB_AUTH_CRC, NULL, 0, ex1, strlen(ex1), out), 8);
    CHECK_STR(out, "6a08dcb3");
    CHECK_INT(strlen(ex2), 145);
    CHECK_INT(hb_auth_digest(HB_AUTH_MD5, "s3cr3t-md5", 10, ex2, strlen(ex2), out), 32);
    CHECK_STR(out, "dba2f0507a9280a311d6c58857dc94a0");
    CHECK_INT(strlen(ex3), 147);
    CHECK_INT(hb_auth_digest(HB_AUTH_SHA1, "hwtestkey", 9, ex3, strlen(ex3), out), 40);
    CHECK_STR(out, "29df16d08713158cadbfd08e691d96d8f51cc4a1");
}

/* The outer-check quirk can pair an HMAC entry with a crc signing entry,
 * i.e. an empty key; HMAC with an empty key is well defined (python agrees). */
static void empty_key_hmac(void)
{
    char out[HB_DIGEST_TEXT_MAX];
    CHECK_INT(hb_auth_digest(HB_AUTH_MD5, "", 0, "abc", 3, out), 32);
    CHECK_STR(out, "dd2701993d29fdd0b032c233cec63403");
    CHECK_INT(hb_auth_digest(HB_AUTH_SHA1, NULL, 0, "abc", 3, out), 40);
    CHECK_STR(out, "9b4a918f398d74d3e367970aba3cbe54e4d2b5d9");
    CHECK_INT(hb_auth_digest(HB_AUTH_NONE, NULL, 0, "abc", 3, out), -EINVAL);
}

/* Many keys, reused in another order, give the same digests; a key's prefix
 * and the other method give other ones (keying state must not leak between
 * digests). */
static void keyed_contexts_reused_and_evicted(void)
{
    enum { KEYS = 20 };
    char first[KEYS][2][HB_DIGEST_TEXT_MAX];
    char key[16];
    for (int round = 0; round < 2; round++) {
        for (int n = 0; n < KEYS; n++) {
            int i = round == 0 ? n : KEYS - 1 - n;
            int key_len = snprintf(key, sizeof key, "key-%d", i);
            for (int sha = 0; sha < 2; sha++) {
                char out[HB_DIGEST_TEXT_MAX];
                CHECK_INT(hb_auth_digest(sha ? HB_AUTH_SHA1 : HB_AUTH_MD5, key, (size_t)key_len,
                                         "abc", 3, out), sha ? 40 : 32);
                if (round == 0)
                    memcpy(first[i][sha], out, sizeof out);
                else
                    CHECK_STR(out, first[i][sha]);
            }
        }
    }
    for (int i = 1; i < KEYS; i++)
        CHECK(strcmp(first[0][1], first[i][1]) != 0);
    /* "key-1" is a prefix of "key-10": a distinct key, a distinct digest. */
    CHECK(strcmp(first[1][0], first[10][0]) != 0);
    rfc2202_vectors(); /* again, after all those keys */
}

/* Two streams open at once on one key, and the
 * same key on other threads, give the digests a one-shot computation gives. */
static void *digest_on_thread(void *out)
{
    CHECK_INT(hb_auth_digest(HB_AUTH_SHA1, "Jefe", 4, "what do ya want for nothing?", 28, out), 40);
    return NULL;
}

static void streams_at_once_and_threads(void)
{
    const char *text = "what do ya want for nothing?";
    hb_digest_stream outer, inner;
    CHECK_INT(hb_digest_begin(&outer, HB_AUTH_SHA1, "Jefe", 4), 0);
    hb_digest_update(&outer, text, 10);
    CHECK_INT(hb_digest_begin(&inner, HB_AUTH_SHA1, "Jefe", 4), 0);
    hb_digest_update(&inner, "Hi There", 8);
    hb_digest_update(&outer, text + 10, strlen(text) - 10);
    char a[HB_DIGEST_TEXT_MAX], b[HB_DIGEST_TEXT_MAX];
    CHECK_INT(hb_digest_end(&inner, b), 40);
    CHECK_INT(hb_digest_end(&outer, a), 40);
    CHECK_STR(a, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    char expect_b[HB_DIGEST_TEXT_MAX];
    CHECK_INT(hb_auth_digest(HB_AUTH_SHA1, "Jefe", 4, "Hi There", 8, expect_b), 40);
    CHECK_STR(b, expect_b);
    /* And again, after both streams ended. */
    CHECK_INT(hb_auth_digest(HB_AUTH_SHA1, "Jefe", 4, text, strlen(text), a), 40);
    CHECK_STR(a, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");

    char on_thread[HB_DIGEST_TEXT_MAX] = "";
    for (int i = 0; i < 3; i++) {
        pthread_t t;
        CHECK_INT(pthread_create(&t, NULL, digest_on_thread, on_thread), 0);
        CHECK_INT(pthread_join(t, NULL), 0);
        CHECK_STR(on_thread, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }
}

static void key_table_rules(void)
{
    static hb_keys k;
    hb_keys_init(&k);
    CHECK_INT(k.sign_index, -1);
    CHECK(hb_keys_entry(&k, 1) == NULL);
    CHECK_INT(hb_keys_set_signing(&k, 1), -ENOENT);

    CHECK_INT(hb_keys_set(&k, 1, HB_AUTH_CRC, NULL, 0), 0);
    CHECK_INT(hb_keys_set(&k, 2, HB_AUTH_CRC, "x", 1), -EINVAL);      /* crc takes no key */
    CHECK_INT(hb_keys_set(&k, 2, HB_AUTH_MD5, NULL, 0), -EINVAL);     /* md5 needs one */
    CHECK_INT(hb_keys_set(&k, 2, HB_AUTH_SHA1, "", 0), -EINVAL);
    CHECK_INT(hb_keys_set(&k, 16, HB_AUTH_CRC, NULL, 0), -EINVAL);    /* 0..15 only */
    CHECK_INT(hb_keys_set(&k, 2, (hb_auth_method)7, "k", 1), -EINVAL);
    static char long_key[HB_AUTH_KEY_MAX + 1];
    memset(long_key, 'k', sizeof(long_key));
    CHECK_INT(hb_keys_set(&k, 2, HB_AUTH_MD5, long_key, HB_AUTH_KEY_MAX + 1), -EINVAL);
    CHECK_INT(hb_keys_set(&k, 2, HB_AUTH_MD5, long_key, HB_AUTH_KEY_MAX), 0);
    CHECK_INT(hb_keys_set(&k, 15, HB_AUTH_SHA1, "secret", 6), 0);
    CHECK_INT(hb_keys_set(&k, 0, HB_AUTH_CRC, NULL, 0), 0);

    CHECK_INT(hb_keys_set_signing(&k, 15), 0);
    CHECK_INT(k.sign_index, 15);
    const hb_auth_entry *e = hb_keys_entry(&k, 15);
    CHECK(e != NULL && e->method == HB_AUTH_SHA1 && e->key_len == 6);
    CHECK(hb_keys_entry(&k, -1) == NULL);
    CHECK(hb_keys_entry(&k, 16) == NULL);

    /* removing the signing entry also unsets signing */
    CHECK_INT(hb_keys_set(&k, 15, HB_AUTH_NONE, NULL, 0), 0);
    CHECK(hb_keys_entry(&k, 15) == NULL);
    CHECK_INT(k.sign_index, -1);
}

static void method_names(void)
{
    CHECK_INT(hb_auth_method_from_name("crc"), HB_AUTH_CRC);
    CHECK_INT(hb_auth_method_from_name("md5"), HB_AUTH_MD5);
    CHECK_INT(hb_auth_method_from_name("sha1"), HB_AUTH_SHA1);
    CHECK_INT(hb_auth_method_from_name("SHA1"), HB_AUTH_NONE); /* Heartbeat plugin names are lowercase */
    CHECK_INT(hb_auth_method_from_name(NULL), HB_AUTH_NONE);
    CHECK_STR(hb_auth_method_name(HB_AUTH_MD5), "md5");
    CHECK_STR(hb_auth_method_name(HB_AUTH_NONE), "none");
}

static void digest_comparison(void)
{
    CHECK(hb_auth_digest_equal("abc", 3, "abc", 3));
    CHECK(!hb_auth_digest_equal("abc", 3, "abd", 3));
    CHECK(!hb_auth_digest_equal("abc", 3, "abcd", 4));
    CHECK(!hb_auth_digest_equal("", 0, "", 0)); /* an empty digest never authenticates */
    CHECK(!hb_auth_digest_equal("ABC", 3, "abc", 3)); /* hex case matters, as in Heartbeat */
}

int main(void)
{
    rfc2202_vectors();
    worked_example_inner_digests();
    empty_key_hmac();
    keyed_contexts_reused_and_evicted();
    streams_at_once_and_threads();
    key_table_rules();
    method_names();
    digest_comparison();
    return hbt_finish("test_auth");
}
