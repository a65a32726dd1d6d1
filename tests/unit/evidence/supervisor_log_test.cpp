#include "evidence/supervisor_log.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace bootmortem;
using evidence::LogEventKind;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BOOTMORTEM_TEST_DATA) + "/supervisor/" + name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<evidence::LogEvent> history(const std::string& log, const std::string& name,
                                        std::vector<std::string> spawnerrs = {}) {
  evidence::HistoryQuery q;
  q.process = name;
  q.spawnerr_texts = std::move(spawnerrs);
  return evidence::process_history(evidence::parse_supervisord_log(fixture(log)), q);
}

std::string kinds(const std::vector<evidence::LogEvent>& h) {
  std::string s;
  for (const auto& e : h) s += std::string(s.empty() ? "" : " ") + evidence::log_event_name(e.kind);
  return s;
}

}  // namespace

TEST_CASE("each message supervisord writes about a process becomes one event") {
  auto ev = evidence::parse_supervisord_log(
      "2026-11-29 15:37:51,063 INFO supervisord started with pid 18170\n"
      "2026-11-29 15:37:52,067 INFO spawned: 'envdump' with pid 18173\n"
      "2026-11-29 15:37:52,137 INFO success: rootinfo entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)\n"
      "2026-11-29 15:37:52,154 WARN exited: homecache (exit status 1; not expected)\n"
      "2026-11-29 15:37:52,130 INFO exited: envdump (exit status 0; expected)\n"
      "2026-11-29 15:39:03,074 WARN exited: segv (terminated by SIGSEGV (core dumped); not expected)\n"
      "2026-11-29 15:37:59,289 INFO gave up: homecache entered FATAL state, too many start retries too quickly\n"
      "2026-11-29 15:37:52,064 INFO spawnerr: command at '/tmp/bm/bin1/dup' is not executable\n"
      "2026-11-29 15:40:00,000 INFO stopped: web (terminated by SIGTERM)\n"
      "2026-11-29 15:40:10,000 WARN killing 'web' (4242) with SIGKILL\n"
      "2026-11-29 15:37:52,064 INFO RPC interface 'supervisor' initialized\n");
  REQUIRE(ev.size() == 10);
  CHECK(kinds(ev) == "supervisord_started spawned success exited exited exited gave_up spawnerr stopped killing");
  CHECK(ev[0].pid == 18170);
  CHECK(ev[1].process == "envdump");
  CHECK(ev[1].pid == 18173);
  CHECK(ev[1].time == "2026-11-29 15:37:52,067");
  CHECK(ev[1].ms - ev[0].ms == 1004);
  CHECK(ev[2].process == "rootinfo");
  CHECK(ev[3].process == "homecache");
  CHECK(ev[3].status == 1);
  CHECK_FALSE(ev[3].expected);
  CHECK(ev[3].level == "WARN");
  CHECK(ev[4].expected);
  CHECK(ev[4].status == 0);
  CHECK(ev[5].signal == "SIGSEGV");
  CHECK_FALSE(ev[5].status);
  CHECK(ev[6].process == "homecache");
  CHECK(ev[7].process.empty());
  CHECK(ev[8].signal == "SIGTERM");
  CHECK(ev[9].pid == 4242);
  CHECK(ev[3].line() == "2026-11-29 15:37:52,154 WARN exited: homecache (exit status 1; not expected)");
}

TEST_CASE("a timestamp's scale spans midnight and month ends") {
  auto ev = evidence::parse_supervisord_log(
      "2026-02-28 23:59:59,900 INFO spawned: 'a' with pid 1\n"
      "2026-03-01 00:00:00,400 INFO exited: a (exit status 3; not expected)\n");
  REQUIRE(ev.size() == 2);
  CHECK(ev[1].ms - ev[0].ms == 500);
}

TEST_CASE("continuation lines and DEBG records are never events") {
  auto ev = evidence::parse_supervisord_log(
      "2026-11-29 15:39:03,062 DEBG 'badinterp' stderr output:\n"
      "exited: badinterp (exit status 1; not expected)\n"
      "supervisor: child process was not spawned\n"
      "\n"
      "2026-11-29 15:39:03,062 WARN exited: badinterp (exit status 127; not expected)\n"
      "2026-11-29 15:39:03,068 DEBG 'maskcheck' stdout output:\n"
      "2026-11-29 15:39:03,068 XXXX spawned: 'maskcheck' with pid 1\n");
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].status == 127);
}

TEST_CASE("expA: the last episode is summarised; the reap-lag 'success:' is called what it is") {
  auto h = history("expA-supervisord.log", "homecache");
  CHECK(kinds(h) ==
        "spawned exited spawned exited spawned exited spawned exited gave_up "
        "spawned success exited spawned exited spawned exited spawned exited spawned exited gave_up");
  CHECK(evidence::summarize_history(h) ==
        "supervisord saw 5 starts in 8.2 s, each exited with status 1 after ~0.2 s, then FATAL "
        "(1 'success:' line came just before an exit: supervisord's reaping lag, not a healthy "
        "start); 1 earlier FATAL since supervisord started");
  // Only the first episode: the 4 starts of startretries=3.
  std::vector<evidence::LogEvent> first(h.begin(), h.begin() + 9);
  CHECK(evidence::summarize_history(first) ==
        "supervisord saw 4 starts in 7.2 s, each exited with status 1 after ~42 ms, then FATAL");
}

