/*
 * The text of programs (tools/reference/program_text.h) and the shrinking
 * of a failure with its fault plan (tools/reference/shrink_world.h):
 * read(write(p)) == p for generated programs, strict reading with the line
 * of each error, and a plan shrunk to the one call that fails.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults/plan.h"
#include "nodeloop_faults.h"
#include "tools/reference/program.h"
#include "tools/reference/program_text.h"
#include "tools/reference/shrink_world.h"

static struct prog a, b;

static void expect_same(const struct prog *x, const struct prog *y,
                        uint64_t seed) {
  int i;
  cr_assert_eq(x->cfg.sim_seed, y->cfg.sim_seed, "seed %llu",
               (unsigned long long)seed);
  cr_assert_eq(x->cfg.pool, y->cfg.pool);
  cr_assert_eq(x->cfg.inline_work, y->cfg.inline_work);
  cr_assert_eq(x->cfg.spread_ns, y->cfg.spread_ns);
  cr_assert_eq(x->cfg.id_bits, y->cfg.id_bits);
  cr_assert_eq(x->n, y->n, "seed %llu", (unsigned long long)seed);
  for (i = 0; i < x->n; i++) {
    const struct prog_op *o = &x->op[i], *q = &y->op[i];
    cr_assert(o->kind == q->kind && o->unref == q->unref &&
                  o->parent == q->parent && o->target == q->target &&
                  o->delay_ms == q->delay_ms && o->count == q->count &&
                  o->gap_ms == q->gap_ms,
              "seed %llu: op %d differs after the round trip",
              (unsigned long long)seed, i);
  }
}

/* Writes p (with plan) to memory and reads it back into b. */
static void round_trip(const struct prog *p, const char *plan, char *got_plan,
                       uint64_t seed) {
  char *text = NULL, why[512];
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  cr_assert_not_null(f);
  cr_assert_eq(prog_write(p, plan, f), 0, "seed %llu",
               (unsigned long long)seed);
  fclose(f);
  f = fmemopen(text, len, "r");
  cr_assert_not_null(f);
  cr_assert_eq(
      prog_read(f, "mem", &b, got_plan, PROG_PLAN_MAX, why, sizeof(why)), 0,
      "seed %llu: %s\n%s", (unsigned long long)seed, why, text);
  fclose(f);
  free(text);
}

Test(program_text, read_of_write_is_the_program_for_generated_programs) {
  static char plan[PROG_PLAN_MAX];
  uint64_t seed;
  for (seed = 0; seed < 3000; seed++) {
    prog_generate(seed, &a);
    round_trip(&a, seed % 2 ? "sim/plant_drop_byte#2,net/recv:eintr=0.1" : "",
               plan, seed);
    expect_same(&a, &b, seed);
    cr_assert_str_eq(plan, seed % 2 ? "sim/plant_drop_byte#2,net/recv:eintr=0.1"
                                    : "");
    /* Also after removing a subtree, as the shrinker does. */
    if (a.n > 1) {
      prog_remove(&a, (int)(seed % (uint64_t)a.n));
      round_trip(&a, NULL, plan, seed);
      expect_same(&a, &b, seed);
    }
  }
}

Test(program_text, prog_print_is_the_text_without_its_header) {
  char *printed = NULL, *written = NULL;
  size_t n1 = 0, n2 = 0;
  FILE *f1 = open_memstream(&printed, &n1), *f2 = open_memstream(&written, &n2);
  prog_generate(42, &a);
  prog_print(&a, f1);
  cr_assert_eq(prog_write(&a, NULL, f2), 0);
  fclose(f1);
  fclose(f2);
  cr_assert(n2 > n1);
  cr_assert_str_eq(written + (n2 - n1), printed);
  free(printed);
  free(written);
}

Test(program_text, write_refuses_what_the_text_cannot_carry) {
  FILE *f = fopen("/dev/null", "w");
  memset(&a, 0, sizeof(a));
  a.cfg.pool = 1;
  a.cfg.id_bits = 32;
  a.n = 1;
  a.op[0].kind = PK_IMMEDIATE;
  a.op[0].parent = -1;
  a.op[0].target = -1;
  cr_assert_eq(prog_write(&a, NULL, f), 0);
  a.op[0].delay_ms = 5; /* an immediate prints no delay */
  cr_assert_eq(prog_write(&a, NULL, f), -1);
  a.op[0].delay_ms = 0;
  a.op[0].parent = 0; /* its own parent: not linked to main */
  cr_assert_eq(prog_write(&a, NULL, f), -1);
  fclose(f);
}

static const char good[] =
    "# a comment\n"
    "config: sim_seed=7 pool=2 inline_work=1 spread_ns=5 id_bits=4\n"
    "faults: sim/plant_lost_fin#1\n"
    "main: (4 ops)\n"
    "  #0 interval 3ms x2 unref\n"
    "    #2 io after 1ms x2 every 4ms\n"
    "      #3 fs_read f3 0ms\n"
    "\n"
    "  #1 clear #0\n";

/* Reads text; returns 0, or -1 with the error in why. */
static int read_text(const char *text, char *why, size_t cap) {
  static char plan[PROG_PLAN_MAX];
  FILE *f = fmemopen((void *)text, strlen(text), "r");
  int err;
  cr_assert_not_null(f);
  err = prog_read(f, "t.prog", &a, plan, sizeof(plan), why, cap);
  fclose(f);
  return err;
}

