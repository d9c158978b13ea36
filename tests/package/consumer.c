/* An outside program: only the installed headers and library. Built with
 * NDL_CONSUMER_FAULTS against the fault-injecting library (nodeloop::faults,
 * nodeloop-faults.pc), where a fault plan works; elsewhere it must be
 * refused with NDL_ENOTSUP. */
#include <nodeloop.h>
#include <nodeloop_faults.h>
#include <stdio.h>

static void fired(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  ndl_print(loop, "fired");
  ++*(int *)arg;
}

/* A timer of 1000 ms on the simulated clock; ndl_loop_new's error, or 0. */
static int run_timer(void) {
  ndl_options opts;
  ndl_loop *loop;
  int count = 0, rc;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  if ((rc = ndl_loop_new(&opts, &loop)) != 0)
    return rc;
  ndl_set_timeout(loop, 1000, fired, &count, NULL);
  if (ndl_run(loop, NULL, NULL) != 0 || count != 1 || ndl_now(loop) != 1000) {
    fprintf(stderr, "consumer: the timer did not fire once at 1000 ms\n");
    return -1;
  }
  ndl_loop_free(loop);
  return 0;
}

int main(void) {
  char why[128] = "";
  int rc;
  printf("consumer: nodeloop %s\n", ndl_version_string());
  if (ndl_version() != NDL_VERSION_HEX) {
    fprintf(stderr, "consumer: ndl_version() %#x, header %#x\n", ndl_version(),
            NDL_VERSION_HEX);
    return 1;
  }
  if (run_timer() != 0)
    return 1;
  /* The first allocation fails: the fault points are really compiled in. */
  rc = ndl_faults_plan("core/malloc#1", 1, why, sizeof why);
#ifdef NDL_CONSUMER_FAULTS
  if (rc != 0 || run_timer() != NDL_ENOMEM || ndl_faults_injected() != 1) {
    fprintf(stderr,
            "consumer: the fault plan did not fail ndl_loop_new "
            "(plan: %d %s)\n",
            rc, why);
    return 1;
  }
  ndl_faults_clear();
#else
  if (rc != NDL_ENOTSUP) {
    fprintf(stderr, "consumer: ndl_faults_plan gave %d, not NDL_ENOTSUP\n", rc);
    return 1;
  }
#endif
  puts("consumer: ok");
  return 0;
}
