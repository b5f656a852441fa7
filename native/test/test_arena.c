/* test_arena.c - the heartbeat thread's working set in one mapping
 * (sys_arena.c): 2 MiB-aligned, zeroed, all of it usable, gone in a child
 * after fork(). */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hbtest.h"
#include "hb_engine_internal.h"

#define MIB (1024u * 1024u)

static void sizes_round_up_to_huge_pages(void)
{
    CHECK_INT(hb_arena_size(1), 2 * MIB);
    CHECK_INT(hb_arena_size(2 * MIB), 2 * MIB);
    CHECK_INT(hb_arena_size(2 * MIB + 1), 4 * MIB);
}

static void aligned_zeroed_and_writable(void)
{
    size_t len = 2 * MIB + 12345;
    uint8_t *a = hb_arena_map(len);
    CHECK(a != NULL);
    if (!a)
        return;
    CHECK_INT((uintptr_t)a % (2 * MIB), 0);
    size_t size = hb_arena_size(len);
    bool zero = true;
    for (size_t i = 0; i < size; i += 4096)
        zero = zero && a[i] == 0 && a[i + 4095] == 0;
    CHECK(zero);
    memset(a, 0xa5, size);
    CHECK_INT(a[size - 1], 0xa5);
    /* Every page of it is mapped: mincore fails with ENOMEM on an unmapped one. */
    unsigned char vec[(4 * MIB) / 4096];
    CHECK_INT(mincore(a, size, vec), 0);
    hb_arena_unmap(a, len);
    CHECK(mincore(a, 4096, vec) < 0 && errno == ENOMEM);
}

static void not_inherited_by_a_child(void)
{
    uint8_t *a = hb_arena_map(4096);
    CHECK(a != NULL);
    if (!a)
        return;
    a[0] = 1;
    pid_t pid = fork();
    if (pid == 0) {
        unsigned char vec[1];
        _exit(mincore(a, 4096, vec) < 0 && errno == ENOMEM ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(a[0], 1);
    hb_arena_unmap(a, 4096);
}

int main(void)
{
    sizes_round_up_to_huge_pages();
    aligned_zeroed_and_writable();
    not_inherited_by_a_child();
    return hbt_finish("test_arena");
}
