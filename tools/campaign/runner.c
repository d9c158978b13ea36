/*
 * The campaign runner (runner.h): starts the workers, reads their results,
 * prints them in seed order, and stops cleanly on a signal.
 */
#include "runner.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaign_json.h"
#include "cli.h"
#include "progress.h"
#include "reorder.h"
#include "worker.h"

struct worker {
  pid_t pid;
  int fd; /* the pipe's read end, -1 once the worker is gone */
  char *buf;
  size_t len, cap;
  uint64_t last; /* the index + 1 of the last result read, 0 for none */
};

struct run {
  const struct campaign *c;
  struct campaign_totals *t;
  struct shared *sh;
  struct worker w[CAMPAIGN_MAX_JOBS];
  unsigned workers, live;
  struct reorder q;
  int full; /* stop_after failures are counted: commit no more */
};

static volatile sig_atomic_t stop_signal, signals;

static void on_stop(int sig) {
  stop_signal = sig;
  signals++;
}

static int spawn(struct run *r, unsigned slot) {
  struct worker *w = &r->w[slot];
  int fds[2];
  pid_t pid;
  if (pipe(fds) != 0)
    return -1;
  /* What is buffered would otherwise be written twice. */
  fflush(stdout);
  fflush(stderr);
  if (r->c->json != NULL)
    fflush(r->c->json);
  if ((pid = fork()) < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    worker_main(r->c, r->sh, slot, fds[1]);
  }
  close(fds[1]);
  atomic_store(&r->sh->held[slot], 0);
  w->pid = pid;
  w->fd = fds[0];
  w->len = 0;
  w->last = 0;
  r->live++;
  return 0;
}

/* Prints a failure's report in full, or its first and last lines. */
static void print_report(const struct campaign *c, const struct result *res,
                         uint64_t nth) {
  const char *first_end, *last;
  size_t n = res->report_len;
  if (n == 0)
    return;
  if (!res->failed || c->full_reports == 0 || nth <= c->full_reports) {
    fwrite(res->report, 1, n, stdout);
    return;
  }
  first_end = memchr(res->report, '\n', n);
  last = res->report + n - 1; /* the report ends with '\n' */
  while (last > res->report && last[-1] != '\n')
    last--;
  if (first_end == NULL || last <= first_end) {
    fwrite(res->report, 1, n, stdout);
    return;
  }
  fwrite(res->report, 1, (size_t)(first_end - res->report) + 1, stdout);
  fwrite(last, 1, (size_t)(res->report + n - last), stdout);
}

static void commit(struct run *r, struct result *res) {
  struct campaign_totals *t = r->t;
  size_t i;
  if (res->failed)
    t->failed++;
  else
    t->passed++;
  if (res->failed && res->program != NULL && t->first_program == NULL) {
    t->first_program_seed = r->c->first + res->k;
    t->first_program = res->program;
    res->program = NULL;
  }
  print_report(r->c, res, t->failed);
  if (r->c->json != NULL && res->json != NULL)
    fwrite(res->json, 1, res->json_len, r->c->json);
  for (i = 0; i < CAMPAIGN_MAX_COUNTS; i++)
    t->counts[i] += res->counts[i];
  t->write_failures += res->write_failed != 0;
  t->done++;
  atomic_store(&r->sh->failed, t->failed);
  atomic_store(&r->sh->done, t->done);
  if (r->c->stop_after != 0 && t->failed >= r->c->stop_after) {
    atomic_store(&r->sh->stop, 1);
    r->full = 1;
  }
  free(res->report);
  free(res->json);
  free(res->program);
}

static void push(struct run *r, struct result *res) {
  if (reorder_push(&r->q, res) == 0)
    return;
  fprintf(stderr, "%s: out of memory\n", r->c->tool);
  exit(2);
}

