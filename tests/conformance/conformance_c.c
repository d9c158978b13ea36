/*
 * conformance-c: runs one conformance scenario's C program.
 *
 *   conformance-c --list              every scenario: name and backends
 *   conformance-c <name> <linux|io_uring|sim> [node-order]
 *                                     runs it; the lines go to stdout;
 *                                     node-order: with Node's timer order
 *                                     (NDL_TIMER_ORDER_NODE)
 *
 * The program runs with tests/conformance/ as its working directory (or
 * $NDL_CONFORMANCE_DIR), as the .js files do, so that both read the same
 * files by the same relative names. Exit status: 0, 1 when the loop failed
 * or lost or duplicated a callback, 2 on bad usage.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

#ifndef NDL_CONFORMANCE_DIR
#define NDL_CONFORMANCE_DIR "."
#endif

static const struct conf_scenario *const tables[] = {
    conf_timer_scenarios, conf_tick_scenarios, conf_io_scenarios,
    conf_tcp_scenarios, NULL};

void conf_log(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

void conf_say(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  conf_log("%s", (const char *)arg);
}

void conf_tcp_say(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  conf_log("%s", (const char *)arg);
}

void conf_busy(ndl_loop *loop, unsigned ms) {
  uint64_t end;
  int err = ndl_sim_advance(loop, ms); /* NDL_ENOTSUP: not a sim */
  if (err != NDL_ENOTSUP) {
    CONF_OK(err);
    return;
  }
  end = ndl_now_ns(loop) + (uint64_t)ms * 1000000u;
  while (ndl_now_ns(loop) < end)
    ;
}

void conf_fail(const char *what, int err) {
  fflush(stdout);
  fprintf(stderr, "conformance-c: %s: %s (%s)\n", what, ndl_strerror(err),
          ndl_err_name(err));
  exit(1);
}

/* The sim's disk holds a copy of the scenario folder, read before the run
 * starts: during it, nothing touches the real disk. */
static void mirror_folder(ndl_loop *loop) {
  DIR *d = opendir(".");
  struct dirent *e;
  if (d == NULL) {
    perror("conformance-c: opendir");
    exit(1);
  }
  CONF_OK(ndl_sim_dir(loop, "."));
  while ((e = readdir(d)) != NULL) {
    FILE *f;
    char buf[1 << 16];
    size_t n;
    if (e->d_type != DT_REG || (f = fopen(e->d_name, "rb")) == NULL)
      continue;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    CONF_OK(ndl_sim_file(loop, e->d_name, buf, n));
  }
  closedir(d);
}

static const struct conf_scenario *find(const char *name) {
  const struct conf_scenario *const *t;
  const struct conf_scenario *s;
  for (t = tables; *t != NULL; t++)
    for (s = *t; s->name != NULL; s++)
      if (strcmp(s->name, name) == 0)
        return s;
  return NULL;
}

/* Every scenario runs on every backend; io_uring only where the kernel
 * allows it, which is said once on stderr. */
static void list(void) {
  const struct conf_scenario *const *t;
  const struct conf_scenario *s;
  const char *backends = "linux,io_uring,sim";
  char why[256];
  if (ndl_io_uring_check(why, sizeof(why)) != 0) {
    fprintf(stderr, "conformance-c: not on io_uring: %s\n", why);
    backends = "linux,sim";
  }
  for (t = tables; *t != NULL; t++)
    for (s = *t; s->name != NULL; s++)
      printf("%s %s\n", s->name, backends);
}

static int usage(void) {
  fprintf(stderr, "usage: conformance-c --list\n"
                  "       conformance-c <scenario> <linux|io_uring|sim> "
                  "[node-order]\n");
  return 2;
}

/* process.on('exit'), as an exit listener of the loop. */
static void run_at_exit(ndl_loop *loop, const ndl_value *v, void *arg) {
  const struct conf_scenario *s = arg;
  (void)v;
  s->at_exit(loop);
}

int main(int argc, char **argv) {
  const struct conf_scenario *s;
  const char *dir = getenv("NDL_CONFORMANCE_DIR");
  ndl_options opts;
  ndl_loop *loop;
  ndl_stats st;
  int err;

  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    list();
    return 0;
  }
  if (argc != 3 && !(argc == 4 && strcmp(argv[3], "node-order") == 0))
    return usage();
  if ((s = find(argv[1])) == NULL) {
    fprintf(stderr, "conformance-c: no scenario named %s\n", argv[1]);
    return 2;
  }
  ndl_options_init(&opts);
  if (argc == 4)
    opts.timer_order = NDL_TIMER_ORDER_NODE;
  if (strcmp(argv[2], "sim") == 0)
    opts.backend = NDL_BACKEND_SIM;
  else if (strcmp(argv[2], "io_uring") == 0)
    opts.backend = NDL_BACKEND_IO_URING;
  else if (strcmp(argv[2], "linux") == 0)
    opts.backend = NDL_BACKEND_LINUX;
  else
    return usage();
  if (chdir(dir != NULL && *dir != '\0' ? dir : NDL_CONFORMANCE_DIR) != 0) {
    perror("conformance-c: chdir");
    return 1;
  }

  CONF_OK(ndl_loop_new(&opts, &loop));
  if (opts.backend == NDL_BACKEND_SIM)
    mirror_folder(loop);
  if (s->at_exit != NULL)
    CONF_OK(ndl_on_exit(loop, run_at_exit, (void *)s));
  if ((err = ndl_run(loop, s->main, NULL)) != 0)
    conf_fail("ndl_run", err);
  fflush(stdout);
  ndl_get_stats(loop, &st);
  if (st.lost != 0 || st.duplicated != 0) {
    fprintf(stderr, "conformance-c: %llu callbacks lost, %llu duplicated\n",
            (unsigned long long)st.lost, (unsigned long long)st.duplicated);
    return 1;
  }
  CONF_OK(ndl_loop_free(loop));
  return 0;
}
