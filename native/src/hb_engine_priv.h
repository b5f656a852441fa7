/* The engine's own state, shared by hb_engine*.c only. */
#ifndef HB_ENGINE_PRIV_H
#define HB_ENGINE_PRIV_H

#include "hb_engine_internal.h"

#define HB_RATE_KEYS 512u
#define HB_ENGINE_STACK_SIZE (256u * 1024u)
/* Up to this keepalive, datagrams are read at the thread's next wake-up
 * instead of waking it (hb_engine_rx.c): the longest a message waits. */
#define HB_RX_COALESCE_MAX_MS 50u

typedef struct hb_rate {
    int64_t last_ms;
    uint64_t suppressed;
} hb_rate;

typedef struct hb_link_state {
    bool up;
    bool ever;
    int64_t last_rx_ms;
} hb_link_state;

typedef struct hb_node_state {
    char name[HB_NODE_NAME_MAX + 1];
    bool is_self;
    bool is_ping;
    char status[HB_STATUS_MAX];
    bool heard;
    bool dead;
    bool restarted_since_death;
    int64_t last_status_ms;
    bool stall_forgiven;     /* this silence already got a stall back (once per silence) */
    uint32_t dt_ms;
    bool hbd;                /* its last status carried hbd=1 (hb_engine_cadence.c) */
    bool sends_rarely;       /* its last two statuses were 4+ keepalives apart (hb_engine_rx.c) */
    bool have_uuid;
    uint8_t uuid[HB_UUID_LEN];
    /* Sequencing, generation, missing seqs and acks of this node (hb_peer.c). */
    hb_peer peer;
    hb_seq_result last_result;
    /* Acks/flow control stay on while every status carries protocol=1 (§6.6). */
    bool flow_control;
    /* A quiet standby holds its acks for its next status (hb_engine_seq.c). */
    bool ack_held;
    uint64_t ack_held_seq;
    uint64_t ack_held_generation;
    hb_link_state links[HB_ENGINE_MAX_MEDIA];
    /* The pre-armed takeover for this peer (consumed when it is declared dead). */
    hb_takeover_step *plan;
    size_t plan_n;
    /* ping nodes */
    size_t naddrs;
    struct sockaddr_storage addrs[HB_PING_GROUP_MAX_ADDRS];
} hb_node_state;

/* The status field by which hbd nodes know each other. */
#define HB_HBD_FIELD "hbd"

/* The last status heartbeat's netstring body, kept for the next one when only
 * the seq changes (hb_engine_send.c); the inputs it was encoded from. */
typedef struct hb_kept_status {
    bool valid;
    size_t len, seq_at, seq_len;
    uint64_t ts;
    int64_t loadavg_at;
    char st[HB_STATUS_MAX];
    char dt[17];
    uint8_t body[HB_HISTORY_DATAGRAM_MAX];
} hb_kept_status;

/* Quiet standby (hb_engine_cadence.c). */
typedef enum hb_quiet_phase { HB_QUIET_OFF = 0, HB_QUIET_ANNOUNCING, HB_QUIET_ON } hb_quiet_phase;

typedef enum hb_cmd_kind { HB_CMD_STATUS = 1, HB_CMD_SEND, HB_CMD_ARM, HB_CMD_STANDBY } hb_cmd_kind;

typedef struct hb_cmd {
    struct hb_cmd *next;
    hb_cmd_kind kind;
    char status[HB_STATUS_MAX];
    bool standby;                    /* HB_CMD_STANDBY */
    char node[HB_NODE_NAME_MAX + 1]; /* HB_CMD_ARM */
    size_t body_len;                 /* HB_CMD_SEND: bytes; HB_CMD_ARM: steps */
    uint8_t body[];
} hb_cmd;

/* Gratuitous ARP/NA rounds still to send after a native takeover. */
#define HB_MAX_ANNOUNCERS 64u
typedef struct hb_announcer {
    bool active;
    hb_garp garp;
    unsigned left;
    unsigned interval_ms;
    int mode;
    int64_t next_ms;
} hb_announcer;

/* epoll tags: kind in the high 32 bits, index in the low 32. */
enum { HB_FD_TIMER = 1, HB_FD_WAKE, HB_FD_RX, HB_FD_SERIAL, HB_FD_ICMP };

typedef enum hb_seq_outcome {
    HB_SEQ_OUT_ACCEPT = 0,
    HB_SEQ_OUT_DUPLICATE,
    HB_SEQ_OUT_OLD,
    HB_SEQ_OUT_REPLAY,
} hb_seq_outcome;

