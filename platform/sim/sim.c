/*
 * The simulated platform: a virtual clock, a poller of scripted fds and
 * simulated sockets, and a seeded pool; the network is in net.c and the
 * disk in disk.c. Nothing here touches the kernel, and the only source of
 * variation is the seed, so a seed replays a run byte for byte.
 *
 *  - The clock never moves by itself. When the loop would block, wait() jumps
 *    it straight to the next thing that can happen (a timer deadline, a
 *    finished task, a scripted fd), as tokio's paused clock does, so three
 *    virtual seconds pass in microseconds.
 *  - Tasks start in submission order on the first free virtual worker the
 *    PRNG picks. A task runs on the loop thread at its start, but its result
 *    is handed back only at start + delay + a uniform draw in [0, spread].
 *  - A script says "fd 7 becomes readable at t=2000"; the event fires once,
 *    at or after that time, as soon as someone watches the fd.
 *  - A simulated socket is level-triggered, as epoll's default: it is
 *    reported in every wait() while it is ready for what its watcher wants.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "sim.h"

#define NEVER NDL__SIM_NEVER

struct sim_watch {
  int fd;
  ndl_id id;
  unsigned events;
};

struct sim_script {
  int fd;
  unsigned events;
  uint64_t at_ns;
  uint64_t seq;
};

/* The backend's work record: the core's, plus when it finishes. */
struct sim_task {
  struct ndl__work work; /* first: the loop allocates ops.work_size bytes */
  struct sim_task *next; /* the link of whichever list holds it */
  uint64_t done_ns;      /* virtual completion time */
  uint64_t seq;          /* start order, to break ties */
  unsigned worker;       /* the virtual pool thread that runs it */
};

struct sim_worker {
  struct sim_task *task; /* NULL when free */
  char name[16];
};

static struct sim *from(struct ndl__platform *p) {
  return ndl__sim_of(p);
}

static uint64_t sim_now(struct ndl__platform *p) {
  return from(p)->now_ns;
}

static const char *sim_thread_name(struct ndl__platform *p) {
  return from(p)->current;
}

static unsigned sim_pool_size(struct ndl__platform *p) {
  return from(p)->nworkers;
}

static int sim_wake(struct ndl__platform *p) {
  (void)p; /* The sim never blocks in real time. */
  return 0;
}

/* ---- The scripted poller. */

static struct sim_watch *find_watch(struct sim *s, int fd) {
  size_t i;
  for (i = 0; i < s->nwatches; i++)
    if (s->watches[i].fd == fd)
      return &s->watches[i];
  return NULL;
}

static int sim_io_add(struct ndl__platform *p, int fd, ndl_id id,
                      unsigned events) {
  struct sim *s = from(p);
  struct sim_watch *w;
  if (find_watch(s, fd) != NULL)
    return NDL_EEXIST;
  if (s->nwatches == s->watch_cap) {
    size_t cap = s->watch_cap == 0 ? 8 : s->watch_cap * 2;
    w = ndl__reallocarray(s->watches, cap, sizeof(*w));
    if (w == NULL)
      return NDL_ENOMEM;
    s->watches = w;
    s->watch_cap = cap;
  }
  w = &s->watches[s->nwatches++];
  w->fd = fd;
  w->id = id;
  w->events = events;
  return 0;
}

static int sim_io_modify(struct ndl__platform *p, int fd, ndl_id id,
                         unsigned events) {
  struct sim_watch *w = find_watch(from(p), fd);
  if (w == NULL)
    return NDL_ENOENT;
  w->id = id;
  w->events = events;
  return 0;
}

static int sim_io_remove(struct ndl__platform *p, int fd) {
  struct sim *s = from(p);
  struct sim_watch *w = find_watch(s, fd);
  if (w == NULL)
    return NDL_ENOENT;
  *w = s->watches[--s->nwatches];
  return 0;
}

static int sim_script_ready(struct ndl__platform *p, int fd, unsigned events,
                            uint64_t at_ns) {
  struct sim *s = from(p);
  struct sim_script *sc;
  if (s->nscripts == s->script_cap) {
    size_t cap = s->script_cap == 0 ? 8 : s->script_cap * 2;
    sc = ndl__reallocarray(s->scripts, cap, sizeof(*sc));
    if (sc == NULL)
      return NDL_ENOMEM;
    s->scripts = sc;
    s->script_cap = cap;
  }
  sc = &s->scripts[s->nscripts++];
  sc->fd = fd;
  sc->events = events;
  sc->at_ns = at_ns;
  sc->seq = s->seq++;
  return 0;
}

/* The earliest script, by (time, order), for an fd someone watches. Scripts
 * for unwatched fds wait, as a level-triggered fd stays ready. */
