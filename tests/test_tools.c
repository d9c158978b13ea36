/*
 * The tools' command lines and exit statuses (tools/sim/nodeloop_sim.c,
 * tools/faults/nodeloop_faults.c, tools/diff/nodeloop_diff.c,
 * examples/nodeloop_demo.c, bench/main.c):
 * strict numbers, and an error is a non-zero exit with a message, never a
 * silent success; --help, --version and --list-faults answer on stdout and
 * exit 0; a usage error is at most two lines on stderr and exit 2.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nodeloop.h"
#include "nodeloop_faults.h"

/* Runs a shell command under timeout(1), so that a regression that makes
 * it run forever (as --runs " -5" did) fails the test with status 124
 * instead of leaving an orphan behind Criterion's own timeout; returns its
 * exit status, its stdout in out (if not NULL) and its stderr in err. */
static int run_both(const char *cmd, char *out, char *err, size_t cap) {
  char full[1024], out_path[] = "/tmp/ndl_hostile_outXXXXXX",
                   err_path[] = "/tmp/ndl_hostile_errXXXXXX";
  char *const paths[2] = {out_path, err_path}, *bufs[2] = {out, err};
  int status, i;
  for (i = 0; i < 2; i++) {
    int fd = mkstemp(paths[i]);
    cr_assert_geq(fd, 0);
    close(fd);
  }
  snprintf(full, sizeof(full), "timeout 30 %s >%s 2>%s", cmd, out_path,
           err_path);
  status = system(full);
  for (i = 0; i < 2; i++) {
    FILE *f = fopen(paths[i], "r");
    size_t n;
    cr_assert_not_null(f);
    if (bufs[i] != NULL) {
      n = fread(bufs[i], 1, cap - 1, f);
      bufs[i][n] = '\0';
    }
    fclose(f);
    unlink(paths[i]);
  }
  cr_assert(WIFEXITED(status), "%s: killed", cmd);
  return WEXITSTATUS(status);
}

static int run(const char *cmd, char *err, size_t cap) {
  return run_both(cmd, NULL, err, cap);
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
              "--plant-max-timers wants a number from 1 to 999");
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
  expect_exit(cmd, 2, "unknown option '--bogus'");
  f = fopen(path, "r");
  cr_assert_not_null(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  unlink(path);
  cr_assert(strstr(buf, "]}") != NULL, "trace left unfinished: '%s'", buf);
  snprintf(cmd, sizeof(cmd), NDL_DEMO_BIN " --trace %s --trace %s", path, path);
  expect_exit(cmd, 2, "--trace given twice");
  unlink(path);
}

/* ---- The conventions every tool shares (tools/cli/cli.h). */

static const struct tool {
  const char *bin;
  int lists_faults;
} tools[] = {
    {NDL_SIM_BIN, 1},
    {NDL_FAULTS_BIN, 1},
    {NDL_DEMO_BIN, 1},
    {NDL_DIFF_BIN, 0},
    /* Empty when libuv is missing and the benchmark is not built. */
    {NDL_BENCH_BIN, 0},
};
#define TOOLS (sizeof(tools) / sizeof(tools[0]))

static int built(const struct tool *t) {
  return t->bin[0] != '\0' && access(t->bin, X_OK) == 0;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s != '\0'; s++)
    n += *s == '\n';
  return n;
}

Test(tools, help_is_usage_on_stdout) {
  static char out[16384], err[1024];
  char cmd[512];
  size_t i;
  for (i = 0; i < TOOLS; i++) {
    if (!built(&tools[i]))
      continue;
    snprintf(cmd, sizeof(cmd), "%s --help", tools[i].bin);
    cr_assert_eq(run_both(cmd, out, err, sizeof(out)), 0, "%s", cmd);
    cr_assert(strncmp(out, "usage: ", 7) == 0, "%s: stdout '%s'", cmd, out);
    cr_assert_str_empty(err, "%s: stderr '%s'", cmd, err);
    snprintf(cmd, sizeof(cmd), "%s -h", tools[i].bin);
    cr_assert_eq(run_both(cmd, out, err, sizeof(out)), 0, "%s", cmd);
    cr_assert(strncmp(out, "usage: ", 7) == 0, "%s: stdout '%s'", cmd, out);
  }
}

