/* Sending: every message gets its control fields, signatures and a place in
 * the retransmission history here, then goes out on every medium.
 *
 * The status heartbeat is most of what a node sends.  When nothing but its
 * seq differs from the previous one (same second, load, status, dt) and no
 * inner auth field is wanted (which would change with the seq), the previous
 * netstring body is kept and only the seq digits are patched: the same bytes
 * as encoding the message again, without building it field by field. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hb_engine_priv.h"
#include "hb_internal.h"

static const char *loadavg(hb_engine *e, int64_t now)
{
    if (e->loadavg[0] == '\0' || now - e->loadavg_at >= 1000) {
        FILE *f = fopen("/proc/loadavg", "r");
        if (f) {
            if (fgets(e->loadavg, sizeof e->loadavg, f)) {
                char *nl = strchr(e->loadavg, '\n');
                if (nl)
                    *nl = '\0';
            }
            fclose(f);
        }
        if (e->loadavg[0] == '\0')
            snprintf(e->loadavg, sizeof e->loadavg, "%s", "0.00 0.00 0.00 1/1 1");
        e->loadavg_at = now;
    }
    return e->loadavg;
}

/* Puts one finished datagram on every UDP medium. */
static void transmit_udp(hb_engine *e, const uint8_t *dgram, size_t len, int64_t now)
{
    for (size_t i = 0; i < e->ntx; i++) {
        int rc = hb_udp_send(&e->tx[i], dgram, len);
        if (rc < 0) {
            hb_engine_count(e, HB_CTR_TX_ERRORS, 1);
            uint64_t suppressed;
            if (hb_engine_rate_ok(e, 100 + i, now, &suppressed)) {
                char text[128];
                snprintf(text, sizeof text, "sending a heartbeat datagram (%" PRIu64 " similar suppressed)", suppressed);
                hb_engine_emit_simple(e, HB_EV_MEDIUM_ERROR, NULL, e->link_names[e->tx[i].link], NULL, -rc, 0, text);
            }
            continue;
        }
        hb_engine_count(e, HB_CTR_TX_DATAGRAMS, 1);
        hb_engine_count(e, HB_CTR_TX_BYTES, len);
    }
}

/* No receiver checks the inner auth field of a netstring datagram, not even
 * Heartbeat (wire §3.5): between hbd nodes it is left out, as `msgfmt
 * netstring` does; beside a real Heartbeat the datagrams stay byte for byte
 * what Heartbeat would send.  (Serial re-signs anyway.) */
static bool want_inner_auth(const hb_engine *e)
{
    return !e->cfg.omit_inner_auth && !hb_engine_only_hbd_peers(e);
}

static hb_control control_fields(hb_engine *e, uint64_t seq, const uint8_t *destuuid, int64_t now)
{
    return (hb_control){
        .src = e->cfg.node_name,
        .srcuuid = e->cfg.uuid,
        .destuuid = destuuid,
        .seq = seq,
        .hg = e->cfg.generation,
        .ts = hb_wall_seconds(),
        .ld = loadavg(e, now),
        .ttl = e->cfg.ttl,
    };
}

/* Adds control fields, signs, sends, remembers (for retransmission) and
 * returns the seq used (0 for NS_ messages), or a negative errno. */
int64_t hb_engine_send_msg(hb_engine *e, hb_msg *m, int64_t now)
{
    bool ns = hb_msg_is_ns(m);
    const uint8_t *destuuid = NULL;
    const char *dest = hb_msg_get_str(m, "dest");
    if (dest) {
        int d = hb_engine_find_node(e, dest);
        if (d >= 0 && e->nodes[d].have_uuid)
            destuuid = e->nodes[d].uuid;
    }
    uint64_t seq = ns ? 0 : e->seq + 1;
    hb_control c = control_fields(e, seq, destuuid, now);
    int rc = hb_msg_add_control_fields(m, &c);
    if (rc < 0)
        return rc;
    ssize_t n = hb_encode_udp_opt(m, &e->cfg.keys, want_inner_auth(e), e->txbuf, e->bufcap);
    if (n < 0)
        return n;
    if (!ns) {
        e->seq = seq;
        hb_engine_history_add(e, seq, e->txbuf, (size_t)n, now);
    }
    transmit_udp(e, e->txbuf, (size_t)n, now);
    hb_engine_serial_transmit(e, m, now);
    return (int64_t)seq;
}

