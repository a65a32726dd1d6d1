// `bootmortem explain PROGRAM`: a post-mortem from what is already on disk,
// starting nothing. supervisord's log gives the program's history (the
// verdict, the exit status), its stdout/stderr log files and any --log FILE
// give the text the rules search; the spawn spec and passwd give the facts
// about HOME, USER and the rest. Rules that need a failed system call cannot
// match: only a replay (`diagnose`) sees those.
#include <deque>
#include <filesystem>
#include <memory>
#include <utility>

#include "run/base_env.h"
#include "run/live.h"
#include "cli/subcommand.h"
#include "cli/terminal.h"
#include "config/config.h"
#include "core/error.h"
#include "core/file_stream.h"
#include "core/host.h"
#include "core/userdb.h"
#include "evidence/evidence.h"
#include "evidence/live_supervisor.h"
#include "evidence/log_evidence.h"
#include "login/login_env.h"
#include "rules/log_scan.h"
#include "rules/rules.h"

namespace bootmortem::cli {

using run::DiagnoseOptions;
using run::ask_live;
using run::choose_base;
using run::find_config;
using run::live_for_config;
using run::load_with_base;
using run::match_and_report;
using run::one_process;
using run::rules_dir;
namespace {

struct ExplainOptions {
  DiagnoseOptions d;               // program, -c, --base-env, --rules: as diagnose finds them
  std::vector<std::string> logs;   // --log FILE...
  report::Format format = report::Format::Text;
  bool redact = true;
  bool color = false;
  bool quiet = false;
};

evidence::LogFile read_log(core::FileStream& in, const std::string& path, evidence::LogRole role,
                           const rules::LogScanner& scanner) {
  evidence::LogFile f;
  f.path = path;
  f.role = role;
  f.scan = scanner.scan([&](char* buf, size_t n) { return in.read(buf, n); });
  return f;
}

evidence::LogFile read_log(const std::string& path, evidence::LogRole role, const rules::LogScanner& scanner) {
  core::FileStream in(path);
  return read_log(in, path, role, scanner);
}

// A file the config names: its absence is evidence, not bad input.
evidence::LogFile read_config_log(const std::string& path, evidence::LogRole role, const rules::LogScanner& scanner) {
  try {
    return read_log(path, role, scanner);
  } catch (const core::InputError& e) {
    evidence::LogFile f;
    f.path = path;
    f.role = role;
    f.error = e.message();
    return f;
  }
}

// supervisord names an AUTO log <name>-<stream>---<identifier>-<random>.log
// in childlogdir (supervisor-semantics.md §9): the newest such file.
std::optional<std::string> auto_log(const std::string& dir, const std::string& prefix) {
  namespace fs = std::filesystem;
  std::optional<std::string> best;
  fs::file_time_type best_time;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(".log") || !e.is_regular_file(ec)) continue;
    auto t = e.last_write_time(ec);
    if (!best || t > best_time) best = e.path().string(), best_time = t;
  }
  return best;
}

// Where supervisord keeps one of the program's streams: what it says when
// it runs, else the config's path (relative ones against its cwd), AUTO's
// newest file, or why there is none.
evidence::LogFile program_log(const std::string& stream, const std::string& configured, const std::string& live_path,
                              const config::Config& cfg, const config::ProcessConfig& proc,
                              const spawn::BaseEnv& base, const rules::LogScanner& scanner) {
  const auto role = stream == "stdout" ? evidence::LogRole::Stdout : evidence::LogRole::Stderr;
  if (!live_path.empty()) return read_config_log(live_path, role, scanner);
  evidence::LogFile f;
  f.role = role;
  if (configured == "NONE") {
    f.error = stream == "stderr" && proc.redirect_stderr ? "redirect_stderr=true: stderr goes to stdout_logfile"
                                                          : "NONE: supervisord keeps no file";
    return f;
  }
  if (configured == "AUTO") {
    const std::string dir = cfg.supervisord.childlogdir.value_or("/tmp");
    const std::string prefix = proc.name + "-" + stream + "---" + cfg.supervisord.identifier + "-";
    if (auto found = auto_log(dir, prefix)) return read_config_log(*found, role, scanner);
    f.error = "AUTO, and no " + prefix + "*.log in " + dir;
    return f;
  }
  return read_config_log(core::absolute_path(configured, base.cwd), role, scanner);
}