Test(tools, version_names_the_library_and_the_build) {
  char out[1024], err[1024], cmd[512], want[128];
  const char *build;
  size_t i;
  for (i = 0; i < TOOLS; i++) {
    if (!built(&tools[i]))
      continue;
    snprintf(cmd, sizeof(cmd), "%s --version", tools[i].bin);
    cr_assert_eq(run_both(cmd, out, err, sizeof(out)), 0, "%s", cmd);
    snprintf(want, sizeof(want), "(nodeloop) %s\n", ndl_version_string());
    cr_assert(strstr(out, want) != NULL, "%s: '%s' lacks '%s'", cmd, out, want);
    build = strstr(out, "\nbuild ");
    cr_assert(build != NULL && build[7] != '\n' && build[7] != '\0',
              "%s: no build id in '%s'", cmd, out);
    cr_assert_str_empty(err, "%s: stderr '%s'", cmd, err);
  }
}

Test(tools, list_faults_lists_every_point) {
  /* out starts with a newline, so that every line of the listing, the
   * first too, is found as "\nNAME ". */
  static char out[16384], err[1024];
  char cmd[512], line[128];
  unsigned points, p;
  size_t i;
  for (points = 0; ndl_fault_point_name(points) != NULL; points++)
    ;
  cr_assert_gt(points, 0);
  out[0] = '\n';
  for (i = 0; i < TOOLS; i++) {
    if (!tools[i].lists_faults)
      continue;
    snprintf(cmd, sizeof(cmd), "%s --list-faults", tools[i].bin);
    cr_assert_eq(run_both(cmd, out + 1, err, sizeof(out) - 1), 0, "%s", cmd);
    cr_assert_eq(count_lines(out + 1), (int)points, "%s: %d lines, %u points",
                 cmd, count_lines(out + 1), points);
    for (p = 0; p < points; p++) {
      snprintf(line, sizeof(line), "\n%s ", ndl_fault_point_name(p));
      cr_assert(strstr(out, line) != NULL, "%s: no line for %s", cmd,
                ndl_fault_point_name(p));
    }
    cr_assert_str_empty(err, "%s: stderr '%s'", cmd, err);
  }
}

Test(tools, usage_errors_are_at_most_two_lines) {
  static const char *const bad[] = {"--no-such-option", "-Z", "--help=1",
                                    "--trace", "extra1 extra2"};
  char out[1024], err[1024], cmd[512];
  size_t i, k;
  for (i = 0; i < TOOLS; i++) {
    if (!built(&tools[i]))
      continue;
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
      int lines;
      snprintf(cmd, sizeof(cmd), "%s %s", tools[i].bin, bad[k]);
      cr_assert_eq(run_both(cmd, out, err, sizeof(out)), 2, "%s", cmd);
      cr_assert_str_empty(out, "%s: stdout '%s'", cmd, out);
      lines = count_lines(err);
      cr_assert(lines >= 1 && lines <= 2, "%s: %d lines on stderr: '%s'", cmd,
                lines, err);
    }
  }
}

/* nodeloop-diff's campaign options are the others' (tools/campaign/); all
 * of these are refused before node is asked for its version. */
Test(tools, diff_numbers_are_strict) {
  expect_exit(NDL_DIFF_BIN " --runs 0", 2, "--runs wants a number from 1");
  expect_exit(NDL_DIFF_BIN " --jobs 0", 2, "--jobs wants a number from 1");
  expect_exit(NDL_DIFF_BIN " --shard 3/3", 2, "--shard wants I/N");
  expect_exit(NDL_DIFF_BIN " --shrink-max -1", 2, "--shrink-max wants");
  expect_exit(NDL_DIFF_BIN " --seed 18446744073709551615 --runs 2", 2,
              "passes 2^64-1");
  expect_exit(NDL_DIFF_BIN " --node no-such-node-here --runs 1", 2,
              "cannot run no-such-node-here");
}

