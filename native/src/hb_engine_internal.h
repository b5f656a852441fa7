/* Private structures shared by the heartbeat engine's files (hb_engine*.c,
 * hb_udp.c, hb_evq.c).  Not part of the public surface (hbcore.h). */
#ifndef HB_ENGINE_INTERNAL_H
#define HB_ENGINE_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "hbcore.h"

/* ------------------------------------------------------------ event queue */

#define HB_EVQ_CAPACITY 8192u

typedef struct hb_evq {
    pthread_mutex_t lock;
    hb_event *ring;          /* HB_EVQ_CAPACITY entries */
    size_t head, count;
    bool notified;           /* notify fired and not yet drained */
    hb_engine_notify_fn notify;
    void *notify_arg;
} hb_evq;

int hb_evq_init(hb_evq *q, hb_engine_notify_fn notify, void *arg);
void hb_evq_destroy(hb_evq *q);
/* Takes ownership of ev->payload.  false when full (payload freed). */
bool hb_evq_push(hb_evq *q, hb_event *ev);
size_t hb_evq_pop(hb_evq *q, hb_event *out, size_t max);

/* ------------------------------------------------------------- UDP media */

typedef struct hb_udp_tx {
    int fd;
    struct sockaddr_storage dst;
    socklen_t dst_len;
    bool connected;          /* connect()ed to dst: the kernel keeps the route */
    int link;                /* index into the engine's link names */
} hb_udp_tx;

typedef struct hb_udp_rx {
    int fd;
    int family;
    char iface[32];
    uint16_t port;
    int link;
    bool stamped;            /* SO_TIMESTAMPNS on, not watched: read at each tick */
} hb_udp_rx;

/* Opens the sending socket of a network medium.  Returns 0 or -errno with
 * err filled. */
int hb_udp_open_tx(const hb_medium_config *m, hb_udp_tx *tx, char *err, size_t errlen);

/* Opens (or, when `existing` matches family/iface/port, extends with a
 * multicast membership) the receiving socket for a medium.  Returns 0 or
 * -errno. */
int hb_udp_open_rx(const hb_medium_config *m, hb_udp_rx *rx, char *err, size_t errlen);
int hb_udp_join(const hb_medium_config *m, const hb_udp_rx *rx, char *err, size_t errlen);

/* Sends one datagram without blocking; -errno on failure. */
int hb_udp_send(hb_udp_tx *tx, const uint8_t *buf, size_t len);

/* ---------------------------------------------------------------- realtime */

/* SCHED_FIFO at prio (0 = midpoint) for the calling thread; mlock of one
 * memory region.  Each returns 0 or -errno. */
int hb_rt_set_fifo(int prio);
int hb_rt_lock_region(const void *addr, size_t len);
/* A priority-inheritance mutex (plain if the system has none). */
int hb_rt_mutex_init(pthread_mutex_t *m);

/* sys_arena.c: a zeroed mapping of at least len bytes, 2 MiB-aligned, huge
 * pages asked for, not inherited by fork(); NULL when out of memory.
 * hb_arena_size is the length actually mapped. */
void *hb_arena_map(size_t len);
size_t hb_arena_size(size_t len);
void hb_arena_unmap(void *base, size_t len);

/* ------------------------------------------------------------------- time */

/* Wall clock seconds (for the `ts` field). */
uint64_t hb_wall_seconds(void);

/* When a datagram the kernel stamped at `stamp_real_ns` (CLOCK_REALTIME, the
 * only clock socket timestamps use) arrived, in monotonic ms: the offset of
 * the two clocks read together now converts it.  Clamped to [floor_ms, now]:
 * a wall-clock step between arrival and read must not move a heartbeat into
 * the future, nor before the previous read (which would make a peer look
 * silent for longer than it was). */
int64_t hb_arrival_mono_ms(int64_t stamp_real_ns, int64_t real_now_ns, int64_t mono_now_ns, int64_t floor_ms);

#endif
