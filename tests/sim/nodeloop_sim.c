/*
 * nodeloop-sim: runs named scenarios on the simulated platform.
 *
 *   nodeloop-sim --scenario demo --seed 7            one run, with its trace
 *   nodeloop-sim --scenario demo --seed 1 --runs 1000  seeds 1..1000
 *   nodeloop-sim --list
 *
 * A single run prints its trace in the seed's style and ends with
 * "callbacks=N lost=0 duplicated=0". Several runs print one line per failure
 * with the command that replays it, then "runs=K failures=F seeds_per_s=R".
 * The same seed prints the same bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario.h"

static void usage(FILE *f) {
  fprintf(f, "usage: nodeloop-sim --scenario NAME [--seed N] [--runs K] "
             "[--trace FILE] [--verbose]\n       nodeloop-sim --list\n");
}

static double wall_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end;
  unsigned long long v;
  if (s == NULL || *s == '\0' || *s == '-')
    return -1;
  v = strtoull(s, &end, 10);
  if (*end != '\0')
    return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  const char *name = NULL, *trace_path = NULL;
  const struct ndl_scenario *s;
  uint64_t seed = 1, runs = 1, i, failures = 0;
  ndl_trace_fn trace = ndl_trace_print_seed_style;
  FILE *trace_file = stdout;
  double started;
  int a;

  for (a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--scenario") == 0 && a + 1 < argc) {
      name = argv[++a];
    } else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc) {
      if (parse_u64(argv[++a], &seed) != 0) {
        fprintf(stderr, "nodeloop-sim: --seed wants a number\n");
        return 2;
      }
    } else if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc) {
      if (parse_u64(argv[++a], &runs) != 0 || runs == 0) {
        fprintf(stderr, "nodeloop-sim: --runs wants a positive number\n");
        return 2;
      }
    } else if (strcmp(argv[a], "--trace") == 0 && a + 1 < argc) {
      trace_path = argv[++a];
    } else if (strcmp(argv[a], "--verbose") == 0) {
      trace = ndl_trace_print_verbose;
    } else if (strcmp(argv[a], "--list") == 0) {
      for (i = 0; ndl_scenarios[i] != NULL; i++)
        printf("%-14s %s\n", ndl_scenarios[i]->name, ndl_scenarios[i]->about);
      return 0;
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (name == NULL) {
    usage(stderr);
    return 2;
  }
  if ((s = ndl_scenario_find(name)) == NULL) {
    fprintf(stderr, "nodeloop-sim: no scenario named '%s' (try --list)\n",
            name);
    return 2;
  }
  if (trace_path != NULL && (trace_file = fopen(trace_path, "w")) == NULL) {
    perror(trace_path);
    return 2;
  }

  started = wall_seconds();
  for (i = 0; i < runs; i++) {
    struct ndl_scenario_result r;
    int traced = runs == 1 || trace_path != NULL;
    int err = ndl_scenario_run(s, seed + i, traced ? trace : NULL, trace_file,
                               &r);
    if (err != 0)
      ndl_scenario_fail(&r, "ndl_loop_new: %s", ndl_strerror(err));
    if (runs == 1)
      printf("callbacks=%" PRIu64 " lost=%" PRIu64 " duplicated=%" PRIu64
             " virtual_ms=%" PRIu64 "\n",
             r.stats.callbacks, r.stats.lost, r.stats.duplicated, r.end_ms);
    if (r.failure[0] != '\0') {
      failures++;
      printf("FAIL seed=%" PRIu64 ": %s\nreplay: nodeloop-sim --scenario %s "
             "--seed %" PRIu64 "\n",
             seed + i, r.failure, name, seed + i);
    }
  }
  if (runs > 1)
    printf("runs=%" PRIu64 " failures=%" PRIu64 " seeds_per_s=%.0f\n", runs,
           failures, (double)runs / (wall_seconds() - started + 1e-9));
  if (trace_file != stdout)
    fclose(trace_file);
  return failures != 0;
}
