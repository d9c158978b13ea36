/*
 * The timing check: whether a program leaves an order to chance, in Node
 * or in nodeloop. It reads the timeline of the program's sim run (virtual
 * time, so the instants are exact) and refuses a program when an instant
 * that decides an order comes within a margin of another one, or when it
 * meets one of the deliberate differences of docs/semantics.md. Such
 * programs are discarded before Node runs them, and counted by reason.
 */
#ifndef NDL_TOOLS_DIFF_TIMING_H
#define NDL_TOOLS_DIFF_TIMING_H

#include "interp.h"

/* A timer due this close to a timers phase may or may not be due in it. */
#define DP_PHASE_MARGIN_MS 20
/* Two timers of different delays pending at once are due this far apart
 * at least (docs/semantics.md, difference 4: Node's whole milliseconds). */
#define DP_DEADLINE_MARGIN_MS 15
/* Pool work takes up to this long in Node (fs.readFile is four trips to
 * the pool: open, fstat, read, close); nodeloop's is one task. */
#define DP_POOL_WINDOW_MS 20

/* X(NAME, "reason"): why a program is refused. */
#define DP_TIMING_MAP(X)                                                       \
  X(OK, "ok")                                                                  \
  X(NEAR_PHASE, "a timer due within 20 ms of a timers phase")                  \
  X(CLOSE_DEADLINES,                                                           \
    "two timers of different delays due within 15 ms, or at one instant "      \
    "but set by different callbacks")                                          \
  X(LATE_LISTS, "a late timers phase whose deadline order interleaves "        \
                "delays (semantics.md difference 1, avoided)")                 \
  X(INTERVAL_SLOW, "an interval fired after a slow callback of its phase "     \
                   "(semantics.md difference 2, avoided)")                     \
  X(POOL_RACE, "pool work races a timer, an immediate or other pool work")     \
  X(POOL_IMMEDIATE,                                                            \
    "pool work while an immediate is pending (fs.readFile is one pool task "   \
    "in nodeloop, four trips in Node: a difference found, and avoided)")       \
  X(UNREF_EXIT, "an unref'd timer due within 20 ms of the exit")

enum dp_timing {
#define DP_TIMING_ENUM(name, text) DT_##name,
  DP_TIMING_MAP(DP_TIMING_ENUM)
#undef DP_TIMING_ENUM
      DT_COUNT
};

/* The reason's text. */
const char *dp_timing_reason(int t);

/* Checks the timeline of p's sim run: DT_OK, or why p is refused; -1
 * when memory ran out. With node_order (the run kept Node's timer order)
 * a late phase's order is Node's, so DT_LATE_LISTS refuses nothing. */
int dp_timing_check(const struct dp_prog *p, const struct dp_output *sim,
                    int node_order);

#endif
