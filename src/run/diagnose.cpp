#include "run/diagnose.h"

#include "run/base_env.h"
#include "run/live.h"
#include "run/progress.h"
#include "run/verify.h"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "config/config.h"
#include "core/fs.h"
#include "core/host.h"
#include "core/userdb.h"
#include "evidence/evidence.h"
#include "evidence/found.h"
#include "login/capture.h"
#include "rules/rules.h"
#include "spawn/spawn_spec.h"
#include "trace/port_owner.h"
#include "trace/procfs.h"
#include "trace/trace.h"

extern char** environ;

namespace bootmortem::run {
namespace {

// What systemd gives a system service without User=: no HOME, USER or
// LOGNAME; PATH is its default; Debian's unit runs supervisord with -n.
spawn::BaseEnv systemd_base(const core::FileSystem& fs) {
  spawn::BaseEnv b;
  b.source = spawn::BaseEnvSource::Systemd;
  b.env.set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (auto locale = fs.read_file("/etc/default/locale")) {
    core::Env l = core::Env::parse(*locale);
    for (const auto& [k, v] : l.entries()) {
      std::string val = v;
      if (val.size() >= 2 && val.front() == '"' && val.back() == '"') val = val.substr(1, val.size() - 2);
      b.env.set(k, val);
    }
  }
  b.cwd = "/";
  b.umask = 022;
  b.uid = 0;
  return b;
}

}  // namespace

// The live supervisord's own environment when it could be read; else
// --base-env, else bootmortem's own (DESIGN.md, "Fidelity").
spawn::BaseEnv base_from(const DiagnoseOptions& o, const std::optional<trace::LiveSupervisord>& live,
                         const core::FileSystem& fs) {
  if (!o.base_env && live && live->environ_read) {
    spawn::BaseEnv b;
    b.source = spawn::BaseEnvSource::LiveSupervisord;
    b.observed = true;
    b.pid = live->pid;
    b.env = live->environ;
    b.cwd = live->cwd;
    b.umask = live->umask;
    b.uid = live->uid;
    return b;
  }
  if (o.base_env && *o.base_env == "systemd") return systemd_base(fs);

  spawn::BaseEnv b;
  b.cwd = fs.cwd();
  b.umask = own_umask();
  b.uid = getuid();
  if (o.base_env) {
    auto text = fs.read_file(*o.base_env);
    if (!text) throw core::InputError(core::Origin{*o.base_env, 0}, "cannot read the base environment file");
    b.source = spawn::BaseEnvSource::File;
    b.file = *o.base_env;
    b.env = core::Env::parse(*text);
  } else {
    // The operator's shell as invoked, which is how supervisord was started in
    // the incident; sudo's own variables are not the operator's.
    b.source = spawn::BaseEnvSource::Invoker;
    b.env = own_environment();
    for (const char* v : {"SUDO_USER", "SUDO_UID", "SUDO_GID", "SUDO_COMMAND", "SUDO_PS1"}) b.env.erase(v);
  }
  return b;
}

spawn::BaseEnv choose_base(const DiagnoseOptions& o, const std::string& config_path,
                           const core::FileSystem& fs) {
  return base_from(o, o.base_env ? std::nullopt : live_for_config(config_path, fs), fs);
}

mode_t own_umask() {
  mode_t m = umask(022);
  umask(m);
  return m;
}

core::Env own_environment() {
  core::Env env;
  for (char** e = environ; e && *e; ++e) {
    std::string item(*e);
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env.set(item.substr(0, eq), item.substr(eq + 1));
  }
  return env;
}

std::string node_name() {
  struct utsname u;
  return uname(&u) == 0 ? u.nodename : "";
}

std::string find_config_file(const std::optional<std::string>& given, const core::FileSystem& fs,
                             bool ask_live) {
  if (given) {
    std::string path = core::absolute_path(*given, fs.cwd());
    if (!fs.stat(path)) throw core::InputError(core::Origin{*given, 0}, "no such config file");
    return path;
  }
  // The config the running supervisord uses is the one that matters.
  if (ask_live)
    if (auto live = live_config_without_c()) return *live;
  if (auto found = config::find_default_config("/usr/bin/supervisord", fs.cwd()))
    return core::absolute_path(*found, fs.cwd());
  std::string list;
  for (const auto& p : config::default_search_paths("/usr/bin/supervisord")) list += (list.empty() ? "" : ", ") + p;
  throw core::InputError("no config file found at default paths (" + list + "); use -c");
}

std::string find_config(const DiagnoseOptions& o, const core::FileSystem& fs) {
  return find_config_file(o.config, fs, true);
}

std::string rules_dir(const std::optional<std::string>& given) {
  if (given) return *given;
  if (const char* env = std::getenv("BOOTMORTEM_RULES")) return env;
  struct stat st;
  // Installed: PREFIX/bin/bootmortem finds PREFIX/share/bootmortem/rules,
  // whatever prefix it was installed with (cmake --install --prefix, a .deb).
  char exe[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string bin = exe;
    bin.erase(bin.rfind('/'));
    const std::string installed = bin + "/../share/bootmortem/rules";
    if (::stat(installed.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return core::normalize_path(installed);
  }
  // A build tree's binary: the source tree's pack (never a pack some other
  // install left under the configured prefix).
  return BOOTMORTEM_SOURCE_RULES_DIR;
}

config::Config load_with_base(const std::string& config_path, spawn::BaseEnv& base,
                              const core::UserDb& users, const std::map<std::string, std::string>& overrides,
                              bool record_host_problems, const core::FileSystem* fs) {
  config::LoadContext ctx;
  ctx.record_host_problems = record_host_problems;
  ctx.fs = fs;
  ctx.environ = base.env;
  ctx.host_node_name = node_name();
  ctx.cwd = base.cwd;
  ctx.users = &users;
  ctx.overrides = overrides;
  config::Config cfg = config::load_config_file(config_path, ctx);
  if (!base.observed && base.source != spawn::BaseEnvSource::Systemd)
    spawn::assume_daemon_state(base, cfg.supervisord);
  return cfg;
}

const config::ProcessConfig& one_process(const config::Config& cfg, const std::string& program) {
  auto matches = cfg.find(program);
  if (matches.size() != 1) {
    std::string names;
    for (const auto* p : matches) names += (names.empty() ? "" : ", ") + p->name;
    throw core::InputError(core::Origin{cfg.path, 0},
                           "'" + program + "' names " + std::to_string(matches.size()) +
                               " processes (" + names + "); name one at a time");
  }
  return *matches.front();
}

int match_and_report(report::Report& r, const rules::RulePack& pack, report::Format format,
                     const report::RenderOptions& ro) {
  r.findings = pack.match(r.ev);
  report::render(r, format, ro, std::cout);
  std::cout.flush();
  return report::exit_code(r);
}

namespace {

// The ports that supervisord's copy of the program (the pid it reports for
// it; 0: none runs) or a process under it listens on now, with that pid.
// Its own account, not the command line: a script's copy shows its
// interpreter there, and gunicorn renames its processes.
std::vector<trace::Listener> copy_listening(pid_t copy) {
  std::vector<trace::Listener> out;
  if (copy <= 0) return out;
  for (const auto& l : trace::listeners()) {
    const auto chain = trace::ancestry(l.pid);
    if (std::find(chain.begin(), chain.end(), copy) != chain.end()) out.push_back({l.port, copy});
  }
  return out;
}

// The replay's failed binds on a port a copy of the program held, before or
// after the replay (the copy of a crash loop comes and goes): a conflict the
// replay made, not the program's. Sets copy to that copy's pid.
std::vector<size_t> self_conflicts(const trace::TraceLog& log, const std::vector<trace::Listener>& held,
                                   pid_t& copy) {
  std::vector<size_t> out;
  for (size_t i = 0; i < log.failed.size(); ++i) {
    const auto& f = log.failed[i];
    if (f.call != "bind" || f.err != EADDRINUSE || f.port <= 0) continue;
    for (const auto& l : held)
      if (l.port == f.port) {
        copy = l.pid;
        out.push_back(i);
        break;
      }
  }
  return out;
}

}  // namespace

trace::TraceLog LazyTracer::run(const spawn::SpawnSpec& spec, const trace::TraceOptions& options) {
  if (!choice_) choice_ = trace::choose_tracer(kind_);
  trace::TraceLog log = choice_->tracer->run(spec, options);
  log.backend_why = choice_->why;
  return log;
}

const std::string& LazyTracer::name() {
  if (!choice_) choice_ = trace::choose_tracer(kind_);
  return choice_->name;
}

Waiting replay_waiting(const std::string& program, const std::string& what, const std::string& tracer,
                       const trace::TraceOptions& topt) {
  Waiting w;
  w.program = program;
  w.what = what;
  w.tracer = tracer;
  w.startsecs = topt.startsecs;
  w.window = topt.watch;
  return w;
}

ProgramRun run_program(const std::optional<trace::LiveSupervisord>& live, const config::Config& cfg,
                       const config::ProcessConfig& proc, const spawn::SpawnSpec& spec, bool replay_running,
                       const Watch& watch, bool more_runs, LazyTracer& tracer, const core::FileSystem& fs,
                       Progress& progress) {
  ProgramRun run;
  if (live) run.view = ask_live(*live, cfg, proc, spec, fs);
  auto& view = run.view;
  if (view && view->state == "RUNNING" && !view->flapping() && !replay_running) {
    // A second copy would fight the first for its port, pidfile and logs.
    view->replayed = false;
    run.log = not_replayed(*view);
    return run;
  }
  // supervisord's own copy about to exit (STARTING, flapping) is waited
  // for; one that is up (--replay) is not, and the report says both ran.
  if (view && (view->state == "STARTING" || view->flapping()))
    view = wait_for_copy_exit(std::move(*view), *live, cfg, proc, spec, fs, 5.0, progress);
  else if (view)
    view->copy_pid_during_replay = view->process_pid;
  trace::TraceOptions topt;
  topt.startsecs = watch.startsecs.value_or(static_cast<double>(spec.startsecs));
  topt.watch = watch.window;
  topt.more_runs = more_runs;
  topt.tick = ticks_of(progress);
  std::vector<trace::Listener> held;
  if (view) held = copy_listening(view->process_pid);
  progress.waiting(replay_waiting(spec.name, "replay", tracer.name(), topt));
  run.log = tracer.run(spec, topt);
  // The replay whose log stands: an untraced run checks it under the same
  // options, and none checks a verdict taken from supervisord's log.
  trace::TraceOptions stands = topt;
  bool from_log = false;
  if (view) {
    // A crash loop's copy comes and goes: the one supervisord runs now too.
    const auto after = ask_live(*live, cfg, proc, spec, fs);
    for (const auto& l : copy_listening(after.process_pid)) held.push_back(l);
    // One may also have come and gone between the two looks (a loaded
    // machine stretches a crash loop's turns): a refused port that no
    // process holds now, while supervisord was starting copies, was theirs.
    // A process that still holds it is another's, and stays evidence.
    auto starting_copies = [](const evidence::SupervisorView& v) {
      return v.state == "STARTING" || v.state == "RUNNING" || v.state == "BACKOFF";
    };
    if (view->process_pid != after.process_pid || starting_copies(*view) || starting_copies(after)) {
      const auto now = trace::listeners();
      for (const auto& f : run.log.failed) {
        if (f.call != "bind" || f.err != EADDRINUSE || f.port <= 0) continue;
        auto on_port = [&](const trace::Listener& l) { return l.port == f.port; };
        if (std::none_of(now.begin(), now.end(), on_port) && std::none_of(held.begin(), held.end(), on_port))
          held.push_back({f.port, after.process_pid ? after.process_pid : view->process_pid});
      }
    }
    pid_t copy = 0;
    auto conflicts = self_conflicts(run.log, held, copy);
    if (copy) view->copy_pid_during_replay = copy;
    if (!conflicts.empty()) {
      // The port is the live copy's: replay again where it is free.
      trace::TraceOptions isolated = topt;
      isolated.private_network = true;
      progress.waiting(replay_waiting(spec.name, "replay in a network of its own", tracer.name(), isolated));
      try {
        evidence::take_isolated_replay(run.log, tracer.run(spec, isolated), *view, conflicts);
        stands = isolated;
      } catch (const core::SystemError& e) {
        evidence::set_aside_self_conflict(run.log, *view, conflicts);
        from_log = true;
        run.log.backend_note += std::string("; no second replay in a network namespace of its own: ") + e.what();
      }
    }
  }
  if (watch.confirm_untraced && !from_log) confirm_untraced(run.log, spec, stands, progress);
  return run;
}

report::Report program_report(const std::string& config_path, spawn::SpawnSpec spec, ProgramRun run,
                              login::LoginEnv login, const core::FileSystem& fs) {
  report::Report r;
  r.config_path = config_path;
  r.ev = evidence::make_evidence(std::move(spec), std::move(run.log), std::move(login));
  r.ev.config_text = fs.read_file(r.ev.spec.source.file).value_or("");
  evidence::add_found_values(r.ev, fs);
  if (run.view) evidence::attach_supervisor(r.ev, std::move(*run.view));
  return r;
}

login::LoginEnv login_of(uid_t uid, const core::UserDb& users, const core::FileSystem& fs) {
  std::optional<core::Passwd> pw = users.by_uid(uid);
  return pw ? login::real_login_env(*pw, fs) : login::LoginEnv{"none", {}};
}

int diagnose(const DiagnoseOptions& o) {
  const core::Stamp stamp = core::stamp_now();
  core::RealFs fs;
  core::SystemUserDb users;
  // Rules first: a broken pack is an input error before anything runs.
  rules::RulePack pack = rules::RulePack::load_dir(rules_dir(o.rules_dir));

  const std::string config_path = find_config(o, fs);
  // Asked even with --base-env: its account of the program is evidence too.
  const auto live = live_for_config(config_path, fs);
  spawn::BaseEnv base = base_from(o, live, fs);
  const spawn::BaseEnv base_before_config = base;

  config::Config cfg = load_with_base(config_path, base, users);
  const config::ProcessConfig& proc = one_process(cfg, o.program);

  spawn::SpawnSpec spec = spawn::make_spawn_spec(cfg, proc, base, users, fs);
  Progress& progress = o.progress ? *o.progress : plain_progress();
  LazyTracer tracer(o.tracer);
  ProgramRun run =
      run_program(live, cfg, proc, spec, o.replay, Watch{o.startsecs, o.watch, true}, false, tracer, fs, progress);
  progress.waiting(waiting_on(spec.name, "the login environment of " + spec.user));
  login::LoginEnv login = login_of(spec.uid, users, fs);
  report::Report r = program_report(config_path, std::move(spec), std::move(run), std::move(login), fs);
  r.stamp = stamp;
  r.findings = pack.match(r.ev);
  if (o.verify)
    verify_findings(r, VerifyContext{config_path, o.program, base_before_config, Watch{o.startsecs, o.watch, true},
                                     &pack, &users, &fs, &tracer, &progress});
  progress.idle();
  if (o.patch_out && !write_patch_file(r, *o.patch_out))
    std::cerr << "bootmortem: no patch written to " << *o.patch_out
              << (r.remedy ? ": the fix changes neither the config nor files\n"
                           : ": no fix was replayed (the program starts, --no-verify, or no finding has one)\n");
  report::render(r, o.format, report::RenderOptions{o.redact, o.color, o.quiet}, std::cout);
  std::cout.flush();
  return report::exit_code(r);
}

bool write_patch_file(const report::Report& r, const std::string& path) {
  if (!r.remedy || (r.remedy->patches.empty() && r.remedy->commands.empty())) return false;
  const auto& m = *r.remedy;
  std::string text = "# bootmortem: the combined fix for [" + r.ev.spec.section + "] (" +
                     (m.verified ? "verified: the replay with it reached RUNNING and held" : "NOT verified") + ")\n";
  std::string rules;
  for (const auto& id : m.rules) rules += (rules.empty() ? "" : ", then ") + id;
  text += "# causes, in order: " + rules + "\n";
  if (!m.patches.empty()) text += "# apply: patch -p0 < " + path + " (from the directory bootmortem ran in)\n";
  if (!m.commands.empty()) {
    text += "# and run, in order, as root:\n";
    for (const auto& c : m.commands) text += "#   " + c + "\n";
  }
  for (const auto& [file, diff] : m.patches) text += diff;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw core::InputError(core::Origin{path, 0}, "cannot write the patch file");
  out << text;
  out.close();
  if (!out) throw core::InputError(core::Origin{path, 0}, "cannot write the patch file");
  return true;
}

}  // namespace bootmortem::run
