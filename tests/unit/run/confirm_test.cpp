// run/confirm: when a traced run's verdict is checked by a run with no
// tracer. Only when the run's timing decided it, and the tracer's cost is
// unknown or a noticeable share of the run.
#include "run/confirm.h"

#include <doctest/doctest.h>

#include "../trace/tracer_helpers.h"
#include "trace/cost.h"

using namespace bootmortem;
using run::ConfirmReason;

namespace {

// startsecs=2 and a 1 s window: a start is watched for 3 s.
constexpr double k_startsecs = 2.0;

trace::TraceLog stayed_up(const std::string& backend) {
  trace::TraceLog t;
  t.backend = backend;
  t.verdict = trace::Verdict::Starts;
  t.after_ms = 3000;
  t.watched_ms = 3000;
  return t;
}

trace::TraceLog exited(const std::string& backend, int64_t after_ms) {
  trace::TraceLog t;
  t.backend = backend;
  t.verdict = trace::Verdict::Fails;
  t.exit_code = 3;
  t.after_ms = after_ms;
  t.watched_ms = 3000;
  return t;
}

trace::TracerCost cost_ms(double ms, uint64_t events) {
  trace::TracerCost c;
  c.ns = static_cast<int64_t>(ms * 1e6);
  c.events = events;
  return c;
}

}  // namespace

TEST_CASE("an eBPF storm that took 30 % of the run is confirmed untraced") {
  auto t = stayed_up("ebpf");
  t.cost = cost_ms(900, 1'000'003);
  REQUIRE(trace::cost_share(t));
  CHECK(*trace::cost_share(t) == doctest::Approx(0.30));
  CHECK(run::confirm_reason(t, k_startsecs) == ConfirmReason::StayedUp);
}

