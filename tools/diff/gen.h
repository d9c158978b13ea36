/* The program generator: plain data from a seed. */
#ifndef NDL_TOOLS_DIFF_GEN_H
#define NDL_TOOLS_DIFF_GEN_H

#include "program.h"

/* Draws a program from seed. Same seed, same program. */
void dp_generate(uint64_t seed, struct dp_prog *p);

#endif