/* Takes every whole result in the worker's buffer. */
static void take_results(struct run *r, struct worker *w) {
  struct wire h;
  size_t used = 0;
  while (w->len - used >= sizeof(h)) {
    struct result res;
    memcpy(&h, w->buf + used, sizeof(h));
    size_t whole = sizeof(h) + h.report_len + h.json_len + h.program_len;
    if (w->len - used < whole)
      break;
    memset(&res, 0, sizeof(res));
    res.k = h.k;
    res.failed = (int)h.failed;
    res.write_failed = (int)h.write_failed;
    memcpy(res.counts, h.counts, sizeof(res.counts));
    res.report_len = h.report_len;
    res.json_len = h.json_len;
    res.report = malloc(h.report_len + 1);
    res.json = h.json_len ? malloc(h.json_len) : NULL;
    res.program = h.program_len ? malloc(h.program_len + 1) : NULL;
    if (res.report == NULL || (h.json_len && res.json == NULL) ||
        (h.program_len && res.program == NULL)) {
      fprintf(stderr, "%s: out of memory\n", r->c->tool);
      exit(2);
    }
    memcpy(res.report, w->buf + used + sizeof(h), h.report_len);
    if (h.json_len)
      memcpy(res.json, w->buf + used + sizeof(h) + h.report_len, h.json_len);
    if (h.program_len) {
      memcpy(res.program, w->buf + used + sizeof(h) + h.report_len + h.json_len,
             h.program_len);
      res.program[h.program_len] = '\0';
    }
    used += whole;
    w->last = h.k + 1;
    push(r, &res);
  }
  memmove(w->buf, w->buf + used, w->len - used);
  w->len -= used;
}

/* A worker closed its pipe: it ran out of seeds, was stopped, or died
 * holding one, which is then that seed's result. */
static void reap(struct run *r, unsigned slot, int abandoned) {
  struct worker *w = &r->w[slot];
  uint64_t held = atomic_load(&r->sh->held[slot]);
  int status;
  struct result res;
  close(w->fd);
  w->fd = -1;
  r->live--;
  while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (abandoned || held == 0 || held == w->last)
    return;
  if (worker_result(r->c, NULL, held - 1, status, &res) != 0) {
    fprintf(stderr, "%s: out of memory\n", r->c->tool);
    exit(2);
  }
  push(r, &res);
  if (!atomic_load(&r->sh->stop) && atomic_load(&r->sh->next) < r->c->runs &&
      spawn(r, slot) != 0)
    perror(r->c->tool);
}

static void read_worker(struct run *r, unsigned slot, int abandoned) {
  struct worker *w = &r->w[slot];
  ssize_t got;
  if (w->cap - w->len < 65536) {
    size_t cap = w->cap * 2 + 65536;
    char *buf = realloc(w->buf, cap);
    if (buf == NULL) {
      fprintf(stderr, "%s: out of memory\n", r->c->tool);
      exit(2);
    }
    w->buf = buf;
    w->cap = cap;
  }
  got = read(w->fd, w->buf + w->len, w->cap - w->len);
  if (got < 0 && errno == EINTR)
    return;
  if (got <= 0) {
    reap(r, slot, abandoned);
    return;
  }
  w->len += (size_t)got;
  take_results(r, w);
}

static void on_signals(struct sigaction *old_int, struct sigaction *old_term,
                       int install) {
  struct sigaction sa;
  if (!install) {
    sigaction(SIGINT, old_int, NULL);
    sigaction(SIGTERM, old_term, NULL);
    return;
  }
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns at once */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, old_int);
  sigaction(SIGTERM, &sa, old_term);
}

/* Reads results until every worker is gone. */
static void drive(struct run *r, struct progress *p) {
  struct pollfd pfd[CAMPAIGN_MAX_JOBS];
  unsigned slot[CAMPAIGN_MAX_JOBS], i, n;
  int killed = 0;
  struct result res;
  while (r->live > 0) {
    for (i = n = 0; i < r->workers; i++)
      if (r->w[i].fd >= 0) {
        pfd[n].fd = r->w[i].fd;
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
        slot[n++] = i;
      }
    if (poll(pfd, n, 250) < 0 && errno != EINTR)
      break;
    if (stop_signal != 0 && !atomic_load(&r->sh->stop)) {
      atomic_store(&r->sh->stop, 1);
      r->t->stop_signal = stop_signal;
    }
    if (signals >= 2 && !killed) {
      /* The second signal abandons the seeds in hand. */
      for (i = 0; i < r->workers; i++)
        if (r->w[i].fd >= 0)
          kill(r->w[i].pid, SIGKILL);
      killed = 1;
    }
    for (i = 0; i < n; i++)
      if (pfd[i].revents != 0)
        read_worker(r, slot[i], killed);
    while (!r->full && reorder_pop(&r->q, r->t->done, &res))
      commit(r, &res);
    progress_tick(p, r->t->done, r->c->runs, r->t->failed);
  }
}