Test(tools, faults_and_bench_numbers_are_strict) {
  expect_exit(NDL_FAULTS_BIN " --runs ' 5'", 2, "--runs wants a number");
  expect_exit(NDL_FAULTS_BIN " --seed 18446744073709551616", 2,
              "--seed wants a number");
  expect_exit(NDL_FAULTS_BIN " --timeout 4294967296", 2,
              "--timeout wants a number from 0 to 4294967295");
  expect_exit(NDL_FAULTS_BIN " --runs 0", 0, "");
  if (!built(&tools[3]))
    return;
  expect_exit(NDL_BENCH_BIN " --reps 0", 2, "--reps wants a number from 1");
  expect_exit(NDL_BENCH_BIN " --n timers=-1", 2, "--n wants WORKLOAD=COUNT");
}

/* ---- Campaigns (tools/campaign/): --jobs, --shard, --json, --merge, a
 * clean stop, and replay lines. Each runs in its own scratch directory. */

static char scratch[64];

static void make_scratch(void) {
  snprintf(scratch, sizeof(scratch), "/tmp/ndl_campaignXXXXXX");
  cr_assert_not_null(mkdtemp(scratch));
}

static void remove_scratch(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
  cr_assert_eq(system(cmd), 0);
}

/* Cuts the summary line's seeds_per_s, the one figure that is timing. */
static void mask_rate(char *out) {
  char *rate = strstr(out, " seeds_per_s=");
  if (rate != NULL)
    *rate = '\0';
}

/* Runs cmd, which must exit want, and returns its stdout in out. */
static void run_ok(const char *cmd, int want, char *out, size_t cap) {
  static char err[16384];
  int rc = run_both(cmd, out, err, cap);
  cr_assert_eq(rc, want, "%s: exit %d, not %d\n%s", cmd, rc, want, err);
}

/* What --merge prints for the JSON of one uninterrupted run, unsharded,
 * of nodeloop-sim --random with args: what merged parts must equal. */
static void merged_whole_run(const char *args, char *out, size_t cap) {
  char cmd[1024];
  snprintf(cmd, sizeof(cmd),
           NDL_SIM_BIN
           " --random %s --json %s/whole.json >/dev/null; " NDL_SIM_BIN
           " --merge %s/whole.json",
           args, scratch, scratch);
  run_ok(cmd, 0, out, cap);
}

Test(tools, jobs_do_not_change_what_a_campaign_prints) {
  static char one[65536], two[65536], m1[65536], m2[65536];
  char cmd[512];
  int jobs;
  make_scratch();
  for (jobs = 1; jobs <= 2; jobs++) {
    snprintf(cmd, sizeof(cmd),
             NDL_SIM_BIN " --random --seed 1 --runs 40 --plant-max-timers 3 "
                         "--jobs %d --json %s/%d.json",
             jobs, scratch, jobs);
    run_ok(cmd, 1, jobs == 1 ? one : two, sizeof(one));
    snprintf(cmd, sizeof(cmd), NDL_SIM_BIN " --merge %s/%d.json", scratch,
             jobs);
    run_ok(cmd, 0, jobs == 1 ? m1 : m2, sizeof(m1));
  }
  mask_rate(one);
  mask_rate(two);
  cr_assert(strstr(one, "FAIL seed=") != NULL, "no failure to compare: %s",
            one);
  cr_assert_str_eq(one, two);
  cr_assert_str_eq(m1, m2);
  /* A failure's record holds its shrunk program. */
  cr_assert(strstr(m1, "\"program\":\"config: ") != NULL, "%s", m1);
  /* The fault campaign: the same bad runs and counts (the linux worlds'
   * faults_injected depends on the threads' interleaving). Without fault
   * points every run of it is bad by design (its plans cannot be set). */
#ifdef FIU_ENABLE
  for (jobs = 1; jobs <= 2; jobs++) {
    snprintf(cmd, sizeof(cmd), NDL_FAULTS_BIN " --seed 1 --runs 60 --jobs %d",
             jobs);
    run_ok(cmd, 0, jobs == 1 ? one : two, sizeof(one));
  }
  cr_assert_str_eq(strstr(one, "\nruns="), strstr(two, "\nruns="));
#endif
  remove_scratch();
}

