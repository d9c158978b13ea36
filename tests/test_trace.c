/*
 * The trace writers (runtime/trace.c, runtime/trace_chrome.c): the one name
 * of each phase and callback kind, and the Chrome writer's escaping.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "nodeloop.h"

/* ---- Names (NDL_PHASE_MAP, NDL_CB_KIND_MAP in nodeloop.h). */

/* The spellings are Node's: "idle, prepare" in its event loop guide,
 * process.nextTick(). The Chrome trace, tests/trace_check.js and the docs
 * use the same ones. */
Test(trace_names, phases_and_callback_kinds_have_one_name_each) {
  static const char *const phases[] = {"main",         "timers",     "pending",
                                       "idle/prepare", "poll",       "check",
                                       "close",        "beforeExit", "exit"};
  static const char *const kinds[] = {"timeout",  "interval",  "immediate",
                                      "nextTick", "microtask", "work",
                                      "io",       "pending",   "close"};
  int i;
  cr_assert_eq(sizeof(phases) / sizeof(phases[0]), NDL_PHASE_COUNT);
  cr_assert_eq(sizeof(kinds) / sizeof(kinds[0]), NDL_CB_KIND_COUNT);
  for (i = 0; i < NDL_PHASE_COUNT; i++)
    cr_assert_str_eq(ndl_phase_name((ndl_phase)i), phases[i]);
  for (i = 0; i < NDL_CB_KIND_COUNT; i++)
    cr_assert_str_eq(ndl_cb_kind_name((ndl_cb_kind)i), kinds[i]);
  cr_assert_str_eq(ndl_phase_name(NDL_PHASE_IDLE_PREPARE), "idle/prepare");
  cr_assert_str_eq(ndl_cb_kind_name(NDL_CB_NEXT_TICK), "nextTick");
  /* An event about no callback carries NDL_CB_KIND_COUNT. */
  cr_assert_str_eq(ndl_cb_kind_name(NDL_CB_KIND_COUNT), "-");
  cr_assert_str_eq(ndl_phase_name(NDL_PHASE_COUNT), "?");
  cr_assert_str_eq(ndl_phase_name((ndl_phase)-1), "?");
  cr_assert_str_eq(ndl_cb_kind_name((ndl_cb_kind)(NDL_CB_KIND_COUNT + 1)), "?");
  cr_assert_str_eq(ndl_cb_kind_name((ndl_cb_kind)-1), "?");
}

static void on_tick(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

static void tick_program(ndl_loop *loop, void *arg) {
  (void)arg;
  cr_assert_eq(ndl_next_tick(loop, on_tick, NULL), 0);
  cr_assert_eq(ndl_set_timeout(loop, 1, on_tick, NULL, NULL), 0);
}

/* The verbose printer shows the same names, in columns as wide as the
 * longest one. */
Test(trace_names, the_verbose_printer_uses_them) {
  ndl_options opts;
  ndl_loop *loop;
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);

  cr_assert_not_null(f);
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.trace = ndl_trace_print_verbose;
  opts.trace_ctx = f;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  cr_assert_eq(ndl_run(loop, tick_program, NULL), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  fclose(f);
  cr_assert_not_null(strstr(out, " idle/prepare phase      -         id=0"),
                     "%s", out);
  cr_assert_not_null(strstr(out, " main         cb_start   nextTick  id="),
                     "%s", out);
  cr_assert_null(strstr(out, "idle_prepare"), "%s", out);
  cr_assert_null(strstr(out, "next_tick"), "%s", out);
  free(out);
}

/* ---- The Chrome trace (runtime/trace_chrome.c). */

/* Nothing the writer emits may be a control byte (but the newlines
 * between events) or a broken UTF-8 sequence. Returns the offset of the
 * first bad byte, or -1. */
static long first_bad_byte(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t len = s[i] < 0x80                    ? 1
                 : s[i] >= 0xc2 && s[i] <= 0xdf ? 2
                 : s[i] >= 0xe0 && s[i] <= 0xef ? 3
                 : s[i] >= 0xf0 && s[i] <= 0xf4 ? 4
                                                : 0;
    size_t k;
    if (len == 0 || i + len > n || (s[i] < 0x20 && s[i] != '\n'))
      return (long)i;
    for (k = 1; k < len; k++)
      if ((s[i + k] & 0xc0) != 0x80)
        return (long)i;
    i += len;
  }
  return -1;
}

