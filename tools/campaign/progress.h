/*
 * The campaign's progress on stderr: on a terminal, one line rewritten in
 * place at most once a second; otherwise a plain line every 10 seconds.
 * Nothing at all in the first second, so short runs stay quiet.
 */
#ifndef NDL_TOOLS_CAMPAIGN_PROGRESS_H
#define NDL_TOOLS_CAMPAIGN_PROGRESS_H

#include <stdint.h>

struct progress {
  const char *tool;
  double started, last;
  int tty, shown;
};

/* Monotonic seconds. */
double progress_now(void);

void progress_start(struct progress *p, const char *tool);
/* Prints "TOOL: done/total seeds, R/s, F failed, ETA ..." when due. */
void progress_tick(struct progress *p, uint64_t done, uint64_t total,
                   uint64_t failed);
/* Erases the terminal's line, before the summary. */
void progress_end(struct progress *p);

#endif
