#include "run/run_json.h"

#include <doctest/doctest.h>

#include <string>

using namespace bootmortem;
using json = nlohmann::json;

namespace {

// Bytes JSON text cannot hold as they are: invalid UTF-8, a NUL, an overlong
// '/', a lone surrogate.
const std::string k_binary = std::string("caf\xe9 \x00 \xc0\xaf \xed\xa0\x80 \xff", 15);

trace::TraceLog every_field() {
  trace::TraceLog t;
  t.backend = "ebpf";
  t.backend_note = "note ✓";
  t.backend_why = "chosen with --tracer ebpf";
  t.verdict = trace::Verdict::Starts;
  t.main_pid = 4242;
  t.exit_code = 3;
  t.exit_signal = 9;
  t.after_ms = 1234;
  t.watched_ms = 3000;
  t.left_behind = 2;
  t.spawnerr = "can't find command 'x'";
  trace::FailedSyscall f;
  f.pid = 7;
  f.call = "bind";
  f.err = 98;
  f.path = "/tmp/" + k_binary;
  f.path2 = "/tmp/b";
  f.addr = "127.0.0.1:8000";
  f.port = 8000;
  f.args = "{sa_family=AF_INET, ...}";
  f.at_ms = 12;
  f.seq = 5;
  f.count = 100;
  f.pids = 3;
  t.failed = {f, trace::FailedSyscall{}};
  t.failed_total = 101;
  t.failed_dropped = 1;
  t.execs = {{8, "/usr/bin/python3", 3}};
  t.execs_dropped = 4;
  trace::ProcessExit e;
  e.pid = 8;
  e.ppid = 7;
  e.code = 1;
  e.signal = 15;
  e.core_dumped = true;
  e.at_ms = 99;
  e.killed_by_us = true;
  t.exits = {e, trace::ProcessExit{}};
  t.exits_dropped = 5;
  t.processes = 6;
  t.lost_events = 7;
  t.cost = trace::TracerCost{310'000'000, 12345, 430'000'000, 2'000'000};
  trace::UntracedCheck u;
  u.exited = true;
  u.code = 3;
  u.signal = 6;
  u.after_ms = 900;
  u.decided = true;
  u.output = true;
  u.traced_verdict = trace::Verdict::Starts;
  u.traced_code = 1;
  u.traced_signal = 15;
  u.traced_after_ms = 3000;
  t.untraced = u;
  t.out = {"out head", k_binary, 1 << 20, 1000};
  t.err = {k_binary, "err tail", 30, 0};
  t.main_status = "Uid:\t0\t0\t0\t0\n";
  t.attempts = 3;
  t.sibling_binds = {{"127.0.0.1:8000", 8000, "web", 4321}};
  return t;
}

void check_same(const trace::TraceLog& a, const trace::TraceLog& b) {
  CHECK(a.backend == b.backend);
  CHECK(a.backend_note == b.backend_note);
  CHECK(a.backend_why == b.backend_why);
  CHECK(a.verdict == b.verdict);
  CHECK(a.main_pid == b.main_pid);
  CHECK(a.exit_code == b.exit_code);
  CHECK(a.exit_signal == b.exit_signal);
  CHECK(a.after_ms == b.after_ms);
  CHECK(a.watched_ms == b.watched_ms);
  CHECK(a.left_behind == b.left_behind);
  CHECK(a.spawnerr == b.spawnerr);
  REQUIRE(a.failed.size() == b.failed.size());
  for (size_t i = 0; i < a.failed.size(); ++i) {
    const auto &x = a.failed[i], &y = b.failed[i];
    CHECK(x.pid == y.pid);
    CHECK(x.call == y.call);
    CHECK(x.err == y.err);
    CHECK(x.path == y.path);
    CHECK(x.path2 == y.path2);
    CHECK(x.addr == y.addr);
    CHECK(x.port == y.port);
    CHECK(x.args == y.args);
    CHECK(x.at_ms == y.at_ms);
    CHECK(x.seq == y.seq);
    CHECK(x.count == y.count);
    CHECK(x.pids == y.pids);
  }
  CHECK(a.failed_total == b.failed_total);
  CHECK(a.failed_dropped == b.failed_dropped);
  REQUIRE(a.execs.size() == b.execs.size());
  for (size_t i = 0; i < a.execs.size(); ++i) {
    CHECK(a.execs[i].pid == b.execs[i].pid);
    CHECK(a.execs[i].path == b.execs[i].path);
    CHECK(a.execs[i].at_ms == b.execs[i].at_ms);
  }
  CHECK(a.execs_dropped == b.execs_dropped);
  REQUIRE(a.exits.size() == b.exits.size());
  for (size_t i = 0; i < a.exits.size(); ++i) {
    const auto &x = a.exits[i], &y = b.exits[i];
    CHECK(x.pid == y.pid);
    CHECK(x.ppid == y.ppid);
    CHECK(x.code == y.code);
    CHECK(x.signal == y.signal);
    CHECK(x.core_dumped == y.core_dumped);
    CHECK(x.at_ms == y.at_ms);
    CHECK(x.killed_by_us == y.killed_by_us);
  }
  CHECK(a.exits_dropped == b.exits_dropped);
  CHECK(a.processes == b.processes);
  CHECK(a.lost_events == b.lost_events);
  REQUIRE(a.cost.has_value() == b.cost.has_value());
  if (a.cost) {
    CHECK(a.cost->ns == b.cost->ns);
    CHECK(a.cost->events == b.cost->events);
    CHECK(a.cost->machine_ns == b.cost->machine_ns);
    CHECK(a.cost->machine_runs == b.cost->machine_runs);
  }
  REQUIRE(a.untraced.has_value() == b.untraced.has_value());
  if (a.untraced) {
    const auto &x = *a.untraced, &y = *b.untraced;
    CHECK(x.exited == y.exited);
    CHECK(x.code == y.code);
    CHECK(x.signal == y.signal);
    CHECK(x.after_ms == y.after_ms);
    CHECK(x.decided == y.decided);
    CHECK(x.output == y.output);
    CHECK(x.traced_verdict == y.traced_verdict);
    CHECK(x.traced_code == y.traced_code);
    CHECK(x.traced_signal == y.traced_signal);
    CHECK(x.traced_after_ms == y.traced_after_ms);
  }
  for (auto [x, y] : {std::pair{&a.out, &b.out}, std::pair{&a.err, &b.err}}) {
    CHECK(x->head == y->head);
    CHECK(x->tail == y->tail);
    CHECK(x->total == y->total);
    CHECK(x->dropped == y->dropped);
  }
  CHECK(a.main_status == b.main_status);
  CHECK(a.attempts == b.attempts);
  REQUIRE(a.sibling_binds.size() == b.sibling_binds.size());
  for (size_t i = 0; i < a.sibling_binds.size(); ++i) {
    CHECK(a.sibling_binds[i].addr == b.sibling_binds[i].addr);
    CHECK(a.sibling_binds[i].port == b.sibling_binds[i].port);
    CHECK(a.sibling_binds[i].program == b.sibling_binds[i].program);
    CHECK(a.sibling_binds[i].pid == b.sibling_binds[i].pid);
  }
}

evidence::SupervisorView every_view_field() {
  evidence::SupervisorView v;
  v.pid = 100;
  v.config = "/etc/supervisor/supervisord.conf";
  v.found_by = "pidfile";
  v.state = "FATAL";
  v.description = "Exited too quickly (process log may have details)";
  v.spawnerr = "spawnerr";
  v.exitstatus = 3;
  v.process_pid = 200;
  v.start = 1700000000;
  v.now = 1700000005;
  v.stdout_logfile = "/var/log/out.log";
  v.stderr_logfile = "/var/log/err.log";
  v.stdout_tail = "out";
  v.stderr_tail = k_binary;
  v.tails_from = "files";
  v.query_error = "connection refused";
  v.log_file = "/var/log/supervisor/supervisord.log";
  v.log_error = "rotated";
  evidence::LogEvent e;
  e.kind = evidence::LogEventKind::Exited;
  e.time = "2026-11-29 15:37:52,067";
  e.ms = 52067;
  e.level = "WARN";
  e.process = "web";
  e.pid = 300;
  e.status = 3;
  e.signal = "SIGSEGV";
  e.expected = true;
  e.message = "exited: web (exit status 3; not expected)";
  v.history = {e, evidence::LogEvent{}};
  v.summary = "supervisord saw 4 starts";
  v.replayed = false;
  v.copy_pid_during_replay = 400;
  v.self_conflict = {"bind(127.0.0.1:8000) failed with EADDRINUSE"};
  return v;
}

// Through the text a worker writes, as the parent reads it.
json through_text(const json& j) { return json::parse(j.dump()); }

}  // namespace

