/*
 * The chapter's javascript() on the sim backend: it ends at virtual 3500 ms,
 * every callback runs exactly once, its fixed orderings hold for every seed,
 * and a seed replays to the same trace.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/demo.h"
#include "tools/sim/scenario.h"

/* Runs the demo with the chapter-style trace captured in memory. */
static char *trace_of(uint64_t seed, struct ndl_scenario_result *r) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_not_null(f);
  cr_assert_eq(ndl_scenario_run(ndl_scenario_find("demo"), seed,
                                ndl_trace_print_chapter_style, f, r),
               0);
  fclose(f);
  return buf;
}

static const char *find(const char *trace, const char *line) {
  const char *p = strstr(trace, line);
  cr_assert_not_null(p, "missing: %s\n%s", line, trace);
  return p;
}

static void before(const char *trace, const char *a, const char *b) {
  cr_assert(find(trace, a) < find(trace, b), "'%s' should come before '%s'", a,
            b);
}

Test(demo_sim, ends_at_3500_with_nothing_lost) {
  struct ndl_scenario_result r;
  char *t = trace_of(1, &r);
  cr_assert_str_empty(r.failure, "%s", r.failure);
  cr_assert_eq(r.end_ms, 3500);
  /* The program's 10 (3 reads + encrypt + 2 immediates + 3000 + 500 + 1000
   * + web call), and the 8 of the slow server and the HTTP client, which
   * share the loop on sim. */
  cr_assert_eq(r.stats.callbacks, 18);
  cr_assert_eq(r.stats.lost, 0);
  cr_assert_eq(r.stats.duplicated, 0);
  free(t);
}

Test(demo_sim, fixed_orderings_hold_for_many_seeds) {
  uint64_t seed;
  for (seed = 0; seed < 200; seed++) {
    struct ndl_scenario_result r;
    char *t = trace_of(seed, &r);
    cr_assert_str_empty(r.failure, "seed %llu: %s", (unsigned long long)seed,
                        r.failure);
    before(t, "Registering http get request", "===== TICK 1 =====");
    before(t, "Immediate1 timed out", "Immediate2 timed out");
    before(t, "First count: 39 characters.",
           "\"Encrypted\" number is: 63245986");
    before(t, "Second count: 39 characters.", "Third call to read");
    before(t, "SETTIMEOUT", "3000ms timer timed out");
    before(t, "START CONTENT - WEB CALL", "3000ms timer timed out");
    before(t, "3000ms timer timed out", "500ms timer(nested) timed out");
    before(t, "500ms timer(nested) timed out", "FINISHED");
    free(t);
  }
}

Test(demo_sim, same_seed_same_trace) {
  struct ndl_scenario_result r1, r2;
  char *a = trace_of(17, &r1), *b = trace_of(17, &r2);
  cr_assert_str_eq(a, b);
  free(a);
  free(b);
}

Test(demo_sim, test_txt_matches_the_sim_text) {
  char buf[128] = {0};
  FILE *f = fopen(NDL_SOURCE_DIR "/examples/test.txt", "r");
  size_t n;
  cr_assert_not_null(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  cr_assert_eq(n, 39);
  cr_assert_str_eq(buf, NDL_DEMO_TEXT);
}
