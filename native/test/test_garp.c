/* test_garp.c - gratuitous ARP and unsolicited neighbour advertisements.
 *
 * Known answers: the frames resource-agents' send_arp, send_ua and the
 * IPv6addr agent put on the wire (vectors/garp/garp-captured.txt, recorded
 * by vectors/garp/capture.sh) are rebuilt byte for byte - the NA's flow
 * label aside, which send_ua leaves to its kernel.  The parser takes every
 * captured frame, refuses damaged ones, and what the builders make parses
 * back.  With root (and `ip`), the sender runs in a network namespace of its
 * own: frames sent on one end of a veth pair arrive whole on the other. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hbtest.h"

static const uint8_t MAC[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};

/* ------------------------------------------------------------ vectors */

#define GV_MAX 64

typedef struct gv_frame {
    char label[48];
    char kind[16];
    int t_ms;
    uint8_t bytes[256];
    size_t len;
} gv_frame;

static gv_frame gv_all[GV_MAX];
static size_t gv_count;

static void gv_load(int argc, char **argv)
{
    static char line[1024];
    FILE *f = hbt_open_vectors(argc, argv, "garp/garp-captured.txt");
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *save = NULL;
        char *label = strtok_r(line, " \n", &save);
        char *kind = strtok_r(NULL, " \n", &save);
        char *t = strtok_r(NULL, " \n", &save);
        char *hex = strtok_r(NULL, " \n", &save);
        if (!hex || gv_count == GV_MAX || strlen(label) >= sizeof(gv_all[0].label) ||
            strlen(kind) >= sizeof(gv_all[0].kind)) {
            fprintf(stderr, "bad vector line\n");
            exit(2);
        }
        gv_frame *g = &gv_all[gv_count++];
        snprintf(g->label, sizeof(g->label), "%s", label);
        snprintf(g->kind, sizeof(g->kind), "%s", kind);
        g->t_ms = atoi(t);
        long n = hbt_unhex(hex, g->bytes, sizeof(g->bytes));
        if (n < 0) {
            fprintf(stderr, "bad hex in vector %s\n", label);
            exit(2);
        }
        g->len = (size_t)n;
    }
    fclose(f);
}

static void ip4(const char *text, uint8_t out[16])
{
    memset(out, 0, 16);
    CHECK(inet_pton(AF_INET, text, out) == 1);
}

static void ip6(const char *text, uint8_t out[16]) { CHECK(inet_pton(AF_INET6, text, out) == 1); }

/* ------------------------------------------------------------ known answers */

static void send_arp_frames(void)
{
    static const struct {
        const char *label;
        const char *vip;
        int rounds;
        int interval_ms;
    } runs[] = {
        {"send_arp-ipaddr2", "10.0.0.100", 3, 200}, /* IPaddr2: -i 200 -r 5, here -r 3 */
        {"send_arp-ipaddr", "10.0.0.101", 2, 500},  /* IPaddr: -i 500 -r 10, here -r 2 */
    };
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        uint8_t vip[16], request[HB_GARP_ARP_LEN], reply[HB_GARP_ARP_LEN];
        ip4(runs[r].vip, vip);
        CHECK_INT(hb_garp_build_arp(request, 1, MAC, vip), HB_GARP_ARP_LEN);
        CHECK_INT(hb_garp_build_arp(reply, 2, MAC, vip), HB_GARP_ARP_LEN);
        int seen = 0, last_t = -1;
        for (size_t i = 0; i < gv_count; i++) {
            const gv_frame *g = &gv_all[i];
            if (strcmp(g->label, runs[r].label) != 0 || strcmp(g->kind, "other") == 0)
                continue;
            /* a request, then a reply, per round */
            const char *want = seen % 2 ? "arp-reply" : "arp-request";
            CHECK_STR(g->kind, want);
            CHECK_MEM(g->bytes, g->len, seen % 2 ? reply : request, HB_GARP_ARP_LEN);
            /* send_arp sleeps half the interval after each frame */
            CHECK(g->t_ms > last_t);
            CHECK(g->t_ms >= seen * runs[r].interval_ms / 2 - 5);
            last_t = g->t_ms;
            seen++;
        }
        CHECK_INT(seen, 2 * runs[r].rounds);
    }
}

