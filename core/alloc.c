#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The default allocator: the C library's, with no context. */
static void *plain_malloc(size_t size, void *ctx) {
  (void)ctx;
  return malloc(size);
}
static void *plain_calloc(size_t n, size_t size, void *ctx) {
  (void)ctx;
  return calloc(n, size);
}
static void *plain_realloc(void *ptr, size_t size, void *ctx) {
  (void)ctx;
  return realloc(ptr, size);
}
static void plain_free(void *ptr, void *ctx) {
  (void)ctx;
  free(ptr);
}

static const struct ndl__allocator plain = {plain_malloc, plain_calloc,
                                            plain_realloc, plain_free, NULL};

/* Written only by ndl__alloc_use(), before the first allocation and before
 * any thread starts, so every thread reads it without a lock. */
static const struct ndl__allocator *use = &plain;

void ndl__alloc_use(const struct ndl__allocator *a) {
  use = a != NULL ? a : &plain;
}

void *ndl__malloc(size_t size) {
  return use->malloc(size == 0 ? 1 : size, use->ctx);
}

void *ndl__calloc(size_t n, size_t size) {
  return use->calloc(n == 0 ? 1 : n, size == 0 ? 1 : size, use->ctx);
}

void *ndl__reallocarray(void *ptr, size_t n, size_t size) {
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  return use->realloc(ptr, n * size == 0 ? 1 : n * size, use->ctx);
}

void ndl__free(void *ptr) {
  if (ptr != NULL)
    use->free(ptr, use->ctx);
}

char *ndl__strndup(const char *s, size_t len) {
  char *copy;
  if (len == SIZE_MAX)
    return NULL;
  copy = ndl__malloc(len + 1);
  if (copy == NULL)
    return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}
