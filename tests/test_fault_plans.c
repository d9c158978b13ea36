/*
 * The fault plan language (faults/plan.c, nodeloop_faults.h): every bad
 * plan is refused with a reason, and on the sim the same plan and seed
 * inject the same faults. (What the faults do: test_alloc_faults.c,
 * test_syscall_faults.c.)
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "nodeloop_faults.h"
#include "tools/sim/scenario.h"

TestSuite(fault_plans, .fini = clear_plan, .timeout = 60);

static void expect_bad_plan(const char *spec, const char *why_part) {
  char why[256] = "";
  cr_assert_eq(ndl_faults_plan(spec, 1, why, sizeof(why)), NDL_BADFAULTS,
               "accepted: '%s'", spec);
  cr_assert(strstr(why, why_part) != NULL, "'%s': '%s' does not say '%s'", spec,
            why, why_part);
}

/* ---- The plan itself. */

Test(fault_plans, bad_plans_are_rejected_with_a_reason) {
  static const char *const bad[] = {"core/malloc",     "no/such=0.1",
                                    "core/malloc=1.5", "core/malloc=x",
                                    "core/malloc#0",   "net/recv:ebogus=0.1"};
  char why[256];
  unsigned i;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    why[0] = '\0';
    cr_assert_eq(ndl_faults_plan(bad[i], 1, why, sizeof(why)), NDL_BADFAULTS,
                 "%s", bad[i]);
    cr_assert_neq(why[0], '\0', "no reason given for %s", bad[i]);
  }
  cr_assert_str_eq(ndl_fault_point_name(0), "core/malloc");
  cr_assert_not_null(ndl_fault_point_about(0));
}

/* B5: an errno outside 1..4095 made wrappers return positive codes. */
Test(fault_plans, errno_out_of_range_is_rejected) {
  expect_bad_plan("net/socket:-5#1", "from 1 to 4095");
  expect_bad_plan("net/socket:0=0.5", "from 1 to 4095");
  expect_bad_plan("net/socket:4096=0.5", "from 1 to 4095");
  expect_bad_plan("net/socket:99999999999999999999=0.5", "from 1 to 4095");
  expect_bad_plan("net/socket: 5=0.5", "unknown errno name");
  expect_bad_plan("net/socket:econnrefused5=0.5", "unknown errno name");
  expect_bad_plan("net/socket:=0.5", "after ':'");
  expect_good_plan("net/socket:24=0.5");
  expect_good_plan("net/socket:EMFILE=0.5");
  /* linux/clock_step takes ms, any integer that fits. */
  expect_good_plan("linux/clock_step:-9223372036854775808#1");
  expect_bad_plan("linux/clock_step:9223372036854775808#1", "integer");
}

Test(fault_plans, empty_entries_and_names_are_rejected) {
  expect_good_plan(""); /* the empty plan: no faults */
  cr_assert_eq(ndl_faults_plan(NULL, 1, NULL, 0), NDL_EINVAL);
  expect_bad_plan(",", "empty entry");
  expect_bad_plan("core/malloc=0.1,", "empty entry");
  expect_bad_plan(",core/malloc=0.1", "empty entry");
  expect_bad_plan("core/malloc=0.1,,core/malloc#3", "empty entry");
  expect_bad_plan("=0.5", "name is empty");
  expect_bad_plan(":eintr=0.5", "name is empty");
  expect_bad_plan("#3", "name is empty");
}

Test(fault_plans, call_numbers_and_probabilities_are_checked) {
  expect_bad_plan("core/malloc#1180591620717411303424", "#N"); /* 2^70 */
  expect_bad_plan("core/malloc#18446744073709551616", "#N");   /* 2^64 */
  expect_bad_plan("core/malloc#-1", "#N");
  expect_bad_plan("core/malloc#+1", "#N");
  expect_good_plan("core/malloc#18446744073709551615");
  expect_bad_plan("core/malloc=nan", "from 0 to 1");
  expect_bad_plan("core/malloc= 0.5", "from 0 to 1");
  expect_bad_plan("core/malloc=-0", "from 0 to 1");
  expect_bad_plan("core/malloc=0.6,core/malloc=0.6", "add up to more than 1");
  expect_good_plan("core/malloc=0.1,core/malloc=0.2,core/malloc=0.7");
  expect_good_plan("core/malloc=0.6,linux/clock=0.6");
}

/* Points whose caller retries the error until it succeeds would spin
 * forever at probability 1. */
Test(fault_plans, always_failing_a_retried_point_is_rejected) {
  expect_bad_plan("fs/read=1", "spin forever");
  expect_bad_plan("fs/read:eintr=1", "spin forever");
  expect_bad_plan("linux/epoll_wait=1", "spin forever");
  expect_bad_plan("net/recv:eagain=0.5,net/recv:eintr=0.5", "spin forever");
  expect_bad_plan("linux/eventfd_write:eio=1", "spin forever");
  expect_good_plan("fs/read:eio=1");      /* not retried: the read fails */
  expect_good_plan("fs/read=0.99");       /* ends, almost surely */
  expect_good_plan("linux/epoll_wait#1"); /* one call */
  expect_good_plan("core/malloc=1");
}

Test(fault_plans, bad_seed_in_the_environment_is_rejected) {
  char why[256] = "";
  setenv("NODELOOP_FAULTS", "core/malloc#1", 1);
  setenv("NODELOOP_FAULTS_SEED", "-3", 1);
  cr_assert_eq(ndl_faults_from_env(why, sizeof(why)), NDL_BADFAULTS);
  cr_assert(strstr(why, "NODELOOP_FAULTS_SEED") != NULL, "%s", why);
  setenv("NODELOOP_FAULTS_SEED", "3", 1);
  cr_assert_eq(ndl_faults_from_env(why, sizeof(why)), 0, "%s", why);
}

/* ---- Replay: on the sim, the same plan and seed inject the same faults. */

Test(fault_plans, same_seed_same_faults_on_sim) {
  uint64_t injected[2];
  char *out[2];
  int i;
  for (i = 0; i < 2; i++) {
    struct ndl_scenario_result r;
    size_t len;
    FILE *f = open_memstream(&out[i], &len);
    cr_assert_eq(ndl_faults_plan("core/malloc=0.1", 42, NULL, 0), 0);
    ndl_scenario_run(ndl_scenario_find("demo"), 3, ndl_trace_print_verbose, f,
                     &r);
    injected[i] = ndl_faults_injected();
    ndl_faults_clear();
    fclose(f);
  }
  cr_assert_gt(injected[0], 0);
  cr_assert_eq(injected[0], injected[1]);
  cr_assert_str_eq(out[0], out[1]);
  free(out[0]);
  free(out[1]);
}