int campaign_run_seeds(const struct campaign *c, struct campaign_totals *t) {
  struct sigaction old_int, old_term;
  struct progress p;
  struct run *r = calloc(1, sizeof(*r));
  unsigned i;
  int rc = 0;

  memset(t, 0, sizeof(*t));
  if (r == NULL)
    return -1;
  r->c = c;
  r->t = t;
  r->sh = mmap(NULL, sizeof(*r->sh), PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (r->sh == MAP_FAILED) {
    perror(c->tool);
    free(r);
    return -1;
  }
  memset(r->sh, 0, sizeof(*r->sh));
  r->workers = c->runs < c->jobs ? (unsigned)c->runs : c->jobs;
  stop_signal = signals = 0;
  on_signals(&old_int, &old_term, 1);
  progress_start(&p, c->tool);
  for (i = 0; i < r->workers; i++)
    if (spawn(r, i) != 0) {
      perror(c->tool);
      r->w[i].fd = -1;
    }
  if (r->live == 0 && r->workers > 0)
    rc = -1;
  drive(r, &p);
  progress_end(&p);
  t->ran_beyond = reorder_clear(&r->q);
  t->seconds = progress_now() - p.started;
  on_signals(&old_int, &old_term, 0);
  for (i = 0; i < r->workers; i++)
    free(r->w[i].buf);
  munmap(r->sh, sizeof(*r->sh));
  free(r);
  return rc;
}

void campaign_replay(const struct campaign *c, uint64_t seed, char *buf,
                     size_t n) {
  if (c->one_run)
    snprintf(buf, n, "%s %s%s  # build %s", c->tool, c->mode_args, c->run_args,
             cli_build_id());
  else
    snprintf(buf, n, "%s%s%s --seed %" PRIu64 " --runs 1%s  # build %s",
             c->tool, *c->mode_args ? " " : "", c->mode_args, seed, c->run_args,
             cli_build_id());
}

double campaign_rate(const struct campaign_totals *t) {
  return (double)t->done / (t->seconds + 1e-9);
}

int campaign_end(const struct campaign *c, const struct campaign_totals *t) {
  if (c->json != NULL) {
    struct campaign_summary s;
    memset(&s, 0, sizeof(s));
    snprintf(s.tool, sizeof(s.tool), "%s", c->tool);
    snprintf(s.build, sizeof(s.build), "%s", cli_build_id());
    snprintf(s.mode, sizeof(s.mode), "%s", c->mode);
    snprintf(s.options, sizeof(s.options), "%s",
             c->run_args + (c->run_args[0] == ' '));
    s.first = c->first;
    s.runs = t->done;
    s.shard = c->shard;
    s.shards = c->shards;
    s.passed = t->passed;
    s.failed = t->failed;
    memcpy(s.counts, t->counts, sizeof(s.counts));
    campaign_json_summary(c->json, &s, c->count_names);
  }
  if (t->stop_signal == 0)
    return 0;
  if (t->done < c->runs && c->one_run)
    printf("stopped by %s before its one run\nresume: %s %s%s%s\n",
           t->stop_signal == SIGINT ? "SIGINT" : "SIGTERM", c->tool,
           c->mode_args, c->run_args, c->resume_args);
  else if (t->done < c->runs) {
    printf("stopped by %s after %" PRIu64 " of %" PRIu64 " seeds\n"
           "resume: %s%s%s --seed %" PRIu64 " --runs %" PRIu64 "%s%s\n",
           t->stop_signal == SIGINT ? "SIGINT" : "SIGTERM", t->done, c->runs,
           c->tool, *c->mode_args ? " " : "", c->mode_args, c->first + t->done,
           c->runs - t->done, c->run_args, c->resume_args);
    if (t->ran_beyond > 0)
      printf("(%" PRIu64 " seeds above %" PRIu64
             " had finished; they will run again)\n",
             t->ran_beyond, c->first + t->done);
  }
  fflush(stdout);
  return 128 + t->stop_signal;
}
