/* The README's first example: a timer, and a print that shows on stdout. */
#include <nodeloop.h>
#include <stdio.h>

static void hello(ndl_loop *loop, const ndl_value *v, void *arg) {
  const uint64_t *set_at = arg;
  (void)v;
  ndl_print(loop, "timer fired after %llu ms",
            (unsigned long long)(ndl_now(loop) - *set_at));
}

static void program(ndl_loop *loop, void *arg) {
  uint64_t *set_at = arg;
  *set_at = ndl_now(loop); /* the loop's clock, in ms from any origin */
  ndl_print(loop, "main: setting a 100 ms timer");
  ndl_set_timeout(loop, 100, hello, set_at, NULL);
}

int main(void) {
  ndl_options opts;
  ndl_loop *loop;
  uint64_t set_at;
  int err;

  ndl_options_init(&opts);
  /* ndl_print writes to the trace sink; this one prints the chapter's
   * style to stdout: each print with its thread, and each tick. */
  opts.trace = ndl_trace_print_chapter_style;
  opts.trace_ctx = stdout;
  if ((err = ndl_loop_new(&opts, &loop)) != 0) {
    fprintf(stderr, "hello: %s\n", ndl_strerror(err));
    return 1;
  }
  err = ndl_run(loop, program, &set_at);
  if (err == 0)
    err = ndl_loop_free(loop);
  else
    ndl_loop_free(loop);
  if (err != 0)
    fprintf(stderr, "hello: %s\n", ndl_strerror(err));
  return err != 0;
}
