/*
 * nodeloop-demo: the seed's javascript() on the real platform. Reads take
 * 1 s on the pool, the web call goes to the embedded slow server, and the
 * whole run takes about 3.5 s.
 *
 *   nodeloop-demo [--trace trace.json] [path/to/test.txt]
 *
 * --trace also writes the run as Chrome Trace Event Format, for Perfetto.
 */
#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "nodeloop_net.h"
#include "slow_server.h"

struct real_env {
  int port;
};

static int real_fs_read(ndl_loop *loop, struct ndl_demo_env *env, ndl_cb cb,
                        void *arg) {
  return ndl_fs_read(loop, env->path, NDL_DEMO_READ_DELAY_MS, cb, arg);
}

static int real_encrypt(ndl_loop *loop, struct ndl_demo_env *env, int64_t n,
                        ndl_cb cb, void *arg) {
  (void)env;
  return ndl_crypto_encrypt(loop, n, cb, arg);
}

/* The seed asked slowwly.robertomurray.co.uk for /delay/<ms>/url/<url>;
 * here the same request goes to the embedded server on loopback. */
static int real_http_get_slow(ndl_loop *loop, struct ndl_demo_env *env,
                              const char *url, int delay_ms, ndl_cb cb,
                              void *arg) {
  struct real_env *real = env->impl;
  char full[512];
  snprintf(full, sizeof(full), "http://127.0.0.1:%d/delay/%d/url/%s",
           real->port, delay_ms, url);
  return ndl_http_get(loop, full, cb, arg);
}

int main(int argc, char **argv) {
  struct ndl_slow_server *server;
  struct real_env real;
  struct ndl_demo_env env;
  ndl_chrome_trace *chrome = NULL;
  ndl_options opts;
  ndl_loop *loop;
  int err, bad, a;

  memset(&env, 0, sizeof(env));
  env.path = NDL_DEMO_TXT;
  for (a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--trace") == 0 && a + 1 < argc) {
      if ((err = ndl_chrome_trace_open(argv[++a], &chrome)) != 0) {
        fprintf(stderr, "nodeloop-demo: %s: %s\n", argv[a],
                ndl_strerror(err));
        return 2;
      }
    } else if (argv[a][0] == '-') {
      fprintf(stderr, "usage: nodeloop-demo [--trace FILE.json] [test.txt]\n");
      return 2;
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
    return 1;
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
    ndl_slow_server_stop(server);
    ndl_chrome_trace_close(chrome);
    return 1;
  }
  ndl_chrome_trace_attach(chrome, loop);
  err = ndl_run(loop, ndl_demo_javascript, &env);
  fflush(stdout);
  if (err != 0)
    fprintf(stderr, "nodeloop-demo: ndl_run: %s\n", ndl_strerror(err));
  bad = ndl_demo_summary(loop, stdout);
  ndl_loop_free(loop);
  ndl_slow_server_stop(server);
  if (ndl_chrome_trace_close(chrome) != 0) {
    fprintf(stderr, "nodeloop-demo: the trace file could not be written\n");
    bad = 1;
  }
  return err != 0 || bad || env.errors != 0;
}
