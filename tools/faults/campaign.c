#include "campaign.h"

#include <string.h>

#include "nodeloop_net.h"
#include "tools/reference/program.h"
#include "tools/reference/runner.h"
#include "tools/sim/scenario.h"

void campaign_pick(struct ndl__prng *p, int linux_backend,
                   struct campaign_world *w) {
  unsigned n = 0;
  memset(w, 0, sizeof(*w));
  w->linux_backend = linux_backend;
  if (linux_backend) {
    w->name = "net_mix";
    w->mix = 1;
    return;
  }
  while (ndl_scenarios[n] != NULL)
    n++;
  /* A third of the sim worlds are random programs, a third the mixed
   * program, a third named scenarios. */
  switch (ndl__prng_below(p, 3)) {
  case 0:
    w->name = "random program";
    return;
  case 1:
    w->name = "net_mix";
    w->mix = 1;
    return;
  default:
    break;
  }
  w->scenario = ndl_scenarios[ndl__prng_below(p, n)];
  w->name = ((const struct ndl_scenario *)w->scenario)->name;
}

/* ---- net_mix: every kind of callback at once, finishing in tens of ms.
 * Under faults any step may fail; the program then gives up on that part,
 * and the loop must still end with every callback run exactly once. */

struct mix {
  ndl_loop *loop;
  ndl_tcp *listener;
  ndl_id interval;
  int interval_runs;
  int immediates;
  size_t echoed, sent;
};

static void nop(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

static void tick_and_micro(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_next_tick(loop, nop, NULL);
  ndl_queue_microtask(loop, nop, NULL);
}

static void on_interval(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct mix *m = arg;
  (void)v;
  if (++m->interval_runs == 3)
    ndl_clear_interval(loop, m->interval);
}

static void chain(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct mix *m = arg;
  (void)v;
  if (++m->immediates < 5)
    ndl_set_immediate(loop, chain, m, NULL);
}

static void work(void *arg, ndl_value *result) {
  ndl_value_set_int(result, (int64_t)(intptr_t)arg);
}

static void echo_back(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind != NDL_STRING ||
      ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL) != 0)
    ndl_tcp_close(tcp, NULL, NULL);
}

/* One connection is all: closing the listener also drops one not
 * accepted. A listening server keeps the loop alive, as in Node, so every
 * way the client's part can end closes it. */
static void close_listener(struct mix *m) {
  if (m->listener != NULL) {
    ndl_tcp_close(m->listener, NULL, NULL); /* never fails without a cb */
    m->listener = NULL;
  }
}

static void on_connection(ndl_tcp *listener, const ndl_value *v, void *arg) {
  struct mix *m = arg;
  ndl_tcp *peer;
  /* An error (EMFILE, or no memory for the connection, which the library
   * then drops): the client sees its own error. */
  if (v->kind != NDL_ERROR && ndl_tcp_accept(listener, &peer) == 0 &&
      ndl_tcp_read_start(peer, echo_back, m) != 0)
    ndl_tcp_close(peer, NULL, NULL);
  close_listener(m);
}

static void client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct mix *m = arg;
  if (v->kind == NDL_STRING) {
    m->echoed += v->as.str.len;
    if (m->echoed < m->sent)
      return;
  }
  ndl_tcp_close(tcp, NULL, NULL);
  close_listener(m);
}

static void client_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  static const char block[32768];
  struct mix *m = arg;
  if (v->kind == NDL_ERROR || ndl_tcp_read_start(tcp, client_read, m) != 0 ||
      ndl_tcp_write(tcp, block, sizeof(block), NULL, NULL) != 0) {
    ndl_tcp_close(tcp, NULL, NULL);
    close_listener(m);
    return;
  }
  m->sent = sizeof(block);
}