static int work_done;

static void hostile_work(void *arg, ndl_value *result) {
  (void)arg;
  ndl_value_set_int(result, 1);
}

static void print_hostile(ndl_loop *loop, void *arg) {
  const char *kind = arg;
  char long_text[300];
  size_t i;
  /* 100 three-byte characters: any cut at 64 bytes of a byte-wise
   * truncation would split one. */
  for (i = 0; i < 99; i++)
    memcpy(long_text + 3 * i, "\xe2\x82\xac", 3); /* the euro sign */
  long_text[297] = '\0';
  ndl_print(loop, "quote \" backslash \\ tab \t newline \n bell \a end");
  ndl_print(loop, "bad utf-8: \xff \xc3 \xed\xa0\x80 ok: \xc3\xa9");
  ndl_print(loop, "%s", long_text);
  ndl_print_content(loop, "label \"x\"\x01", "content \\ \"y\"");
  cr_assert_eq(
      ndl_queue_work(loop, kind, 0, hostile_work, count_call, &work_done, NULL),
      0);
}

/* B8: names and prints went into the JSON unescaped, were cut mid
 * character, and prints were missing. */
Test(chrome_trace, text_is_escaped_cut_between_characters_and_printed) {
  char path[] = "/tmp/ndl_hostile_traceXXXXXX";
  static char kind[200];
  ndl_chrome_trace *t;
  ndl_options opts;
  ndl_loop *loop;
  unsigned char *data;
  char cmd[1024];
  FILE *f;
  long n, bad;
  size_t i;
  int fd = mkstemp(path);

  cr_assert_geq(fd, 0);
  close(fd);
  /* A task kind with a quote, a control byte and 60 two-byte characters. */
  strcpy(kind, "kind \"k\"\x02 ");
  for (i = 0; i < 60; i++)
    strcat(kind, "\xc3\xa9");
  cr_assert_eq(ndl_chrome_trace_open(path, &t), 0);
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.trace = ndl_chrome_trace_event;
  opts.trace_ctx = t;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  ndl_chrome_trace_attach(t, loop);
  cr_assert_eq(ndl_run(loop, print_hostile, kind), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(ndl_chrome_trace_close(t), 0);

  f = fopen(path, "rb");
  cr_assert_not_null(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc((size_t)n + 1);
  cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
  data[n] = '\0';
  fclose(f);
  bad = first_bad_byte(data, (size_t)n);
  cr_assert_eq(bad, -1, "bad byte at %ld: ...%.40s", bad,
               data + (bad > 20 ? bad - 20 : 0));
  cr_assert_not_null(strstr((char *)data,
                            "quote \\\" backslash \\\\ tab \\u0009 newline "
                            "\\u000a bell \\u0007 end"),
                     "print missing or not escaped");
  cr_assert_not_null(strstr((char *)data,
                            "bad utf-8: \\ufffd \\ufffd "
                            "\\ufffd\\ufffd\\ufffd ok: \xc3\xa9"));
  /* The euros cut at 64 bytes: 21 whole characters, nothing after them. */
  memcpy(cmd, "\"name\":\"", 8);
  for (i = 0; i < 21; i++)
    memcpy(cmd + 8 + 3 * i, "\xe2\x82\xac", 3);
  strcpy(cmd + 8 + 63, "\",");
  cr_assert_not_null(strstr((char *)data, cmd), "the name is not cut at 63");
  cr_assert_not_null(
      strstr((char *)data, "\"label\":\"label \\\"x\\\"\\u0001\""));
  cr_assert_not_null(strstr((char *)data, "\"name\":\"kind \\\"k\\\"\\u0002 "));
  free(data);
  /* And node, if it is here, parses it as trace_check.js does. */
  snprintf(cmd, sizeof(cmd),
           "command -v node >/dev/null || exit 0; node %s/tests/trace_check.js "
           "%s --prints >/dev/null",
           NDL_SOURCE_DIR, path);
  cr_assert_eq(system(cmd), 0, "trace_check.js rejects %s", path);
  unlink(path);
}
