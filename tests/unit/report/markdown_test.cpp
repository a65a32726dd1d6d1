#include <sstream>

#include <doctest/doctest.h>

#include "../rules/seed_evidence.h"
#include "report/report.h"

using namespace bootmortem;

namespace {
std::string md(const report::Report& r) {
  std::ostringstream out;
  report::render(r, report::Format::Markdown, {}, out);
  return out.str();
}
}  // namespace

TEST_CASE("heading and the patch as a diff block") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  rules::Finding f;
  f.rule = "x";
  f.title = "T";
  f.patch = "--- a\n+++ a\n@@ -1,1 +1,2 @@\n a\n+b\n";
  f.config_line = "environment=B=\"1\"";
  r.findings = {f};
  std::string m = md(r);
  CHECK(m.rfind("# bootmortem: test_server fails\n\n", 0) == 0);
  CHECK(m.find("```diff\n--- a\n+++ a\n@@ -1,1 +1,2 @@\n a\n+b\n```\n") != std::string::npos);
  CHECK(m.find("```ini\nenvironment=B=\"1\"\n```\n") != std::string::npos);
}

TEST_CASE("backticks in the program's output cannot close the fence") {
  report::Report r;
  r.ev = testing::base_evidence();
  r.ev.trace.err.head = "```\nrm -rf `pwd`\n";
  std::string m = md(r);
  CHECK(m.find("````\n```\nrm -rf `pwd`\n````\n") != std::string::npos);
}

TEST_CASE("env table cells escape pipes") {
  report::Report r;
  r.ev = testing::base_evidence();
  r.ev.env_diff = {{"PS1", "a|b", std::nullopt, "other"}};
  CHECK(md(r).find("| `PS1` | `a\\|b` | `(unset)` | other |") != std::string::npos);
}

TEST_CASE("the tracing cost and the untraced check in the replay's list, when there are some") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  CHECK(md(r).find("Tracing cost") == std::string::npos);
  auto& t = r.ev.trace;
  t.backend = "ebpf";
  t.after_ms = 1800;
  t.cost = trace::TracerCost{412'000'000, 1'000'003, 430'000'000, 3'000'000};
  trace::UntracedCheck u;
  u.after_ms = 1801;
  t.untraced = u;
  t.verdict = trace::Verdict::Starts;
  t.exit_code.reset();
  const std::string m = md(r);
  CHECK(m.find("\n- Tracing cost: eBPF programs 412 ms on 1,000,003 of its events (23 % of its 1.8 s run); 430 ms "
               "over all the machine's calls\n") != std::string::npos);
  CHECK(m.find("\n- Verdict checked without a tracer: traced: still up at 1.8 s; untraced: still up at 1.8 s; the "
               "traced verdict stands\n") != std::string::npos);
}
