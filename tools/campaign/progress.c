/*
 * The progress line (progress.h).
 */
#include "progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

double progress_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *p, const char *tool) {
  p->tool = tool;
  p->started = p->last = progress_now();
  p->tty = isatty(STDERR_FILENO);
  p->shown = 0;
}

void progress_tick(struct progress *p, uint64_t done, uint64_t total,
                   uint64_t failed) {
  double now = progress_now(), rate, eta;
  if (now - p->last < (p->tty ? 1.0 : 10.0))
    return;
  p->last = now;
  rate = (double)done / (now - p->started);
  eta = rate > 0 ? (double)(total - done) / rate : 0;
  fprintf(stderr,
          "%s%s: %" PRIu64 "/%" PRIu64 " seeds, %.0f/s, %" PRIu64
          " failed, ETA %.0f s%s",
          p->tty ? "\r" : "", p->tool, done, total, rate, failed, eta,
          p->tty ? "\033[K" : "\n");
  p->shown = 1;
}

void progress_end(struct progress *p) {
  if (p->tty && p->shown)
    fputs("\r\033[K", stderr);
  p->shown = 0;
}
