/*
 * What the command-line tools (nodeloop-demo, nodeloop-sim, nodeloop-faults,
 * nodeloop-bench) share: strict numbers, --version, --list-faults, and the
 * one-line usage error, and the JSON string writer of their reports. Each tool
 * parses its own options with getopt_long (opterr = 0, the option string ":h",
 * and "help" as 'h' in its table), and hands whatever is not its own to
 * cli_common_option(). The ':' that starts the option string makes getopt_long
 * tell a missing value from an unknown option.
 */
#ifndef NDL_TOOLS_CLI_H
#define NDL_TOOLS_CLI_H

#include <stdint.h>
#include <stdio.h>

/* The exit status of every usage error. */
#define CLI_USAGE 2

/* The options every tool has, as getopt_long values outside char's range. */
enum { CLI_OPT_VERSION = 0x100, CLI_OPT_LIST_FAULTS, CLI_OPT_FIRST_OWN };

/* Decimal digits only, from min to max. strtoull alone would take " -5"
 * (skipping the blank, then negating) as 2^64 - 5, "+3" as 3, and saturate
 * past 2^64 - 1 without a word. Returns 0, or -1 with *out untouched. */
int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* cli_parse_u64 for the value of option (e.g. "--runs"); when it fails,
 * says why on stderr, as cli_usage_error does. Returns 0 or -1. */
int cli_option_u64(const char *tool, const char *option, const char *value,
                   uint64_t min, uint64_t max, uint64_t *out);

/* Prints "tool: <message>" and "Try 'tool --help'." on stderr; returns
 * CLI_USAGE. */
int cli_usage_error(const char *tool, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What getopt_long returned as opt, when it is not one of the tool's own
 * options: -h/--help prints usage(); --version the tool, the library's
 * version and the build (the git commit the binary was built from, or
 * "unknown"); --list-faults every fault point and what it injects. Each
 * prints on stdout, and the call returns 0, the tool's exit status.
 * Anything else ('?', ':') is a usage error for the option just read
 * (unknown, missing its value, or given one it does not take), said on
 * stderr, and the call returns CLI_USAGE. */
int cli_common_option(const char *tool, int opt, char *const argv[],
                      void (*usage)(void));

/* The build this binary came from (git describe of the commit, "-dirty"
 * when built with changes), or "unknown": replay and resume lines name it,
 * as a seed replays the same run only on the same build. */
const char *cli_build_id(void);

/* The usage error for the arguments left at argv[optind], if any: returns
 * CLI_USAGE after saying so, or 0 when there are none. */
int cli_no_operands(const char *tool, int argc, char *const argv[]);

/* Writes s to f as a JSON string: quoted, with '"', '\\' and control
 * characters escaped ("\n" for a newline, \u00XX for the rest). */
void cli_json_string(FILE *f, const char *s);

#endif
