/* bench/storm N distinct|same: makes N stat(2) calls on nonexistent paths,
 * then exits 3.
 *
 * distinct: a different path each call,
 *   /nonexistent/lib/python3/site-packages/module<i>.py, i = 0 .. N-1
 * (what an interpreter resolving modules over a long search path does, in
 * the extreme: every failure is new to a tracer that counts distinct ones);
 * same: the one path /nonexistent/lib/python3/site-packages/module.py N
 * times (every failure but the first is one it has seen).
 *
 * bench/trace-overhead builds it with cc (static when it can, so its exec
 * reads no libraries and makes no failed call of its own) and runs it as the
 * storm-distinct and storm-same workloads. Every call fails with ENOENT; a
 * call that does not is an error (exit 2), so the count of failed calls the
 * bench divides by is N. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char** argv) {
  if (argc != 3 || (strcmp(argv[2], "distinct") != 0 && strcmp(argv[2], "same") != 0)) {
    fprintf(stderr, "usage: storm N distinct|same\n");
    return 2;
  }
  char* end = NULL;
  const long n = strtol(argv[1], &end, 10);
  if (*argv[1] == '\0' || *end != '\0' || n < 0) {
    fprintf(stderr, "storm: N must be a count, not '%s'\n", argv[1]);
    return 2;
  }
  const int same = strcmp(argv[2], "same") == 0;
  char path[128] = "/nonexistent/lib/python3/site-packages/module.py";
  struct stat st;
  for (long i = 0; i < n; ++i) {
    if (!same) snprintf(path, sizeof path, "/nonexistent/lib/python3/site-packages/module%ld.py", i);
    if (stat(path, &st) == 0 || errno != ENOENT) {
      fprintf(stderr, "storm: stat %s did not fail with ENOENT\n", path);
      return 2;
    }
  }
  return 3;
}
