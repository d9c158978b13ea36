#include "shrink_plan.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nodeloop_faults.h"
#include "tools/reference/shrink_world.h"

/* What a candidate's child writes back. */
struct verdict {
  uint64_t lost, duplicated, reached;
};

static void run_candidate(const struct campaign_bad *bad, const struct prog *q,
                          const char *plan, int fd) {
  struct verdict v;
  ndl_stats st;
  if (ndl_faults_plan(plan, bad->seed, NULL, 0) != 0)
    _exit(3);
  if (q != NULL)
    campaign_run_program(q, &st);
  else
    campaign_run(bad->w, bad->seed, &st);
  v.reached = ndl_faults_reached();
  ndl_faults_clear();
  v.lost = st.lost;
  v.duplicated = st.duplicated;
  if (write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
    _exit(4);
  _exit(0);
}

/* Runs a candidate in a child; whether it fails as the bad run did. */
static int fails_alike(const struct prog *q, const char *plan,
                       uint64_t *reached, void *ctx) {
  const struct campaign_bad *bad = ctx;
  struct verdict v;
  int fds[2], status;
  ssize_t got;
  pid_t pid;

  /* A crash or a hang reports nothing: bound #N by the shrinker's own cap. */
  *reached = UINT64_MAX;
  if (pipe(fds) != 0)
    return 0;
  if ((pid = fork()) < 0) {
    close(fds[0]);
    close(fds[1]);
    return 0;
  }
  if (pid == 0) {
    close(fds[0]);
    alarm(bad->timeout_s);
    run_candidate(bad, q, plan, fds[1]);
  }
  close(fds[1]);
  memset(&v, 0, sizeof(v));
  got = read(fds[0], &v, sizeof(v));
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFSIGNALED(status))
    return bad->kind == (WTERMSIG(status) == SIGALRM ? BAD_HANG : BAD_CRASH);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 3)
    return 0; /* a plan the parser refused: not the failure */
  if (WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof(v))
    return bad->kind == BAD_CRASH;
  *reached = v.reached;
  return bad->kind == BAD_COUNTS && (v.lost != 0 || v.duplicated != 0);
}

int campaign_shrink(const struct campaign_bad *bad, struct prog *p, char *plan,
                    size_t plan_cap, int max_runs) {
  /* The children write to stdout only through exit; what the parent has
   * printed must not be printed again by each of them. */
  fflush(stdout);
  return world_shrink(p, plan, plan_cap, fails_alike, (void *)bad, max_runs);
}
