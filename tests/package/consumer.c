/* An outside program: only the installed header and library. */
#include <nodeloop.h>
#include <stdio.h>

static void fired(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  ndl_print(loop, "fired");
  ++*(int *)arg;
}

int main(void) {
  ndl_options opts;
  ndl_loop *loop;
  int count = 0;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  if (ndl_loop_new(&opts, &loop) != 0)
    return 1;
  ndl_set_timeout(loop, 1000, fired, &count, NULL);
  if (ndl_run(loop, NULL, NULL) != 0 || count != 1 || ndl_now(loop) != 1000)
    return 1;
  ndl_loop_free(loop);
  puts("consumer: ok");
  return 0;
}