TEST_CASE("run_json: a TraceLog comes back field for field, bytes that are not UTF-8 included") {
  const trace::TraceLog t = every_field();
  check_same(t, run::trace_log_from_json(through_text(run::trace_log_json(t))));
  // And the defaults (no optional set, nothing listed).
  const trace::TraceLog d;
  check_same(d, run::trace_log_from_json(through_text(run::trace_log_json(d))));
  const trace::TraceLog fails = [] {
    trace::TraceLog f;
    f.verdict = trace::Verdict::Fails;
    return f;
  }();
  CHECK(run::trace_log_from_json(through_text(run::trace_log_json(fails))).verdict == trace::Verdict::Fails);
}

TEST_CASE("run_json: a SupervisorView comes back field for field") {
  const auto v = every_view_field();
  const auto w = run::supervisor_view_from_json(through_text(run::supervisor_view_json(v)));
  CHECK(w.pid == v.pid);
  CHECK(w.config == v.config);
  CHECK(w.found_by == v.found_by);
  CHECK(w.state == v.state);
  CHECK(w.description == v.description);
  CHECK(w.spawnerr == v.spawnerr);
  CHECK(w.exitstatus == v.exitstatus);
  CHECK(w.process_pid == v.process_pid);
  CHECK(w.start == v.start);
  CHECK(w.now == v.now);
  CHECK(w.stdout_logfile == v.stdout_logfile);
  CHECK(w.stderr_logfile == v.stderr_logfile);
  CHECK(w.stdout_tail == v.stdout_tail);
  CHECK(w.stderr_tail == v.stderr_tail);
  CHECK(w.tails_from == v.tails_from);
  CHECK(w.query_error == v.query_error);
  CHECK(w.log_file == v.log_file);
  CHECK(w.log_error == v.log_error);
  REQUIRE(w.history.size() == v.history.size());
  for (size_t i = 0; i < v.history.size(); ++i) {
    const auto &x = v.history[i], &y = w.history[i];
    CHECK(x.kind == y.kind);
    CHECK(x.time == y.time);
    CHECK(x.ms == y.ms);
    CHECK(x.level == y.level);
    CHECK(x.process == y.process);
    CHECK(x.pid == y.pid);
    CHECK(x.status == y.status);
    CHECK(x.signal == y.signal);
    CHECK(x.expected == y.expected);
    CHECK(x.message == y.message);
  }
  CHECK(w.summary == v.summary);
  CHECK(w.replayed == v.replayed);
  CHECK(w.copy_pid_during_replay == v.copy_pid_during_replay);
  CHECK(w.self_conflict == v.self_conflict);
}

