/*
 * nodeloop-demo: the seed's javascript() on the real platform. Reads take
 * 1 s on the pool, the web call goes to the embedded slow server, and the
 * whole run takes about 3.5 s.
 *
 *   nodeloop-demo [--trace trace.json] [path/to/test.txt]
 *
 * --trace also writes the run as Chrome Trace Event Format, for Perfetto.
 *
 * Exit status: 0 when every module call registered and every callback got
 * a value, not an error; 1 when one did not (a missing test.txt, a refused
 * connection: the program prints the error and goes on, as the seed would
 * have panicked), when the loop lost or duplicated a callback, or when the
 * trace could not be written; 2 on a usage error or a trace file that
 * cannot be created.
 */
#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "nodeloop_net.h"
#include "slow_server.h"

/* The demo makes five module calls (three reads, an encrypt, a web call). */
#define MAX_CALLS 8

/* A module call in flight: the program's callback, and where to count an
 * error value it receives. */
struct call {
  ndl_cb cb;
  void *arg;
  int *failed;
};

struct real_env {
  int port;
  struct call calls[MAX_CALLS];
  unsigned ncalls;
  int failed; /* module callbacks that received an error value */
};

/* Counts an error value, then hands the value to the program, which prints
 * it (demo.c). */
static void counted(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct call *c = arg;
  if (v->kind == NDL_ERROR)
    (*c->failed)++;
  c->cb(loop, v, c->arg);
}

/* The slot for the next call, or NULL (the call then fails to register,
 * which demo.c counts in env->errors). */
static struct call *count(struct ndl_demo_env *env, ndl_cb cb, void *arg) {
  struct real_env *real = env->impl;
  struct call *c;
  if (real->ncalls == MAX_CALLS)
    return NULL;
  c = &real->calls[real->ncalls++];
  c->cb = cb;
  c->arg = arg;
  c->failed = &real->failed;
  return c;
}

static int real_fs_read(ndl_loop *loop, struct ndl_demo_env *env, ndl_cb cb,
                        void *arg) {
  struct call *c = count(env, cb, arg);
  return c == NULL ? NDL_ENOMEM
                   : ndl_fs_read(loop, env->path, NDL_DEMO_READ_DELAY_MS,
                                 counted, c);
}

static int real_encrypt(ndl_loop *loop, struct ndl_demo_env *env, int64_t n,
                        ndl_cb cb, void *arg) {
  struct call *c = count(env, cb, arg);
  return c == NULL ? NDL_ENOMEM : ndl_crypto_encrypt(loop, n, counted, c);
}

/* The seed asked slowwly.robertomurray.co.uk for /delay/<ms>/url/<url>;
 * here the same request goes to the embedded server on loopback. */
static int real_http_get_slow(ndl_loop *loop, struct ndl_demo_env *env,
                              const char *url, int delay_ms, ndl_cb cb,
                              void *arg) {
  struct real_env *real = env->impl;
  struct call *c = count(env, cb, arg);
  char full[512];
  if (c == NULL)
    return NDL_ENOMEM;
  snprintf(full, sizeof(full), "http://127.0.0.1:%d/delay/%d/url/%s",
           real->port, delay_ms, url);
  return ndl_http_get(loop, full, counted, c);
}

int main(int argc, char **argv) {
  struct ndl_slow_server *server = NULL;
  struct real_env real;
  struct ndl_demo_env env;
  ndl_chrome_trace *chrome = NULL;
  ndl_options opts;
  ndl_loop *loop = NULL;
  int err = 0, bad = 0, rc = 1, a;

  memset(&env, 0, sizeof(env));
  memset(&real, 0, sizeof(real));
  env.path = NDL_DEMO_TXT;
  for (a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--trace") == 0 && a + 1 < argc && chrome == NULL) {
      if ((err = ndl_chrome_trace_open(argv[++a], &chrome)) != 0) {
        fprintf(stderr, "nodeloop-demo: %s: %s\n", argv[a],
                ndl_strerror(err));
        return 2;
      }
    } else if (argv[a][0] == '-') {
      fprintf(stderr, "usage: nodeloop-demo [--trace FILE.json] [test.txt]\n");
      rc = 2;
      goto done;
    } else {
      env.path = argv[a];
    }
  }
  env.fs_read = real_fs_read;
  env.encrypt = real_encrypt;
  env.http_get_slow = real_http_get_slow;
  env.impl = &real;

  if ((err = ndl_slow_server_start(&server, &real.port)) != 0) {
    fprintf(stderr, "nodeloop-demo: slow server: %s\n", ndl_strerror(err));
    goto done;
  }
  ndl_options_init(&opts);
  opts.trace = ndl_trace_print_seed_style;
  opts.trace_ctx = stdout;
  if (chrome != NULL) {
    ndl_chrome_trace_chain(chrome, opts.trace, opts.trace_ctx);
    opts.trace = ndl_chrome_trace_event;
    opts.trace_ctx = chrome;
  }
  if ((err = ndl_loop_new(&opts, &loop)) != 0) {
    fprintf(stderr, "nodeloop-demo: %s\n", ndl_strerror(err));
    goto done;
  }
  ndl_chrome_trace_attach(chrome, loop);
  err = ndl_run(loop, ndl_demo_javascript, &env);
  fflush(stdout);
  if (err != 0)
    fprintf(stderr, "nodeloop-demo: ndl_run: %s\n", ndl_strerror(err));
  bad = ndl_demo_summary(loop, stdout);
  if (env.errors != 0 || real.failed != 0)
    fprintf(stderr,
            "nodeloop-demo: %d module call(s) failed to register, %d "
            "callback(s) received an error\n",
            env.errors, real.failed);
  rc = err != 0 || bad || env.errors != 0 || real.failed != 0;

done:
  /* Every path closes what it opened: the trace file is finished (valid
   * JSON, if short) rather than abandoned. */
  if (loop != NULL)
    ndl_loop_free(loop);
  if (server != NULL)
    ndl_slow_server_stop(server);
  if (ndl_chrome_trace_close(chrome) != 0) {
    fprintf(stderr, "nodeloop-demo: the trace file could not be written\n");
    if (rc == 0)
      rc = 1;
  }
  return rc;
}
