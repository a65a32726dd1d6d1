// The live supervisord in the report: goldens for the seed incident as seen
// by a supervisord that gave up (FATAL), and the RUNNING case that is not
// replayed. BOOTMORTEM_UPDATE_GOLDEN=1 rewrites the goldens.
#include "report/supervisor.h"

#include <doctest/doctest.h>

#include "golden.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../rules/seed_evidence.h"
#include "report/report.h"
#include "report/view.h"

using namespace bootmortem;

namespace {

const char* k_log =
    "2016-01-25 21:26:10,100 INFO supervisord started with pid 1234\n"
    "2016-01-25 21:26:11,104 INFO spawned: 'test_server' with pid 27886\n"
    "2016-01-25 21:26:11,616 WARN exited: test_server (exit status 3; not expected)\n"
    "2016-01-25 21:26:12,620 INFO spawned: 'test_server' with pid 27890\n"
    "2016-01-25 21:26:13,131 WARN exited: test_server (exit status 3; not expected)\n"
    "2016-01-25 21:26:15,137 INFO spawned: 'test_server' with pid 27894\n"
    "2016-01-25 21:26:15,650 WARN exited: test_server (exit status 3; not expected)\n"
    "2016-01-25 21:26:18,656 INFO spawned: 'test_server' with pid 27899\n"
    "2016-01-25 21:26:19,170 WARN exited: test_server (exit status 3; not expected)\n"
    "2016-01-25 21:26:19,171 INFO gave up: test_server entered FATAL state, too many start retries too quickly\n";

evidence::SupervisorView fatal_view() {
  evidence::SupervisorView s;
  s.pid = 1234;
  s.config = "/etc/supervisor/supervisord.conf";
  s.found_by = "pidfile";
  s.state = "FATAL";
  s.description = s.spawnerr = "Exited too quickly (process log may have details)";
  s.exitstatus = 0;
  s.start = s.now = 1453728379;
  s.stderr_tail = "[2016-01-25 21:26:19 +0800] [27899] [INFO] Reason: Worker failed to boot.\n";
  s.tails_from = "supervisord";
  s.log_file = "/var/log/supervisor/supervisord.log";
  evidence::HistoryQuery q;
  q.process = "test_server";
  q.supervisord_pid = 1234;
  s.history = evidence::process_history(evidence::parse_supervisord_log(k_log), q);
  s.summary = evidence::summarize_history(s.history);
  return s;
}

report::Report live_report(evidence::SupervisorView s) {
  report::Report r;
  r.ev = testing::seed_evidence(false);
  evidence::attach_supervisor(r.ev, std::move(s));
  r.findings = rules::RulePack::load_dir(BOOTMORTEM_SOURCE_DIR "/rules").match(r.ev);
  r.config_path = "/etc/supervisor/conf.d/test_server.conf";
  return r;
}

std::string rendered(const report::Report& r, report::Format f) {
  std::ostringstream out;
  report::render(r, f, {}, out);
  return out.str();
}

using testing::golden;

}  // namespace

TEST_CASE("seed incident under a live supervisord that gave up: goldens") {
  auto r = live_report(fatal_view());
  CHECK(r.ev.facts.at("supervisord_fatal"));
  CHECK(r.ev.facts.at("supervisord_same_exit"));
  golden("seed-live.txt", rendered(r, report::Format::Text));
  golden("seed-live.md", rendered(r, report::Format::Markdown));
  golden("seed-live.json", rendered(r, report::Format::Json));
}

