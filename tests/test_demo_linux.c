/*
 * nodeloop-demo on the real platform: it runs the seed's program end to end
 * (pool, timers, the embedded slow server) and prints the orderings that
 * cannot vary, whatever the scheduler does. Timing is not asserted here;
 * ci/bench and the demo's own summary line report it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *output;

static void run_demo(void) {
  size_t len = 0, cap = 1 << 16;
  FILE *p = popen(NDL_DEMO_BIN, "r");
  cr_assert_not_null(p);
  output = malloc(cap);
  while (!feof(p) && len + 1 < cap)
    len += fread(output + len, 1, cap - 1 - len, p);
  output[len] = '\0';
  cr_assert_eq(pclose(p), 0, "nodeloop-demo failed:\n%s", output);
}

static const char *find(const char *line) {
  const char *p = strstr(output, line);
  cr_assert_not_null(p, "missing '%s' in:\n%s", line, output);
  return p;
}

static void before(const char *a, const char *b) {
  cr_assert(find(a) < find(b), "'%s' should come before '%s':\n%s", a, b,
            output);
}

Test(demo_linux, fixed_orderings_hold, .timeout = 60) {
  run_demo();
  /* Every registration print comes before any callback. */
  before("Registering http get request to google.com", "Immediate1 timed out");
  before("Registering http get request to google.com", "First count");
  before("Registering http get request to google.com", "===== TICK 1 =====");
  before("Immediate1 timed out", "Immediate2 timed out");
  before("First count: 39 characters.",
         "I want to create a \"magic\" number based on the text.");
  before("I want to create a \"magic\" number based on the text.",
         "\"Encrypted\" number is: 63245986");
  before("Second count: 39 characters.", "Third call to read test.txt");
  before("SETTIMEOUT", "3000ms timer timed out");
  before("START CONTENT - WEB CALL", "3000ms timer timed out");
  before("Delayed 2000 ms: http//www.google.com", "3000ms timer timed out");
  before("START CONTENT - FILE READ", "500ms timer(nested) timed out");
  before("3000ms timer timed out", "500ms timer(nested) timed out");
  before("500ms timer(nested) timed out", "Thread: main\t FINISHED");
  /* The nested timer is the last callback: nothing but FINISHED and the
   * summary follow it. */
  cr_assert_str_eq(strstr(output, "500ms timer(nested) timed out\n") +
                       strlen("500ms timer(nested) timed out\n"),
                   "Thread: main\t FINISHED\ncallbacks=12 lost=0 "
                   "duplicated=0\n");
  free(output);
}
