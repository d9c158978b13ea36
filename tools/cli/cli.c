/*
 * The tools' shared command-line pieces (cli.h).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_id.h" /* generated: NDL_BUILD_ID (tools/cli/build_id.cmake) */
#include "nodeloop.h"
#include "nodeloop_faults.h"

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out) {
  const char *p;
  unsigned long long v;
  if (s == NULL || *s == '\0')
    return -1;
  for (p = s; *p != '\0'; p++)
    if (*p < '0' || *p > '9')
      return -1;
  errno = 0;
  v = strtoull(s, NULL, 10);
  if (errno == ERANGE || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

int cli_option_u64(const char *tool, const char *option, const char *value,
                   uint64_t min, uint64_t max, uint64_t *out) {
  char top[24];
  if (cli_parse_u64(value, min, max, out) == 0)
    return 0;
  if (max == UINT64_MAX)
    snprintf(top, sizeof(top), "2^64-1");
  else
    snprintf(top, sizeof(top), "%llu", (unsigned long long)max);
  cli_usage_error(tool, "%s wants a number from %llu to %s, not '%s'", option,
                  (unsigned long long)min, top, value);
  return -1;
}

int cli_usage_error(const char *tool, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", tool);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry '%s --help'.\n", tool);
  return CLI_USAGE;
}

static int bad_option(const char *tool, int c, char *const argv[]) {
  /* getopt_long has moved optind past the option it refused. A short
   * option may sit inside a cluster ("-xv"), so it is named by optopt. */
  const char *arg = argv[optind - 1];
  int is_long = arg[0] == '-' && arg[1] == '-';
  if (c == ':')
    return is_long ? cli_usage_error(tool, "%s wants a value", arg)
                   : cli_usage_error(tool, "-%c wants a value", optopt);
  /* getopt_long sets optopt for a known long option given a value it does
   * not take ("--help=3"), and leaves it 0 for an unknown one. */
  if (is_long && optopt != 0)
    return cli_usage_error(tool, "%.*s takes no value", (int)strcspn(arg, "="),
                           arg);
  if (is_long)
    return cli_usage_error(tool, "unknown option '%s'", arg);
  return cli_usage_error(tool, "unknown option '-%c'", optopt);
}

const char *cli_build_id(void) {
  return NDL_BUILD_ID;
}

static void print_version(const char *tool) {
  printf("%s (nodeloop) %s\nbuild %s\n", tool, ndl_version_string(),
         cli_build_id());
}

static void print_fault_points(FILE *f) {
  const char *name;
  unsigned i;
  for (i = 0; (name = ndl_fault_point_name(i)) != NULL; i++)
    fprintf(f, "%-28s %s\n", name, ndl_fault_point_about(i));
}

int cli_common_option(const char *tool, int opt, char *const argv[],
                      void (*usage)(void)) {
  switch (opt) {
  case 'h':
    usage();
    return 0;
  case CLI_OPT_VERSION:
    print_version(tool);
    return 0;
  case CLI_OPT_LIST_FAULTS:
    print_fault_points(stdout);
    return 0;
  default:
    return bad_option(tool, opt, argv);
  }
}

int cli_no_operands(const char *tool, int argc, char *const argv[]) {
  if (optind >= argc)
    return 0;
  return cli_usage_error(tool, "unexpected argument '%s'", argv[optind]);
}

void cli_json_string(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  fputc('"', f);
  for (; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p == '\n')
      fputs("\\n", f);
    else if (*p < 0x20)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}
