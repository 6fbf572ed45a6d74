#ifndef ZMESH_MEMORY_H
#define ZMESH_MEMORY_H

#include <malloc.h>

// mallopt lives in <malloc.h>, which Swift's Glibc module does not include. Returns 1 on success.
static inline int zmesh_set_malloc_arena_max(int count) {
#ifdef M_ARENA_MAX
    return mallopt(M_ARENA_MAX, count);
#else
    (void)count;
    return 0;
#endif
}

#endif