Test(program_text, reads_every_kind_of_line) {
  char why[512];
  cr_assert_eq(read_text(good, why, sizeof(why)), 0, "%s", why);
  cr_assert_eq(a.n, 4);
  cr_assert_eq(a.cfg.id_bits, 4);
  cr_assert(a.op[0].kind == PK_INTERVAL && a.op[0].unref &&
            a.op[0].count == 2 && a.op[0].delay_ms == 3);
  cr_assert(a.op[2].kind == PK_IO && a.op[2].parent == 0 &&
            a.op[2].gap_ms == 4);
  cr_assert(a.op[3].kind == PK_FS_READ && a.op[3].parent == 2 &&
            a.op[3].count == 3);
  cr_assert(a.op[1].kind == PK_CLEAR && a.op[1].parent == -1 &&
            a.op[1].target == 0);
}

/* Each bad text is refused, naming its line and what is wrong. */
Test(program_text, reading_is_strict_and_names_the_line) {
  static const struct {
    const char *text, *why;
  } bad[] = {
      {"", "t.prog: no config line"},
      {"main: (0 ops)\n", "t.prog:1: expected the config line first"},
      {"config: sim_seed=1 pool=9 inline_work=0 spread_ns=0 id_bits=32\n",
       "t.prog:1: pool wants a number from 1 to 8"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0\n",
       "t.prog:1: expected ' id_bits='"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32 x\n",
       "t.prog:1: unexpected ' x'"},
      {"config: sim_seed=+1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n",
       "t.prog:1: sim_seed wants a number"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n",
       "t.prog: no 'main:' line"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "faults: no/such=1\n",
       "t.prog:2: bad fault plan: 'no/such=1': no such fault point"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "  #0 nap 3ms\n",
       "t.prog:3: no op kind named 'nap'"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (2 ops)\n"
       "  #0 timeout 3ms\n"
       "      #1 timeout 3ms\n",
       "t.prog:4: indented two levels past the op above"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (2 ops)\n"
       "  #0 timeout 3ms\n"
       "  #0 timeout 3ms\n",
       "t.prog:4: op #0 appears twice"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (2 ops)\n"
       "  #0 timeout 3ms\n",
       "t.prog: main has 2 ops, the file 1"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "  #0 timeout 3ms\n"
       "  #1 timeout 3ms\n",
       "t.prog:4: more ops than main's (1 ops)"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "  #0 timeout 3 ms\n",
       "t.prog:3: expected ' <n>ms' (the delay"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "  #0 timeout 99999999999ms\n",
       "t.prog:3: expected ' <n>ms'"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "  #0 interval 3ms x0\n",
       "t.prog:3: an interval runs at least once"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "  #0 fs_read f4 0ms\n",
       "t.prog:3: the files are f0 to f3"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (2 ops)\n"
       "  #0 defer\n"
       "  #1 clear #0\n",
       "t.prog: op #1 clears #0, a defer, which cannot be cleared"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "  #0 defer unref x\n",
       "t.prog:3: unexpected ' x' at the end of the op"},
      {"config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
       "main: (1 ops)\n"
       "\t#0 defer\n",
       "t.prog:3: a carriage return or a tab"},
  };
  char why[512];
  size_t i;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    why[0] = '\0';
    cr_assert_eq(read_text(bad[i].text, why, sizeof(why)), -1, "accepted:\n%s",
                 bad[i].text);
    cr_assert(strstr(why, bad[i].why) == why, "'%s' does not start with '%s'",
              why, bad[i].why);
  }
}

/* A fake failure: it needs net/recv to fail its 3rd call (#3, or a
 * probability, standing for "some call"), and, when there is a program, an
 * echo in it. */
static int fake_fails(const struct prog *q, const char *plan, uint64_t *reached,
                      void *ctx) {
  struct ndl__fault_entry e[NDL__FAULT_MAX_ENTRIES];
  unsigned n, i;
  int hit = 0;
  (*(int *)ctx)++;
  *reached = 10;
  if (ndl__faults_parse(plan, e, &n, NULL, 0) != 0)
    return 0;
  for (i = 0; i < n; i++)
    if (strcmp(ndl_fault_point_name(e[i].point), "net/recv") == 0)
      hit |= e[i].nth == 3 || (e[i].nth == 0 && e[i].threshold > 0);
  return hit && (q == NULL || prog_count_kind(q, PK_ECHO) > 0);
}

Test(program_text, a_plan_shrinks_to_the_one_call_that_fails) {
  char plan[PROG_PLAN_MAX] = "core/malloc=0.01,net/recv=0.5,net/send=0.1";
  int calls = 0, runs;
  runs = world_shrink(NULL, plan, sizeof(plan), fake_fails, &calls, 1000);
  cr_assert_str_eq(plan, "net/recv#3");
  cr_assert_eq(runs, calls);
  cr_assert_eq(plan_entries(plan), 1);
}

Test(program_text, a_program_and_its_plan_shrink_together) {
  char plan[PROG_PLAN_MAX] = "net/send=0.1,net/recv:eintr=0.2";
  uint64_t seed;
  int calls = 0;
  for (seed = 1; seed < 1000; seed++) {
    prog_generate(seed, &a);
    if (prog_count_kind(&a, PK_ECHO) > 0 && a.n > 5)
      break;
  }
  cr_assert(seed < 1000);
  world_shrink(&a, plan, sizeof(plan), fake_fails, &calls, 5000);
  cr_assert_str_eq(plan, "net/recv:eintr#3");
  cr_assert_eq(a.n, 1);
  cr_assert_eq(a.op[0].kind, PK_ECHO);
}

Test(program_text, a_failure_that_does_not_recur_is_left_alone) {
  char plan[PROG_PLAN_MAX] = "net/send=0.1";
  int calls = 0;
  cr_assert_eq(world_shrink(NULL, plan, sizeof(plan), fake_fails, &calls, 50),
               1);
  cr_assert_str_eq(plan, "net/send=0.1");
}