TEST_CASE("the lead: state, the history in one sentence, and whether the replay agrees") {
  auto v = report::make_view(live_report(fatal_view()), {});
  auto lead = report::supervisor_lead(v);
  REQUIRE(lead.size() == 3);
  CHECK(lead[0] == "supervisord (pid 1234) reports it FATAL: Exited too quickly (process log may have details)");
  CHECK(lead[1] == "supervisord saw 4 starts in 8.1 s, each exited with status 3 after ~0.5 s, then FATAL.");
  CHECK(lead[2] == "The replay exited with status 3 too: it reproduces what supervisord saw.");
  auto j = report::supervisor_json(v);
  CHECK(j["history"].size() == 9);
  CHECK(j["history"][1] == nlohmann::ordered_json{{"time", "2016-01-25 21:26:11,616"}, {"event", "exited"},
                                                  {"status", 3}, {"signal", nullptr}, {"expected", false},
                                                  {"line", "2016-01-25 21:26:11,616 WARN exited: test_server (exit status 3; not expected)"}});
  CHECK(j["history"][8]["event"] == "gave_up");
  CHECK(report::base_env_origin(v) == " (read from the running supervisord's /proc/1234/environ)");
}

TEST_CASE("RUNNING and not replayed: verdict starts with its pid and uptime, exit 0") {
  auto s = fatal_view();
  s.state = "RUNNING";
  s.description = "pid 4321, uptime 0:01:05";
  s.spawnerr.clear();
  s.process_pid = 4321;
  s.start = 1000;
  s.now = 1065;
  s.history.clear();
  s.summary.clear();
  s.replayed = false;
  report::Report r;
  r.ev = testing::seed_evidence(false);
  r.ev.trace = trace::TraceLog{};
  r.ev.trace.verdict = trace::Verdict::Starts;
  r.ev.trace.backend = "none";
  evidence::attach_supervisor(r.ev, std::move(s));
  CHECK(report::exit_code(r) == 0);
  std::string text = rendered(r, report::Format::Text);
  CHECK(text.starts_with("test_server starts: supervisord (pid 1234) reports it RUNNING, pid 4321, uptime 0:01:05\n"
                         "Not replayed: a second copy would collide with the one supervisord runs on its port and "
                         "files (--replay starts one anyway).\n"
                         "supervisord.log has no lines about test_server since supervisord started.\n"));
  CHECK(text.find("stderr log (from supervisord, last 20 lines):\n  | [2016-01-25 21:26:19 +0800] [27899]") != std::string::npos);
  auto j = nlohmann::json::parse(rendered(r, report::Format::Json));
  CHECK(j["verdict"] == "starts");
  CHECK(j["supervisord"]["state"] == "RUNNING");
  CHECK(j["supervisord"]["process_pid"] == 4321);
  CHECK(j["supervisord"]["uptime_s"] == 65);
  CHECK(j["supervisord"]["replayed"] == false);
}

TEST_CASE("a supervisord that could not be asked, and secrets in what it said") {
  auto s = fatal_view();
  s.state.clear();
  s.query_error = "HTTP 401 from supervisord";
  s.stderr_tail = "DATABASE_URL=postgres://app:hunter2@db/app\n";
  auto r = live_report(std::move(s));
  auto lead = report::supervisor_lead(report::make_view(r, {}));
  CHECK(lead[0] == "supervisord (pid 1234) runs this config but could not be asked about test_server: HTTP 401 from supervisord");
  CHECK(rendered(r, report::Format::Json).find("hunter2") == std::string::npos);
  CHECK(report::supervisor_json(report::make_view(r, {}))["state"].is_null());
}

TEST_CASE("supervisord's own copy alive during the replay is said, with what to do") {
  auto s = fatal_view();
  s.state = "STARTING";
  s.description.clear();
  s.copy_pid_during_replay = 27911;
  auto r = live_report(std::move(s));
  CHECK(r.ev.facts.at("supervisord_copy_alive"));
  auto lead = report::supervisor_lead(report::make_view(r, {}));
  REQUIRE(lead.size() == 4);
  CHECK(lead[0] == "supervisord (pid 1234) reports it STARTING");
  CHECK(lead[2] == "supervisord's own copy (pid 27911) was running during the replay: a port or file conflict "
                   "below may be between the two copies; `supervisorctl stop test_server` and run diagnose again.");
}
