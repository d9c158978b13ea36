/*
 * A campaign's worker process and what it shares with the runner: the
 * counter the seeds are taken from, the stop flag, and which seed each
 * worker holds, in one shared mapping; results go back through a pipe.
 */
#ifndef NDL_TOOLS_CAMPAIGN_WORKER_H
#define NDL_TOOLS_CAMPAIGN_WORKER_H

#include <stdatomic.h>
#include <stdint.h>

#include "reorder.h"
#include "runner.h"

struct shared {
  atomic_uint_fast64_t next; /* the index of the next seed to take */
  atomic_int stop;           /* set: take no more seeds */
  /* The index + 1 of the seed each worker holds, 0 for none. */
  atomic_uint_fast64_t held[CAMPAIGN_MAX_JOBS];
  /* The runner's counts so far: seeds 0 .. done - 1 are in, and failed
   * of them failed (campaign_among_first_failures()). */
  atomic_uint_fast64_t done, failed;
};

/* The fixed part of a result on the pipe; the report and the JSON record
 * follow it. */
struct wire {
  uint64_t k;
  uint64_t counts[CAMPAIGN_MAX_COUNTS];
  uint32_t failed, report_len, json_len, program_len, write_failed;
};

/* Runs seeds until none are left or the stop flag is set, writing each
 * result to fd; never returns. */
void worker_main(const struct campaign *c, struct shared *sh, unsigned slot,
                 int fd) __attribute__((noreturn));

/* Makes the result of seed index k, by calling run (in a worker, with sh)
 * or died (in the runner, with status != -1 and sh NULL). Returns 0, or -1
 * out of memory. */
int worker_result(const struct campaign *c, struct shared *sh, uint64_t k,
                  int status, struct result *out);

#endif
