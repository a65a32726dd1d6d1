#include "run/live.h"

#include <chrono>
#include <thread>

#include "core/error.h"

namespace bootmortem::run {

std::optional<trace::LiveSupervisord> live_for_config(const std::string& config_path,
                                                      const core::FileSystem& fs) {
  std::string pidfile;
  try {
    config::LoadContext ctx;
    ctx.cwd = fs.cwd();
    ctx.record_host_problems = true;  // a user= this host lacks does not hide the pidfile
    auto sd = config::load_config_file(config_path, ctx).supervisord;
    // The default pidfile is relative to supervisord's startup directory,
    // which is not known yet: only a written one is looked at.
    if (sd.key_origins.count("pidfile")) pidfile = sd.pidfile_path;
  } catch (const core::InputError&) {
    // Parsing may need supervisord's own environment (%(ENV_X)s); the
    // command line still finds it.
  }
  return trace::find_live_supervisord(config_path, pidfile);
}

std::optional<std::string> live_config_without_c() {
  auto all = trace::list_live_supervisords();
  if (all.empty()) return std::nullopt;
  if (all.size() == 1 && !all.front().config.empty()) return all.front().config;
  std::string list;
  for (const auto& l : all)
    list += "\n  pid " + std::to_string(l.pid) + ": " + (l.config.empty() ? "(config unknown)" : l.config);
  throw core::InputError(all.size() == 1 ? "the running supervisord's config cannot be told from its command line; use -c:" + list
                                         : std::to_string(all.size()) + " supervisords are running; pick one with -c:" + list);
}

evidence::SupervisorView ask_live(const trace::LiveSupervisord& live, const config::Config& cfg,
                                  const config::ProcessConfig& proc, const spawn::SpawnSpec& spec,
                                  const core::FileSystem& fs) {
  evidence::LiveQuery q;
  q.supervisord_pid = live.pid;
  q.config = live.config;
  q.found_by = live.found_by;
  q.namespec = proc.namespec();
  q.process_name = proc.name;
  q.log_file = cfg.supervisord.logfile_path;
  q.stdout_logfile = proc.stdout_logfile;
  q.stderr_logfile = proc.stderr_logfile;
  if (spec.spawnerr) q.spawnerr_texts.push_back(*spec.spawnerr);
  std::optional<evidence::UnixSocketRpc> rpc;
  if (cfg.supervisord.unix_socket) rpc.emplace(*cfg.supervisord.unix_socket);
  return evidence::ask_supervisor(q, rpc ? &*rpc : nullptr, fs);
}

evidence::SupervisorView wait_for_copy_exit(evidence::SupervisorView view, const trace::LiveSupervisord& live,
                                            const config::Config& cfg, const config::ProcessConfig& proc,
                                            const spawn::SpawnSpec& spec, const core::FileSystem& fs,
                                            double timeout_s, Progress& progress) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
  Waiting w;
  w.program = spec.name;
  w.what = "supervisord's own copy is " + view.state;
  w.limit = timeout_s;
  w.until = "it to exit before the replay";
  progress.waiting(w);
  while (view.process_pid != 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    progress.tick(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
    view = ask_live(live, cfg, proc, spec, fs);
  }
  view.copy_pid_during_replay = view.process_pid;
  return view;
}

trace::TraceLog not_replayed(const evidence::SupervisorView& view) {
  trace::TraceLog t;
  t.backend = "none";
  t.backend_note = "not replayed: supervisord runs it (RUNNING); --replay would start a second copy, "
                   "which collides with the first on its port and files";
  t.verdict = trace::Verdict::Starts;
  t.main_pid = view.process_pid;
  t.after_ms = view.uptime_s() * 1000;
  return t;
}

}  // namespace bootmortem::run
