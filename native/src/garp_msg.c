/*
 * garp_msg.c - the frames that announce a virtual IP: gratuitous ARP
 * (IPv4) and unsolicited neighbour advertisements (IPv6), built whole
 * (Ethernet header included) for an AF_PACKET SOCK_RAW socket, and a parser
 * for both.  Pure: no I/O, no allocation, no globals.
 *
 * The ARP frames are byte for byte those of resource-agents' send_arp
 * (libnet build, tools/send_arp.libnet.c), which Heartbeat's IPaddr,
 * IPaddr2 and SendArp run; test/vectors/garp/ holds captures of it:
 *
 *   Ethernet  dst ff:ff:ff:ff:ff:ff, src = the interface's MAC, type 0x0806
 *   ARP       hrd 1 (Ethernet), pro 0x0800, hln 6, pln 4, op 1 or 2,
 *             sha = MAC, spa = VIP, tha = 00:00:00:00:00:00 (request) or
 *             MAC (reply - send_arp follows RFC 2002 4.6 here), tpa = VIP
 *
 * 42 bytes, not padded to Ethernet's 60 (drivers pad on the wire).  The
 * neighbour advertisement is the one IPv6addr's send_ua and keepalived send
 * (RFC 4861 4.4, 7.2.6): from the VIP to all nodes, Override set, Solicited
 * clear, with the Target Link-Layer Address option.  send_ua hands it to a
 * raw ICMPv6 socket, so its kernel picks the IPv6 flow label (an automatic,
 * hashed one); built here it is 0, as keepalived's.
 */
#include <errno.h>
#include <string.h>

#include <sys/socket.h>

#include "hbcore.h"

#define ETH_HDR 14u
#define ETHERTYPE_ARP_ 0x0806u
#define ETHERTYPE_IPV6_ 0x86ddu
#define ARPOP_REQUEST_ 1u
#define ARPOP_REPLY_ 2u
#define IP6_HDR 40u
#define ICMP6_NA 136u
#define NA_LEN 24u       /* type, code, checksum, flags + reserved, target */
#define NA_OPT_TLLA 2u   /* Target Link-Layer Address */
#define NA_FLAG_ROUTER 0x80u
#define NA_FLAG_SOLICITED 0x40u
#define NA_FLAG_OVERRIDE 0x20u
#define HOP_LIMIT_ND 255u

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void eth_header(uint8_t *out, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
    memcpy(out, dst, 6);
    memcpy(out + 6, src, 6);
    put16(out + 12, type);
}

/* ------------------------------------------------------------------ build */

int hb_garp_build_arp(uint8_t out[HB_GARP_ARP_LEN], uint16_t op, const uint8_t mac[6],
                      const uint8_t ip[4])
{
    if (op != ARPOP_REQUEST_ && op != ARPOP_REPLY_)
        return -EINVAL;
    static const uint8_t zero_mac[6];
    eth_header(out, bcast_mac, mac, ETHERTYPE_ARP_);
    uint8_t *a = out + ETH_HDR;
    put16(a, 1);          /* ARPHRD_ETHER */
    put16(a + 2, 0x0800); /* IPv4 */
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, mac, 6);
    memcpy(a + 14, ip, 4);
    memcpy(a + 18, op == ARPOP_REPLY_ ? mac : zero_mac, 6);
    memcpy(a + 24, ip, 4);
    return (int)HB_GARP_ARP_LEN;
}

int hb_garp_build_na(uint8_t out[HB_GARP_NA_LEN], const uint8_t mac[6], const uint8_t ip[16],
                     bool router)
{
    memset(out, 0, HB_GARP_NA_LEN);
    eth_header(out, all_nodes_mac, mac, ETHERTYPE_IPV6_);
    uint8_t *ip6 = out + ETH_HDR;
    ip6[0] = 0x60; /* version 6, traffic class 0, flow label 0 */
    put16(ip6 + 4, NA_LEN + 8);
    ip6[6] = 58;   /* ICMPv6 */
    ip6[7] = HOP_LIMIT_ND;
    memcpy(ip6 + 8, ip, 16);
    memcpy(ip6 + 24, all_nodes, 16);
    uint8_t *na = ip6 + IP6_HDR;
    na[0] = ICMP6_NA;
    na[4] = (uint8_t)(NA_FLAG_OVERRIDE | (router ? NA_FLAG_ROUTER : 0));
    memcpy(na + 8, ip, 16);
    na[24] = NA_OPT_TLLA;
    na[25] = 1; /* in units of 8 bytes */
    memcpy(na + 26, mac, 6);
    put16(na + 2, hb_icmp6_checksum(ip, all_nodes, na, NA_LEN + 8));
    return (int)HB_GARP_NA_LEN;
}

