#include <sstream>

#include <doctest/doctest.h>

#include "../rules/seed_evidence.h"
#include "../trace/tracer_helpers.h"
#include "report/report.h"

using namespace bootmortem;

namespace {
std::string text(const report::Report& r, bool color = false, bool quiet = false) {
  std::ostringstream out;
  report::RenderOptions o;
  o.color = color;
  o.quiet = quiet;
  report::render(r, report::Format::Text, o, out);
  return out.str();
}
}  // namespace

TEST_CASE("colour only when asked") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  CHECK(text(r).find('\x1b') == std::string::npos);
  std::string c = text(r, true);
  CHECK(c.rfind("\x1b[1m\x1b[31mtest_server fails: exit status 3", 0) == 0);
}

TEST_CASE("quiet (-q): the verdict line alone, coloured as ever") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  CHECK(text(r, false, true) ==
        "test_server fails: exit status 3 after 512 ms (startsecs=1): BACKOFF, then FATAL after about 8.0 s "
        "(4 starts)\n");
  CHECK(text(r, true, true) == "\x1b[1m\x1b[31mtest_server fails: exit status 3 after 512 ms (startsecs=1): BACKOFF, "
                               "then FATAL after about 8.0 s (4 starts)\x1b[0m\n");
  CHECK(text(r).starts_with(text(r, false, true)));  // the full report's first line
}

TEST_CASE("no finding: says so, still shows the evidence") {
  report::Report r;
  r.ev = testing::seed_evidence(true);
  std::string t = text(r);
  CHECK(t.find("No rule explains this failure") != std::string::npos);
  CHECK(t.find("[pid 27887] mkdir(\"/root/.cache\", 0755) = -1 EACCES (Permission denied)") !=
        std::string::npos);
  CHECK(t.find("  | [2016-01-25 21:26:23 +0800] [27886] [INFO] Reason: Worker failed to boot.") !=
        std::string::npos);
}

TEST_CASE("many failed syscalls: the latest are listed, with pid and count") {
  report::Report r;
  r.ev = testing::base_evidence();
  for (uint64_t i = 1; i <= 25; ++i)
    r.ev.trace.failed.push_back(testing::failed(i, "openat", EACCES, "/x/" + std::to_string(i)));
  r.ev.trace.failed.back().count = 4;
  std::string t = text(r);
  CHECK(t.find("(5 earlier ones not shown; --format json lists all)") != std::string::npos);
  CHECK(t.find("\"/x/5\"") == std::string::npos);
  CHECK(t.find("[pid 27887] openat(\"/x/25\") = -1 EACCES (Permission denied) (×4)") !=
        std::string::npos);
}

TEST_CASE("lookups that found nothing are counted, not listed; a missing directory= is listed") {
  report::Report r;
  r.ev = testing::base_evidence();
  for (uint64_t i = 1; i <= 30; ++i)
    r.ev.trace.failed.push_back(testing::failed(i, "newfstatat", ENOENT, "/usr/lib/python3/x" + std::to_string(i)));
  r.ev.trace.failed.push_back(testing::failed(31, "chdir", ENOENT, "/srv/missing"));
  r.ev.trace.failed.push_back(testing::failed(32, "mkdir", EACCES, "/root/.cache"));
  std::string t = text(r);
  CHECK(t.find("/usr/lib/python3/x") == std::string::npos);
  CHECK(t.find("(30 lookups of files that do not exist (ENOENT, ENOTDIR) not shown") != std::string::npos);
  CHECK(t.find("chdir(\"/srv/missing\") = -1 ENOENT") != std::string::npos);
  CHECK(t.find("mkdir(\"/root/.cache\") = -1 EACCES") != std::string::npos);
}

TEST_CASE("the tracing cost and the untraced check under Trace, when there are some") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  CHECK(text(r).find("Tracing cost") == std::string::npos);
  CHECK(text(r).find("without a tracer") == std::string::npos);
  auto& t = r.ev.trace;
  t.cost = trace::TracerCost{310'000'000, 12345};
  t.after_ms = 900;
  t.untraced = testing::untraced_exit_3(3000);
  const std::string s = text(r);
  CHECK(s.find("\n  Tracing cost: ptrace stopped it 12,345 times, at least 310 ms (10 % of its 3.0 s run)\n") !=
        std::string::npos);
  CHECK(s.find("\n  Verdict checked without a tracer: traced: still up at 3.0 s; untraced: exit status 3 after "
               "900 ms; the verdict is the untraced run's\n") != std::string::npos);
}