static void na_frames(void)
{
    static const struct {
        const char *label;
        const char *vip;
        int count;
    } runs[] = {
        {"send_ua", "2001:db8::100", 2},
        {"ipv6addr-start", "2001:db8::200", 5}, /* the agent's own five, 1 s apart */
    };
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        uint8_t vip[16], na[HB_GARP_NA_LEN];
        ip6(runs[r].vip, vip);
        CHECK_INT(hb_garp_build_na(na, MAC, vip, false), HB_GARP_NA_LEN);
        int seen = 0;
        for (size_t i = 0; i < gv_count; i++) {
            const gv_frame *g = &gv_all[i];
            if (strcmp(g->label, runs[r].label) != 0 || strcmp(g->kind, "na") != 0)
                continue;
            /* identical but for the flow label (bytes 15..17: the low 4
             * bits of byte 15 and bytes 16-17), which send_ua's kernel
             * chooses; it is outside the ICMPv6 checksum */
            uint8_t want[HB_GARP_NA_LEN];
            CHECK_INT(g->len, HB_GARP_NA_LEN);
            memcpy(want, g->bytes, sizeof(want));
            CHECK(want[15] != 0 || want[16] != 0 || want[17] != 0); /* it was set */
            want[15] &= 0xf0;
            want[16] = want[17] = 0;
            CHECK_MEM(na, HB_GARP_NA_LEN, want, sizeof(want));
            seen++;
        }
        CHECK_INT(seen, runs[r].count);
    }
    /* the Router flag, when asked for, changes the flags and the checksum */
    uint8_t vip[16], plain[HB_GARP_NA_LEN], router[HB_GARP_NA_LEN];
    ip6("2001:db8::100", vip);
    hb_garp_build_na(plain, MAC, vip, false);
    hb_garp_build_na(router, MAC, vip, true);
    CHECK_INT(plain[58], 0x20);
    CHECK_INT(router[58], 0xa0);
    CHECK(memcmp(plain + 56, router + 56, 2) != 0);
    hb_garp_frame f;
    CHECK_INT(hb_garp_parse(router, sizeof(router), &f), 0);
    CHECK_INT(f.na_flags, 0xa0);
}

static void parse_captured(void)
{
    int arp = 0, na = 0, other = 0;
    for (size_t i = 0; i < gv_count; i++) {
        const gv_frame *g = &gv_all[i];
        hb_garp_frame f;
        int rc = hb_garp_parse(g->bytes, g->len, &f);
        if (strcmp(g->kind, "other") == 0) {
            /* neighbour solicitations, MLD reports, router solicitations */
            CHECK_INT(rc, -EPROTO);
            other++;
            continue;
        }
        CHECK_INT(rc, 0);
        CHECK_MEM(f.eth_src, 6, MAC, 6);
        CHECK_MEM(f.hwaddr, 6, MAC, 6);
        CHECK(f.gratuitous);
        if (strcmp(g->kind, "na") == 0) {
            na++;
            CHECK_INT(f.kind, HB_GARP_KIND_NA);
            CHECK_INT(f.family, AF_INET6);
            CHECK_INT(f.na_flags, 0x20);
            CHECK_MEM(f.addr, 16, f.ip6_src, 16);
            static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
            CHECK_MEM(f.eth_dst, 6, all_nodes_mac, 6);
        } else {
            arp++;
            bool request = strcmp(g->kind, "arp-request") == 0;
            CHECK_INT(f.kind, request ? HB_GARP_KIND_ARP_REQUEST : HB_GARP_KIND_ARP_REPLY);
            CHECK_INT(f.family, AF_INET);
            CHECK_MEM(f.addr, 4, f.target_ip, 4);
            static const uint8_t zero[6], bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
            CHECK_MEM(f.target_hw, 6, request ? zero : MAC, 6);
            CHECK_MEM(f.eth_dst, 6, bcast, 6);
        }
    }
    CHECK_INT(arp, 10);
    CHECK_INT(na, 7);
    CHECK(other >= 4);
}

/* ------------------------------------------------------------ damaged frames */

