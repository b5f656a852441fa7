/* The engine -> JS event queue: a mutex-protected ring.  The engine thread
 * pushes; the JS thread pops.  The notify callback fires once when the queue
 * becomes non-empty and again only after it has been drained, so a burst of
 * events costs one wake-up of the JS thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hb_engine_internal.h"

int hb_evq_init(hb_evq *q, hb_engine_notify_fn notify, void *arg)
{
    memset(q, 0, sizeof *q);
    q->ring = calloc(HB_EVQ_CAPACITY, sizeof *q->ring);
    if (!q->ring)
        return -ENOMEM;
    hb_rt_mutex_init(&q->lock);
    q->notify = notify;
    q->notify_arg = arg;
    return 0;
}

void hb_evq_destroy(hb_evq *q)
{
    if (!q->ring)
        return;
    for (size_t i = 0; i < q->count; i++)
        free(q->ring[(q->head + i) % HB_EVQ_CAPACITY].payload);
    free(q->ring);
    q->ring = NULL;
    pthread_mutex_destroy(&q->lock);
}

bool hb_evq_push(hb_evq *q, hb_event *ev)
{
    bool fire = false;
    pthread_mutex_lock(&q->lock);
    if (q->count == HB_EVQ_CAPACITY) {
        pthread_mutex_unlock(&q->lock);
        free(ev->payload);
        ev->payload = NULL;
        return false;
    }
    q->ring[(q->head + q->count) % HB_EVQ_CAPACITY] = *ev;
    q->count++;
    if (!q->notified) {
        q->notified = true;
        fire = true;
    }
    pthread_mutex_unlock(&q->lock);
    if (fire && q->notify)
        q->notify(q->notify_arg);
    return true;
}

size_t hb_evq_pop(hb_evq *q, hb_event *out, size_t max)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->count < max ? q->count : max;
    for (size_t i = 0; i < n; i++)
        out[i] = q->ring[(q->head + i) % HB_EVQ_CAPACITY];
    q->head = (q->head + n) % HB_EVQ_CAPACITY;
    q->count -= n;
    if (q->count == 0)
        q->notified = false;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void hb_event_free(hb_event *ev)
{
    free(ev->payload);
    ev->payload = NULL;
    ev->payload_len = 0;
}