struct hb_engine {
    hb_engine_config cfg;
    hb_evq evq;
    uint64_t counters[HB_CTR_COUNT]; /* updated with relaxed __atomic builtins */

    /* Node table and own state: the engine thread holds `lock` while it works;
     * readers (hb_engine_view_get) take it briefly. */
    pthread_mutex_t lock;
    pthread_mutex_t cmd_lock;
    hb_cmd *cmd_head, *cmd_tail;

    pthread_t thread;
    size_t arena_len; /* the engine, history and buffers: one mapping (sys_arena.c) */
    void *stack;
    bool thread_started;
    atomic_bool stop;
    int epfd, timerfd, wakefd;

    size_t nlinks;
    char link_names[HB_ENGINE_MAX_MEDIA][HB_LINK_NAME_MAX];
    size_t ntx;
    hb_udp_tx tx[HB_ENGINE_MAX_MEDIA];
    size_t nrx;
    hb_udp_rx rx[HB_ENGINE_MAX_MEDIA];
    /* serial media (hb_serial_*.c): one port each, ~0.5 MiB, on the heap */
    size_t nserial;
    hb_serial_port *serial[HB_ENGINE_MAX_MEDIA];
    int serial_link[HB_ENGINE_MAX_MEDIA];
    bool serial_want_out[HB_ENGINE_MAX_MEDIA];
    int64_t serial_retry_ms[HB_ENGINE_MAX_MEDIA]; /* >0: hung up, re-poll then */

    size_t nnodes;
    int self;
    hb_node_state nodes[HB_ENGINE_MAX_NODES + HB_ENGINE_MAX_PING];

    char own_status[HB_STATUS_MAX];
    uint64_t seq;
    hb_history *history;     /* our sent datagrams, for NS_rexmit (hb_history.c) */
    /* ping nodes: raw ICMP sockets, our echo id and payload tag */
    int ping_fd4, ping_fd6;
    uint16_t ping_id, ping_seq;
    uint64_t ping_tag;
    int64_t next_ping_ms;
    /* native takeover: rtnetlink handle (opened on first use) and announcers */
    hb_rtnl *rtnl;
    hb_announcer announcers[HB_MAX_ANNOUNCERS];
    unsigned announcers_active;
    uint64_t rng;            /* xorshift state: ack triggers, rexmit spreading */
    int64_t start_ms;
    int64_t next_send_ms;
    uint32_t send_interval_ms; /* keepalive_ms, or standby_keepalive_ms (hb_engine_cadence.c) */
    bool standby_wanted;     /* JS: this node holds nothing (hb_engine_set_standby) */
    hb_quiet_phase quiet_phase;
    int64_t quiet_since_ms;  /* when the standby deadtime was first advertised */
    int64_t armed_ms;        /* the absolute deadline the thread last slept until */
    bool sleep_by_timerfd;   /* no epoll_pwait2 (kernel < 5.11): the timerfd wakes us */
    bool rx_unwatched;       /* some media are read at each wake-up, not watched */
    bool rx_stamped_media;   /* ... could be (short keepalive, kernel stamps): hb_engine_rx_fit_to_peers */
    int64_t rx_read_ms;      /* when they were last read */
    const struct sockaddr_storage *rx_from; /* the datagram being handled (hb_engine_rx.c) */
    char loadavg[64];
    int64_t loadavg_at;
    hb_kept_status kept_status;

    size_t bufcap;
    uint8_t *txbuf, *rxbuf, *scratch, *store_rx, *store_tx, *store_aux;
    hb_msg msg_rx, msg_tx, msg_aux;

    hb_rate rate[HB_RATE_KEYS];
};

/* hb_engine_send.c */
int64_t hb_engine_send_msg(hb_engine *e, hb_msg *m, int64_t now);
void hb_engine_send_status(hb_engine *e, int64_t now);

/* hb_engine.c */
void hb_engine_count(hb_engine *e, int counter, uint64_t n);
void hb_engine_emit(hb_engine *e, hb_event *ev);
void hb_engine_emit_simple(hb_engine *e, hb_event_type type, const char *node, const char *link, const char *status,
                           int64_t value, int64_t value2, const char *text);
bool hb_engine_rate_ok(hb_engine *e, size_t key, int64_t now, uint64_t *suppressed);
int hb_engine_find_node(const hb_engine *e, const char *name);
int hb_engine_push_command(hb_engine *e, hb_cmd *c);
void hb_engine_reject(hb_engine *e, int counter_base, int reason, const char *reason_name, const char *detail, int64_t now);
void hb_engine_on_message_bytes(hb_engine *e, int link, const uint8_t *buf, size_t len, const char *from, int64_t now);

