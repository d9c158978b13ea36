/*
 * The fault layer's allocator, which it installs into the core with
 * ndl__alloc_use() (core/alloc.h) in a test build: the core/malloc point,
 * and a count of the blocks live, so that a fault test can show that a
 * failed call leaked nothing (libfiu's own allocations would blur a malloc
 * statistic). A release build installs nothing and counts nothing.
 */
#include <stdlib.h>

#include "core/alloc.h"
#include "fault_points.h"

#ifdef FIU_ENABLE
#include <stdatomic.h>

static _Atomic long live_allocations;

long ndl__alloc_live(void) {
  return atomic_load(&live_allocations);
}

/* Each returns NULL when core/malloc fails; a block handed out counts 1,
 * and one freed -1 (realloc of NULL hands one out, realloc of a block moves
 * it). */
static void *fault_malloc(size_t size, void *ctx) {
  void *p;
  (void)ctx;
  ndl__fault_return_on(CORE_MALLOC, NULL);
  if ((p = malloc(size)) != NULL)
    atomic_fetch_add(&live_allocations, 1);
  return p;
}

static void *fault_calloc(size_t n, size_t size, void *ctx) {
  void *p;
  (void)ctx;
  ndl__fault_return_on(CORE_MALLOC, NULL);
  if ((p = calloc(n, size)) != NULL)
    atomic_fetch_add(&live_allocations, 1);
  return p;
}

static void *fault_realloc(void *ptr, size_t size, void *ctx) {
  void *p;
  (void)ctx;
  ndl__fault_return_on(CORE_MALLOC, NULL);
  if ((p = realloc(ptr, size)) != NULL && ptr == NULL)
    atomic_fetch_add(&live_allocations, 1);
  return p;
}

static void fault_free(void *ptr, void *ctx) {
  (void)ctx;
  atomic_fetch_sub(&live_allocations, 1);
  free(ptr);
}

static const struct ndl__allocator fault_allocator = {
    fault_malloc, fault_calloc, fault_realloc, fault_free, NULL};

void ndl__fault_alloc_install(void) {
  ndl__alloc_use(&fault_allocator);
}

#else

long ndl__alloc_live(void) {
  return -1;
}

#endif
