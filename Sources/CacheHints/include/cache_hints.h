// Hints to the CPU's caches that Swift has no words for.
#ifndef MPITRAIN_CACHE_HINTS_H
#define MPITRAIN_CACHE_HINTS_H

/// Starts loading the cache line holding `address` into every cache level, without waiting for
/// it and without faulting: a later read finds it there. (x86 `prefetcht0`.)
static inline void mpitrain_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
