#include "evidence/log_evidence.h"

#include <doctest/doctest.h>

using namespace bootmortem;
using evidence::LogFile;
using evidence::LogReading;
using evidence::LogRole;

namespace {

LogFile file(const std::string& path, LogRole role, uint64_t bytes, uint64_t lines,
             std::vector<evidence::Excerpt> excerpts, std::string tail, uint64_t tail_offset) {
  LogFile f;
  f.path = path;
  f.role = role;
  f.scan.bytes = bytes;
  f.scan.lines = lines;
  f.scan.excerpts = std::move(excerpts);
  f.scan.tail = std::move(tail);
  f.scan.tail_offset = tail_offset;
  return f;
}

std::vector<evidence::LogEvent> events(const std::string& log) {
  evidence::HistoryQuery q;
  q.process = "web";
  return evidence::process_history(evidence::parse_supervisord_log(log), q);
}

const char* k_fatal =
    "2026-11-29 15:37:51,063 INFO supervisord started with pid 100\n"
    "2026-11-29 15:37:52,067 INFO spawned: 'web' with pid 101\n"
    "2026-11-29 15:37:52,520 WARN exited: web (exit status 3; not expected)\n"
    "2026-11-29 15:37:53,530 INFO spawned: 'web' with pid 102\n"
    "2026-11-29 15:37:53,930 WARN exited: web (exit status 3; not expected)\n"
    "2026-11-29 15:37:53,931 INFO gave up: web entered FATAL state, too many start retries too quickly\n";

}  // namespace

TEST_CASE("sizes read as people write them") {
  CHECK(evidence::byte_size_text(0) == "0 bytes");
  CHECK(evidence::byte_size_text(1) == "1 byte");
  CHECK(evidence::byte_size_text(1023) == "1023 bytes");
  CHECK(evidence::byte_size_text(4200) == "4.1 KiB");
  CHECK(evidence::byte_size_text(uint64_t{1} << 30) == "1.0 GiB");
}

TEST_CASE("the description names every file read, its size and lines, and those not read") {
  LogReading r;
  r.files.push_back(file("/var/log/supervisor/supervisord.log", LogRole::Supervisord, 4200, 52, {}, "", 0));
  r.files.push_back(file("/srv/log/web.err.log", LogRole::Stderr, 312, 1, {}, "", 0));
  LogFile none;
  none.role = LogRole::Stdout;
  none.error = "NONE: supervisord keeps no file";
  r.files.push_back(none);
  CHECK(evidence::describe_reading(r) ==
        "not replayed: evidence from 2 log files (supervisord.log 4.1 KiB, 52 lines; web.err.log 312 bytes, 1 line)"
        "; not read: stdout_logfile (NONE: supervisord keeps no file)");
  CHECK(evidence::describe_reading(LogReading{}) == "not replayed: no log file could be read");
}

TEST_CASE("a small file is all tail: its text is the file, nothing dropped") {
  LogReading r;
  r.files.push_back(file("/l/err", LogRole::Stderr, 11, 2, {{2, 6, 11, "boom!"}}, "hello\nboom!", 0));
  auto c = evidence::stream_from_logs(r, "stderr");
  CHECK(c.head == "");
  CHECK(c.tail == "hello\nboom!");
  CHECK(c.total == 11);
  CHECK(c.dropped == 0);
  CHECK(evidence::stream_from_logs(r, "stdout").total == 0);
}

TEST_CASE("a big file: its excerpts before its tail, gaps marked, the rest counted as dropped") {
  LogReading r;
  r.files.push_back(file("/l/err", LogRole::Stderr, 10000, 500,
                         {{10, 100, 110, "first hit"}, {11, 111, 121, "next line"}, {200, 4000, 4010, "later hit"}},
                         "the tail\n", 9991));
  auto c = evidence::stream_from_logs(r, "stderr");
  CHECK(c.head == "[...]\nfirst hit\nnext line\n[...]\nlater hit\n");
  CHECK(c.tail == "the tail\n");
  CHECK(c.dropped == 10000 - (10 + 10 + 10 + 9));
  CHECK(c.text() ==
        "[...]\nfirst hit\nnext line\n[...]\nlater hit\n\n[... 9961 bytes not kept ...]\nthe tail\n");
}

TEST_CASE("several files of one stream: each named, the last one's tail is the tail; --log counts as stderr") {
  LogReading r;
  r.files.push_back(file("/extra.log", LogRole::Extra, 6, 1, {}, "extra\n", 0));
  r.files.push_back(file("/l/out", LogRole::Stdout, 4, 1, {}, "out\n", 0));
  r.files.push_back(file("/l/err", LogRole::Stderr, 4, 1, {}, "err\n", 0));
  auto c = evidence::stream_from_logs(r, "stderr");
  CHECK(c.head == "[... /extra.log ...]\nextra\n[... /l/err ...]\n");
  CHECK(c.tail == "err\n");
  CHECK(c.total == 10);
  CHECK(evidence::stream_from_logs(r, "stdout").tail == "out\n");
}

TEST_CASE("redirect_stderr=true: the stdout log is the program's stderr too") {
  LogReading r;
  r.files.push_back(file("/l/out", LogRole::Stdout, 5, 1, {}, "both\n", 0));
  r.files.back().merged = true;
  CHECK(evidence::stream_from_logs(r, "stderr").tail == "both\n");
  CHECK(evidence::stream_from_logs(r, "stdout").tail == "both\n");
  CHECK(r.files[0].counts_as("stderr"));
  CHECK_FALSE(file("/l/out", LogRole::Stdout, 0, 0, {}, "", 0).counts_as("stderr"));
}

