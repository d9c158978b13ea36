/*
 * The tools' command lines and exit statuses (tools/sim/nodeloop_sim.c,
 * examples/nodeloop_demo.c): strict numbers, and an error is a non-zero
 * exit with a message, never a silent success.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs a shell command under timeout(1), so that a regression that makes
 * it run forever (as --runs " -5" did) fails the test with status 124
 * instead of leaving an orphan behind Criterion's own timeout; returns its
 * exit status, its stderr in err. */
static int run(const char *cmd, char *err, size_t cap) {
  char full[1024], path[] = "/tmp/ndl_hostile_errXXXXXX";
  int fd = mkstemp(path), status;
  FILE *f;
  size_t n;
  cr_assert_geq(fd, 0);
  close(fd);
  snprintf(full, sizeof(full), "timeout 30 %s >/dev/null 2>%s", cmd, path);
  status = system(full);
  f = fopen(path, "r");
  cr_assert_not_null(f);
  n = fread(err, 1, cap - 1, f);
  err[n] = '\0';
  fclose(f);
  unlink(path);
  cr_assert(WIFEXITED(status), "%s: killed", cmd);
  return WEXITSTATUS(status);
}

static void expect_exit(const char *cmd, int want, const char *why) {
  char err[1024];
  int rc = run(cmd, err, sizeof(err));
  cr_assert_eq(rc, want, "%s: exit %d, not %d (%s)", cmd, rc, want, err);
  cr_assert(strstr(err, why) != NULL, "%s: '%s' does not say '%s'", cmd, err,
            why);
}

/* B11: " -5" went through strtoull to 2^64 - 5 runs. */
/* A suite-wide timeout: per-test .timeout options leak 48 bytes inside
 * libcriterion, which LeakSanitizer reports. */
TestSuite(tools, .timeout = 60);

Test(tools, sim_numbers_are_strict) {
  expect_exit(NDL_SIM_BIN " --scenario demo --runs ' -5'", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --runs 99999999999999999999", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --runs +3", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --runs 0", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --seed ' 7'", 2,
              "--seed wants a number");
  expect_exit(NDL_SIM_BIN " --random --seed 18446744073709551615 --runs 2", 2,
              "passes 2^64-1");
  expect_exit(NDL_SIM_BIN " --random --plant-max-timers 1000", 2,
              "--plant-max-timers wants 1 to 999");
  expect_exit(NDL_SIM_BIN " --scenario demo --seed 3 --runs 2", 0, "");
}

/* B12: a trace that could not be written was a success. */
Test(tools, sim_fails_when_its_trace_cannot_be_written) {
  expect_exit(NDL_SIM_BIN " --scenario demo --trace /dev/full", 2,
              "the trace could not be written");
}

/* B13: every ndl_loop_new failed, nothing was checked, and the run said
 * failures=0. */
Test(tools, sim_random_with_no_loop_is_an_error) {
#ifndef FIU_ENABLE
  cr_skip_test("this build has no fault points (NDL_FAULTS=OFF)");
#endif
  expect_exit(NDL_SIM_BIN " --random --runs 3 --faults core/malloc=1", 1,
              "no program could run");
}

/* B13: the demo printed its failed reads and exited 0. */
Test(tools, demo_exits_nonzero_after_a_failed_read) {
  expect_exit(NDL_DEMO_BIN " /nonexistent/test.txt", 1,
              "callback(s) received an error");
}

/* B13: a usage error after --trace abandoned the trace, unfinished. */
Test(tools, demo_finishes_its_trace_on_error_paths) {
  char path[] = "/tmp/ndl_hostile_demoXXXXXX", cmd[256], buf[256];
  int fd = mkstemp(path);
  FILE *f;
  size_t n;
  cr_assert_geq(fd, 0);
  close(fd);
  snprintf(cmd, sizeof(cmd), NDL_DEMO_BIN " --trace %s --bogus", path);
  expect_exit(cmd, 2, "usage");
  f = fopen(path, "r");
  cr_assert_not_null(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  unlink(path);
  cr_assert(strstr(buf, "]}") != NULL, "trace left unfinished: '%s'", buf);
  snprintf(cmd, sizeof(cmd), NDL_DEMO_BIN " --trace %s --trace %s", path, path);
  expect_exit(cmd, 2, "usage");
  unlink(path);
}
