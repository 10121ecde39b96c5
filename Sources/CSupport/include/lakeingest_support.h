#ifndef LAKEINGEST_SUPPORT_H
#define LAKEINGEST_SUPPORT_H

/* Hints the CPU to fetch the cache line at p (hash-table probes issued a few keys ahead). */
static inline void lakeingest_prefetch(const void *p) {
    __builtin_prefetch(p, 0, 1);
}

#endif
