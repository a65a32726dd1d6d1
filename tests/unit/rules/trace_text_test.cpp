#include "rules/trace_text.h"

#include <cerrno>

#include <doctest/doctest.h>

#include "seed_evidence.h"

using namespace bootmortem;

TEST_CASE("strace notation with the tracer's argument text") {
  auto s = testing::failed(1, "mkdir", EACCES, "/root/.cache", "\"/root/.cache\", 0755");
  CHECK(rules::syscall_text(s) == "mkdir(\"/root/.cache\", 0755) = -1 EACCES (Permission denied)");
  CHECK(rules::syscall_line(s, true) ==
        "[pid 27887] mkdir(\"/root/.cache\", 0755) = -1 EACCES (Permission denied)");
  s.count = 3;
  CHECK(rules::syscall_line(s, false) ==
        "mkdir(\"/root/.cache\", 0755) = -1 EACCES (Permission denied) (×3)");
}

TEST_CASE("without argument text the path or address stands in") {
  CHECK(rules::syscall_text(testing::failed(1, "chdir", ENOENT, "/srv/a\"b")) ==
        "chdir(\"/srv/a\\\"b\") = -1 ENOENT (No such file or directory)");
  CHECK(rules::syscall_text(testing::failed_bind(2, EADDRINUSE, "0.0.0.0:8080", 8080)) ==
        "bind(0.0.0.0:8080) = -1 EADDRINUSE (Address already in use)");
}

TEST_CASE("stream text marks dropped bytes; last_lines keeps the end") {
  trace::Captured c;
  c.head = "a\nb\n";
  CHECK(rules::stream_text(c) == "a\nb\n");
  c.tail = "y\nz\n";
  c.dropped = 10;
  CHECK(rules::stream_text(c) == "a\nb\n\n[... 10 bytes not kept ...]\ny\nz\n");
  CHECK(rules::last_lines("1\n2\n3\n", 2) == "2\n3");
  CHECK(rules::last_lines("1\n2\n3", 5) == "1\n2\n3");
  CHECK(rules::last_lines("", 5) == "");
}
