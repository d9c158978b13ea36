/*
 * The worker side of a campaign (worker.h).
 */
#include "worker.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign_json.h"

int worker_result(const struct campaign *c, struct shared *sh, uint64_t k,
                  int status, struct result *out) {
  struct campaign_seed s;
  uint64_t seed = c->first + k;
  FILE *json;

  memset(&s, 0, sizeof(s));
  memset(out, 0, sizeof(*out));
  s.shared = sh;
  s.index = k;
  out->k = k;
  if ((s.out = open_memstream(&out->report, &out->report_len)) == NULL)
    return -1;
  if (status == -1)
    c->run(c->ctx, seed, &s);
  else
    c->died(c->ctx, seed, status, &s);
  fclose(s.out);
  out->failed = s.failed;
  out->write_failed = s.write_failed;
  memcpy(out->counts, s.counts, sizeof(out->counts));
  if (s.failed && c->json != NULL &&
      (json = open_memstream(&out->json, &out->json_len)) != NULL) {
    char replay[2048];
    campaign_replay(c, seed, replay, sizeof(replay));
    campaign_json_failure(json, c, seed, replay, &s);
    fclose(json);
  }
  out->program = s.program;
  free(s.plan);
  return out->report == NULL ? -1 : 0;
}

int campaign_among_first_failures(const struct campaign_seed *r, uint64_t n) {
  const struct shared *sh = r->shared;
  unsigned left;
  if (n == 0 || n == UINT64_MAX || sh == NULL)
    return n > 0;
  /* Every seed counted is below r's, which is not yet in. */
  if (atomic_load(&sh->failed) >= n)
    return 0;
  /* The seeds below are held by other workers and will come in (a worker
   * that dies is counted by the runner), so this ends; polling every ms
   * costs nothing next to a shrink. */
  left = alarm(0);
  while (atomic_load(&sh->done) < r->index && atomic_load(&sh->failed) < n)
    usleep(1000);
  alarm(left);
  return atomic_load(&sh->failed) < n;
}

static int write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int send_result(int fd, const struct result *r) {
  struct wire w;
  memset(&w, 0, sizeof(w));
  w.k = r->k;
  memcpy(w.counts, r->counts, sizeof(w.counts));
  w.failed = (uint32_t)r->failed;
  w.write_failed = (uint32_t)r->write_failed;
  w.report_len = (uint32_t)r->report_len;
  w.json_len = (uint32_t)r->json_len;
  w.program_len = r->program != NULL ? (uint32_t)strlen(r->program) : 0;
  if (write_all(fd, &w, sizeof(w)) != 0 ||
      write_all(fd, r->report, r->report_len) != 0 ||
      write_all(fd, r->json, r->json_len) != 0)
    return -1;
  return write_all(fd, r->program, w.program_len);
}

void worker_main(const struct campaign *c, struct shared *sh, unsigned slot,
                 int fd) {
  /* A Ctrl-C reaches the whole process group: the runner alone decides
   * when to stop, and the seed in hand is finished. A hang ends in
   * SIGALRM, which the runner reads in the exit status. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGALRM, SIG_DFL);
  while (!atomic_load(&sh->stop)) {
    uint64_t k = atomic_fetch_add(&sh->next, 1);
    struct result r;
    if (k >= c->runs)
      break;
    atomic_store(&sh->held[slot], k + 1);
    alarm(c->seed_timeout);
    if (worker_result(c, sh, k, -1, &r) != 0)
      _exit(3);
    alarm(0);
    if (send_result(fd, &r) != 0)
      _exit(4);
    free(r.report);
    free(r.json);
    free(r.program);
  }
  _exit(0);
}
