/*
 * What only the provers read about the id generator: the ghost lemma behind
 * ndl__ids_next()'s early NDL_NOIDS. ACSL only: a C compiler sees nothing
 * here. core/ids.c includes it, and so does core/ids_chapter_bug.c, the
 * chapter's generator, which stands in for ids.c in the chapter-bug proof.
 */
#ifndef NDL_CORE_IDS_PROOF_H
#define NDL_CORE_IDS_PROOF_H

#include "ids.h"

/*@ ghost
  // The counting argument behind the early NDL_NOIDS, proven by induction on
  // k: at most k of the ids 1..k are live, and fewer when one is not.
  /@ requires \valid_read(m);
     assigns \nothing;
     ensures ndl_nlive(m, k) <= k;
     ensures (\exists integer id; 1 <= id <= k && !ndl_live(m, id)) ==>
             ndl_nlive(m, k) < k;
  @/
  void nlive_bound(const struct ndl__idmap *m, uint32_t k) {
    uint32_t j = 0;
    /@ loop invariant 0 <= j <= k;
       loop invariant ndl_nlive(m, j) <= j;
       loop invariant (\exists integer id; 1 <= id <= j && !ndl_live(m, id))
                      ==> ndl_nlive(m, j) < j;
       loop assigns j;
       loop variant k - j;
    @/
    while (j < k)
      j++;
  }
*/

#endif
