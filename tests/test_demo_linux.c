/*
 * nodeloop-demo on the real platform: it runs the chapter's program end to end
 * (pool, timers, the embedded slow server) and prints the orderings that
 * cannot vary, whatever the scheduler does. Timing is not asserted here;
 * ci/bench and the demo's own summary line report it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *output;

static char *run(const char *cmd) {
  size_t len = 0, cap = 1 << 16;
  FILE *p = popen(cmd, "r");
  char *out;
  cr_assert_not_null(p);
  out = malloc(cap);
  while (!feof(p) && len + 1 < cap)
    len += fread(out + len, 1, cap - 1 - len, p);
  out[len] = '\0';
  cr_assert_eq(pclose(p), 0, "%s failed:\n%s", cmd, out);
  return out;
}

static void run_demo(void) {
  output = run(NDL_DEMO_BIN);
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

/* ---- The same program on the sim backend (its modules on the simulated
 * disk and network) prints the same lines. Their order may differ only
 * where the program itself races: around 1000 ms (the 1000 ms timer and
 * the two reads that started microseconds before it, whose order varies
 * between Linux runs too) and around 2000 ms (the third read and the web
 * call), as docs/semantics.md says. */

#define MAX_LINES 64

/* The program's own lines: prints and content, not the runtime's
 * registration, tick and pool lines, whose ids and threads differ. */
static int program_lines(char *text, char **lines) {
  int n = 0;
  char *line, *save = NULL;
  for (line = strtok_r(text, "\n", &save); line != NULL && n < MAX_LINES;
       line = strtok_r(NULL, "\n", &save)) {
    if (strstr(line, "Event with id") || strstr(line, "Registered timer") ||
        strstr(line, "===== TICK") || strstr(line, "recived a task") ||
        strstr(line, "finished running a task") ||
        strncmp(line, "callbacks=", 10) == 0 ||
        strncmp(line, "virtual_ms=", 11) == 0)
      continue;
    lines[n++] = line;
  }
  return n;
}

static int by_text(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(demo_linux, sim_prints_the_same_lines, .timeout = 60) {
  char *linux_out = run(NDL_DEMO_BIN),
       *sim_out = run(NDL_SIM_BIN " --scenario demo");
  char *a[MAX_LINES], *b[MAX_LINES];
  int na = program_lines(linux_out, a), nb = program_lines(sim_out, b), i;
  cr_assert_eq(na, nb, "linux prints %d program lines, sim %d", na, nb);
  qsort(a, (size_t)na, sizeof(*a), by_text);
  qsort(b, (size_t)nb, sizeof(*b), by_text);
  for (i = 0; i < na; i++)
    cr_assert_str_eq(a[i], b[i]);
  free(linux_out);
  free(sim_out);
}
