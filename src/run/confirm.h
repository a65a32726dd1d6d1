// DESIGN.md: tracing must not change the verdict. A tracer slows the program
// it watches (ptrace stops it at every trapped call; eBPF's programs run on
// each of its calls), and when the traced run's timing decided the verdict
// (it outlived startsecs, or exited only after it) while the tracer took a
// noticeable share of the run, or an unknown one, a second run of the same
// spawn with no tracer (trace/untraced.h) says what the program does at its
// own speed. Its exit and timing decide; the traced run's evidence stays.
#pragma once

#include "run/progress.h"
#include "spawn/spawn_spec.h"
#include "trace/trace.h"

namespace bootmortem::run {

// The tracer's share of the traced run (trace::cost_share) from which the
// run's timing is not taken as the program's own.
inline constexpr double k_confirm_share = 0.02;

// Why a traced run's verdict is checked untraced: None, or what its timing
// decided.
enum class ConfirmReason { None, StayedUp, ExitedLate };

// StayedUp: the main process was still up through startsecs and the window;
// ExitedLate: it exited (or was killed) only after startsecs. Either only
// when the tracer's cost is unknown or at least k_confirm_share of the run,
// whichever the backend. Never for an exit before startsecs (a program
// untraced is only faster), a spawn error or a run that was not a replay.
ConfirmReason confirm_reason(const trace::TraceLog& log, double startsecs);

// When confirm_reason says so: the untraced run (startsecs + topt.watch at
// most, in topt's mount namespace), its account in log.untraced, and its
// verdict, exit and timing in log's when it decides (an exit before
// startsecs for ExitedLate, any exit for StayedUp); the traced run's are
// kept in log.untraced. A short note in log.backend_note.
void confirm_untraced(trace::TraceLog& log, const spawn::SpawnSpec& spec, const trace::TraceOptions& topt,
                      Progress& progress = plain_progress());

}  // namespace bootmortem::run
