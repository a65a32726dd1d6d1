// diagnose's use of a running supervisord: which one runs this config (or,
// without -c, which config the one running uses), and its account of the
// program as evidence. The parts that read /proc are trace/procfs; the
// parts that talk to it are evidence/live_supervisor.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "core/fs.h"
#include "evidence/live_supervisor.h"
#include "run/progress.h"
#include "spawn/spawn_spec.h"
#include "trace/procfs.h"
#include "trace/trace.h"

namespace bootmortem::run {

// The supervisord running config_path: by the config's pidfile first (the
// config is parsed once with bootmortem's own environment only to learn it),
// else by command line.
std::optional<trace::LiveSupervisord> live_for_config(const std::string& config_path,
                                                      const core::FileSystem& fs);

// Without -c: the config of the one supervisord running; nullopt when none
// runs; InputError listing them when several do.
std::optional<std::string> live_config_without_c();

// Its account of the process: state, log tails, history from supervisord.log.
evidence::SupervisorView ask_live(const trace::LiveSupervisord& live, const config::Config& cfg,
                                  const config::ProcessConfig& proc, const spawn::SpawnSpec& spec,
                                  const core::FileSystem& fs);

// supervisord's own copy is up (STARTING, or RUNNING while flapping): a
// replay now would fight it for its port and files, and it is often about to
// exit. Asks again until supervisord has no process for it, at most
// timeout_s; returns the latest view, copy_pid_during_replay set if it
// never went down. progress is told it waits and ticked.
evidence::SupervisorView wait_for_copy_exit(evidence::SupervisorView view, const trace::LiveSupervisord& live,
                                            const config::Config& cfg, const config::ProcessConfig& proc,
                                            const spawn::SpawnSpec& spec, const core::FileSystem& fs,
                                            double timeout_s, Progress& progress);

// The trace of a program that was not replayed because supervisord runs it:
// verdict Starts, its pid and uptime, and why.
trace::TraceLog not_replayed(const evidence::SupervisorView& view);

}  // namespace bootmortem::run
