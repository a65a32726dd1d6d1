#include "evidence/live_supervisor.h"

#include <doctest/doctest.h>

#include "evidence/evidence.h"

using namespace bootmortem;

namespace {

std::string response(const std::string& value) {
  return "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n" + value +
         "\n</param>\n</params>\n</methodResponse>\n";
}

std::string member(const std::string& name, const std::string& v) {
  return "<member>\n<name>" + name + "</name>\n<value>" + v + "</value>\n</member>\n";
}

// supervisord 4.2.5 for the egg-cache example: test_server FATAL, or RUNNING.
evidence::FakeRpc fake_supervisord(const std::string& state) {
  evidence::FakeRpc rpc;
  rpc.respond = [state](const std::string& body) {
    evidence::HttpReply r{true, "", 200, ""};
    if (body.find("getProcessInfo") != std::string::npos && body.find("<string>nosuch</string>") != std::string::npos) {
      r.body = "<methodResponse><fault><value><struct>" + member("faultCode", "<int>10</int>") +
               member("faultString", "<string>BAD_NAME: nosuch</string>") + "</struct></value></fault></methodResponse>";
    } else if (body.find("getProcessInfo") != std::string::npos) {
      bool running = state == "RUNNING";
      std::string desc = running ? "pid 4321, uptime 0:01:05" : "Exited too quickly (process log may have details)";
      r.body = response("<value><struct>" + member("name", "<string>test_server</string>") +
                        member("statename", "<string>" + state + "</string>") +
                        member("state", running ? "<int>20</int>" : "<int>200</int>") +
                        member("description", "<string>" + desc + "</string>") +
                        member("spawnerr", running ? "<string></string>" : "<string>" + desc + "</string>") +
                        member("exitstatus", "<int>0</int>") + member("pid", running ? "<int>4321</int>" : "<int>0</int>") +
                        member("start", "<int>1000</int>") + member("now", "<int>1065</int>") +
                        member("stderr_logfile", "<string>/srv/log/test_server.err.log</string>") +
                        "</struct></value>");
    } else if (body.find("tailProcessStderrLog") != std::string::npos) {
      r.body = response("<value><array><data><value><string>ot\n[INFO] Reason: Worker failed to boot.\n</string></value>"
                        "<value><int>4096</int></value><value><boolean>1</boolean></value></data></array></value>");
    } else {
      r.body = response("<value><array><data><value><string></string></value><value><int>0</int></value>"
                        "<value><boolean>0</boolean></value></data></array></value>");
    }
    return r;
  };
  return rpc;
}

const char* k_log =
    "2026-01-25 21:10:31,000 INFO supervisord started with pid 777\n"
    "2026-01-25 21:10:32,000 INFO spawned: 'test_server' with pid 801\n"
    "2026-01-25 21:10:32,500 WARN exited: test_server (exit status 3; not expected)\n"
    "2026-01-25 21:10:33,600 INFO spawned: 'test_server' with pid 802\n"
    "2026-01-25 21:10:34,100 WARN exited: test_server (exit status 3; not expected)\n"
    "2026-01-25 21:10:36,200 INFO spawned: 'test_server' with pid 803\n"
    "2026-01-25 21:10:36,700 WARN exited: test_server (exit status 3; not expected)\n"
    "2026-01-25 21:10:39,300 INFO spawned: 'test_server' with pid 804\n"
    "2026-01-25 21:10:39,800 WARN exited: test_server (exit status 3; not expected)\n"
    "2026-01-25 21:10:39,800 INFO gave up: test_server entered FATAL state, too many start retries too quickly\n";

evidence::LiveQuery query() {
  evidence::LiveQuery q;
  q.supervisord_pid = 777;
  q.config = "/srv/supervisord.conf";
  q.found_by = "pidfile";
  q.namespec = q.process_name = "test_server";
  q.log_file = "/srv/log/supervisord.log";
  q.stderr_logfile = "/srv/log/test_server.err.log";
  return q;
}

}  // namespace

TEST_CASE("FATAL: supervisord's state, its log tail over XML-RPC, and its history") {
  core::FakeFs fs;
  fs.contents["/srv/log/supervisord.log"] = k_log;
  auto rpc = fake_supervisord("FATAL");
  auto v = evidence::ask_supervisor(query(), &rpc, fs);
  CHECK(v.query_error == "");
  CHECK(v.pid == 777);
  CHECK(v.found_by == "pidfile");
  CHECK(v.state == "FATAL");
  CHECK(v.spawnerr == "Exited too quickly (process log may have details)");
  CHECK(v.exitstatus == 0);
  CHECK(v.uptime_s() == 0);
  // overflow=true: the cut first line is dropped
  CHECK(v.stderr_tail == "[INFO] Reason: Worker failed to boot.\n");
  CHECK(v.tails_from == "supervisord");
  CHECK(v.history.size() == 9);
  CHECK(v.summary == "supervisord saw 4 starts in 7.8 s, each exited with status 3 after ~0.5 s, then FATAL");
  CHECK(v.last_exit() == "status 3");
  REQUIRE(rpc.calls.size() == 3);
  CHECK(rpc.calls[0].find("<string>test_server</string>") != std::string::npos);
}