TEST_CASE("run_json: a ProgramRun with and without a live supervisord's view") {
  run::ProgramRun r;
  r.log = every_field();
  auto back = run::program_run_from_json(through_text(run::program_run_json(r)));
  check_same(r.log, back.log);
  CHECK_FALSE(back.view);
  r.view = every_view_field();
  back = run::program_run_from_json(through_text(run::program_run_json(r)));
  REQUIRE(back.view);
  CHECK(back.view->history.size() == 2);
}

TEST_CASE("run_json: bytes travel as a string when they are UTF-8, else as hex") {
  CHECK(run::bytes_json("plain ✓").is_string());
  CHECK(run::bytes_json(k_binary).is_object());
  CHECK(run::bytes_from_json(run::bytes_json(k_binary)) == k_binary);
  CHECK(run::bytes_from_json(run::bytes_json("")).empty());
  for (const char* bad : {"\xe0\x80\x80", "\xf4\x90\x80\x80", "\xc1\xbf", "\xe2\x82"})
    CHECK_MESSAGE(run::bytes_json(bad).is_object(), bad);
  for (const char* good : {"\xc2\x80", "\xef\xbf\xbd", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"})
    CHECK_MESSAGE(run::bytes_json(good).is_string(), good);
}

TEST_CASE("run_json: a document it did not write is an exception, not a guess") {
  CHECK_THROWS_AS(run::trace_log_from_json(json::object()), json::exception);
  json j = run::trace_log_json(trace::TraceLog{});
  j["verdict"] = "maybe";
  CHECK_THROWS_AS(run::trace_log_from_json(j), json::exception);
  j = run::trace_log_json(trace::TraceLog{});
  j["after_ms"] = "soon";
  CHECK_THROWS_AS(run::trace_log_from_json(j), json::exception);
  CHECK_THROWS_AS(run::bytes_from_json(json{{"hex", "abc"}}), json::exception);
  CHECK_THROWS_AS(run::bytes_from_json(json{{"hex", "zz"}}), json::exception);
}

#if defined(__x86_64__) && defined(__GLIBCXX__)
TEST_CASE("run_json: written for these structs; a field added to one needs adding to run_json.cpp") {
  // When one of these fails, serialize the new field in run/run_json.cpp and
  // in the round trip above, then update the size.
  CHECK(sizeof(trace::TraceLog) == 648);
  CHECK(sizeof(trace::TracerCost) == 32);
  CHECK(sizeof(trace::UntracedCheck) == 64);
  CHECK(sizeof(trace::FailedSyscall) == 216);
  CHECK(sizeof(trace::ProcessExit) == 48);
  CHECK(sizeof(trace::SiblingBind) == 80);
  CHECK(sizeof(evidence::SupervisorView) == 544);
  CHECK(sizeof(evidence::LogEvent) == 208);
}
#endif
