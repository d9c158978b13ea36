/*
 * The one allocator the core and the platform use. Every allocation passes
 * through here so that a fault plan can fail it (see faults/fault_points.h):
 * the callers must treat NULL as NDL_ENOMEM and leave their state as it was.
 */
#ifndef NDL_CORE_ALLOC_H
#define NDL_CORE_ALLOC_H

#include <stddef.h>

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
/* Allocations made here and not yet freed (test builds; -1 otherwise). */
long ndl__alloc_live(void);
/* A malloc'd copy of len bytes plus a NUL. */
char *ndl__strndup(const char *s, size_t len);

#endif