TEST_CASE("the latest attempt in supervisord's history is the verdict, exit status and lifetime") {
  LogReading r;
  auto t = evidence::trace_from_logs(r, events(k_fatal), 1, nullptr);
  CHECK(t.backend == "none");
  CHECK(t.verdict == trace::Verdict::Fails);
  REQUIRE(t.exit_code);
  CHECK(*t.exit_code == 3);
  CHECK(t.after_ms == 400);
  CHECK(t.main_pid == 102);
  CHECK_FALSE(t.spawnerr);
}

TEST_CASE("a signal, a spawn error, a start, and no history at all") {
  LogReading r;
  auto killed = evidence::trace_from_logs(
      r,
      events("2026-11-29 15:37:52,067 INFO spawned: 'web' with pid 101\n"
             "2026-11-29 15:37:52,167 WARN exited: web (terminated by SIGSEGV (core dumped); not expected)\n"),
      1, nullptr);
  REQUIRE(killed.exit_signal);
  CHECK(*killed.exit_signal == 11);
  CHECK_FALSE(killed.exit_code);

  // A spawnerr names no process: process_history keeps it when it quotes the name.
  evidence::HistoryQuery q;
  q.process = "web";
  q.spawnerr_texts = {"can't find command 'gunicorn'"};
  auto never = evidence::trace_from_logs(
      r,
      evidence::process_history(
          evidence::parse_supervisord_log("2026-11-29 15:37:52,067 INFO spawned: 'web' with pid 101\n"
                                          "2026-11-29 15:37:52,167 WARN exited: web (exit status 1; not expected)\n"
                                          "2026-11-29 15:37:53,000 INFO spawnerr: can't find command 'gunicorn'\n"),
          q),
      1, nullptr);
  REQUIRE(never.spawnerr);
  CHECK(*never.spawnerr == "can't find command 'gunicorn'");

  auto up = evidence::trace_from_logs(
      r,
      events("2026-11-29 15:37:52,067 INFO spawned: 'web' with pid 101\n"
             "2026-11-29 15:37:53,070 INFO success: web entered RUNNING state, process has stayed up for > than 1 "
             "seconds (startsecs)\n"),
      1, nullptr);
  CHECK(up.verdict == trace::Verdict::Starts);
  CHECK(up.after_ms == 1003);

  auto unknown = evidence::trace_from_logs(r, {}, 1, nullptr);
  CHECK(unknown.verdict == trace::Verdict::Fails);
  CHECK_FALSE(unknown.exit_code);
  CHECK(unknown.after_ms == 0);
}

TEST_CASE("a live supervisord that runs it, not flapping, outranks an old FATAL in the log") {
  evidence::SupervisorView live;
  live.state = "RUNNING";
  live.process_pid = 300;
  live.start = 1000;
  live.now = 1060;
  auto t = evidence::trace_from_logs(LogReading{}, events(k_fatal), 1, &live);
  CHECK(t.verdict == trace::Verdict::Starts);
  CHECK(t.main_pid == 300);
  CHECK(t.after_ms == 60000);
  CHECK_FALSE(t.exit_code);
}

TEST_CASE("a crash loop from the log alone: RUNNING, exited, restarted; the latest turn is not a start") {
  const std::string cycle =
      "2026-11-29 15:37:51,063 INFO supervisord started with pid 100\n"
      "2026-11-29 15:37:52,067 INFO spawned: 'web' with pid 101\n"
      "2026-11-29 15:37:53,070 INFO success: web entered RUNNING state, process has stayed up for > than 1 seconds "
      "(startsecs)\n"
      "2026-11-29 15:37:54,567 WARN exited: web (exit status 1; not expected)\n"
      "2026-11-29 15:37:54,580 INFO spawned: 'web' with pid 102\n"
      "2026-11-29 15:37:55,590 INFO success: web entered RUNNING state, process has stayed up for > than 1 seconds "
      "(startsecs)\n";
  // The log ends while the latest turn runs.
  auto t = evidence::trace_from_logs(LogReading{}, events(cycle), 1, nullptr);
  CHECK(t.verdict == trace::Verdict::Fails);
  CHECK(t.exit_code == 1);
  CHECK(t.after_ms == 2500);
  // supervisord was stopped during the next turn, as soon as the last one lived.
  auto stopped = evidence::trace_from_logs(
      LogReading{}, events(cycle + "2026-11-29 15:37:56,900 INFO stopped: web (terminated by SIGTERM)\n"), 1,
      nullptr);
  CHECK(stopped.verdict == trace::Verdict::Fails);
  // ... or long after: by then that turn was a healthy start.
  auto healthy = evidence::trace_from_logs(
      LogReading{}, events(cycle + "2026-11-29 15:47:56,900 INFO stopped: web (terminated by SIGTERM)\n"), 1,
      nullptr);
  CHECK(healthy.verdict == trace::Verdict::Starts);
  // An expected exit after RUNNING is not restarted by default: no loop.
  std::string expected = cycle;
  expected.replace(expected.find("(exit status 1; not expected)"), 29, "(exit status 0; expected)");
  CHECK(evidence::trace_from_logs(LogReading{}, events(expected), 1, nullptr).verdict == trace::Verdict::Starts);
}
