/*
 * Nothing real happens in a sim run. This driver forks a child that seals
 * itself with a seccomp filter, which kills the process on any socket,
 * connect, accept, bind, listen, send, receive, shutdown or open system
 * call, and then runs, on the sim backend:
 *   - the chapter's demo (file reads, encryption, the slow web call, timers),
 *     for many seeds;
 *   - seeded network-and-disk programs: an echo server and clients that
 *     send seeded amounts in seeded writes, half-close and check that every
 *     byte came back in order; a refused port; a name that resolves and one
 *     that does not; file reads that succeed, and that fail with ENOENT,
 *     EISDIR, EACCES and EIO.
 * A module that reached the kernel would die with SIGSYS, and ctest would
 * report it. "sealed_sim --selfcheck" shows that the seal bites: a child
 * that calls socket() after sealing must die with SIGSYS.
 *
 * A plain main() driver, not Criterion: Criterion's runner opens files and
 * sockets of its own.
 *
 *   sealed_sim [runs] | --selfcheck
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nodeloop.h"
#include "nodeloop_net.h"
#include "tools/sim/scenario.h"

/* ---- The seal. */

#define DENY(nr)                                                               \
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                             \
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

static void seal(void) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* other arches: no seal */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      DENY(__NR_socket),
      DENY(__NR_connect),
      DENY(__NR_accept),
      DENY(__NR_accept4),
      DENY(__NR_bind),
      DENY(__NR_listen),
      DENY(__NR_sendto),
      DENY(__NR_recvfrom),
      DENY(__NR_sendmsg),
      DENY(__NR_recvmsg),
      DENY(__NR_shutdown),
      DENY(__NR_open),
      DENY(__NR_openat),
      DENY(__NR_creat),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {(unsigned short)(sizeof(filter) / sizeof(*filter)),
                            filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    perror("sealed_sim: seccomp");
    exit(1);
  }
}

static int selfcheck(void) {
  int status;
  pid_t pid = fork();
  if (pid == 0) {
    seal();
    (void)socket(AF_INET, SOCK_STREAM, 0);
    _exit(0); /* the seal let it through */
  }
  if (pid < 0 || waitpid(pid, &status, 0) != pid) {
    perror("sealed_sim: fork");
    return 1;
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
    printf("selfcheck: socket() after the seal killed the process (SIGSYS)\n");
    return 0;
  }
  fprintf(stderr, "selfcheck: socket() after the seal was not stopped\n");
  return 1;
}

/* ---- Checks. */

static unsigned failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "sealed_sim: " __VA_ARGS__);                             \
      fputc('\n', stderr);                                                     \
      failures++;                                                              \
    }                                                                          \
  } while (0)

static uint64_t rng_state;
static unsigned long long bytes, writes;

static uint64_t rnd(uint64_t below) {
  rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
  return (rng_state >> 33) % below;
}

/* ---- An echo server. */

static void echo_flushed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_tcp_close(tcp, NULL, NULL);
}

static void echo_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    CHECK(ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL) == 0,
          "echo write");
    return;
  }
  /* End of stream: answer with our own end once every echo is out, then
   * close. An error: close at once. */
  if (v->kind == NDL_UNDEFINED &&
      ndl_tcp_write(tcp, NULL, 0, echo_flushed, NULL) == 0 &&
      ndl_tcp_shutdown(tcp) == 0)
    return;
  ndl_tcp_close(tcp, NULL, NULL);
}

static void echo_accept(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *tcp;
  (void)arg;
  if (v->kind == NDL_ERROR || ndl_tcp_accept(server, &tcp) != 0)
    return;
  CHECK(ndl_tcp_read_start(tcp, echo_read, NULL) == 0, "echo read_start");
}

/* ---- Clients. */

struct client {
  char *sent;
  size_t len, got, writes;
  int ended, closed, connect_err;
  struct world *world;
};

#define MAX_CLIENTS 6

struct world {
  ndl_tcp *server;
  int port;
  struct client *clients[MAX_CLIENTS];
  unsigned nclients, open_clients;
  unsigned refused, unresolved, files_ok, files_failed;
};

static void client_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct client *c = arg;
  (void)tcp;
  (void)v;
  c->closed = 1;
  if (--c->world->open_clients == 0)
    ndl_tcp_close(c->world->server, NULL, NULL);
}

