/*
 * Conformance scenarios: small programs written twice, once as
 * tests/conformance/<name>.js for Node and once in C against nodeloop's
 * public API. Both print lines that mark the order of events; run.sh runs
 * Node several times and compares. The C programs live in one table per
 * concern (timers, ticks, I/O, TCP) and one driver, conformance-c, runs any
 * of them by name on either backend.
 */
#ifndef NDL_CONFORMANCE_H
#define NDL_CONFORMANCE_H

#include "nodeloop.h"
#include "nodeloop_net.h"

struct conf_scenario {
  const char *name; /* also the .js file's name, without ".js" */
  ndl_main_fn main; /* the main module */
  /* process.on('exit'): an ndl_on_exit() listener. May be NULL. */
  void (*at_exit)(ndl_loop *loop);
};

/* Each table ends with an entry whose name is NULL. */
extern const struct conf_scenario conf_timer_scenarios[];
extern const struct conf_scenario conf_tick_scenarios[];
extern const struct conf_scenario conf_io_scenarios[];
extern const struct conf_scenario conf_tcp_scenarios[];

/* console.log: one line on stdout. */
void conf_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A callback that logs its arg, a string. */
void conf_say(ndl_loop *loop, const ndl_value *v, void *arg);
/* The same for a TCP callback (a close, say). */
void conf_tcp_say(ndl_tcp *tcp, const ndl_value *v, void *arg);
/* Keeps the loop thread busy for ms, as a JS busy-wait does: spinning on
 * the real clock on linux, moving the virtual clock on sim. */
void conf_busy(ndl_loop *loop, unsigned ms);
/* Ends the program with a message on stderr and exit status 1: a call that
 * must succeed did not. */
void conf_fail(const char *what, int err) __attribute__((noreturn));
/* Checks a call that must succeed. */
#define CONF_OK(call)                                                          \
  do {                                                                         \
    int conf_err_ = (call);                                                    \
    if (conf_err_ != 0)                                                        \
      conf_fail(#call, conf_err_);                                             \
  } while (0)

#endif