Test(tools, shards_merge_into_one_run) {
  static char whole[65536], merged[65536], err[4096];
  char cmd[1024];
  int i;
  make_scratch();
  merged_whole_run("--seed 5 --runs 50 --plant-max-timers 3", whole,
                   sizeof(whole));
  for (i = 0; i < 3; i++) {
    snprintf(cmd, sizeof(cmd),
             NDL_SIM_BIN " --random --seed 5 --runs 50 --plant-max-timers 3 "
                         "--shard %d/3 --json %s/%d.json",
             i, scratch, i);
    run_ok(cmd, 1, merged, sizeof(merged));
  }
  snprintf(cmd, sizeof(cmd),
           NDL_SIM_BIN " --merge %s/2.json %s/0.json %s/1.json", scratch,
           scratch, scratch);
  run_ok(cmd, 0, merged, sizeof(merged));
  cr_assert(strstr(whole, "\"first_seed\":5,\"runs\":50,\"shard\":null") !=
                NULL,
            "%s", whole);
  cr_assert_str_eq(merged, whole);
  /* Overlapping shards, and a gap, are errors. */
  snprintf(cmd, sizeof(cmd), NDL_SIM_BIN " --merge %s/0.json %s/whole.json",
           scratch, scratch);
  cr_assert_eq(run_both(cmd, merged, err, sizeof(err)), 1, "%s", cmd);
  cr_assert(strstr(err, "overlap: seeds 5 to ") != NULL, "%s", err);
  snprintf(cmd, sizeof(cmd), NDL_SIM_BIN " --merge %s/0.json %s/2.json",
           scratch, scratch);
  cr_assert_eq(run_both(cmd, merged, err, sizeof(err)), 1, "%s", cmd);
  cr_assert(strstr(err, "gap: seeds ") != NULL, "%s", err);
  remove_scratch();
}

/* The JSON of a run in which nothing failed merges too (qsort was passed
 * no failures as NULL, which UBSan refused). */
Test(tools, a_run_without_failures_merges) {
  static char whole[16384];
  char cmd[1024];
  make_scratch();
  snprintf(cmd, sizeof(cmd),
           NDL_SIM_BIN " --scenario demo --seed 1 --runs 3 --json %s/ok.json "
                       ">/dev/null && " NDL_SIM_BIN " --merge %s/ok.json",
           scratch, scratch);
  run_ok(cmd, 0, whole, sizeof(whole));
  cr_assert(strstr(whole, "\"runs\":3,\"shard\":null,\"passed\":3,") != NULL,
            "%s", whole);
  remove_scratch();
}

/* The command printed after "\nresume: " or "\nreplay: " in out, for
 * the shell: it names the tool, which is found in the build's bin/, and
 * ends before the build's comment. */
static void printed_command(const char *out, const char *prefix, char *cmd,
                            size_t n) {
  const char *at = strstr(out, prefix), *comment;
  size_t len;
  cr_assert_not_null(at, "no '%s' line in '%s'", prefix + 1, out);
  at += strlen(prefix);
  len = strcspn(at, "\n");
  comment = strstr(at, "  # build ");
  if (comment != NULL && comment < at + len)
    len = (size_t)(comment - at);
  cr_assert_lt(len + 256, n);
  snprintf(cmd, n, "env PATH=%.*s:$PATH %.*s",
           (int)(strrchr(NDL_SIM_BIN, '/') - NDL_SIM_BIN), NDL_SIM_BIN,
           (int)len, at);
}