static void client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct client *c = arg;
  if (v->kind == NDL_STRING) {
    CHECK(c->got + v->as.str.len <= c->len &&
              memcmp(c->sent + c->got, v->as.str.ptr, v->as.str.len) == 0,
          "echoed bytes differ at %zu", c->got);
    c->got += v->as.str.len;
    return;
  }
  CHECK(v->kind == NDL_UNDEFINED, "client read error: %s",
        v->kind == NDL_ERROR ? ndl_strerror(v->as.err.code) : "?");
  c->ended = 1;
  ndl_tcp_close(tcp, client_closed, c);
}

static void client_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct client *c = arg;
  size_t off = 0;
  if (v->kind == NDL_ERROR) {
    c->connect_err = v->as.err.code;
    ndl_tcp_close(tcp, client_closed, c);
    return;
  }
  CHECK(ndl_tcp_read_start(tcp, client_read, c) == 0, "client read_start");
  while (off < c->len) {
    size_t n = 1 + (size_t)rnd(c->len - off < 70000 ? c->len - off : 70000);
    CHECK(ndl_tcp_write(tcp, c->sent + off, n, NULL, NULL) == 0, "write");
    off += n;
    c->writes++;
  }
  CHECK(ndl_tcp_shutdown(tcp) == 0, "shutdown");
}

static void expect_refused(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct world *w = arg;
  CHECK(v->kind == NDL_ERROR && v->as.err.code == NDL_ECONNREFUSED,
        "a port nobody listens on must refuse");
  w->refused++;
  ndl_tcp_close(tcp, NULL, NULL);
}

static void expect_unresolved(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct world *w = arg;
  CHECK(v->kind == NDL_ERROR && v->as.err.code == NDL_EAI,
        "an unknown name must not resolve");
  w->unresolved++;
  ndl_tcp_close(tcp, NULL, NULL);
}

/* ---- Files. */

struct file_check {
  struct world *world;
  int want; /* 0: the content, else this error */
};

static void file_read(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct file_check *f = arg;
  (void)loop;
  if (f->want == 0) {
    CHECK(v->kind == NDL_STRING && strcmp(v->as.str.ptr, "fixture") == 0,
          "a declared file reads back");
    f->world->files_ok++;
  } else {
    CHECK(v->kind == NDL_ERROR && v->as.err.code == f->want,
          "expected %s, got %s", ndl_err_name(f->want),
          v->kind == NDL_ERROR ? ndl_err_name(v->as.err.code) : "a value");
    f->world->files_failed++;
  }
  free(f);
}

static void read_expect(ndl_loop *loop, struct world *w, const char *path,
                        int want) {
  struct file_check *f = malloc(sizeof(*f));
  f->world = w;
  f->want = want;
  CHECK(ndl_fs_read(loop, path, (int64_t)rnd(20), file_read, f) == 0,
        "fs_read %s", path);
}

static void program(ndl_loop *loop, void *arg) {
  struct world *w = arg;
  static const char *paths[] = {"a.txt", "missing", "dir", "locked", "bad"};
  static const int want[] = {0, NDL_ENOENT, NDL_EISDIR, NDL_EACCES, NDL_EIO};
  unsigned i, nclients = 1 + (unsigned)rnd(MAX_CLIENTS);
  ndl_tcp *tcp;

  CHECK(ndl_tcp_listen(loop, "127.0.0.1", 0, 0, echo_accept, w, &w->server) ==
            0,
        "listen");
  CHECK(ndl_tcp_port(w->server, &w->port) == 0, "port");
  w->open_clients = w->nclients = nclients;
  for (i = 0; i < nclients; i++) {
    struct client *c = calloc(1, sizeof(*c));
    size_t k;
    w->clients[i] = c;
    c->world = w;
    c->len = (size_t)rnd(400000);
    c->sent = malloc(c->len + 1);
    for (k = 0; k < c->len; k++)
      c->sent[k] = (char)('a' + rnd(26));
    CHECK(ndl_tcp_connect(loop, rnd(2) ? "localhost" : "127.0.0.1", w->port,
                          client_connected, c, &tcp) == 0,
          "connect");
  }
  CHECK(ndl_tcp_connect(loop, "127.0.0.1", w->port + 1, expect_refused, w,
                        &tcp) == 0,
        "connect to a closed port");
  CHECK(ndl_tcp_connect(loop, "nowhere.invalid", 80, expect_unresolved, w,
                        &tcp) == 0,
        "connect to an unknown name");
  for (i = 0; i < 5; i++)
    read_expect(loop, w, paths[i], want[i]);
}

