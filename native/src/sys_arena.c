/* One mapping for the heartbeat thread's working set (the engine state, its
 * send history and buffers).  The thread sleeps between heartbeats and wakes
 * with its caches and TLB taken over by other processes; spread over the
 * heap its ~2.5 MiB cost a TLB miss per page it touches (a two-level walk
 * under a hypervisor).  Aligned to and asking for 2 MiB pages, the whole set
 * is one or two TLB entries.  Not inherited by fork(): a child (a resource
 * script on its way to exec) never needs it, and the engine thread then
 * never copies a shared page on its next write.  Thread stacks must not live
 * here: glibc keeps a thread's descriptor at the top of a stack it was given,
 * and a forked child walks every descriptor before it can exec. */
#include <stdint.h>
#include <sys/mman.h>

#include "hb_engine_internal.h"

#define HUGE_PAGE (2u * 1024u * 1024u)

static size_t round_up(size_t v, size_t to)
{
    return (v + to - 1) / to * to;
}

size_t hb_arena_size(size_t len)
{
    return round_up(len, HUGE_PAGE);
}

void *hb_arena_map(size_t len)
{
    size_t want = hb_arena_size(len);
    /* Over-allocate by one huge page, then cut the mapping to an aligned one. */
    uint8_t *raw = mmap(NULL, want + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uint8_t *base = (uint8_t *)round_up((uintptr_t)raw, HUGE_PAGE);
    if (base > raw)
        munmap(raw, (size_t)(base - raw));
    size_t tail = (size_t)(raw + want + HUGE_PAGE - (base + want));
    if (tail > 0)
        munmap(base + want, tail);
    /* Both are hints: without transparent huge pages (or on an old kernel)
     * the arena is ordinary memory. */
    (void)madvise(base, want, MADV_HUGEPAGE);
    (void)madvise(base, want, MADV_DONTFORK);
    return base;
}

void hb_arena_unmap(void *base, size_t len)
{
    if (base)
        munmap(base, hb_arena_size(len));
}
