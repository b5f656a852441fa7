/* test_captures.c - real datagrams captured between Heartbeat 3.0.6 nodes
 * (vectors/udp-captured.txt, vectors/serial-captured.txt): each is accepted
 * by the receive ladder, re-encoded byte-identically from its decoded fields,
 * and both of its digests are recomputed.
 *
 *   test_captures [VECTOR_DIR [EXTRA_VECTOR_FILE...]]
 * (gen_vectors.py --all FILE writes every captured datagram for a full run) */
#include "hbtest.h"

static hbt_vector v;
static uint8_t out[HB_MSG_MAX];
static uint8_t store[HB_MSG_MAX];

struct tally {
    int udp[4], serial, destuuid, dest_first, types[64];
};

static void check_one(const hbt_vector *vec, struct tally *t)
{
    int before = hbt_failures;
    hb_msg msg;
    /* a store as large as the datagram always suffices */
    hb_msg_init(&msg, store, vec->len);
    hb_recv_info info;
    CHECK_REASON(hb_receive(&vec->keys, vec->bytes, vec->len, &msg, &info), vec->ladder);
    if (vec->inner >= 0)
        CHECK_REASON(hb_verify_inner(&vec->keys, &msg), vec->inner);
    CHECK_INT(info.auth_index, 1);

    if (info.framing == HB_FRAMING_NETSTRING) {
        ssize_t n = hb_encode_udp(&msg, &vec->keys, out, sizeof(out));
        CHECK_MEM(out, n, vec->bytes, vec->len); /* both digests, all fields, order */
        t->udp[vec->keys.entry[1].method]++;
    } else {
        CHECK_INT(info.framing, HB_FRAMING_CLASSIC);
        ssize_t n = hb_encode_classic(&msg, out, sizeof(out));
        CHECK_MEM(out, n, vec->bytes, vec->len);
        CHECK_INT(hb_msg_sign(&msg, &vec->keys), 0); /* recomputes the same inner auth */
        n = hb_encode_classic(&msg, out, sizeof(out));
        CHECK_MEM(out, n, vec->bytes, vec->len);
        t->serial++;
    }
    if (hb_msg_get(&msg, "destuuid"))
        t->destuuid++;
    if (msg.nfields > 0 && strcmp(msg.field[0].name, "dest") == 0)
        t->dest_first++;
    if (hbt_failures != before)
        fprintf(stderr, "  ... in vector %s\n", vec->id);
}

static int run_file(FILE *f, const char *name)
{
    struct tally t = {0};
    int count = 0, rc;
    while ((rc = hbt_next_vector(f, &v)) == 1) {
        check_one(&v, &t);
        count++;
    }
    CHECK_INT(rc, 0); /* no unreadable line */
    printf("  %s: %d vectors (udp crc %d, md5 %d, sha1 %d; classic %d; with destuuid %d; "
           "dest first %d)\n", name, count, t.udp[HB_AUTH_CRC], t.udp[HB_AUTH_MD5],
           t.udp[HB_AUTH_SHA1], t.serial, t.destuuid, t.dest_first);
    return count;
}

int main(int argc, char **argv)
{
    const char *files[] = {"udp-captured.txt", "serial-captured.txt"};
    for (size_t i = 0; i < 2; i++) {
        FILE *f = hbt_open_vectors(argc, argv, files[i]);
        CHECK(run_file(f, files[i]) > 0);
        fclose(f);
    }
    for (int i = 2; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        CHECK(f != NULL);
        if (f) {
            run_file(f, argv[i]);
            fclose(f);
        }
    }
    return hbt_finish("test_captures");
}
