#include "report/view.h"

#include <csignal>

#include <doctest/doctest.h>

#include "../rules/seed_evidence.h"

using namespace bootmortem;

namespace {
report::Report base() {
  report::Report r;
  r.ev = testing::base_evidence();
  return r;
}
}  // namespace

TEST_CASE("verdict lines") {
  auto r = base();
  r.ev.trace.exit_code = 3;
  CHECK(report::make_view(r, {}).verdict_line ==
        "test_server fails: exit status 3 after 512 ms (startsecs=1): BACKOFF, then FATAL after about 8.0 s (4 "
        "starts)");
  r.ev.trace.exit_code.reset();
  r.ev.trace.exit_signal = SIGSEGV;
  CHECK(report::make_view(r, {}).verdict_line ==
        "test_server fails: killed by SIGSEGV after 512 ms (startsecs=1): BACKOFF, then FATAL after about 8.0 s (4 "
        "starts)");
  // Up past startsecs, then dead: a crash loop, not a start.
  r.ev.trace.exit_signal.reset();
  r.ev.trace.exit_code = 3;
  r.ev.trace.after_ms = 2400;
  CHECK(report::make_view(r, {}).verdict_line ==
        "test_server fails: exit status 3 after 2400 ms (startsecs=1): a crash loop: RUNNING, then dies after 2.4 "
        "s, restarted forever");
  r.ev.trace.verdict = trace::Verdict::Starts;
  r.ev.trace.exit_signal.reset();
  r.ev.trace.exit_code.reset();
  r.ev.trace.after_ms = 6000;
  r.ev.trace.watched_ms = 6000;
  CHECK(report::make_view(r, {}).verdict_line ==
        "test_server starts: still up after 6000 ms (startsecs=1): RUNNING through startsecs and the settle window "
        "(6 s watched)");
  r.ev.trace.verdict = trace::Verdict::Fails;
  r.ev.trace.spawnerr = "can't find command 'gunicorn'";
  CHECK(report::make_view(r, {}).verdict_line ==
        "test_server fails: supervisord would not spawn it: can't find command 'gunicorn'");
}

TEST_CASE("base environment, umask and signal names") {
  auto r = base();
  CHECK(report::make_view(r, {}).base_env == "live-supervisord (pid 1234), observed");
  r.ev.spec.base.source = spawn::BaseEnvSource::Invoker;
  r.ev.spec.base.observed = false;
  CHECK(report::make_view(r, {}).base_env == "invoker, assumed");
  r.ev.spec.base.source = spawn::BaseEnvSource::File;
  r.ev.spec.base.file = "/tmp/env";
  r.ev.spec.base.observed = true;
  CHECK(report::make_view(r, {}).base_env == "file (/tmp/env), observed");
  r.ev.spec.effective_umask = 077;
  CHECK(report::make_view(r, {}).umask == "077");
  CHECK(report::signal_name(SIGKILL) == "SIGKILL");
  CHECK(report::signal_name(1000) == "signal 1000");
}

TEST_CASE("redaction covers env diff, argv, streams, findings and syscalls") {
  auto r = base();
  r.ev.env_diff = {{"API_KEY", "k", std::nullopt, "other"},
                   {"BROKER_URL", "amqp://u:pw@mq//", "amqp://u:pw2@mq//", "other"}};
  r.ev.spec.argv = {"app", "--token", "t0k"};
  r.ev.trace.err.head = "boom: redis://:pw@r/0\n";
  r.ev.trace.out.head = "PASSWORD=x\n";
  r.ev.trace.failed = {testing::failed(1, "connect", ECONNREFUSED, "", "mysql://root:pw@h")};
  rules::Finding f;
  f.cause = "cannot reach postgres://a:pw@h";
  r.findings = {f};
  auto v = report::make_view(r, {});
  CHECK(*v.r.ev.env_diff[0].spawn == "***");
  CHECK(*v.r.ev.env_diff[1].login == "amqp://u:***@mq//");
  CHECK(v.r.ev.spec.argv[2] == "***");
  CHECK(v.stderr_tail == "boom: redis://:***@r/0");
  CHECK(v.stdout_tail == "PASSWORD=***");
  CHECK(v.r.ev.trace.failed[0].args == "mysql://root:***@h");
  CHECK(v.r.findings[0].cause == "cannot reach postgres://a:***@h");
  report::RenderOptions raw;
  raw.redact = false;
  CHECK(report::make_view(r, raw).stdout_tail == "PASSWORD=x");
}

TEST_CASE("stream tails keep the last lines") {
  auto r = base();
  for (int i = 1; i <= 30; ++i) r.ev.trace.err.head += "line " + std::to_string(i) + "\n";
  auto v = report::make_view(r, {});
  CHECK(v.stderr_tail.rfind("line 11\n", 0) == 0);
  CHECK(v.stderr_tail.size() > 0);
  CHECK(v.stderr_tail.substr(v.stderr_tail.size() - 7) == "line 30");
}

TEST_CASE("what the tracer did not keep, in words") {
  trace::TraceLog t;
  CHECK(report::trace_not_kept(t).empty());
  t.execs_dropped = 9000;
  CHECK(report::trace_not_kept(t) == "9000 execs not kept");
  t.exits_dropped = 8000;
  t.lost_events = 3;
  CHECK(report::trace_not_kept(t) == "3 events lost, 9000 execs and 8000 process exits not kept");
}
