/*
 * nodeloop-demo: the chapter's javascript() on the real platform. Reads take
 * 1 s on the pool, the web call goes to the embedded slow server, and the
 * whole run takes about 3.5 s.
 *
 *   nodeloop-demo [--trace trace.json] [path/to/test.txt]
 *
 * --trace also writes the run as Chrome Trace Event Format, for Perfetto.
 *
 * Exit status: 0 when every module call registered and every callback got
 * a value, not an error; 1 when one did not (a missing test.txt, a refused
 * connection: the program prints the error and goes on, as the chapter would
 * have panicked), when the loop lost or duplicated a callback, or when the
 * trace could not be written; 2 on a usage error or a trace file that
 * cannot be created.
 */
#include <stdio.h>
#include <string.h>

#include "demo.h"

int main(int argc, char **argv) {
  struct ndl_slow_server *server = NULL;
  struct ndl_demo_env env;
  int port;
  ndl_chrome_trace *chrome = NULL;
  ndl_options opts;
  ndl_loop *loop = NULL;
  int err = 0, bad = 0, rc = 1, a;

  ndl_demo_real_env(&env, NDL_DEMO_TXT, 0);
  for (a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--trace") == 0 && a + 1 < argc && chrome == NULL) {
      if ((err = ndl_chrome_trace_open(argv[++a], &chrome)) != 0) {
        fprintf(stderr, "nodeloop-demo: %s: %s\n", argv[a], ndl_strerror(err));
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
  if ((err = ndl_slow_server_start(&server, &port)) != 0) {
    fprintf(stderr, "nodeloop-demo: slow server: %s\n", ndl_strerror(err));
    goto done;
  }
  env.port = port;
  ndl_options_init(&opts);
  opts.trace = ndl_trace_print_chapter_style;
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
  if (env.errors != 0 || env.failed != 0)
    fprintf(stderr,
            "nodeloop-demo: %d module call(s) failed to register, %d "
            "callback(s) received an error\n",
            env.errors, env.failed);
  rc = err != 0 || bad || env.errors != 0 || env.failed != 0;

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