static struct sim_script *next_script(struct sim *s) {
  struct sim_script *best = NULL;
  size_t i;
  for (i = 0; i < s->nscripts; i++) {
    struct sim_script *sc = &s->scripts[i];
    struct sim_watch *w = find_watch(s, sc->fd);
    if (w == NULL || (w->events & sc->events) == 0)
      continue;
    if (best == NULL || sc->at_ns < best->at_ns ||
        (sc->at_ns == best->at_ns && sc->seq < best->seq))
      best = sc;
  }
  return best;
}

/* ---- The seeded pool. */

static void start(struct sim *s, struct sim_task *t, unsigned worker) {
  const char *thread = s->inline_work ? "main" : s->workers[worker].name;
  struct ndl__work *w = &t->work;
  t->worker = worker;
  if (!s->inline_work)
    s->workers[worker].task = t;
  ndl__platform_trace_work(&s->base, NDL_TRACE_WORK_START, w, thread,
                           s->now_ns);
  s->current = thread;
  w->fn(w->arg, &w->result);
  s->current = "main";
  t->done_ns = s->now_ns + w->delay_ns +
               (s->spread_ns ? ndl__prng_below(&s->prng, s->spread_ns + 1) : 0);
  t->seq = s->seq++;
  t->next = s->running;
  s->running = t;
}

/* Starts queued tasks, in order, on free workers the PRNG picks. */
static void start_queued(struct sim *s) {
  while (s->queue_head != NULL) {
    unsigned free_count = 0, pick, i;
    struct sim_task *t;
    for (i = 0; i < s->nworkers; i++)
      free_count += s->workers[i].task == NULL;
    if (free_count == 0)
      return;
    pick = (unsigned)ndl__prng_below(&s->prng, free_count);
    for (i = 0; i < s->nworkers; i++)
      if (s->workers[i].task == NULL && pick-- == 0)
        break;
    t = s->queue_head;
    s->queue_head = t->next;
    if (s->queue_head == NULL)
      s->queue_tail = NULL;
    start(s, t, i);
  }
}

static int sim_submit(struct ndl__platform *p, struct ndl__work *w) {
  struct sim *s = from(p);
  struct sim_task *t = (struct sim_task *)w;
  t->next = NULL;
  if (s->inline_work) {
    start(s, t, 0);
    return 0;
  }
  if (s->queue_tail == NULL)
    s->queue_head = t;
  else
    s->queue_tail->next = t;
  s->queue_tail = t;
  start_queued(s);
  return 0;
}

/* The running task that finishes first, by (time, start order). */
static struct sim_task **next_done(struct sim *s) {
  struct sim_task **best = NULL, **it;
  for (it = &s->running; *it != NULL; it = &(*it)->next) {
    if (best == NULL || (*it)->done_ns < (*best)->done_ns ||
        ((*it)->done_ns == (*best)->done_ns && (*it)->seq < (*best)->seq))
      best = it;
  }
  return best;
}

static void finish(struct sim *s, struct sim_task *t) {
  const char *thread = s->inline_work ? "main" : s->workers[t->worker].name;
  if (!s->inline_work)
    s->workers[t->worker].task = NULL;
  ndl__platform_trace_work(&s->base, NDL_TRACE_WORK_DONE, &t->work, thread,
                           s->now_ns);
  t->next = NULL;
  if (s->done_tail == NULL)
    s->done_head = t;
  else
    s->done_tail->next = t;
  s->done_tail = t;
}

/* Moves the clock to t, finishing tasks (and starting queued ones on the
 * freed workers) at their own virtual times on the way. */
static void advance_to(struct sim *s, uint64_t to) {
  struct sim_task **it;
  while ((it = next_done(s)) != NULL && (*it)->done_ns <= to) {
    struct sim_task *t = *it;
    *it = t->next;
    if (t->done_ns > s->now_ns)
      s->now_ns = t->done_ns;
    finish(s, t);
    start_queued(s);
  }
  if (to > s->now_ns)
    s->now_ns = to;
}

static int sim_advance(struct ndl__platform *p, uint64_t ns) {
  struct sim *s = from(p);
  advance_to(s, ns > NEVER - s->now_ns ? NEVER : s->now_ns + ns);
  return 0;
}

/* Fills out[] with what is due now: scripted fds, ready sockets (in the
 * order they are watched), then finished tasks, each in its own order. */
