#include "evidence/outcome.h"

#include <doctest/doctest.h>

#include <csignal>

using namespace bootmortem;
using evidence::OutcomeKind;

namespace {

spawn::SpawnSpec spec(int startsecs = 1) {
  spawn::SpawnSpec s;
  s.name = "web";
  s.startsecs = startsecs;
  s.startretries = 3;
  s.exitcodes = {0};
  return s;
}

trace::TraceLog exited(int64_t after_ms, int code) {
  trace::TraceLog t;
  t.verdict = trace::Verdict::Fails;
  t.main_pid = 100;
  t.exit_code = code;
  t.after_ms = after_ms;
  t.watched_ms = 6000;
  return t;
}

}  // namespace

TEST_CASE("an exit before startsecs: BACKOFF, then FATAL after startretries, with the time it takes") {
  auto o = evidence::judge_outcome(spec(), exited(200, 3));
  CHECK(o.kind == OutcomeKind::BackoffFatal);
  CHECK(o.state == "FATAL");
  CHECK(o.attempts == 4);
  // 4 runs of 0.2 s and waits of 1 + 2 + 3 s.
  CHECK(o.fatal_after_ms == 6800);
  CHECK_FALSE(o.near_startsecs);
  CHECK(o.next.find("retries 3 times") != std::string::npos);
  CHECK(evidence::outcome_summary(o) == "BACKOFF, then FATAL after about 6.8 s (4 starts)");
}

TEST_CASE("an exit after startsecs that autorestart restarts is a crash loop, whatever the status") {
  auto o = evidence::judge_outcome(spec(), exited(2500, 3));
  CHECK(o.kind == OutcomeKind::CrashLoop);
  CHECK(o.state == "RUNNING");
  CHECK(o.restarted);
  CHECK_FALSE(o.expected);
  CHECK(o.died_after_ms == 2500);
  CHECK(o.next.find("never reaches FATAL") != std::string::npos);

  // autorestart=true restarts an expected exit too.
  auto s = spec();
  s.autorestart = config::AutoRestart::True;
  o = evidence::judge_outcome(s, exited(2500, 0));
  CHECK(o.kind == OutcomeKind::CrashLoop);
  CHECK(o.expected);

  // A signal is never expected.
  auto t = exited(2500, 0);
  t.exit_code.reset();
  t.exit_signal = SIGSEGV;
  o = evidence::judge_outcome(spec(), t);
  CHECK(o.kind == OutcomeKind::CrashLoop);
  CHECK_FALSE(o.expected);
}

TEST_CASE("an expected exit after startsecs is EXITED; autorestart=false never restarts") {
  auto o = evidence::judge_outcome(spec(), exited(2500, 0));
  CHECK(o.kind == OutcomeKind::Exited);
  CHECK(o.state == "EXITED");
  CHECK_FALSE(o.restarted);
  auto s = spec();
  s.autorestart = config::AutoRestart::False;
  o = evidence::judge_outcome(s, exited(2500, 3));
  CHECK(o.kind == OutcomeKind::Exited);
  CHECK(o.next.find("autorestart=false") != std::string::npos);
}

TEST_CASE("startsecs=0: no exit is too quick, so an unexpected exit loops forever") {
  auto o = evidence::judge_outcome(spec(0), exited(5, 1));
  CHECK(o.kind == OutcomeKind::CrashLoop);
  CHECK_FALSE(o.near_startsecs);
}

TEST_CASE("an exit within half of startsecs either side says load may show the other behaviour") {
  auto early = evidence::judge_outcome(spec(2), exited(1200, 3));
  CHECK(early.kind == OutcomeKind::BackoffFatal);
  CHECK(early.near_startsecs);
  CHECK(early.load_note.find("a crash loop instead of FATAL") != std::string::npos);
  auto late = evidence::judge_outcome(spec(2), exited(2900, 3));
  CHECK(late.kind == OutcomeKind::CrashLoop);
  CHECK(late.near_startsecs);
  CHECK(late.load_note.find("FATAL instead of a crash loop") != std::string::npos);
  CHECK_FALSE(evidence::judge_outcome(spec(2), exited(3100, 3)).near_startsecs);
  CHECK_FALSE(evidence::judge_outcome(spec(2), exited(900, 3)).near_startsecs);
}

TEST_CASE("a main process that exits while what it started lives on daemonizes") {
  auto t = exited(30, 0);
  t.left_behind = 1;
  auto o = evidence::judge_outcome(spec(), t);
  CHECK(o.kind == OutcomeKind::Daemonizes);
  CHECK(o.state == "FATAL");
  t = exited(3000, 0);
  t.left_behind = 2;
  o = evidence::judge_outcome(spec(), t);
  CHECK(o.kind == OutcomeKind::Daemonizes);
  CHECK(o.state == "EXITED");
  CHECK(o.next.find("2 processes") != std::string::npos);
}

TEST_CASE("up through the window is RUNNING; a spawn error is FATAL without a run") {
  trace::TraceLog t;
  t.verdict = trace::Verdict::Starts;
  t.after_ms = 6000;
  t.watched_ms = 6000;
  auto o = evidence::judge_outcome(spec(), t);
  CHECK(o.kind == OutcomeKind::Running);
  CHECK(o.state == "RUNNING");
  CHECK(o.next.find("5 s settle window") != std::string::npos);
  trace::TraceLog e;
  e.spawnerr = "can't find command 'x'";
  o = evidence::judge_outcome(spec(), e);
  CHECK(o.kind == OutcomeKind::SpawnError);
  CHECK(o.state == "FATAL");
  CHECK(o.fatal_after_ms == 6000);
}

TEST_CASE("a config supervisord refuses: no BACKOFF, no retry, nothing runs") {
  auto s = spec();
  s.spawnerr = "supervisord on this host would refuse the whole config: app.conf:6: Invalid user name appuser";
  s.config_refused = true;
  trace::TraceLog t;
  t.spawnerr = s.spawnerr;
  auto o = evidence::judge_outcome(s, t);
  CHECK(o.kind == OutcomeKind::ConfigRefused);
  CHECK(o.attempts == 0);
  CHECK(o.state.empty());
  CHECK(o.next.find("exits with status 2") != std::string::npos);
  CHECK(evidence::outcome_kind_name(o.kind) == std::string("config-refused"));
}