static void mix_main(ndl_loop *loop, void *arg) {
  struct mix *m = arg;
  ndl_tcp *client;
  int i, port;

  for (i = 0; i < 10; i++)
    ndl_set_timeout(loop, i % 4 == 0 ? 0 : i, tick_and_micro, m, NULL);
  ndl_set_interval(loop, 2, on_interval, m, &m->interval);
  ndl_set_immediate(loop, chain, m, NULL);
  for (i = 0; i < 8; i++)
    ndl_queue_work(loop, "Mix", i % 3, work, tick_and_micro,
                   (void *)(intptr_t)i, NULL);
  for (i = 0; i < 4; i++) {
    ndl_fs_read(loop, "/proc/self/status", 0, nop, NULL);
    ndl_crypto_encrypt(loop, 15 + i, nop, NULL);
  }
  if (ndl_tcp_listen(loop, "127.0.0.1", 0, 8, on_connection, m, &m->listener) !=
      0)
    return;
  if (ndl_tcp_port(m->listener, &port) != 0 ||
      ndl_tcp_connect(loop, "127.0.0.1", port, client_connected, m, &client) !=
          0)
    close_listener(m);
}

/* On sim the file is a copy on the simulated disk. */
static int run_mix(int linux_backend, uint64_t seed, ndl_stats *st,
                   ndl_chrome_trace *chrome) {
  static const char status[] = "Name:\tnodeloop-faults\nState:\tR\n";
  struct mix m;
  ndl_options opts;
  ndl_loop *loop;
  int err;

  memset(&m, 0, sizeof(m));
  ndl_options_init(&opts);
  if (!linux_backend) {
    opts.backend = NDL_BACKEND_SIM;
    opts.sim_seed = seed;
  }
  if (chrome != NULL) {
    opts.trace = ndl_chrome_trace_event;
    opts.trace_ctx = chrome;
  }
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    return err;
  ndl_chrome_trace_attach(chrome, loop);
  if (!linux_backend && (err = ndl_sim_file(loop, "/proc/self/status", status,
                                            sizeof(status) - 1)) != 0) {
    ndl_loop_free(loop);
    return err;
  }
  m.loop = loop;
  err = ndl_run(loop, mix_main, &m);
  ndl_get_stats(loop, st);
  ndl_loop_free(loop);
  return err;
}

/* A property tests' program. Under faults the reference's checks are moot;
 * what is kept is the loop's own count. */
static int run_program(const struct prog *prog, ndl_stats *st,
                       ndl_chrome_trace *chrome) {
  struct prop_outcome out;
  struct prop_options o;
  memset(&o, 0, sizeof(o));
  o.chrome = chrome;
  memset(st, 0, sizeof(*st));
  prop_check(prog, &o, &out);
  st->registered = out.registered;
  st->callbacks = out.callbacks;
  st->ticks = out.ticks;
  st->lost = out.lost;
  st->duplicated = out.duplicated;
  return out.run_err;
}

int campaign_run_program(const struct prog *prog, ndl_stats *st) {
  return run_program(prog, st, NULL);
}

int campaign_is_program(const struct campaign_world *w) {
  return !w->mix && w->scenario == NULL;
}

int campaign_run(const struct campaign_world *w, uint64_t seed, ndl_stats *st) {
  return campaign_run_traced(w, seed, st, NULL);
}

int campaign_run_traced(const struct campaign_world *w, uint64_t seed,
                        ndl_stats *st, ndl_chrome_trace *chrome) {
  static struct prog prog;
  struct ndl_scenario_result r;
  int err;
  memset(st, 0, sizeof(*st));
  if (w->mix)
    return run_mix(w->linux_backend, seed, st, chrome);
  if (w->scenario == NULL) {
    prog_generate(seed, &prog);
    return run_program(&prog, st, chrome);
  }
  err = ndl_scenario_run(w->scenario, seed,
                         chrome != NULL ? ndl_chrome_trace_event : NULL, chrome,
                         &r);
  *st = r.stats;
  return err != 0 ? err : r.run_err;
}
