/*
 * The chapter's crypto module, ndl_crypto_encrypt() (Fibonacci on the pool), on
 * the Linux backend.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "helpers.h"
#include "nodeloop.h"

Test(crypto, fibonacci_values) {
  struct fib_case cases[] = {{0, 0, 0, 0, 0},     {1, 1, 0, 0, 0},
                             {2, 1, 0, 0, 0},     {10, 55, 0, 0, 0},
                             {20, 6765, 0, 0, 0}, {30, 832040, 0, 0, 0}};
  size_t i, n = sizeof(cases) / sizeof(cases[0]);
  ndl_loop *loop = new_loop(4);

  for (i = 0; i < n; i++)
    cr_assert_eq(ndl_crypto_encrypt(loop, cases[i].n, on_fib, &cases[i]), 0);
  run_and_free(loop);
  for (i = 0; i < n; i++) {
    cr_assert_eq(cases[i].calls, 1);
    cr_assert_eq(cases[i].kind, NDL_INT);
    cr_assert_eq(cases[i].got, cases[i].want, "fib(%lld) = %lld",
                 (long long)cases[i].n, (long long)cases[i].got);
  }
}

Test(crypto, out_of_range_is_einval) {
  ndl_loop *loop = new_loop(1);
  struct fib_case c;
  cr_assert_eq(ndl_crypto_encrypt(loop, -1, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, 46, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, 50, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, INT64_MAX, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, 10, NULL, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(NULL, 10, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_loop_free(loop), 0);
}