static void build_status(hb_engine *e, const char *dt_hex)
{
    hb_msg_reset(&e->msg_tx);
    /* hbd=1 tells hbd peers we stretch warnings to a peer's longer dt
     * (hb_engine_cadence.c); Heartbeat ignores fields it does not read. */
    if (hb_msg_add_str(&e->msg_tx, "t", "status") < 0 || hb_msg_add_str(&e->msg_tx, "st", e->own_status) < 0 ||
        hb_msg_add_str(&e->msg_tx, "dt", dt_hex) < 0 || hb_msg_add_str(&e->msg_tx, "protocol", "1") < 0 ||
        hb_msg_add_str(&e->msg_tx, HB_HBD_FIELD, "1") < 0)
        hb_msg_reset(&e->msg_tx);
}

/* (Re)encodes the kept status body for seq; false if it cannot be kept. */
static bool encode_kept_status(hb_engine *e, hb_kept_status *k, const char *dt_hex, uint64_t seq, int64_t now)
{
    k->valid = false;
    build_status(e, dt_hex);
    hb_control c = control_fields(e, seq, NULL, now);
    if (e->msg_tx.nfields == 0 || hb_msg_add_control_fields(&e->msg_tx, &c) < 0)
        return false;
    ssize_t n = hb_encode_netstring(&e->msg_tx, k->body, sizeof k->body);
    if (n < 0 || !hb_netstring_find_value(k->body, (size_t)n, "seq", &k->seq_at, &k->seq_len))
        return false;
    k->len = (size_t)n;
    k->ts = c.ts;
    k->loadavg_at = e->loadavg_at;
    snprintf(k->st, sizeof k->st, "%s", e->own_status);
    snprintf(k->dt, sizeof k->dt, "%s", dt_hex);
    k->valid = true;
    return true;
}

/* The status body for seq from the kept one; false: send the usual way. */
static bool kept_status_for(hb_engine *e, const char *dt_hex, uint64_t seq, int64_t now)
{
    hb_kept_status *k = &e->kept_status;
    char seq_hex[17];
    size_t seq_len = hb_hex_u64(seq_hex, seq);
    (void)loadavg(e, now); /* refreshes loadavg_at once a second */
    if (k->valid && seq_len == k->seq_len && k->ts == hb_wall_seconds() && k->loadavg_at == e->loadavg_at &&
        strcmp(k->st, e->own_status) == 0 && strcmp(k->dt, dt_hex) == 0) {
        memcpy(k->body + k->seq_at, seq_hex, seq_len);
        return true;
    }
    return encode_kept_status(e, k, dt_hex, seq, now);
}

void hb_engine_send_status(hb_engine *e, int64_t now)
{
    char dt[17];
    hb_hex_u64(dt, hb_engine_advertised_deadtime(e, now));
    /* Same wake-up for the peers: held acks go just ahead of the status. */
    hb_engine_flush_held_acks(e, now);
    int64_t sent = -1;
    uint64_t seq = e->seq + 1;
    /* Serial media take the message itself, and an inner digest changes with
     * every seq: those send the usual way. */
    if (e->nserial == 0 && !want_inner_auth(e) && kept_status_for(e, dt, seq, now) && e->kept_status.len <= e->bufcap) {
        memcpy(e->txbuf, e->kept_status.body, e->kept_status.len);
        ssize_t n = hb_seal_netstring(&e->cfg.keys, e->txbuf, e->kept_status.len, e->bufcap);
        if (n >= 0) {
            e->seq = seq;
            hb_engine_history_add(e, seq, e->txbuf, (size_t)n, now);
            transmit_udp(e, e->txbuf, (size_t)n, now);
            sent = (int64_t)seq;
        }
    } else {
        e->kept_status.valid = false;
        build_status(e, dt);
        if (e->msg_tx.nfields > 0)
            sent = hb_engine_send_msg(e, &e->msg_tx, now);
    }
    if (sent >= 0) {
        hb_engine_count(e, HB_CTR_STATUS_SENT, 1);
        /* Hearing ourselves: the loop is alive and sending. */
        hb_node_state *self = &e->nodes[e->self];
        self->last_status_ms = now;
        self->heard = true;
    }
}
