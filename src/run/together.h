// check's replays together, as supervisord starts a config's programs: all
// of them at once, in its start order (priority), each in a worker process
// with a tracer of its own (trace/workers.h), while the parent waits.
//
// supervisord retries a program that exits before startsecs (BACKOFF: 1 s,
// 2 s, 3 s ... before each next start, startretries times, then FATAL;
// supervisor-semantics.md §9), and a program that needs another one (a
// broker's socket, a database) often starts that way. So does check while
// the config's other programs run: the log reported is the last attempt's
// (TraceLog::attempts). A program that starts is kept up, still traced,
// until every other program has started or given up, so that a retry finds
// it running as it would under supervisord. A failed bind whose port a
// sibling's replay holds is the config's own conflict
// (TraceLog::sibling_binds), and is not retried.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/fs.h"
#include "run/base_env.h"
#include "run/progress.h"
#include "spawn/spawn_spec.h"
#include "trace/procfs.h"
#include "trace/trace.h"

namespace bootmortem::run {

struct TogetherResult {
  std::optional<ProgramRun> run;  // nullopt: the replay itself failed
  std::string error;              // then why
  int err = 0;                    // and its errno when a system call refused
};

// A program's verdict as it comes in: a start once its window is over (it
// stays up after that), a failure once its last attempt has ended.
struct TogetherProgress {
  size_t index = 0;
  bool starts = false;
  int64_t after_ms = 0;
  int attempts = 1;
  std::string error;  // the replay itself failed
};

// Replays procs[i] as specs[i] says, all together; the results in the same
// order. on_verdict hears of each program's verdict as it comes in;
// progress is told which programs are still awaited, and ticked. Waits for
// every worker, and leaves nothing of them running.
std::vector<TogetherResult> replay_together(const std::optional<trace::LiveSupervisord>& live,
                                            const config::Config& cfg,
                                            const std::vector<const config::ProcessConfig*>& procs,
                                            const std::vector<spawn::SpawnSpec>& specs, const Watch& watch,
                                            trace::TracerKind kind, const core::FileSystem& fs,
                                            const std::function<void(const TogetherProgress&)>& on_verdict,
                                            Progress& progress = plain_progress());

// The failed binds of log (EADDRINUSE) whose port a process descended from
// another worker of `parent` listens on: workers maps each worker's pid to
// its program; self is this replay's worker.
std::vector<trace::SiblingBind> find_sibling_binds(const trace::TraceLog& log,
                                                   const std::vector<std::pair<pid_t, std::string>>& workers,
                                                   pid_t self, pid_t parent);

}  // namespace bootmortem::run
