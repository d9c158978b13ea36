/*
 * The chapter's fs module, ndl_fs_read(), on the Linux backend: small, empty,
 * /proc and large files, and each error a callback receives.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "nodeloop.h"

static struct fs_result read_file(const char *path) {
  struct fs_result r;
  ndl_loop *loop = new_loop(2);
  memset(&r, 0, sizeof(r));
  cr_assert_eq(ndl_fs_read(loop, path, 0, on_fs, &r), 0);
  run_and_free(loop);
  cr_assert_eq(r.calls, 1);
  return r;
}

static char tmpdir[64];

static void make_tmpdir(void) {
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/ndl_linux_XXXXXX");
  cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  (void)system(cmd);
}

static void write_file(const char *path, const char *data, size_t len,
                       mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  cr_assert_geq(fd, 0);
  cr_assert_eq(write(fd, data, len), (ssize_t)len);
  cr_assert_eq(fchmod(fd, mode), 0);
  close(fd);
}

TestSuite(fs, .init = make_tmpdir, .fini = remove_tmpdir);

Test(fs, reads_a_file) {
  char path[128];
  struct fs_result r;
  snprintf(path, sizeof(path), "%s/test.txt", tmpdir);
  write_file(path, "Hello world!\n", 13, 0600);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_eq(r.len, 13);
  cr_assert_str_eq(r.text, "Hello world!\n");
}

Test(fs, reads_an_empty_file) {
  char path[128];
  struct fs_result r;
  snprintf(path, sizeof(path), "%s/empty", tmpdir);
  write_file(path, "", 0, 0600);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_eq(r.len, 0);
}

/* /proc files report st_size 0, so only reading to EOF gets their text. */
Test(fs, reads_a_proc_file_to_eof) {
  struct fs_result r = read_file("/proc/self/status");
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_gt(r.len, 0);
  cr_assert(strncmp(r.text, "Name:", 5) == 0, "got %.40s", r.text);
}

/* Larger than the first buffer, so the buffer grows; binary-safe. */
static char big_seen_ok;
static void on_big(ndl_loop *loop, const ndl_value *v, void *arg) {
  size_t i, n = *(size_t *)arg;
  (void)loop;
  big_seen_ok =
      v->kind == NDL_STRING && v->as.str.len == n && v->as.str.ptr[n] == '\0';
  for (i = 0; big_seen_ok && i < n; i++)
    big_seen_ok = v->as.str.ptr[i] == (char)(i * 7);
}

Test(fs, reads_a_large_binary_file) {
  static char data[300000];
  char path[128];
  size_t i, n = sizeof(data);
  ndl_loop *loop;

  for (i = 0; i < n; i++)
    data[i] = (char)(i * 7);
  snprintf(path, sizeof(path), "%s/big", tmpdir);
  write_file(path, data, n, 0600);
  loop = new_loop(1);
  cr_assert_eq(ndl_fs_read(loop, path, 0, on_big, &n), 0);
  run_and_free(loop);
  cr_assert(big_seen_ok);
}

Test(fs, missing_file_is_enoent) {
  char path[128], want[256];
  struct fs_result r;
  snprintf(path, sizeof(path), "%s/missing.txt", tmpdir);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_ENOENT);
  snprintf(want, sizeof(want), "ENOENT: no such file or directory, open '%s'",
           path);
  cr_assert_str_eq(r.text, want);
}

Test(fs, directory_is_eisdir) {
  struct fs_result r = read_file(tmpdir);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_EISDIR);
  /* Node's text: the read failed, and read takes no path. */
  cr_assert_str_eq(r.text, "EISDIR: illegal operation on a directory, read");
}

/* Reads path in a child that runs as nobody, because root bypasses file
 * permissions. The child reports through a pipe, not through Criterion. Exit
 * status 77 means the child could not drop privileges. */
static int read_as_nobody(const char *path, struct fs_result *r) {
  int fds[2], status;
  pid_t pid;

  cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
  pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    ndl_loop *loop;
    struct fs_result got;
    memset(&got, 0, sizeof(got));
    if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
      _exit(77);
    if (ndl_loop_new(NULL, &loop) != 0 ||
        ndl_fs_read(loop, path, 0, on_fs, &got) != 0 ||
        ndl_run(loop, NULL, NULL) != 0 || ndl_loop_free(loop) != 0)
      _exit(1);
    _exit(write(fds[1], &got, sizeof(got)) == (ssize_t)sizeof(got) ? 0 : 1);
  }
  close(fds[1]);
  memset(r, 0, sizeof(*r));
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    cr_assert_eq(read(fds[0], r, sizeof(*r)), (ssize_t)sizeof(*r));
  close(fds[0]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(fs, unreadable_file_is_eacces) {
  char path[128], want[256];
  struct fs_result r;

  snprintf(path, sizeof(path), "%s/secret", tmpdir);
  write_file(path, "x", 1, 0000);
  if (geteuid() == 0) {
    int rc;
    /* nobody must reach the file, so that only the file's mode refuses. */
    cr_assert_eq(chmod(tmpdir, 0755), 0);
    rc = read_as_nobody(path, &r);
    if (rc == 77)
      cr_skip("running as root and cannot switch to uid 65534, and root "
              "bypasses file permissions");
    cr_assert_eq(rc, 0, "child failed: %d", rc);
  } else {
    r = read_file(path);
  }
  cr_assert_eq(r.calls, 1);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_EACCES);
  snprintf(want, sizeof(want), "EACCES: permission denied, open '%s'", path);
  cr_assert_str_eq(r.text, want);
}

/* An errno outside NDL_ERRNO_MAP still gets a name and a message. */
Test(fs, path_through_a_file_is_enotdir) {
  char file[128], path[160];
  struct fs_result r;
  snprintf(file, sizeof(file), "%s/plain", tmpdir);
  write_file(file, "x", 1, 0600);
  snprintf(path, sizeof(path), "%s/below", file);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, -ENOTDIR);
  cr_assert(strncmp(r.text, "ENOTDIR: ", 9) == 0, "got %s", r.text);
}

/* The path is copied: the caller's buffer may change right after the call. */
Test(fs, path_is_copied_at_call_time) {
  char path[128];
  struct fs_result r;
  ndl_loop *loop = new_loop(1);

  snprintf(path, sizeof(path), "%s/copied", tmpdir);
  write_file(path, "copy", 4, 0600);
  memset(&r, 0, sizeof(r));
  cr_assert_eq(ndl_fs_read(loop, path, 5, on_fs, &r), 0);
  memset(path, 'z', sizeof(path) - 1);
  run_and_free(loop);
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_str_eq(r.text, "copy");
}

Test(fs, bad_arguments) {
  ndl_loop *loop = new_loop(1);
  struct fs_result r;
  cr_assert_eq(ndl_fs_read(NULL, "/x", 0, on_fs, &r), NDL_EINVAL);
  cr_assert_eq(ndl_fs_read(loop, NULL, 0, on_fs, &r), NDL_EINVAL);
  cr_assert_eq(ndl_fs_read(loop, "/x", 0, NULL, &r), NDL_EINVAL);
  cr_assert_eq(ndl_fs_read(loop, "/x", -1, on_fs, &r), NDL_EINVAL);
  cr_assert_eq(ndl_loop_free(loop), 0);
}
