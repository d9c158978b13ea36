/*
 * The chapter's javascript() program, ported to C. The program is written once;
 * an environment supplies the three modules it calls, so the same program
 * runs on the real platform (nodeloop-demo) and on the simulated one
 * (nodeloop-sim --scenario demo).
 */
#ifndef NDL_EXAMPLES_DEMO_H
#define NDL_EXAMPLES_DEMO_H

#include <stdio.h>

#include "nodeloop.h"
#include "slow_server.h"

/* The 39 characters of test.txt, so that "Encrypted" is fib(39). */
#define NDL_DEMO_TEXT "Hello world! This is a text to encrypt!"
/* The chapter's Fs::read sleeps 1 s to simulate a large file. */
#define NDL_DEMO_READ_DELAY_MS 1000
/* The body the slow server answers for GET /delay/<ms>/url/<url>. */
#define NDL_DEMO_SLOW_BODY_FMT "Delayed %d ms: %s"

struct ndl_demo_env {
  int (*fs_read)(ndl_loop *loop, struct ndl_demo_env *env, ndl_cb cb,
                 void *arg);
  int (*encrypt)(ndl_loop *loop, struct ndl_demo_env *env, int64_t n, ndl_cb cb,
                 void *arg);
  int (*http_get_slow)(ndl_loop *loop, struct ndl_demo_env *env,
                       const char *url, int delay_ms, ndl_cb cb, void *arg);
  const char *path; /* test.txt */
  int port;         /* the slow server's */
  /* A server inside the demo's own loop (sim), closed after the web call;
   * NULL when the server has a loop of its own (linux). */
  struct ndl_slow_server *server;
  int errors; /* module calls that failed to register */
  int failed; /* module callbacks that received an error value */
};

/* The program: main function for ndl_run(); arg is a struct ndl_demo_env. */
void ndl_demo_javascript(ndl_loop *loop, void *env);

/* The library's modules: test.txt at path, the slow server at port. */
void ndl_demo_real_env(struct ndl_demo_env *env, const char *path, int port);
/* The same modules on a sim loop: declares test.txt (NDL_DEMO_TEXT) on its
 * disk and opens the slow server on its network, closed again after the
 * web call; encrypt computes fib iteratively. If the program does not run,
 * close env->server and run the loop once to free it. */
int ndl_demo_sim_env(ndl_loop *loop, struct ndl_demo_env *env);

/* Prints callbacks=N lost=L duplicated=D from the loop's own counters, and
 * returns nonzero if L or D is. */
int ndl_demo_summary(ndl_loop *loop, FILE *out);

#endif
