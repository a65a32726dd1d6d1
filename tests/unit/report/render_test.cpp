// Golden files for the seed incident in every format, and the exit code.
// BOOTMORTEM_UPDATE_GOLDEN=1 rewrites them; review the diff like code.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "golden.h"

#include "../rules/seed_evidence.h"
#include "report/report.h"

using namespace bootmortem;

namespace {

report::Report seed_report() {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  r.ev.spec.argv.push_back("--env");
  r.ev.spec.argv.push_back("SENTRY_TOKEN=abc123");
  r.findings = rules::RulePack::load_dir(BOOTMORTEM_SOURCE_DIR "/rules").match(r.ev);
  r.config_path = "/etc/supervisor/conf.d/test_server.conf";
  return r;
}

using testing::golden;

std::string rendered(const report::Report& r, report::Format f, report::RenderOptions o = {}) {
  std::ostringstream out;
  report::render(r, f, o, out);
  return out.str();
}

}  // namespace

TEST_CASE("seed incident goldens: text, markdown, json") {
  auto r = seed_report();
  golden("seed.txt", rendered(r, report::Format::Text));
  golden("seed.md", rendered(r, report::Format::Markdown));
  golden("seed.json", rendered(r, report::Format::Json));
}

TEST_CASE("no secret survives any format by default; --no-redact shows them") {
  auto r = seed_report();
  r.ev.trace.err.head += "DATABASE_URL=postgres://app:hunter2@db.internal:5432/app\n";
  r.findings.front().evidence.push_back("SECRET_KEY=s3cr3t-django-key");
  for (auto f : {report::Format::Text, report::Format::Markdown, report::Format::Json}) {
    std::string out = rendered(r, f);
    CHECK(out.find("hunter2") == std::string::npos);
    CHECK(out.find("s3cr3t") == std::string::npos);
    CHECK(out.find("abc123") == std::string::npos);
  }
  report::RenderOptions plain;
  plain.redact = false;
  CHECK(rendered(r, report::Format::Json, plain).find("hunter2") != std::string::npos);
}

TEST_CASE("exit code: 0 starts, 1 fails explained, 3 fails unexplained") {
  auto r = seed_report();
  CHECK(report::exit_code(r) == 1);
  r.findings.clear();
  CHECK(report::exit_code(r) == 3);
  r.ev.trace.verdict = trace::Verdict::Starts;
  CHECK(report::exit_code(r) == 0);
}
