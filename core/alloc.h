/*
 * The one allocator the core and the platform use. Allocation is an input of
 * the core, as in nghttp2 (nghttp2_mem): every call goes through a table of
 * functions, the C library's unless one is installed with ndl__alloc_use().
 * The fault layer installs one that a fault plan can fail and that counts
 * live blocks (faults/alloc.c); the core knows nothing of it. The callers
 * must treat NULL as NDL_ENOMEM and leave their state as it was.
 */
#ifndef NDL_CORE_ALLOC_H
#define NDL_CORE_ALLOC_H

#include <stddef.h>

/* An allocator: malloc, calloc, realloc and free with the C library's
 * meaning, each passed ctx. The core never asks for 0 bytes, never passes
 * free() a NULL, and checks n * size for overflow before realloc. */
struct ndl__allocator {
  void *(*malloc)(size_t size, void *ctx);
  void *(*calloc)(size_t n, size_t size, void *ctx);
  void *(*realloc)(void *ptr, size_t size, void *ctx);
  void (*free)(void *ptr, void *ctx);
  void *ctx;
};

/* Makes every later allocation go through a (NULL: the C library again).
 * One allocator serves the whole process, since ndl__malloc() and its
 * callers take no loop to find one in. Call it before the first allocation, so
 * that no block is freed by another allocator than its own, and before any
 * thread starts: the table is read without a lock. a must outlive every
 * allocation made through it. */
void ndl__alloc_use(const struct ndl__allocator *a);

/* The ACSL contracts below are what the proofs (docs/proofs.md) trust about
 * the allocator: it touches no memory the caller can see, and it returns NULL
 * or a block of the size asked for. Frama-C WP does not model freeing, so
 * ndl__reallocarray() and ndl__free() say nothing about the old block. */

/*@ assigns \result \from size;
    ensures \result == \null || \valid((char *)\result + (0 .. size - 1));
*/
void *ndl__malloc(size_t size);
/*@ assigns \result \from n, size;
    ensures \result == \null ||
            \valid((char *)\result + (0 .. n * size - 1));
*/
void *ndl__calloc(size_t n, size_t size);
/* Like realloc, but n * size is checked for overflow (NULL on overflow). */
/*@ assigns \result \from ptr, n, size;
    ensures \result == \null ||
            \valid((char *)\result + (0 .. n * size - 1));
*/
void *ndl__reallocarray(void *ptr, size_t n, size_t size);
/*@ assigns \nothing; */
void ndl__free(void *ptr);
/* A malloc'd copy of len bytes plus a NUL. */
char *ndl__strndup(const char *s, size_t len);

#endif