Test(tools, a_stopped_campaign_resumes_where_it_stopped) {
  static char out[65536], all[65536], whole[65536];
  char cmd[1024];
  make_scratch();
  /* 3000 seeds take seconds (tens under ASan, within the suite's 60 s for
   * the resumed run and the whole run both); SIGINT comes after half a
   * second. */
  snprintf(cmd, sizeof(cmd),
           "timeout --preserve-status -s INT 0.5 " NDL_SIM_BIN
           " --random --seed 3 --runs 3000 --plant-max-timers 6 --jobs 2 "
           "--json %s/part.json",
           scratch);
  run_ok(cmd, 130, out, sizeof(out));
  cr_assert(strstr(out, "\nstopped by SIGINT after ") != NULL, "%s", out);
  cr_assert(strstr(out, "runs=") != NULL, "no summary: %s", out);
  printed_command(out, "\nresume: ", cmd, sizeof(cmd));
  cr_assert(strstr(cmd, " --plant-max-timers 6 --jobs 2 --json ") != NULL, "%s",
            cmd);
  run_ok(cmd, 1, out, sizeof(out));
  snprintf(cmd, sizeof(cmd), NDL_SIM_BIN " --merge %s/part.json", scratch);
  run_ok(cmd, 0, all, sizeof(all));
  merged_whole_run("--seed 3 --runs 3000 --plant-max-timers 6", whole,
                   sizeof(whole));
  cr_assert_str_eq(all, whole);
  /* SIGTERM: 143, and the fault campaign resumes the same way. */
#ifdef FIU_ENABLE
  run_ok("timeout --preserve-status -s TERM 0.5 " NDL_FAULTS_BIN
         " --runs 100000 --jobs 2",
         143, out, sizeof(out));
  cr_assert(strstr(out, "\nresume: nodeloop-faults --seed ") != NULL, "%s",
            out);
#else
  /* Without fault points it refuses at once, rather than failing every
   * seed (it did, and its reports could crowd the resume line out). */
  {
    static char err[16384];
    cr_assert_eq(run_both(NDL_FAULTS_BIN " --runs 5", out, err, sizeof(err)),
                 2);
    cr_assert(strstr(err, "no fault points (NDL_FAULTS=OFF)") != NULL, "%s",
              err);
  }
#endif
  remove_scratch();
}

Test(tools, injected_errors_are_not_scenario_failures) {
  static char out[65536];
#ifndef FIU_ENABLE
  cr_skip_test("this build has no fault points (NDL_FAULTS=OFF)");
#endif
  /* A demo whose allocations fail now and then passes an ENOMEM to a
   * callback, which is right; only a lost or doubled callback fails. */
  run_ok(NDL_SIM_BIN " --scenario demo --seed 1 --runs 200 "
                     "--faults core/malloc=0.05",
         0, out, sizeof(out));
  cr_assert(strstr(out, "FAIL") == NULL, "%s", out);
  cr_assert(strstr(out, "runs=200 failures=0 ") != NULL, "%s", out);
}

Test(tools, replay_lines_carry_the_plan_and_the_build) {
  static char out[65536], again[65536], version[1024];
  char want[256], cmd[1024], line[1024];
  const char *replay, *build, *fail;
  size_t len;
#ifndef FIU_ENABLE
  cr_skip_test("this build has no fault points (NDL_FAULTS=OFF)");
#endif
  run_ok(NDL_SIM_BIN " --version", 0, version, sizeof(version));
  build = strstr(version, "\nbuild ");
  cr_assert_not_null(build);
  snprintf(want, sizeof(want),
           " --faults 'sim/plant_drop_byte=0.5'  # build %.*s\n",
           (int)strcspn(build + 7, "\n"), build + 7);
  /* A planted bug (a byte dropped on the simulated network) fails the
   * demo for some seeds. */
  run_ok(NDL_SIM_BIN " --scenario demo --seed 1 --runs 20 "
                     "--faults sim/plant_drop_byte=0.5",
         1, out, sizeof(out));
  fail = strstr(out, "FAIL seed=");
  replay = strstr(out, "\nreplay: ");
  cr_assert(fail != NULL && replay != NULL, "%s", out);
  len = strcspn(replay + 9, "\n");
  cr_assert(strncmp(replay + 9 + len + 1 - strlen(want), want, strlen(want)) ==
                0,
            "'%.*s' does not end with '%s'", (int)len, replay + 9, want);
  /* The line replays the failure it follows. */
  snprintf(line, sizeof(line), "%.*s\n", (int)strcspn(fail, "\n"), fail);
  printed_command(out, "\nreplay: ", cmd, sizeof(cmd));
  run_ok(cmd, 1, again, sizeof(again));
  cr_assert(strstr(again, line) != NULL, "replayed '%s', not '%s'", again,
            line);
}

/* The options of saved programs and shrinking: strict, and each mistake a
 * usage error that says what is wrong. */