static void damaged_frames(void)
{
    uint8_t vip4[16], vip6[16], arp[HB_GARP_ARP_LEN], na[HB_GARP_NA_LEN], x[128];
    hb_garp_frame f;
    ip4("192.0.2.7", vip4);
    ip6("2001:db8::7", vip6);
    hb_garp_build_arp(arp, 2, MAC, vip4);
    hb_garp_build_na(na, MAC, vip6, false);
    CHECK_INT(hb_garp_build_arp(arp + 0, 3, MAC, vip4), -EINVAL);
    hb_garp_build_arp(arp, 2, MAC, vip4);

    /* every truncation fails, and never reads past the length (ASan) */
    for (size_t n = 0; n < HB_GARP_ARP_LEN; n++)
        CHECK(hb_garp_parse(arp, n, &f) < 0);
    for (size_t n = 0; n < HB_GARP_NA_LEN; n++)
        CHECK(hb_garp_parse(na, n, &f) < 0);
    CHECK_INT(hb_garp_parse(NULL, 0, &f), -EBADMSG);
    /* Ethernet padding after the frame is fine (60-byte minimum on the wire) */
    memset(x, 0, sizeof(x));
    memcpy(x, arp, sizeof(arp));
    CHECK_INT(hb_garp_parse(x, 60, &f), 0);
    memcpy(x, na, sizeof(na));
    CHECK_INT(hb_garp_parse(x, sizeof(na) + 4, &f), 0);

    /* ARP: another protocol or op is not ours; wrong lengths are damage */
    memcpy(x, arp, sizeof(arp));
    x[17] = 0x06; /* protocol 0x0806 */
    CHECK_INT(hb_garp_parse(x, sizeof(arp), &f), -EPROTO);
    memcpy(x, arp, sizeof(arp));
    x[21] = 3; /* RARP request */
    CHECK_INT(hb_garp_parse(x, sizeof(arp), &f), -EPROTO);
    memcpy(x, arp, sizeof(arp));
    x[18] = 8; /* hardware address length */
    CHECK_INT(hb_garp_parse(x, sizeof(arp), &f), -EBADMSG);
    memcpy(x, arp, sizeof(arp));
    x[12] = 0x08; /* IPv4 */
    x[13] = 0x00;
    CHECK_INT(hb_garp_parse(x, sizeof(arp), &f), -EPROTO);
    /* a request for another address is not gratuitous */
    memcpy(x, arp, sizeof(arp));
    x[41] ^= 1;
    CHECK_INT(hb_garp_parse(x, sizeof(arp), &f), 0);
    CHECK(!f.gratuitous);

    /* NA: checksum, hop limit, code, option lengths, version, payload length */
    struct {
        size_t at;
        uint8_t value;
        bool checksum; /* redo the checksum: the damage is past it */
        int rc;
    } damage[] = {
        {70, 0x01, false, -EBADMSG}, /* target address: checksum no longer matches */
        {21, 64, false, -EBADMSG},   /* hop limit 64: not from the link (RFC 4861 7.1.2) */
        {55, 1, true, -EBADMSG},     /* code 1 */
        {79, 0, true, -EBADMSG},     /* option length 0 */
        {79, 2, true, -EBADMSG},     /* option longer than the packet */
        {14, 0x40, false, -EBADMSG}, /* IPv4 version in an IPv6 frame */
        {19, 40, false, -EBADMSG},   /* payload length past the frame */
        {20, 17, false, -EPROTO},    /* UDP, not ICMPv6 */
        {54, 135, false, -EPROTO},   /* neighbour solicitation */
        {78, 1, true, 0},            /* source link-layer option: no target MAC */
    };
    for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
        memcpy(x, na, sizeof(na));
        x[damage[i].at] = damage[i].value;
        if (damage[i].checksum) {
            x[56] = x[57] = 0;
            uint16_t sum = hb_icmp6_checksum(x + 22, x + 38, x + 54, 32);
            x[56] = (uint8_t)(sum >> 8);
            x[57] = (uint8_t)sum;
        }
        CHECK_INT(hb_garp_parse(x, sizeof(na), &f), damage[i].rc);
    }
    static const uint8_t none[6];
    CHECK_MEM(f.hwaddr, 6, none, 6);
    /* a solicited NA to one node is not gratuitous (checksum redone) */
    memcpy(x, na, sizeof(na));
    x[58] = 0x60;
    x[56] = x[57] = 0;
    uint16_t ck = hb_icmp6_checksum(x + 22, x + 38, x + 54, 32);
    x[56] = (uint8_t)(ck >> 8);
    x[57] = (uint8_t)ck;
    CHECK_INT(hb_garp_parse(x, sizeof(na), &f), 0);
    CHECK(!f.gratuitous);
    /* a short payload length hides the option: parsed without it */
    memcpy(x, na, sizeof(na));
    x[19] = 24;
    x[56] = x[57] = 0;
    ck = hb_icmp6_checksum(x + 22, x + 38, x + 54, 24);
    x[56] = (uint8_t)(ck >> 8);
    x[57] = (uint8_t)ck;
    CHECK_INT(hb_garp_parse(x, sizeof(na), &f), 0);
    static const uint8_t zero[6];
    CHECK_MEM(f.hwaddr, 6, zero, 6);
}