TEST_CASE("a Python boot whose tracing took 0.3 % of it is not") {
  auto t = stayed_up("ebpf");
  t.cost = cost_ms(9, 4'000);
  CHECK(*trace::cost_share(t) == doctest::Approx(0.003));
  CHECK(run::confirm_reason(t, k_startsecs) == ConfirmReason::None);
  // Nor an exit after startsecs at that cost: that exit is the program's own.
  auto late = exited("ebpf", 2500);
  late.cost = cost_ms(7.5, 4'000);
  CHECK(run::confirm_reason(late, k_startsecs) == ConfirmReason::None);
}

TEST_CASE("ptrace with a cost unknown is confirmed, a start and an exit after startsecs alike") {
  CHECK(run::confirm_reason(stayed_up("ptrace+seccomp"), k_startsecs) == ConfirmReason::StayedUp);
  CHECK(run::confirm_reason(exited("ptrace", 2500), k_startsecs) == ConfirmReason::ExitedLate);
  // Any backend whose cost is unknown.
  CHECK(run::confirm_reason(stayed_up("ebpf"), k_startsecs) == ConfirmReason::StayedUp);
}

TEST_CASE("the threshold is the share's: 2 % is confirmed, just under is not") {
  auto t = exited("ebpf", 2500);
  t.cost = cost_ms(50, 10);  // 2 % of 2.5 s
  CHECK(run::confirm_reason(t, k_startsecs) == ConfirmReason::ExitedLate);
  t.cost = cost_ms(49, 10);
  CHECK(run::confirm_reason(t, k_startsecs) == ConfirmReason::None);
}

TEST_CASE("an exit before startsecs is never confirmed: untraced, the program is only faster") {
  auto t = exited("ptrace+seccomp", 1999);
  CHECK(run::confirm_reason(t, k_startsecs) == ConfirmReason::None);
  t.cost = cost_ms(1900, 2'000'000);  // 95 % of the run
  CHECK(run::confirm_reason(t, k_startsecs) == ConfirmReason::None);
  auto killed = exited("ebpf", 800);
  killed.exit_code.reset();
  killed.exit_signal = 11;
  CHECK(run::confirm_reason(killed, k_startsecs) == ConfirmReason::None);
  // Killed only after startsecs: its timing decided.
  killed.after_ms = 2100;
  CHECK(run::confirm_reason(killed, k_startsecs) == ConfirmReason::ExitedLate);
}

TEST_CASE("no untraced run for a spawn error or a run that was not a replay") {
  auto t = exited("ptrace", 0);
  t.exit_code.reset();
  t.spawnerr = "can't find command 'x'";
  CHECK(run::confirm_reason(t, k_startsecs) == ConfirmReason::None);
  // A live supervisord's steady copy, or explain's logs: nothing was traced.
  CHECK(run::confirm_reason(stayed_up("none"), k_startsecs) == ConfirmReason::None);
}

TEST_CASE("the share is of the traced run, also once an untraced run replaced its timing") {
  auto t = exited("ptrace", 900);  // the untraced run's exit
  t.cost = cost_ms(2700, 2'000'000);
  t.untraced = testing::untraced_exit_3(3000);
  CHECK(trace::traced_ms(t) == 3000);
  CHECK(*trace::cost_share(t) == doctest::Approx(0.9));
  // Not decided: the run's own timing is the traced one.
  t.untraced->decided = false;
  CHECK(trace::traced_ms(t) == 900);
  // No cost, or a run of no length: no share.
  t.cost.reset();
  CHECK_FALSE(trace::cost_share(t));
  t.cost = cost_ms(1, 1);
  t.after_ms = 0;
  CHECK_FALSE(trace::cost_share(t));
}

// confirm_untraced itself, with real runs of a shell script as the untraced
// run (the traced runs are made up).
TEST_CASE("confirm_untraced: an exit untraced decides; the traced run's evidence stays, the output is the untraced run's") {
  trace::TraceOptions topt;
  topt.startsecs = 1.0;
  topt.watch = 1.0;
  auto t = stayed_up("ptrace+seccomp");
  t.after_ms = 2000;
  t.failed_total = 1'000'000;
  t.err.head = "traced output\n";
  run::SilentProgress quiet;
  run::confirm_untraced(t, testing::shell("echo no module found >&2; exit 3"), topt, quiet);
  REQUIRE(t.untraced);
  CHECK(t.untraced->decided);
  CHECK(t.untraced->output);
  CHECK(t.untraced->exited);
  CHECK(t.untraced->code == 3);
  CHECK(t.untraced->traced_verdict == trace::Verdict::Starts);
  CHECK(t.untraced->traced_after_ms == 2000);
  CHECK(t.verdict == trace::Verdict::Fails);
  CHECK(t.exit_code == 3);
  CHECK(t.after_ms == t.untraced->after_ms);
  CHECK(t.after_ms < 1000);
  CHECK(t.failed_total == 1'000'000);
  // The traced run was cut before the exit; the untraced one said why it exits.
  CHECK(t.err.text() == "no module found\n");
  CHECK(t.backend_note.find("the verdict is an untraced run's") != std::string::npos);
}

TEST_CASE("confirm_untraced: untraced also past startsecs, the traced verdict stands") {
  trace::TraceOptions topt;
  topt.startsecs = 0.3;
  topt.watch = 0.3;
  run::SilentProgress quiet;
  auto up = stayed_up("ebpf");
  up.after_ms = 600;
  run::confirm_untraced(up, testing::shell("sleep 30"), topt, quiet);
  REQUIRE(up.untraced);
  CHECK_FALSE(up.untraced->decided);
  CHECK_FALSE(up.untraced->exited);
  CHECK(up.verdict == trace::Verdict::Starts);
  CHECK(up.after_ms == 600);
  CHECK(up.backend_note.find("untraced run's") == std::string::npos);
  // An exit after startsecs untraced too: the traced exit stays.
  auto late = exited("ptrace", 450);
  run::confirm_untraced(late, testing::shell("sleep 0.4; exit 3"), topt, quiet);
  REQUIRE(late.untraced);
  CHECK(late.untraced->exited);
  CHECK_FALSE(late.untraced->decided);
  CHECK(late.after_ms == 450);
  // A cost known to be small: no untraced run at all.
  auto cheap = stayed_up("ebpf");
  cheap.after_ms = 600;
  cheap.cost = cost_ms(1, 10);
  run::confirm_untraced(cheap, testing::shell("exit 3"), topt, quiet);
  CHECK_FALSE(cheap.untraced);
  CHECK(cheap.verdict == trace::Verdict::Starts);
}
