/*
 * Writes the table of fault points as a Markdown page for the reference
 * (docs/guides/fault-plans.md links to it). The rows come from the one list,
 * NDL_FAULT_POINTS in faults/fault_points.h, so the page cannot drift from
 * the points a plan may name.
 *
 *   ndl-fault-points-md OUT.md
 */
#include <stdio.h>

#include "faults/fault_points.h"

/* X(ID, "name", default errno, "what failing it means") */
#define ROW(id, name, err, what) "| `" name "` | " #err " | " what " |\n",

static const char *const rows[] = {NDL_FAULT_POINTS(ROW)};

int main(int argc, char **argv) {
  FILE *f;
  size_t i;

  if (argc != 2) {
    fprintf(stderr, "usage: %s OUT.md\n", argv[0]);
    return 2;
  }
  if ((f = fopen(argv[1], "w")) == NULL) {
    perror(argv[1]);
    return 1;
  }
  fputs("# Fault points {#fault_points}\n\n"
        "Generated from `NDL_FAULT_POINTS` (`faults/fault_points.h`) when the "
        "reference is built; ndl_fault_point_name() and "
        "ndl_fault_point_about() list the same points at run time.\n\n"
        "*Default errno* is what a failure injects when the plan names none "
        "(`point=P`); `point:ERRNO=P` chooses another. A point whose default "
        "is 0 injects no errno: it changes what the call does, as its row "
        "says, and `point:N=P` hands it the integer N instead "
        "(`linux/clock_step`, `sim/net_latency` and `sim/net_partition` use "
        "it, in ms).\n\n"
        "| point | default errno | what failing it means |\n"
        "|---|---|---|\n",
        f);
  for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
    fputs(rows[i], f);
  if ((ferror(f) | fclose(f)) != 0) {
    fprintf(stderr, "%s: could not be written\n", argv[1]);
    return 1;
  }
  return 0;
}