static size_t collect(struct sim *s, struct ndl__fired *out, size_t cap) {
  size_t n = 0, i;
  struct sim_script *sc;
  while (n < cap && (sc = next_script(s)) != NULL && sc->at_ns <= s->now_ns) {
    struct sim_watch *w = find_watch(s, sc->fd);
    out[n].kind = NDL__FIRED_IO;
    out[n].id = w->id;
    out[n].events = w->events & sc->events;
    out[n].work = NULL;
    n++;
    *sc = s->scripts[--s->nscripts];
  }
  for (i = 0; i < s->nwatches && n < cap; i++) {
    unsigned ready;
    if (ndl__sim_net_ready(s, s->watches[i].fd, &ready) != 0 ||
        (ready & s->watches[i].events) == 0)
      continue;
    out[n].kind = NDL__FIRED_IO;
    out[n].id = s->watches[i].id;
    out[n].events = ready & s->watches[i].events;
    out[n].work = NULL;
    n++;
  }
  while (n < cap && s->done_head != NULL) {
    struct sim_task *t = s->done_head;
    s->done_head = t->next;
    if (s->done_head == NULL)
      s->done_tail = NULL;
    out[n].kind = NDL__FIRED_WORK;
    out[n].id = t->work.id;
    out[n].events = 0;
    out[n].work = &t->work;
    n++;
  }
  return n;
}

/* The earliest time after now at which anything can happen. */
static uint64_t next_event(struct sim *s) {
  uint64_t next = NEVER, t;
  struct sim_task **w;
  struct sim_script *sc;
  size_t i;
  if ((w = next_done(s)) != NULL)
    next = (*w)->done_ns;
  if ((sc = next_script(s)) != NULL && sc->at_ns < next)
    next = sc->at_ns;
  for (i = 0; i < s->nwatches; i++)
    if ((t = ndl__sim_net_next(s, s->watches[i].fd)) < next)
      next = t;
  return next;
}

static int sim_wait(struct ndl__platform *p, int64_t timeout_ns,
                    struct ndl__fired *out, size_t cap, size_t *n) {
  struct sim *s = from(p);
  uint64_t target, next;

  *n = collect(s, out, cap);
  if (*n != 0 || timeout_ns == 0)
    return 0;
  target = timeout_ns < 0 ? NEVER : s->now_ns + (uint64_t)timeout_ns;
  if ((next = next_event(s)) < target)
    target = next;
  if (target == NEVER)
    return NDL_EDEADLK;
  advance_to(s, target);
  *n = collect(s, out, cap);
  return 0;
}

/* A simulated task's body runs whole when it starts: none is ever still
 * running. */
static int sim_stop_pool(struct ndl__platform *p) {
  (void)p;
  return 0;
}

static void free_list(struct sim_task *t) {
  while (t != NULL) {
    struct sim_task *next = t->next;
    ndl__work_free(&t->work);
    t = next;
  }
}

static void sim_destroy(struct ndl__platform *p) {
  struct sim *s = from(p);
  free_list(s->queue_head);
  free_list(s->running);
  free_list(s->done_head);
  ndl__sim_net_free(s);
  ndl__sim_disk_free(s);
  ndl__free(s->watches);
  ndl__free(s->scripts);
  ndl__free(s->workers);
  ndl__free(s);
}

static const struct ndl__platform_ops sim_ops = {
    .name = "sim",
    .work_size = sizeof(struct sim_task),
    .now = sim_now,
    .io_add = sim_io_add,
    .io_modify = sim_io_modify,
    .io_remove = sim_io_remove,
    .wait = sim_wait,
    .wake = sim_wake,
    .submit = sim_submit,
    .thread_name = sim_thread_name,
    .pool_size = sim_pool_size,
    .stop_pool = sim_stop_pool,
    .destroy = sim_destroy,
};

static const struct ndl__sim_ops sim_controls = {
    sim_script_ready, sim_advance, ndl__sim_file_add, ndl__sim_host_add};

int ndl__sim_new(const ndl_options *opts, struct ndl__platform **out) {
  struct sim *s;
  unsigned i;

  s = ndl__calloc(1, sizeof(*s));
  if (s == NULL)
    return NDL_ENOMEM;
  s->nworkers = opts->threadpool_size;
  s->workers = ndl__calloc(s->nworkers, sizeof(*s->workers));
  if (s->workers == NULL) {
    ndl__free(s);
    return NDL_ENOMEM;
  }
  for (i = 0; i < s->nworkers; i++)
    snprintf(s->workers[i].name, sizeof(s->workers[i].name), "pool%u", i);
  s->base.ops = &sim_ops;
  s->base.net = &ndl__sim_net;
  s->base.files = &ndl__sim_files;
  s->base.sim = &sim_controls;
  ndl__sim_net_init(s, opts->sim_seed, opts->sim_net_latency_ns);
  ndl__prng_seed(&s->disk.prng, opts->sim_seed ^ 0x13198a2e03707344u);
  ndl__prng_seed(&s->prng, opts->sim_seed);
  s->spread_ns = opts->sim_work_spread_ns;
  s->inline_work = opts->sim_inline_work;
  s->current = "main";
  *out = &s->base;
  return 0;
}
