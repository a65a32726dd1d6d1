#include "report/view.h"

#include <csignal>

#include <doctest/doctest.h>

#include "../rules/seed_evidence.h"
#include "../trace/tracer_helpers.h"

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

TEST_CASE("tracing cost: said when known, per backend, with its share of the traced run") {
  trace::TraceLog t;
  t.backend = "ptrace+seccomp";
  t.after_ms = 7400;
  CHECK(report::tracing_cost_text(t).empty());  // unknown: no number made up
  t.cost = trace::TracerCost{310'000'000, 12345};
  CHECK(report::tracing_cost_text(t) == "ptrace stopped it 12,345 times, at least 310 ms (4.2 % of its 7.4 s run)");
  t.backend = "ebpf";
  t.after_ms = 1800;
  t.cost = trace::TracerCost{412'000'000, 1'000'003, 430'000'000, 3'000'000};
  CHECK(report::tracing_cost_text(t) ==
        "eBPF programs 412 ms on 1,000,003 of its events (23 % of its 1.8 s run); 430 ms over all the machine's "
        "calls");
  t.cost = trace::TracerCost{420'000, 812};
  CHECK(report::tracing_cost_text(t) == "eBPF programs 0.42 ms on 812 of its events (0.0 % of its 1.8 s run)");
  // The share is of the traced run, not of the untraced one that decided.
  t.backend = "ptrace";
  t.after_ms = 900;
  t.cost = trace::TracerCost{9'800'000'000, 2'000'004};
  t.untraced = testing::untraced_exit_3(12000);
  CHECK(report::tracing_cost_text(t) == "ptrace stopped it 2,000,004 times, at least 9.8 s (82 % of its 12.0 s run)");
}

TEST_CASE("the verdict checked untraced: both runs, and which one decided") {
  trace::TraceLog t;
  t.backend = "ptrace";
  CHECK(report::untraced_text(t).empty());
  t.verdict = trace::Verdict::Fails;
  t.exit_code = 3;
  t.after_ms = 900;
  t.untraced = testing::untraced_exit_3(3000);
  CHECK(report::untraced_text(t) ==
        "traced: still up at 3.0 s; untraced: exit status 3 after 900 ms; the verdict is the untraced run's");
  // A traced exit after startsecs, killed untraced before it.
  t.untraced->traced_verdict = trace::Verdict::Fails;
  t.untraced->traced_code = 1;
  t.untraced->traced_after_ms = 2400;
  t.untraced->code.reset();
  t.untraced->signal = SIGSEGV;
  CHECK(report::untraced_text(t) ==
        "traced: exit status 1 after 2.4 s; untraced: killed by SIGSEGV after 900 ms; the verdict is the untraced "
        "run's");
  // Untraced it also stays up: the traced verdict stands.
  t.verdict = trace::Verdict::Starts;
  t.exit_code.reset();
  t.after_ms = 3000;
  t.untraced = trace::UntracedCheck{};
  t.untraced->after_ms = 3001;
  CHECK(report::untraced_text(t) ==
        "traced: still up at 3.0 s; untraced: still up at 3.0 s; the traced verdict stands");
}
