/* bench/stamp OUT CMD [ARG...]: runs CMD as a child, then appends to OUT the
 * nanoseconds from just before its fork to just after its exit, and exits as
 * CMD did.
 *
 * bench/trace-overhead puts it in front of the workload in every column, so
 * inside a tracer it times the program's own run: what the tracer costs the
 * program (its start, its system calls, its exit), without the tracer's own
 * start-up before the fork and its report after the exit. Static, so its own
 * exec reads no libraries; OUT is opened only after the child has ended. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: stamp OUT CMD [ARG...]\n");
    return 2;
  }
  const long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("stamp: fork");
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("stamp: exec");
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      perror("stamp: waitpid");
      return 2;
    }
  }
  const long long t1 = now_ns();
  char line[32];
  int n = snprintf(line, sizeof line, "%lld\n", t1 - t0);
  int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, line, (size_t)n) != n) {
    perror("stamp: write");
    return 2;
  }
  close(fd);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}
