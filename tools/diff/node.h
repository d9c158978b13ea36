/* Running a generated script under node. */
#ifndef NDL_TOOLS_DIFF_NODE_H
#define NDL_TOOLS_DIFF_NODE_H

/* Runs `node script` and collects its stdout in *out (malloc'd, always
 * NUL-terminated when the call returns 0 or more). Returns node's exit
 * status, 124 when it ran past 30 s and was killed, 128 + the signal that
 * ended it, 127 when node could not be run, or -1 when no process could be
 * started. */
int dp_node_run(const char *node, const char *script, char **out);

#endif