uint64_t hb_engine_random(hb_engine *e);

/* hb_engine_rx.c: reading the UDP media */
/* Short keepalive: stamps on, the socket is not watched (true); else false. */
bool hb_engine_rx_unwatched(hb_engine *e, hb_udp_rx *rx);
void hb_engine_rx_read_unwatched(hb_engine *e);
void hb_engine_rx_ready(hb_engine *e, size_t index, int64_t now);
/* Watches the stamped media while every live peer sends rarely (a quiet
 * standby), else reads them at each wake-up. */
void hb_engine_rx_fit_to_peers(hb_engine *e);

/* hb_engine_seq.c: sequencing, retransmission, acks (wire §6.3-6.6) */
hb_seq_outcome hb_engine_seq_check(hb_engine *e, hb_node_state *n, uint64_t hg, uint64_t seq, bool ns, int64_t now);
void hb_engine_history_add(hb_engine *e, uint64_t seq, const uint8_t *dgram, size_t len, int64_t now);
/* A node was declared dead: forget its sequencing like Heartbeat's mark_node_dead. */
void hb_engine_seq_node_dead(hb_engine *e, hb_node_state *n);
void hb_engine_on_ns_message(hb_engine *e, hb_node_state *n, const hb_msg *m, const char *type, int64_t now);
void hb_engine_maybe_ack(hb_engine *e, hb_node_state *n, uint64_t seq, int64_t now);
/* At least one live peer, and every live peer is hbd (hb_engine_cadence.c). */
bool hb_engine_only_hbd_peers(const hb_engine *e);
/* Sends the acks a quiet standby held back (before each status heartbeat). */
void hb_engine_flush_held_acks(hb_engine *e, int64_t now);
int64_t hb_engine_rexmit_timers(hb_engine *e, int64_t now);

/* hb_engine_takeover.c: the pre-armed takeover */
void hb_engine_set_plan(hb_engine *e, const char *node, const hb_takeover_step *steps, size_t n);
void hb_engine_run_plan(hb_engine *e, hb_node_state *n, int64_t now);
int64_t hb_engine_announce_timers(hb_engine *e, int64_t now);
void hb_engine_takeover_close(hb_engine *e);

/* hb_engine_cadence.c: send interval and advertised deadtime */
/* JS says whether this node holds nothing; the engine picks the cadence. */
void hb_engine_set_cadence(hb_engine *e, bool standby, int64_t now);
/* After anything the cadence depends on changed (peers heard, dead, hbd). */
void hb_engine_cadence_update(hb_engine *e, int64_t now);
int64_t hb_engine_cadence_timers(hb_engine *e, int64_t now);
uint32_t hb_engine_advertised_deadtime(const hb_engine *e, int64_t now);
/* The late-heartbeat threshold for a peer: warntime, stretched for an hbd
 * peer that advertises a longer dt than our deadtime. */
int64_t hb_engine_warntime_for(const hb_engine *e, const hb_node_state *n);

/* hb_engine_ping.c: ping nodes */
int hb_engine_ping_open(hb_engine *e, char *err, size_t errlen);
void hb_engine_ping_close(hb_engine *e);
void hb_engine_ping_io(hb_engine *e, uint32_t index, int64_t now);
int64_t hb_engine_ping_timers(hb_engine *e, int64_t now);

/* hb_engine_serial.c: serial media */
int hb_engine_serial_open(hb_engine *e, char *err, size_t errlen);
void hb_engine_serial_close(hb_engine *e);
void hb_engine_serial_io(hb_engine *e, uint32_t index, uint32_t events, int64_t now);
void hb_engine_serial_transmit(hb_engine *e, const hb_msg *m, int64_t now);
/* Re-sends a kept UDP datagram (netstring) on the serial links, as classic text. */
void hb_engine_serial_retransmit(hb_engine *e, const uint8_t *dgram, size_t len, int64_t now);
int64_t hb_engine_serial_timers(hb_engine *e, int64_t now);

/* hb_engine_setup.c */
void hb_format_sockaddr(const struct sockaddr_storage *sa, char *out, size_t cap);
int hb_engine_add_fd(hb_engine *e, int fd, uint32_t kind, uint32_t index, uint32_t events);
/* The link index of a serial device (registered at open). */
int hb_engine_serial_link(hb_engine *e, const char *device);

#endif