int explain(const ExplainOptions& o) {
  core::RealFs fs;
  core::SystemUserDb users;
  // Bad input first: the rule pack, then every --log file named.
  rules::RulePack pack = rules::RulePack::load_dir(rules_dir(o.d.rules_dir));
  // Opened now, read in their turn below (a FileStream does not move).
  std::deque<core::FileStream> extra;
  for (const auto& path : o.logs) extra.emplace_back(path);

  const std::string config_path = find_config(o.d, fs);
  const auto live = live_for_config(config_path, fs);
  spawn::BaseEnv base = choose_base(o.d, config_path, fs);
  config::Config cfg = load_with_base(config_path, base, users);
  const config::ProcessConfig& proc = one_process(cfg, o.d.program);
  spawn::SpawnSpec spec = spawn::make_spawn_spec(cfg, proc, base, users, fs);

  std::optional<evidence::SupervisorView> view;
  if (live) {
    view = ask_live(*live, cfg, proc, spec, fs);
    view->replayed = false;
  }

  evidence::LogReading reading;
  // supervisord's own log: counted whole, its end parsed for the history
  // (as much of it as diagnose parses).
  const evidence::LiveQuery history_bounds;
  rules::ScanOptions history_opts;
  history_opts.tail_bytes = history_bounds.log_bytes;
  const rules::LogScanner counter({}, history_opts);
  const std::string& sd_log = cfg.supervisord.logfile_path;
  if (sd_log == "syslog") {
    evidence::LogFile f;
    f.role = evidence::LogRole::Supervisord;
    f.error = "logfile=syslog: supervisord logs to syslog";
    reading.files.push_back(f);
  } else {
    reading.files.push_back(read_config_log(sd_log, evidence::LogRole::Supervisord, counter));
  }
  auto& sd_file = reading.files.back();
  // Its end is read for the history alone: no report shows it, so it is not
  // carried (and redacted) any further.
  const std::string sd_tail = std::exchange(sd_file.scan.tail, {});
  if (!view && sd_file.error.empty()) {
    evidence::HistoryQuery q;
    q.process = proc.name;
    if (spec.spawnerr) q.spawnerr_texts.push_back(*spec.spawnerr);
    auto h = evidence::history_from_log(sd_tail, q, history_bounds.max_history);
    reading.history = std::move(h.events);
    reading.summary = std::move(h.summary);
    reading.log_file = sd_file.path;
  }

  // The program's output: --log files, then its stdout and stderr logs, so
  // that its stderr text ends with the stderr log supervisord keeps.
  const rules::LogScanner scanner(rules::output_patterns(pack));
  for (size_t i = 0; i < o.logs.size(); ++i)
    reading.files.push_back(read_log(extra[i], o.logs[i], evidence::LogRole::Extra, scanner));
  reading.files.push_back(program_log("stdout", proc.stdout_logfile, view ? view->stdout_logfile : "", cfg, proc,
                                      base, scanner));
  reading.files.back().merged = proc.redirect_stderr;
  reading.files.push_back(program_log("stderr", proc.stderr_logfile, view ? view->stderr_logfile : "", cfg, proc,
                                      base, scanner));

  const auto& history = view ? view->history : reading.history;
  trace::TraceLog log = evidence::trace_from_logs(reading, history, spec.startsecs, view ? &*view : nullptr);

  // passwd and the login defaults only: no login shell is run.
  std::optional<core::Passwd> pw = users.by_uid(spec.uid);
  login::LoginEnv login = pw ? login::synthesise_login_env(*pw, fs) : login::LoginEnv{"none", {}};
  if (pw) login.method = "passwd; explain runs no login shell";

  report::Report r;
  r.config_path = config_path;
  r.stamp = core::stamp_now();
  r.ev = evidence::make_evidence(std::move(spec), std::move(log), std::move(login));
  r.ev.config_text = fs.read_file(r.ev.spec.source.file).value_or("");
  r.ev.logs = std::move(reading);
  if (view) evidence::attach_supervisor(r.ev, std::move(*view));
  return match_and_report(r, pack, o.format, report::RenderOptions{o.redact, o.color, o.quiet});
}

}  // namespace

Subcommand add_explain(CLI::App& parent) {
  auto o = std::make_shared<ExplainOptions>();
  auto no_redact = std::make_shared<bool>(false);
  auto* app = parent.add_subcommand(
      "explain", "explain a failed [program:x] from supervisord's log and its own logs, without running it");
  app->add_option("program", o->d.program, "program name: name, group:name")->required();
  app->add_option("-c,--configuration", o->d.config,
                  "supervisord config file (default: the running supervisord's, else supervisord's search path)");
  app->add_option("--log", o->logs, "another file the program wrote, read as its stderr (repeatable)")
      ->allow_extra_args(false);
  add_choice(*app, "--format", o->format, report_formats(), "text, markdown, json, junit or sarif");
  app->add_option("--base-env", o->d.base_env,
                  "supervisord's environment: a file (NUL- or newline-separated) or 'systemd'");
  app->add_option("--rules", o->d.rules_dir, "rule pack directory");
  app->add_flag("--no-redact", *no_redact, "show secret-looking values in the report");
  add_quiet_flag(*app, o->quiet, "only the verdict line");
  Subcommand sub{app, [o, no_redact] {
                   o->redact = !*no_redact;
                   quiet_format(o->quiet, o->format);
                   o->color = report_color(o->format);
                   return explain(*o);
                 }};
  sub.on_error = json_error_sink("explain", std::shared_ptr<const report::Format>(o, &o->format),
                                 [o] { return o->d.program; });
  return sub;
}

}  // namespace bootmortem::cli
