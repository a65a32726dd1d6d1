#include "report/logs.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include <doctest/doctest.h>

#include "../rules/seed_evidence.h"
#include "report/report.h"

using namespace bootmortem;

namespace {

const char* k_history =
    "2026-11-29 15:37:51,063 INFO supervisord started with pid 100\n"
    "2026-11-29 15:37:52,067 INFO spawned: 'test_server' with pid 101\n"
    "2026-11-29 15:37:52,520 WARN exited: test_server (exit status 3; not expected)\n"
    "2026-11-29 15:37:53,530 INFO spawned: 'test_server' with pid 102\n"
    "2026-11-29 15:37:53,930 WARN exited: test_server (exit status 3; not expected)\n"
    "2026-11-29 15:37:53,931 INFO gave up: test_server entered FATAL state, too many start retries too quickly\n";

evidence::LogFile file(const std::string& path, evidence::LogRole role, const std::string& text,
                       std::vector<evidence::Excerpt> excerpts = {}) {
  evidence::LogFile f;
  f.path = path;
  f.role = role;
  f.scan.bytes = text.size();
  for (char c : text) f.scan.lines += c == '\n';
  f.scan.tail = text;
  f.scan.excerpts = std::move(excerpts);
  return f;
}

// explain's report on the seed incident: no trace, the logs as evidence.
report::Report explained(const std::string& stderr_text, bool with_history = true) {
  evidence::LogReading r;
  r.files.push_back(file("/var/log/supervisor/supervisord.log", evidence::LogRole::Supervisord,
                         with_history ? k_history : ""));
  evidence::LogFile none;
  none.role = evidence::LogRole::Stdout;
  none.error = "NONE: supervisord keeps no file";
  r.files.push_back(none);
  r.files.push_back(file("/var/log/test_server/err.log", evidence::LogRole::Stderr, stderr_text,
                         {{12, 0, 0, "  [Errno 13] Permission denied: '/root/.cache' postgres://u:hunter2@db/x"}}));
  if (with_history) {
    evidence::HistoryQuery q;
    q.process = "test_server";
    r.history = evidence::process_history(evidence::parse_supervisord_log(k_history), q);
    r.summary = evidence::summarize_history(r.history);
    r.log_file = "/var/log/supervisor/supervisord.log";
  }
  evidence::Evidence base = testing::base_evidence();
  base.spec.env.set("HOME", "/root");
  login::LoginEnv login;
  login.method = "passwd";
  login.env.set("HOME", "/home/cissoid");
  report::Report rep;
  rep.ev = evidence::make_evidence(base.spec, evidence::trace_from_logs(r, r.history, 1, nullptr), login);
  rep.ev.logs = std::move(r);
  return rep;
}

std::string render(const report::Report& r, report::Format f, bool redact = true) {
  std::ostringstream out;
  report::RenderOptions o;
  o.redact = redact;
  report::render(r, f, o, out);
  return out.str();
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("text: the verdict from supervisord's log, not replayed, and the files read") {
  auto r = explained(testing::k_loud_stderr);
  std::string t = render(r, report::Format::Text);
  CAPTURE(t);
  CHECK(t.rfind("test_server fails: supervisord logged exit status 3 after ~0.4 s (not replayed)\n", 0) == 0);
  CHECK(has(t, "\nNot replayed: evidence from 2 log files (supervisord.log 456 bytes, 6 lines; err.log "));
  CHECK(has(t, "; not read: stdout_logfile (NONE: supervisord keeps no file).\n"));
  CHECK(has(t, "supervisord saw 2 starts in 1.9 s, each exited with status 3 after ~0.4 s, then FATAL.\n"));
  CHECK(has(t, "Log files read (nothing was run):\n  supervisord.log /var/log/supervisor/supervisord.log: 456 bytes, 6 lines\n"
               "  stdout_logfile: not read (NONE: supervisord keeps no file)\n"));
  CHECK(has(t, "  /var/log/test_server/err.log:12:   [Errno 13] Permission denied: '/root/.cache' postgres://u:***@db/x\n"));
  CHECK_FALSE(has(t, "hunter2"));
  CHECK(has(t, "Trace: none (not replayed: evidence from 2 log files"));
  CHECK(has(t, "supervisord.log (/var/log/supervisor/supervisord.log), test_server since supervisord last started:\n"));
  CHECK(report::exit_code(r) == 3);  // no rules matched here: that is the matcher's business
}

TEST_CASE("no finding: says what could not apply and what would show more") {
  auto r = explained(testing::k_silent_stderr);
  std::string t = render(r, report::Format::Text);
  CHECK(has(t, "No rule explains it from these logs. Nothing was replayed, so rules that need a failed system call "
               "could not apply; `bootmortem diagnose test_server` replays it traced.\n"));
  CHECK_FALSE(has(t, "No rule explains this failure"));
  std::string md = render(r, report::Format::Markdown);
  CHECK(has(md, "## Not replayed: evidence from log files\n"));
  CHECK(has(md, "## Program (not replayed)\n"));
  CHECK(has(md, "No rule explains it from these logs."));
}

TEST_CASE("no evidence at all: said plainly") {
  auto r = explained("", false);
  std::string t = render(r, report::Format::Text);
  CAPTURE(t);
  CHECK(t.rfind("test_server: supervisord's log has no record of it; how it fails is not known (not replayed)\n", 0) == 0);
  CHECK(has(t, "No evidence: no log file read has anything in it, and supervisord's log has no lines about test_server.\n"));
  CHECK(report::exit_code(r) == 3);
}

TEST_CASE("json: the explain object lists the files, their matched lines and the history") {
  auto r = explained(testing::k_loud_stderr);
  auto j = nlohmann::json::parse(render(r, report::Format::Json));
  CHECK(j["trace"]["backend"] == "none");
  CHECK(j["exit"]["code"] == 3);
  const auto& e = j["explain"];
  CHECK(e["replayed"] == false);
  REQUIRE(e["files"].size() == 3);
  CHECK(e["files"][0]["role"] == "supervisord.log");
  CHECK(e["files"][0]["stream"].is_null());
  CHECK(e["files"][1]["read"] == false);
  CHECK(e["files"][1]["error"] == "NONE: supervisord keeps no file");
  CHECK(e["files"][2]["stream"] == "stderr");
  CHECK(e["files"][2]["matched"][0]["line"] == 12);
  CHECK(e["files"][2]["matched"][0]["text"] == "  [Errno 13] Permission denied: '/root/.cache' postgres://u:***@db/x");
  CHECK(e["history"].size() == 5);
  CHECK(e["summary"] == "supervisord saw 2 starts in 1.9 s, each exited with status 3 after ~0.4 s, then FATAL");
  CHECK(has(j["stderr_tail"].get<std::string>(), "Reason: Worker failed to boot."));
  auto raw = nlohmann::json::parse(render(r, report::Format::Json, false));
  CHECK(has(raw["explain"]["files"][2]["matched"][0]["text"].get<std::string>(), "hunter2"));
}

TEST_CASE("a replay has no explain object") {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  auto j = nlohmann::json::parse(render(r, report::Format::Json));
  CHECK(j["explain"].is_null());
}
