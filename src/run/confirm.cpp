#include "run/confirm.h"

#include <string>

#include "run/base_env.h"
#include "trace/cost.h"
#include "trace/untraced.h"

namespace bootmortem::run {

ConfirmReason confirm_reason(const trace::TraceLog& log, double startsecs) {
  if (log.spawnerr || log.backend == "none") return ConfirmReason::None;
  const auto startsecs_ms = static_cast<int64_t>(startsecs * 1000);
  const bool stayed_up = log.verdict == trace::Verdict::Starts;
  const bool exited_late = log.verdict == trace::Verdict::Fails && (log.exit_code || log.exit_signal) &&
                           log.after_ms >= startsecs_ms;
  if (!stayed_up && !exited_late) return ConfirmReason::None;
  // A cost known to be small: the run's timing is the program's own.
  if (log.cost) {
    const auto share = trace::cost_share(log);
    if (share && *share < k_confirm_share) return ConfirmReason::None;
  }
  return stayed_up ? ConfirmReason::StayedUp : ConfirmReason::ExitedLate;
}

void confirm_untraced(trace::TraceLog& log, const spawn::SpawnSpec& spec, const trace::TraceOptions& topt,
                      Progress& progress) {
  const ConfirmReason why = confirm_reason(log, topt.startsecs);
  if (why == ConfirmReason::None) return;
  const auto startsecs_ms = static_cast<int64_t>(topt.startsecs * 1000);
  progress.waiting(replay_waiting(spec.name, why == ConfirmReason::StayedUp
                                                 ? "untraced run to confirm the start"
                                                 : "untraced run to confirm the exit after startsecs",
                                  "", topt));
  // In the traced run's mount namespace (a fix's throwaway copy of files)
  // and network (of its own when supervisord's copy holds the port).
  const auto u = trace::run_untraced(spec, topt.startsecs + topt.watch, topt.mount_ns_fd, ticks_of(progress),
                                     topt.private_network, topt.capture_bytes);
  trace::UntracedCheck c;
  c.exited = u.exited;
  c.code = u.code;
  c.signal = u.signal;
  c.after_ms = u.after_ms;
  // Untraced, an exit after startsecs too leaves the traced exit's verdict;
  // an exit before it is BACKOFF, where the traced run saw a later one.
  c.decided = why == ConfirmReason::StayedUp ? u.exited : u.exited && u.after_ms < startsecs_ms;
  if (!c.decided) {
    log.backend_note += "; an untraced run agrees";
    log.untraced = c;
    return;
  }
  c.traced_verdict = log.verdict;
  c.traced_code = log.exit_code;
  c.traced_signal = log.exit_signal;
  c.traced_after_ms = log.after_ms;
  // Its output reached the exit that decides; the traced run's was cut at
  // the end of its watch (or came at its own, later exit).
  c.output = true;
  log.untraced = c;
  log.backend_note += "; the verdict is an untraced run's";
  log.out = u.out;
  log.err = u.err;
  log.verdict = trace::Verdict::Fails;
  log.exit_code = u.code;
  log.exit_signal = u.signal;
  log.after_ms = u.after_ms;
}

}  // namespace bootmortem::run
