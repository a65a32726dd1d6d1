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