static int run_world(uint64_t seed) {
  struct world w;
  ndl_options opts;
  ndl_loop *loop;
  ndl_stats st;
  unsigned i;
  int err;

  memset(&w, 0, sizeof(w));
  rng_state = seed;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.sim_seed = seed;
  opts.sim_net_latency_ns = 1000 + rnd(1000000);
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    return err;
  ndl_sim_file(loop, "a.txt", "fixture", 7);
  ndl_sim_dir(loop, "dir");
  ndl_sim_file_error(loop, "locked", NDL_EACCES);
  ndl_sim_file_error(loop, "bad", NDL_EIO);
  err = ndl_run(loop, program, &w);
  CHECK(err == 0, "seed %llu: ndl_run: %s", (unsigned long long)seed,
        ndl_strerror(err));
  ndl_get_stats(loop, &st);
  CHECK(st.lost == 0 && st.duplicated == 0, "seed %llu: lost or duplicated",
        (unsigned long long)seed);
  CHECK(w.refused == 1 && w.unresolved == 1 && w.files_ok == 1 &&
            w.files_failed == 4,
        "seed %llu: not every operation reported", (unsigned long long)seed);
  for (i = 0; i < w.nclients; i++) {
    struct client *c = w.clients[i];
    CHECK(c->connect_err == 0 && c->ended && c->closed && c->got == c->len,
          "seed %llu: client %u got %zu of %zu bytes back (%s)",
          (unsigned long long)seed, i, c->got, c->len,
          c->connect_err ? ndl_strerror(c->connect_err) : "connected");
    bytes += c->len;
    writes += c->writes;
    free(c->sent);
    free(c);
  }
  ndl_loop_free(loop);
  return 0;
}

/* The runs, in a child that seals itself and leaves with _exit(): the
 * sanitizers' exit-time work (LeakSanitizer stops the world with calls the
 * seal forbids) happens only in the parent, which is not sealed. A child
 * that makes a forbidden call dies with SIGSYS, and that fails the test. */
static int run_sealed(unsigned long runs) {
  const struct ndl_scenario *demo = ndl_scenario_find("demo");
  unsigned long seed;
  int status;
  pid_t pid;

  fflush(stdout);
  if ((pid = fork()) < 0) {
    perror("sealed_sim: fork");
    return 1;
  }
  if (pid == 0) {
    setvbuf(stdout, NULL, _IOLBF, 0); /* stdio allocates now, not sealed */
    seal();
    for (seed = 1; seed <= runs; seed++) {
      struct ndl_scenario_result r;
      int err;
      if (seed <= 200) {
        err = ndl_scenario_run(demo, seed, NULL, NULL, &r);
        CHECK(err == 0 && r.failure[0] == '\0' && r.run_err == 0,
              "demo seed %lu: %s", seed, err ? ndl_strerror(err) : r.failure);
      }
      if ((err = run_world(seed)) != 0)
        CHECK(0, "seed %lu: loop: %s", seed, ndl_strerror(err));
    }
    printf("sealed: %lu network-and-disk programs (%llu bytes echoed in %llu "
           "writes) and %lu demo runs, no socket or open call; %u failures\n",
           runs, bytes, writes, runs < 200 ? runs : 200, failures);
    fflush(stdout);
    _exit(failures != 0);
  }
  if (waitpid(pid, &status, 0) != pid) {
    perror("sealed_sim: waitpid");
    return 1;
  }
  if (WIFSIGNALED(status)) {
    fprintf(stderr, "sealed_sim: the sealed run died with signal %d%s\n",
            WTERMSIG(status),
            WTERMSIG(status) == SIGSYS ? ": a real system call slipped through"
                                       : "");
    return 1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv) {
  unsigned long runs = 1000;

  if (argc == 2 && strcmp(argv[1], "--selfcheck") == 0)
    return selfcheck();
  if (argc == 2) {
    char *end;
    runs = strtoul(argv[1], &end, 10);
    if (*end != '\0' || runs == 0 || runs > 1000000) {
      fprintf(stderr, "usage: sealed_sim [runs 1..1000000] | --selfcheck\n");
      return 2;
    }
  } else if (argc > 2) {
    fprintf(stderr, "usage: sealed_sim [runs] | --selfcheck\n");
    return 2;
  }
  return run_sealed(runs);
}
