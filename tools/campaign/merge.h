/*
 * --merge FILE...: the JSON lines of many shards (or of a run and the run
 * that resumed it) as one: every failure record in seed order, then one
 * summary, the same bytes one run over the same seeds writes.
 */
#ifndef NDL_TOOLS_CAMPAIGN_MERGE_H
#define NDL_TOOLS_CAMPAIGN_MERGE_H

/* Merges the files, written by tool, on stdout. Returns 0; 1 when their
 * seed ranges overlap or leave a gap, or when they come from another tool,
 * mode, option set or build (each said on stderr); 2 when a file cannot
 * be read or holds a line that is not a record. */
int campaign_merge(const char *tool, const char *const *count_names, int nfiles,
                   char *const files[]);

#endif
