/*
 * nodeloop-demo: the chapter's javascript() on the real platform. Reads take
 * 1 s on the pool, the web call goes to the embedded slow server, and the
 * whole run takes about 3.5 s.
 *
 *   nodeloop-demo [--trace trace.json] [path/to/test.txt]
 *   nodeloop-demo --list-faults | --help | --version
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
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "demo.h"

#define TOOL "nodeloop-demo"

static void usage(void) {
  printf("usage: nodeloop-demo [--trace FILE.json] [TEST.TXT]\n"
         "       nodeloop-demo --list-faults | --help | --version\n"
         "\n"
         "Runs the chapter's javascript() on the real platform: reads of\n"
         "TEST.TXT (default: the one in the build tree) that take 1 s on the\n"
         "pool, and a web call to an embedded slow server; about 3.5 s.\n"
         "\n"
         "      --trace FILE.json  also write the run as Chrome Trace Event\n"
         "                         Format, for Perfetto\n"
         "      --list-faults      list the fault points that NODELOOP_FAULTS\n"
         "                         may name (include/nodeloop_faults.h)\n"
         "  -h, --help             print this help\n"
         "      --version          print the version and the build\n"
         "\n"
         "Environment: NODELOOP_FAULTS, a fault plan, seeded with\n"
         "NODELOOP_FAULTS_SEED (default 1).\n"
         "\n"
         "Exit status: 0 when every call registered and every callback got a\n"
         "value; 1 when one did not, or the loop lost or duplicated a\n"
         "callback, or the trace could not be written; 2 on a usage error or\n"
         "a trace file that cannot be created.\n");
}

enum { OPT_TRACE = CLI_OPT_FIRST_OWN };

static const struct option long_options[] = {
    {"trace", required_argument, NULL, OPT_TRACE},
    {"list-faults", no_argument, NULL, CLI_OPT_LIST_FAULTS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, CLI_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv) {
  struct ndl_slow_server *server = NULL;
  struct ndl_demo_env env;
  int port;
  ndl_chrome_trace *chrome = NULL;
  ndl_options opts;
  ndl_loop *loop = NULL;
  int err = 0, bad = 0, rc = 1, opt;

  ndl_demo_real_env(&env, NDL_DEMO_TXT, 0);
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    switch (opt) {
    case OPT_TRACE:
      if (chrome != NULL) {
        rc = cli_usage_error(TOOL, "--trace given twice");
        goto done;
      }
      if ((err = ndl_chrome_trace_open(optarg, &chrome)) != 0) {
        fprintf(stderr, TOOL ": %s: %s\n", optarg, ndl_strerror(err));
        rc = 2;
        goto done;
      }
      break;
    default:
      /* --help and the like end the run too, closing the trace. */
      rc = cli_common_option(TOOL, opt, argv, usage);
      goto done;
    }
  }
  if (optind < argc)
    env.path = argv[optind++];
  if (cli_no_operands(TOOL, argc, argv) != 0) {
    rc = CLI_USAGE;
    goto done;
  }
  if ((err = ndl_slow_server_start(&server, &port)) != 0) {
    fprintf(stderr, TOOL ": slow server: %s\n", ndl_strerror(err));
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
    fprintf(stderr, TOOL ": %s\n", ndl_strerror(err));
    goto done;
  }
  ndl_chrome_trace_attach(chrome, loop);
  err = ndl_run(loop, ndl_demo_javascript, &env);
  fflush(stdout);
  if (err != 0)
    fprintf(stderr, TOOL ": ndl_run: %s\n", ndl_strerror(err));
  bad = ndl_demo_summary(loop, stdout);
  if (env.errors != 0 || env.failed != 0)
    fprintf(stderr,
            TOOL ": %d module call(s) failed to register, %d "
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
    fprintf(stderr, TOOL ": the trace file could not be written\n");
    if (rc == 0)
      rc = 1;
  }
  return rc;
}
