/*
 * Running a script under node: fork, exec, read its stdout through a
 * pipe, and kill it if it runs past a deadline (a generated program ends
 * within a second or two; a hang is a failure, not a wait).
 */
#include "node.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NODE_TIMEOUT_S 30

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int append(char **buf, size_t *len, size_t *cap, const char *p,
                  size_t n) {
  if (*len + n + 1 > *cap) {
    size_t c = *cap == 0 ? 4096 : *cap;
    char *b;
    while (*len + n + 1 > c)
      c *= 2;
    if ((b = realloc(*buf, c)) == NULL)
      return -1;
    *buf = b;
    *cap = c;
  }
  memcpy(*buf + *len, p, n);
  *len += n;
  (*buf)[*len] = '\0';
  return 0;
}

int dp_node_run(const char *node, const char *script, char **out) {
  int fds[2], status = 0, timed_out = 0;
  size_t len = 0, cap = 0;
  double end = seconds() + NODE_TIMEOUT_S;
  pid_t pid;
  *out = NULL;
  if (pipe(fds) != 0)
    return -1;
  if ((pid = fork()) < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    /* A process group of its own: the SIGINT of a Ctrl-C, or of timeout(1),
     * reaches the campaign's whole group, and would end node in the midst
     * of the seeds the campaign finishes before it stops (node resets the
     * signals it starts with, so SIG_IGN would not last). */
    setpgid(0, 0);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    /* Node's pool has its default 4 threads, as nodeloop's. */
    unsetenv("UV_THREADPOOL_SIZE");
    execlp(node, node, script, (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  for (;;) {
    struct pollfd pfd = {fds[0], POLLIN, 0};
    char buf[4096];
    ssize_t n;
    int left = (int)((end - seconds()) * 1000);
    if (left <= 0) {
      timed_out = 1;
      kill(pid, SIGKILL);
      break;
    }
    if (poll(&pfd, 1, left) < 0 && errno != EINTR)
      break;
    if ((n = read(fds[0], buf, sizeof(buf))) < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    if (append(out, &len, &cap, buf, (size_t)n) != 0)
      break;
  }
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (*out == NULL && append(out, &len, &cap, "", 0) != 0)
    return -1;
  if (timed_out)
    return 124;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