TEST_CASE("expA: a spawnerr line is the process's when it is the spawnerr supervisord reports") {
  CHECK(kinds(history("expA-supervisord.log", "dupsearch")) == "gave_up");
  auto h = history("expA-supervisord.log", "dupsearch", {"command at '/tmp/bm/bin1/dup' is not executable"});
  CHECK(kinds(h) == "spawnerr gave_up");
  CHECK(evidence::summarize_history(h) ==
        "supervisord could not spawn it (command at '/tmp/bm/bin1/dup' is not executable), then FATAL");
}

TEST_CASE("expB (loglevel debug): multi-line DEBG records do not disturb the history") {
  auto nodir = history("expB-supervisord-debug.log", "nodir");
  CHECK(kinds(nodir) ==
        "spawned exited spawned exited gave_up spawned success exited spawned exited spawned exited gave_up");
  CHECK(evidence::summarize_history(nodir) ==
        "supervisord saw 3 starts in 3.1 s, each exited with status 127 after ~0.5 s, then FATAL "
        "(1 'success:' line came just before an exit: supervisord's reaping lag, not a healthy "
        "start); 1 earlier FATAL since supervisord started");
  auto exit3 = history("expB-supervisord-debug.log", "exit3");
  CHECK(evidence::summarize_history(exit3) ==
        "supervisord saw 2 starts in 20.0 s, each exited with status 3 after ~2.0 s (every exit came "
        "after RUNNING, past startsecs: none counted as a failed start)");
  auto segv = history("expB-supervisord-debug.log", "segv");
  CHECK(evidence::summarize_history(segv) == "supervisord saw 1 start, it was killed by SIGSEGV after ~13 ms (1 'success:' line came "
        "just before an exit: supervisord's reaping lag, not a healthy start)");
  // The name quoted inside the spawnerr text attributes it.
  CHECK(kinds(history("expB-supervisord-debug.log", "logisdir")) == "spawnerr spawnerr gave_up");
}

TEST_CASE("history starts at the live supervisord's own start line") {
  std::string log =
      "2026-01-01 10:00:00,000 INFO supervisord started with pid 100\n"
      "2026-01-01 10:00:01,000 INFO spawned: 'web' with pid 101\n"
      "2026-01-01 10:00:01,500 WARN exited: web (exit status 1; not expected)\n"
      "2026-01-01 11:00:00,000 INFO supervisord started with pid 200\n"
      "2026-01-01 11:00:01,000 INFO spawned: 'web' with pid 201\n"
      "2026-01-01 11:00:02,001 INFO success: web entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)\n"
      "2026-01-01 12:00:00,000 INFO supervisord started with pid 300\n";
  auto all = evidence::parse_supervisord_log(log);
  evidence::HistoryQuery q;
  q.process = "web";
  q.supervisord_pid = 200;
  auto h = evidence::process_history(all, q);
  CHECK(kinds(h) == "spawned success");
  CHECK(h[0].pid == 201);
  CHECK(evidence::summarize_history(h) == "supervisord saw 1 start; the last one is RUNNING");
  q.supervisord_pid = 0;  // the last start: nothing since
  CHECK(evidence::process_history(all, q).empty());
  CHECK(evidence::summarize_history({}).empty());
  q.supervisord_pid = 100;
  q.max_events = 1;
  CHECK(kinds(evidence::process_history(all, q)) == "success");
}

TEST_CASE("approximate durations") {
  CHECK(evidence::approx_duration(40) == "~40 ms");
  CHECK(evidence::approx_duration(512) == "~0.5 s");
  CHECK(evidence::approx_duration(12345) == "~12.3 s");
}

TEST_CASE("exits after RUNNING are said to be past startsecs (autorestart loops, no FATAL)") {
  auto h = evidence::parse_supervisord_log(
      "2026-11-29 19:40:17,228 INFO spawned: 'test_server' with pid 16725\n"
      "2026-11-29 19:40:18,257 INFO success: test_server entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)\n"
      "2026-11-29 19:40:19,658 WARN exited: test_server (exit status 3; not expected)\n"
      "2026-11-29 19:40:20,660 INFO spawned: 'test_server' with pid 16740\n"
      "2026-11-29 19:40:21,664 INFO success: test_server entered RUNNING state, process has stayed up for > than 1 seconds (startsecs)\n"
      "2026-11-29 19:40:22,674 WARN exited: test_server (exit status 3; not expected)\n"
      "2026-11-29 19:40:22,743 INFO spawned: 'test_server' with pid 16752\n");
  CHECK(evidence::summarize_history(h) ==
        "supervisord saw 3 starts in 5.5 s, 2 exited with status 3 after ~2.2 s; the last one is still "
        "starting (every exit came after RUNNING, past startsecs: none counted as a failed start)");
}
