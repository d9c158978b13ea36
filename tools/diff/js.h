/* The JavaScript back end: a program as a script for node. */
#ifndef NDL_TOOLS_DIFF_JS_H
#define NDL_TOOLS_DIFF_JS_H

#include <stdio.h>

#include "program.h"

/* Writes p as a Node script to f; fs.readFile reads from fixture_dir (an
 * absolute path without a quote in it). */
void dp_emit_js(const struct dp_prog *p, const char *fixture_dir, FILE *f);

#endif