/* ------------------------------------------------------------------ parse */

static int parse_arp(const uint8_t *a, size_t len, hb_garp_frame *out)
{
    if (len < 8)
        return -EBADMSG;
    if (get16(a) != 1 || get16(a + 2) != 0x0800)
        return -EPROTO; /* not Ethernet/IPv4 ARP */
    uint16_t op = get16(a + 6);
    if (op != ARPOP_REQUEST_ && op != ARPOP_REPLY_)
        return -EPROTO;
    if (a[4] != 6 || a[5] != 4 || len < 28)
        return -EBADMSG;
    out->kind = op == ARPOP_REQUEST_ ? HB_GARP_KIND_ARP_REQUEST : HB_GARP_KIND_ARP_REPLY;
    out->family = AF_INET;
    memcpy(out->hwaddr, a + 8, 6);
    memcpy(out->addr, a + 14, 4);
    memcpy(out->target_hw, a + 18, 6);
    memcpy(out->target_ip, a + 24, 4);
    out->gratuitous = memcmp(out->addr, out->target_ip, 4) == 0;
    return 0;
}

static int parse_na(const uint8_t *ip6, size_t len, hb_garp_frame *out)
{
    if (len < IP6_HDR)
        return -EBADMSG;
    if ((ip6[0] >> 4) != 6)
        return -EBADMSG;
    if (ip6[6] != 58)
        return -EPROTO; /* extension headers are not used by NDP senders */
    size_t plen = get16(ip6 + 4);
    if (plen > len - IP6_HDR)
        return -EBADMSG;
    const uint8_t *na = ip6 + IP6_HDR;
    if (plen < 1 || na[0] != ICMP6_NA)
        return -EPROTO;
    /* RFC 4861 7.1.2: hop limit 255, code 0, length >= 24, options sized */
    if (plen < NA_LEN || na[1] != 0 || ip6[7] != HOP_LIMIT_ND)
        return -EBADMSG;
    if (hb_icmp6_checksum(ip6 + 8, ip6 + 24, na, plen) != 0)
        return -EBADMSG;
    out->kind = HB_GARP_KIND_NA;
    out->family = AF_INET6;
    memcpy(out->ip6_src, ip6 + 8, 16);
    memcpy(out->ip6_dst, ip6 + 24, 16);
    out->na_flags = na[4];
    memcpy(out->addr, na + 8, 16);
    for (size_t off = NA_LEN; off < plen;) {
        if (plen - off < 2 || na[off + 1] == 0 || na[off + 1] * 8u > plen - off)
            return -EBADMSG;
        size_t olen = na[off + 1] * 8u;
        if (na[off] == NA_OPT_TLLA && olen >= 8)
            memcpy(out->hwaddr, na + off + 2, 6);
        off += olen;
    }
    out->gratuitous = !(out->na_flags & NA_FLAG_SOLICITED) &&
                      memcmp(out->ip6_dst, all_nodes, 16) == 0;
    return 0;
}

int hb_garp_parse(const uint8_t *frame, size_t len, hb_garp_frame *out)
{
    memset(out, 0, sizeof(*out));
    if (frame == NULL || len < ETH_HDR)
        return -EBADMSG;
    memcpy(out->eth_dst, frame, 6);
    memcpy(out->eth_src, frame + 6, 6);
    uint16_t type = get16(frame + 12);
    int rc;
    if (type == ETHERTYPE_ARP_)
        rc = parse_arp(frame + ETH_HDR, len - ETH_HDR, out);
    else if (type == ETHERTYPE_IPV6_)
        rc = parse_na(frame + ETH_HDR, len - ETH_HDR, out);
    else
        rc = -EPROTO;
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    return 0;
}
