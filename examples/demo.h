/*
 * The seed's javascript() program, ported to C. The program is written once;
 * an environment supplies the three modules it calls, so the same program
 * runs on the real platform (nodeloop-demo) and on the simulated one
 * (nodeloop-sim --scenario demo).
 */
#ifndef NDL_EXAMPLES_DEMO_H
#define NDL_EXAMPLES_DEMO_H

#include <stdio.h>

#include "nodeloop.h"

/* The 39 characters of test.txt, so that "Encrypted" is fib(39). */
#define NDL_DEMO_TEXT "Hello world! This is a text to encrypt!"
/* The seed's Fs::read sleeps 1 s to simulate a large file. */
#define NDL_DEMO_READ_DELAY_MS 1000
/* The body the slow server answers for GET /delay/<ms>/url/<url>. */
#define NDL_DEMO_SLOW_BODY_FMT "Delayed %d ms: %s"

struct ndl_demo_env {
  int (*fs_read)(ndl_loop *loop, struct ndl_demo_env *env, ndl_cb cb,
                 void *arg);
  int (*encrypt)(ndl_loop *loop, struct ndl_demo_env *env, int64_t n,
                 ndl_cb cb, void *arg);
  int (*http_get_slow)(ndl_loop *loop, struct ndl_demo_env *env,
                       const char *url, int delay_ms, ndl_cb cb, void *arg);
  const char *path; /* test.txt, for the real modules */
  void *impl;       /* the environment's own state */
  int errors;       /* module calls that failed to register */
  int sim_next_fd;  /* sim: numbering of the web call's scripted fds */
};

/* The program: main function for ndl_run(); arg is a struct ndl_demo_env. */
void ndl_demo_javascript(ndl_loop *loop, void *env);

/* The simulated modules: reads take 1000 virtual ms and return
 * NDL_DEMO_TEXT, encrypt computes fib quickly, and the web call is an fd that
 * the sim poller makes readable after delay_ms. */
void ndl_demo_sim_env(struct ndl_demo_env *env);

/* Prints callbacks=N lost=L duplicated=D from the loop's own counters, and
 * returns nonzero if L or D is. */
int ndl_demo_summary(ndl_loop *loop, FILE *out);

#endif