Test(tools, program_and_shrink_options_are_strict) {
  char path[] = "/tmp/ndl_bad_progXXXXXX", cmd[512];
  FILE *f;
  int fd;
  expect_exit(NDL_SIM_BIN " --random --shrink-max -1", 2,
              "--shrink-max wants a number");
  expect_exit(NDL_SIM_BIN " --random --program x", 2,
              "--scenario, --random and --program exclude each other");
  expect_exit(NDL_SIM_BIN " --program x --seed 3", 2, "no --seed or --runs");
  expect_exit(NDL_SIM_BIN " --scenario demo --save-program x", 2,
              "--save-program and --chrome-trace go with");
  expect_exit(NDL_SIM_BIN " --program /nonexistent/p", 2,
              "/nonexistent/p: No such file");
#ifdef FIU_ENABLE
  expect_exit(NDL_FAULTS_BIN " --plan no/such=1 --runs 0", 2,
              "--plan: 'no/such=1': no such fault point");
#else
  expect_exit(NDL_FAULTS_BIN " --plan net/recv=0.1 --runs 0", 2,
              "--plan: this build has no fault points");
#endif
  expect_exit(NDL_FAULTS_BIN " --shrink-max x --runs 0", 2,
              "--shrink-max wants a number");
  expect_exit(NDL_FAULTS_BIN " --chrome-trace x.json --runs 2", 2,
              "--chrome-trace traces one run: --runs 1");
  /* A file that does not parse is an error with its line, not a run. */
  fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  f = fdopen(fd, "w");
  fputs("config: sim_seed=1 pool=1 inline_work=0 spread_ns=0 id_bits=32\n"
        "main: (1 ops)\n"
        "  #0 timeout soon\n",
        f);
  fclose(f);
  snprintf(cmd, sizeof(cmd), NDL_SIM_BIN " --program %s", path);
  expect_exit(cmd, 2, ":3: expected ' <n>ms'");
  unlink(path);
}

/* --save-program writes a failure shrunk, --program replays it, and the
 * replay is the same failure (here the fake property, which needs no fault
 * points). */
Test(tools, a_saved_failure_replays_from_its_file) {
  char path[] = "/tmp/ndl_saved_progXXXXXX", cmd[512], out[8192], err[1024];
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  close(fd);
  snprintf(cmd, sizeof(cmd),
           NDL_SIM_BIN " --random --seed 1 --runs 20 --plant-max-timers 3 "
                       "--shrink-max 1 --save-program %s",
           path);
  cr_assert_eq(run_both(cmd, out, err, sizeof(out)), 1, "%s: %s", cmd, err);
  cr_assert(strstr(out, "saved: ") != NULL, "%s", out);
  snprintf(cmd, sizeof(cmd), NDL_SIM_BIN " --program %s --plant-max-timers 3",
           path);
  cr_assert_eq(run_both(cmd, out, err, sizeof(out)), 1, "%s: %s", cmd, err);
  cr_assert(strstr(out, "property=planted: the program has 4 timers") != NULL,
            "%s", out);
  snprintf(cmd, sizeof(cmd), NDL_SIM_BIN " --program %s", path);
  cr_assert_eq(run_both(cmd, out, err, sizeof(out)), 0, "%s: %s", cmd, out);
  unlink(path);
}

/* --shrink-max N shrinks the first N failures in seed order, in the
 * workers: any --jobs prints, records and saves the same. */
Test(tools, shrink_max_counts_failures_in_seed_order) {
  static char one[65536], two[65536];
  char cmd[1024];
  const char *at;
  int jobs, shrunk = 0;
  make_scratch();
  for (jobs = 1; jobs <= 2; jobs++) {
    snprintf(cmd, sizeof(cmd),
             NDL_SIM_BIN " --random --seed 1 --runs 30 --plant-max-timers 3 "
                         "--shrink-max 2 --jobs %d --save-program %s/p.prog "
                         "--json %s/%d.json",
             jobs, scratch, scratch, jobs);
    run_ok(cmd, 1, jobs == 1 ? one : two, sizeof(one));
    snprintf(cmd, sizeof(cmd), "cmp -s %s/1.json %s/%d.json", scratch, scratch,
             jobs);
    cr_assert_eq(system(cmd), 0, "the JSON of --jobs %d differs", jobs);
  }
  mask_rate(one);
  mask_rate(two);
  cr_assert_str_eq(one, two);
  for (at = one; (at = strstr(at, "\nshrunk in ")) != NULL; at++)
    shrunk++;
  cr_assert_eq(shrunk, 2, "%s", one);
  remove_scratch();
}