/* ------------------------------------------------------------ on a veth pair */

static int run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "test_garp: `%s` failed (%d)\n", cmd, rc);
    return rc;
}

static void read_mac(const char *ifname, uint8_t mac[6])
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    CHECK_INT(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    close(fd);
}

/* Frames that arrive on `fd` within ms and parse as announcements of addr. */
static int receive(int fd, const uint8_t addr[16], uint8_t frames[][HB_GARP_FRAME_MAX],
                   size_t *lens, int max, int ms)
{
    int n = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (n < max && poll(&p, 1, ms) == 1) {
        uint8_t buf[2048];
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        hb_garp_frame f;
        if (got <= 0 || hb_garp_parse(buf, (size_t)got, &f) != 0 ||
            memcmp(f.addr, addr, f.family == AF_INET ? 4 : 16) != 0)
            continue;
        CHECK((size_t)got <= HB_GARP_FRAME_MAX);
        memcpy(frames[n], buf, (size_t)got);
        lens[n++] = (size_t)got;
    }
    return n;
}

static void on_the_wire(void)
{
    if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
        printf("test_garp: not root (or no network namespaces): the wire tests are skipped\n");
        return;
    }
    if (system("ip -V >/dev/null 2>&1") != 0) {
        printf("test_garp: no ip(8): the wire tests are skipped\n");
        return;
    }
    if (run("ip link add hbg0 type veth peer name hbg1") || run("ip link set hbg0 up") ||
        run("ip link set hbg1 up"))
        return;
    uint8_t mac[6];
    read_mac("hbg0", mac);
    int rx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    CHECK(rx >= 0);
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                              .sll_ifindex = (int)if_nametoindex("hbg1")};
    CHECK_INT(bind(rx, (struct sockaddr *)&sll, sizeof(sll)), 0);

    uint8_t frames[8][HB_GARP_FRAME_MAX], want[HB_GARP_FRAME_MAX];
    size_t lens[8];
    hb_garp g;
    hb_garp_spec spec = {.ifname = "hbg0", .family = AF_INET};
    ip4("192.0.2.10", spec.addr);
    /* through the namespace path, like the addon does */
    CHECK_INT(hb_garp_open(&g, &spec, "/proc/self/ns/net"), 0);
    CHECK_MEM(g.mac, 6, mac, 6);
    CHECK_INT(g.ifindex, if_nametoindex("hbg0"));
    CHECK_INT(hb_garp_send_round(&g, HB_GARP_BOTH), 2);
    CHECK_INT(hb_garp_send_round(&g, HB_GARP_REPLY), 1);
    CHECK_INT(hb_garp_send_round(&g, HB_GARP_REQUEST), 1);
    CHECK_INT(g.sent, 4);
    CHECK_INT(receive(rx, spec.addr, frames, lens, 4, 1000), 4);
    static const uint16_t order[4] = {1, 2, 2, 1};
    for (int i = 0; i < 4; i++) {
        hb_garp_build_arp(want, order[i], mac, spec.addr);
        CHECK_MEM(frames[i], lens[i], want, HB_GARP_ARP_LEN);
    }
    CHECK_INT(hb_garp_send_round(&g, (hb_garp_mode)0), -EINVAL);
    CHECK_INT(hb_garp_send_round(&g, (hb_garp_mode)4), -EINVAL);
    /* a downed interface refuses; the text says what was being done */
    run("ip link set hbg0 down");
    CHECK_INT(hb_garp_send_round(&g, HB_GARP_BOTH), -ENETDOWN);
    CHECK_STR(hb_garp_last_error(&g), "sending gratuitous ARP for 192.0.2.10 on hbg0");
    run("ip link set hbg0 up");
    hb_garp_close(&g);
    hb_garp_close(&g);
    CHECK_INT(hb_garp_send_round(&g, HB_GARP_BOTH), -EBADF);

    /* paced rounds: the first at once, then one per interval (no tight
     * timing asserts: only that the rounds are not early) */
    struct timespec t0, t1;
    unsigned rounds = 99;
    int cancel = 0;
    CHECK_INT(hb_garp_open(&g, &spec, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(hb_garp_announce(&g, HB_GARP_BOTH, 3, 100, &cancel, &rounds), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_INT(rounds, 3);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 199);
    CHECK_INT(receive(rx, spec.addr, frames, lens, 8, 500), 6);
    for (int i = 0; i < 6; i++) {
        hb_garp_build_arp(want, i % 2 ? 2 : 1, mac, spec.addr);
        CHECK_MEM(frames[i], lens[i], want, HB_GARP_ARP_LEN);
    }
    CHECK_INT(hb_garp_announce(&g, HB_GARP_REQUEST, 0, 100, NULL, &rounds), 0);
    CHECK_INT(rounds, 0);
    cancel = 1;
    CHECK_INT(hb_garp_announce(&g, HB_GARP_REQUEST, 5, 100, &cancel, &rounds), -ECANCELED);
    CHECK_INT(rounds, 0);
    hb_garp_close(&g);
    CHECK_INT(hb_garp_announce(&g, HB_GARP_REQUEST, 2, 10, NULL, &rounds), -EBADF);
    CHECK_INT(rounds, 0);

    /* IPv6: one NA per round, whatever the mode */
    spec.family = AF_INET6;
    ip6("2001:db8::10", spec.addr);
    spec.na_router = true;
    CHECK_INT(hb_garp_open(&g, &spec, NULL), 0);
    CHECK_INT(hb_garp_send_round(&g, HB_GARP_BOTH), 1);
    CHECK_INT(receive(rx, spec.addr, frames, lens, 1, 1000), 1);
    hb_garp_build_na(want, mac, spec.addr, true);
    CHECK_MEM(frames[0], lens[0], want, HB_GARP_NA_LEN);
    hb_garp_close(&g);

    /* an interface that goes away under an open sender */
    spec.ifname = "hbg0";
    CHECK_INT(hb_garp_open(&g, &spec, NULL), 0);
    run("ip link del hbg0");
    CHECK_INT(hb_garp_send_round(&g, HB_GARP_BOTH), -ENXIO);
    hb_garp_close(&g);

    /* refusals at open */
    spec.ifname = "nosuch0";
    CHECK_INT(hb_garp_open(&g, &spec, NULL), -ENODEV);
    CHECK_STR(hb_garp_last_error(&g), "opening AF_PACKET on nosuch0");
    CHECK_INT(g.fd, -1);
    spec.ifname = "lo";
    CHECK_INT(hb_garp_open(&g, &spec, NULL), -EOPNOTSUPP);
    CHECK_STR(hb_garp_last_error(&g), "announcing on lo (not an Ethernet interface, type 772)");
    spec.ifname = "hbg0";
    CHECK_INT(hb_garp_open(&g, &spec, "/nonexistent/netns"), -ENOENT);
    CHECK_STR(hb_garp_last_error(&g), "opening AF_PACKET on hbg0 in /nonexistent/netns");
    spec.ifname = "much-too-long-ifname";
    CHECK_INT(hb_garp_open(&g, &spec, NULL), -EINVAL);
    spec.ifname = "hbg0";
    spec.family = 7;
    CHECK_INT(hb_garp_open(&g, &spec, NULL), -EINVAL);
    CHECK_INT(hb_garp_open(&g, NULL, NULL), -EINVAL);
    CHECK_INT(hb_netns_socket("/dev/null", AF_PACKET, SOCK_RAW, 0), -EINVAL);
    close(rx);
}

int main(int argc, char **argv)
{
    gv_load(argc, argv);
    send_arp_frames();
    na_frames();
    parse_captured();
    damaged_frames();
    on_the_wire();
    return hbt_finish("test_garp");
}
