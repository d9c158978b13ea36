/*
 * Timer delays (core/core.c): what Node does with delays it cannot honour.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "nodeloop.h"

static void record_time(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  *(uint64_t *)arg = ndl_now(loop);
}

static void count_notes(void *ctx, const ndl_trace_event *ev) {
  if (ev->kind == NDL_TRACE_NOTE && ev->text != NULL &&
      strstr(ev->text, "TimeoutOverflowWarning") != NULL)
    (*(int *)ctx)++;
}

/* Node clamps any delay above TIMEOUT_MAX (2^31 - 1 ms) to 1 ms, with a
 * warning; nodeloop honoured delays up to 2^43 ms and refused larger
 * ones. */
Test(timers, delays_above_timeout_max_are_one_ms) {
  static const int64_t delays[] = {(int64_t)1 << 31, ((int64_t)1 << 43) - 1,
                                   (int64_t)1 << 43, ((int64_t)1 << 43) + 1,
                                   INT64_MAX};
  uint64_t at[5], max_at = 0;
  ndl_options opts;
  ndl_loop *loop;
  int notes = 0;
  unsigned i;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.trace = count_notes;
  opts.trace_ctx = &notes;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  for (i = 0; i < 5; i++)
    cr_assert_eq(ndl_set_timeout(loop, delays[i], record_time, &at[i], NULL), 0,
                 "delay %lld", (long long)delays[i]);
  cr_assert_eq(ndl_set_interval(loop, INT64_MAX, NULL, NULL, NULL),
               NDL_EINVAL); /* NULL cb: refused, and no warning */
  cr_assert_eq(ndl_set_timeout(loop, INT32_MAX, record_time, &max_at, NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  for (i = 0; i < 5; i++)
    cr_assert_eq(at[i], 1, "delay %lld fired at %llu ms", (long long)delays[i],
                 (unsigned long long)at[i]);
  cr_assert_eq(max_at, (uint64_t)INT32_MAX, "TIMEOUT_MAX fired at %llu",
               (unsigned long long)max_at);
  cr_assert_eq(notes, 5);
  cr_assert_eq(ndl_set_timeout(loop, -1, record_time, &max_at, NULL),
               NDL_EINVAL);
  cr_assert_eq(ndl_loop_free(loop), 0);
}