TEST_CASE("RUNNING: pid and uptime") {
  core::FakeFs fs;
  auto rpc = fake_supervisord("RUNNING");
  auto v = evidence::ask_supervisor(query(), &rpc, fs);
  CHECK(v.state == "RUNNING");
  CHECK(v.process_pid == 4321);
  CHECK(v.uptime_s() == 65);
  CHECK(evidence::format_uptime(v.uptime_s()) == "0:01:05");
  CHECK(evidence::format_uptime(3 * 3600 + 7) == "3:00:07");
  CHECK(v.log_error == "cannot read /srv/log/supervisord.log");
}

TEST_CASE("supervisord that cannot be asked: the log files are read directly") {
  core::FakeFs fs;
  fs.contents["/srv/log/supervisord.log"] = k_log;
  fs.contents["/srv/log/test_server.err.log"] = "Traceback\nPermissionError: '/root/.cache'\n";
  evidence::FakeRpc rpc;  // answers nothing
  auto v = evidence::ask_supervisor(query(), &rpc, fs);
  CHECK(v.state.empty());
  CHECK(v.query_error == "no answer");
  CHECK(v.stderr_tail == "Traceback\nPermissionError: '/root/.cache'\n");
  CHECK(v.tails_from == "files");
  CHECK(v.history.size() == 9);

  auto none = evidence::ask_supervisor(query(), nullptr, fs);
  CHECK(none.query_error == "no [unix_http_server] socket to ask supervisord through");

  auto q = query();
  q.namespec = "nosuch";
  auto rpc2 = fake_supervisord("FATAL");
  auto bad = evidence::ask_supervisor(q, &rpc2, fs);
  CHECK(bad.query_error == "getProcessInfo(nosuch): BAD_NAME: nosuch");
  q.log_file = "syslog";
  CHECK(evidence::ask_supervisor(q, nullptr, fs).log_error == "supervisord logs to syslog");
}

TEST_CASE("facts: FATAL, RUNNING, and a replay that exits as supervisord saw it") {
  evidence::Evidence ev;
  ev.trace.exit_code = 3;
  evidence::add_supervisor_facts(ev);
  for (const auto& f : evidence::supervisor_fact_names()) CHECK_FALSE(ev.facts.at(f));
  for (const auto& n : evidence::supervisor_value_names()) CHECK(ev.values.at(n).empty());

  core::FakeFs fs;
  fs.contents["/srv/log/supervisord.log"] = k_log;
  auto rpc = fake_supervisord("FATAL");
  evidence::attach_supervisor(ev, evidence::ask_supervisor(query(), &rpc, fs));
  CHECK(ev.facts.at("supervisord_seen"));
  CHECK(ev.facts.at("supervisord_fatal"));
  CHECK_FALSE(ev.facts.at("supervisord_running"));
  CHECK(ev.facts.at("supervisord_same_exit"));
  CHECK(ev.values.at("supervisord_pid") == "777");
  CHECK(ev.values.at("supervisord_exit") == "status 3");
  CHECK(ev.values.at("supervisord_summary").starts_with("supervisord saw 4 starts"));

  ev.trace.exit_code = 1;
  evidence::add_supervisor_facts(ev);
  CHECK_FALSE(ev.facts.at("supervisord_same_exit"));
}

TEST_CASE("RUNNING while restarting in a loop is flapping, not up") {
  evidence::SupervisorView v;
  v.state = "RUNNING";
  v.start = 1000;
  v.now = 1001;
  v.history = evidence::parse_supervisord_log(
      "2026-11-29 19:40:17,228 INFO spawned: 'test_server' with pid 16725\n"
      "2026-11-29 19:40:18,257 INFO success: test_server entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)\n"
      "2026-11-29 19:40:19,658 WARN exited: test_server (exit status 3; not expected)\n"
      "2026-11-29 19:40:20,660 INFO spawned: 'test_server' with pid 16740\n"
      "2026-11-29 19:40:21,664 INFO success: test_server entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)\n");
  CHECK(v.flapping());    // up 1 s; the last one died after 2.4 s
  v.now = 1060;
  CHECK_FALSE(v.flapping());  // up a minute: longer than any recent attempt
  v.state = "FATAL";
  CHECK_FALSE(v.flapping());
  v.state = "RUNNING";
  v.history.clear();
  v.now = 1001;
  CHECK_FALSE(v.flapping());
}

TEST_CASE("the summary sees the whole history; the view keeps the latest lines") {
  core::FakeFs fs;
  fs.contents["/srv/log/supervisord.log"] = k_log;
  auto q = query();
  q.max_history = 3;
  auto v = evidence::ask_supervisor(q, nullptr, fs);
  CHECK(v.history.size() == 3);
  CHECK(v.history.back().kind == evidence::LogEventKind::GaveUp);
  CHECK(v.summary == "supervisord saw 4 starts in 7.8 s, each exited with status 3 after ~0.5 s, then FATAL");
}
