/*
 * The map from a live callback id to its record's slot: open addressing with
 * linear probing and backward-shift deletion, so a lookup touches one or two
 * cache lines and a delete leaves no tombstones. Id 0 marks an empty bucket,
 * which is why 0 is never handed out as an id.
 */
#ifndef NDL_CORE_IDMAP_H
#define NDL_CORE_IDMAP_H

#include <stdint.h>

#define NDL__NIL UINT32_MAX

struct ndl__idmap_bucket {
  uint32_t id;
  uint32_t slot;
};

struct ndl__idmap {
  struct ndl__idmap_bucket *b;
  uint32_t mask; /* bucket count - 1; the count is a power of two */
  uint32_t count;
};

/*@
  // ---- ACSL model of the map, for Frama-C WP (see docs/proofs.md). ----
  // Bucket counts and the probe order are written without bit operations
  // (mask + 1 buckets; the probe after i is i + 1, or 0 after mask), so the
  // provers reason in linear arithmetic.

  // The bucket an id hashes to: exactly what home() in idmap.c computes.
  logic integer ndl_home(integer id, integer mask) =
    ((uint32_t)((uint32_t)((uint64_t)((id >> 3) * 2654435769) >> 7) << 3) |
     (id & 7)) & mask;

  // Clearing bits cannot make a non-negative number larger. True of every
  // pair of naturals, but WP's bit theory gives the SMT solvers no way to
  // prove it (it needs induction over the bits), so it is the one lemma
  // listed as a known gap in docs/proofs.md. It bounds home() by the mask.
  lemma ndl_land_bound: \forall integer a, b;
    0 <= a && 0 <= b ==> 0 <= (a & b) <= a && (a & b) <= b;

  // How many probes it takes to get from bucket h to bucket j in a table of
  // n buckets, wrapping from n - 1 to 0.
  logic integer ndl_dist(integer h, integer j, integer n) =
    j >= h ? j - h : j - h + n;

  // id is in the map. Id 0 marks an empty bucket, so it is never live.
  predicate ndl_live{L}(struct ndl__idmap *m, integer id) =
    id != 0 && m->b != \null &&
    \exists integer i; 0 <= i <= m->mask && m->b[i].id == id;

  // Linear probing: every bucket between an id's home and the bucket that
  // holds it is occupied, so a lookup may stop at the first empty bucket.
  predicate ndl_probe_runs{L}(struct ndl__idmap *m) =
    \forall integer j, k; 0 <= j <= m->mask && 0 <= k <= m->mask &&
      m->b[j].id != 0 &&
      ndl_dist(ndl_home(m->b[j].id, m->mask), k, m->mask + 1) <
        ndl_dist(ndl_home(m->b[j].id, m->mask), j, m->mask + 1) ==>
      m->b[k].id != 0;

  // What ndl__idmap_find() relies on: the buckets are readable, at least one
  // is empty (the load stays at or under 1/2), the probe runs are unbroken,
  // and no stored slot is NDL__NIL, the "absent" answer.
  predicate ndl_map_ok{L}(struct ndl__idmap *m) =
    \valid_read(m) &&
    (m->b == \null ||
     (\valid_read(m->b + (0 .. m->mask)) &&
      (\exists integer j; 0 <= j <= m->mask && m->b[j].id == 0) &&
      ndl_probe_runs(m) &&
      (\forall integer j; 0 <= j <= m->mask && m->b[j].id != 0 ==>
         m->b[j].slot != NDL__NIL)));

  // Every id is in one bucket at most, as insert (which takes an id that is
  // not present) leaves the map.
  predicate ndl_map_distinct{L}(struct ndl__idmap *m) =
    \forall integer j, k; 0 <= j <= m->mask && 0 <= k <= m->mask &&
      m->b[j].id != 0 && m->b[j].id == m->b[k].id ==> j == k;

  // The number of live ids in [1, k], defined by recursion on k. (ACSL
  // cannot use a predicate with a quantifier as the condition of a term, so
  // the three cases of the definition are written as axioms; together they
  // define the function on every k, so they are consistent.)
  axiomatic NdlLiveCount {
    logic integer ndl_nlive{L}(struct ndl__idmap *m, integer k)
      reads m->b, m->mask, m->b[0 .. m->mask].id;
    axiom ndl_nlive_empty{L}: \forall struct ndl__idmap *m, integer k;
      k <= 0 ==> ndl_nlive(m, k) == 0;
    axiom ndl_nlive_live{L}: \forall struct ndl__idmap *m, integer k;
      k > 0 && ndl_live(m, k) ==> ndl_nlive(m, k) == ndl_nlive(m, k - 1) + 1;
    axiom ndl_nlive_free{L}: \forall struct ndl__idmap *m, integer k;
      k > 0 && !ndl_live(m, k) ==> ndl_nlive(m, k) == ndl_nlive(m, k - 1);
  }
*/

/*@ requires \valid(m);
    assigns *m;
    ensures ndl_map_ok(m) && m->b == \null && m->count == 0;
*/
void ndl__idmap_init(struct ndl__idmap *m);
void ndl__idmap_free(struct ndl__idmap *m);
/* The slot of id, or NDL__NIL. */
/*@ requires ndl_map_ok(m);
    assigns \nothing;
    ensures absent: \result == NDL__NIL <==> !ndl_live(m, id);
    ensures slot: \result != NDL__NIL ==>
      \exists integer i; 0 <= i <= m->mask && m->b[i].id == id &&
                         m->b[i].slot == \result;
*/
uint32_t ndl__idmap_find(const struct ndl__idmap *m, uint32_t id);
/* Grows the table so that one more insert cannot fail. Errors: NDL_ENOMEM. */
int ndl__idmap_reserve_one(struct ndl__idmap *m);
/* Inserts an id that is not present, after ndl__idmap_reserve_one(). */
void ndl__idmap_insert(struct ndl__idmap *m, uint32_t id, uint32_t slot);
/* Removes id if present: it is no longer live, and every other id is live
 * exactly when it was. */
/*@ requires ok: ndl_map_ok(m) && \valid(m);
    requires buckets: m->b != \null ==>
      \valid(m->b + (0 .. m->mask)) && \separated(m, m->b + (0 .. m->mask));
    requires distinct: ndl_map_distinct(m);
    assigns m->b[0 .. m->mask], m->count;
    ensures gone: !ndl_live(m, id);
    ensures others_kept: \forall integer x; x != id &&
      \old(ndl_live(m, x)) ==> ndl_live(m, x);
    ensures no_others: \forall integer x; x != id &&
      ndl_live(m, x) ==> \old(ndl_live(m, x));
*/
void ndl__idmap_remove(struct ndl__idmap *m, uint32_t id);

#endif
