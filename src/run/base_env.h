// What `diagnose`, `check` and `env` share: which config file, which
// environment supervisord runs with, and (diagnose and check) the steps from
// a program's spawn to its report. Defined in diagnose.cpp; declared here so
// the others call them rather than copying them.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "run/confirm.h"
#include "run/diagnose.h"
#include "run/progress.h"
#include "config/config.h"
#include "core/fs.h"
#include "core/userdb.h"
#include "evidence/live_supervisor.h"
#include "login/capture.h"
#include "report/report.h"
#include "rules/rules.h"
#include "spawn/spawn_spec.h"
#include "trace/procfs.h"
#include "trace/trace.h"

namespace bootmortem::run {

// -c, else (when ask_live) the config of the one supervisord that runs, else
// supervisord's own search path; InputError when none is found.
std::string find_config_file(const std::optional<std::string>& given, const core::FileSystem& fs,
                             bool ask_live);
std::string find_config(const DiagnoseOptions& o, const core::FileSystem& fs);

// bootmortem's own environment and umask, and platform.node() as
// supervisord names it.
core::Env own_environment();
mode_t own_umask();
std::string node_name();

// A live supervisord's /proc environ, else --base-env FILE|systemd, else
// bootmortem's own environment less SUDO_* (DESIGN.md, "Fidelity").
spawn::BaseEnv choose_base(const DiagnoseOptions& o, const std::string& config_path,
                           const core::FileSystem& fs);
// The same with the live supervisord already looked up (or none).
spawn::BaseEnv base_from(const DiagnoseOptions& o, const std::optional<trace::LiveSupervisord>& live,
                         const core::FileSystem& fs);

// The config as supervisord reads it with that environment; a base that was
// assumed (not observed) takes the daemonizing supervisord's cwd and umask.
// overrides: texts standing in for files (a verification's patched config).
// record_host_problems: config::LoadContext's (check), with the directory
// checks made through fs when it is given.
config::Config load_with_base(const std::string& config_path, spawn::BaseEnv& base,
                              const core::UserDb& users,
                              const std::map<std::string, std::string>& overrides = {},
                              bool record_host_problems = false, const core::FileSystem* fs = nullptr);

// The one process `program` names; InputError listing them when it names
// none or several.
const config::ProcessConfig& one_process(const config::Config& cfg, const std::string& program);

// The pack's findings on r.ev, the report on stdout, and the exit code.
int match_and_report(report::Report& r, const rules::RulePack& pack, report::Format format,
                     const report::RenderOptions& ro);

// One tracer for a command's replays, chosen at the first: a program
// supervisord runs is not replayed and loads none.
class LazyTracer {
 public:
  explicit LazyTracer(trace::TracerKind kind) : kind_(kind) {}
  // One chosen already: check's replays run on a tracer of its own
  // (run/together.h).
  explicit LazyTracer(trace::TracerChoice choice) : kind_(trace::TracerKind::Auto), choice_(std::move(choice)) {}
  // The replay, its report saying which backend ran and why.
  trace::TraceLog run(const spawn::SpawnSpec& spec, const trace::TraceOptions& options);
  // The backend's name ("ebpf", "ptrace"), chosen now if it was not yet.
  const std::string& name();

 private:
  trace::TracerKind kind_;
  std::optional<trace::TracerChoice> choice_;
};

// What happened to one program: supervisord's own copy when it is up and
// steady (a second would fight it for its port and files; replay_running
// starts one anyway), else a replay for startsecs and the settle window;
// more_runs when another program's replay follows on the same tracer.
struct ProgramRun {
  trace::TraceLog log;
  std::optional<evidence::SupervisorView> view;  // a live supervisord's account
};
// How long a replay is watched: startsecs (default: the program's own), then
// the settle window.
struct Watch {
  std::optional<double> startsecs;
  double window = k_default_watch;
  // A verdict the traced run's timing decided, under a tracer whose cost is
  // unknown or large, is checked by a run with no tracer (run/confirm.h).
  bool confirm_untraced = false;
};
// progress is told what each wait is for and ticked while it lasts.
ProgramRun run_program(const std::optional<trace::LiveSupervisord>& live, const config::Config& cfg,
                       const config::ProcessConfig& proc, const spawn::SpawnSpec& spec, bool replay_running,
                       const Watch& watch, bool more_runs, LazyTracer& tracer, const core::FileSystem& fs,
                       Progress& progress = plain_progress());

// A replay's wait as progress shows it: what runs, on which backend, for
// how long (topt's startsecs and window).
Waiting replay_waiting(const std::string& program, const std::string& what, const std::string& tracer,
                       const trace::TraceOptions& topt);

// The user's real login environment (none for a uid without a passwd entry).
login::LoginEnv login_of(uid_t uid, const core::UserDb& users, const core::FileSystem& fs);

// The report of one program, before the pack's findings.
report::Report program_report(const std::string& config_path, spawn::SpawnSpec spec, ProgramRun run,
                              login::LoginEnv login, const core::FileSystem& fs);

}  // namespace bootmortem::run
