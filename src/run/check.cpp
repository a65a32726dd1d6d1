// `bootmortem check`: a CI smoke-check of a deploy config. Every program of
// the config (or those named) is replayed as supervisord would start it, all
// of them together in supervisord's start order, each under a tracer of its
// own (run/together.h), and matched against the rule pack; one report lists
// them all.
//
// In CI no supervisord runs the config: its environment is --base-env
// (`systemd` for Debian's service), else bootmortem's own, and the report
// says it was assumed. On a host where one runs it, check asks it as
// diagnose does: its environment is the base, and a program it reports
// RUNNING is not started a second time.
//
// With --root the rule pack and a --base-env file are read first, from the
// host; then the command enters the staged root (run/staged_root.h) and the
// rest runs there, users from its /etc/passwd and /etc/group. No
// supervisord of the host is asked: it does not run this root's config.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cerrno>
#include <fmt/format.h>
#include <iostream>
#include <map>
#include <tuple>

#include "run/base_env.h"
#include "run/check.h"
#include "run/live.h"
#include "run/progress.h"
#include "run/staged_root.h"
#include "run/together.h"
#include "run/verify.h"
#include "config/config.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/host.h"
#include "core/userdb.h"
#include "evidence/preflight.h"
#include "rules/rules.h"
#include "spawn/spawn_spec.h"
#include "trace/replay_child.h"
#include "trace/trace.h"

namespace bootmortem::run {
namespace {

// The processes named (each as diagnose takes a name: "name", "group:*"),
// or all; in the config's order, which is supervisord's start order.
std::vector<const config::ProcessConfig*> selected(const config::Config& cfg, const std::vector<std::string>& names) {
  std::vector<const config::ProcessConfig*> out;
  if (names.empty()) {
    for (const auto& p : cfg.processes) out.push_back(&p);
  } else {
    std::vector<const config::ProcessConfig*> wanted;
    for (const auto& n : names)
      for (const auto* p : cfg.find(n)) wanted.push_back(p);
    for (const auto& p : cfg.processes)
      if (std::find(wanted.begin(), wanted.end(), &p) != wanted.end()) out.push_back(&p);
  }
  if (out.empty()) throw core::InputError(core::Origin{cfg.path, 0}, "no [program:x] to check");
  return out;
}

// A --root as this host names it, before it is entered: what a SARIF log's
// URIs are relative to.
std::string resolved(const std::string& dir) {
  char buf[PATH_MAX];
  return ::realpath(dir.c_str(), buf) ? std::string(buf) : dir;
}

// The users of the staged root: its files, never this host's NSS (whose
// modules could not read them, and would load the root's libraries).
core::TableUserDb root_users(const core::FileSystem& fs) {
  return core::parse_user_files(fs.read_file("/etc/passwd").value_or(""), fs.read_file("/etc/group").value_or(""));
}

// Enters --root, after what must still come from the host: a --base-env
// file stays readable through /proc/self/fd. Returns the options to go on with.
DiagnoseOptions enter_root(const CheckOptions& o, RootUse use) {
  DiagnoseOptions d = o.d;
  if (d.base_env && *d.base_env != "systemd") {
    const int fd = ::open(d.base_env->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw core::InputError(core::Origin{*d.base_env, 0}, "cannot read the base environment file");
    d.base_env = "/proc/self/fd/" + std::to_string(fd);
  }
  enter_staged_root(*o.root, use);
  if (d.config && !core::RealFs().stat(*d.config))
    throw core::InputError(core::Origin{*d.config, 0},
                           "no such file in the root filesystem " + *o.root + " (-c names a path inside it)");
  return d;
}

// What check and check --static start from: the pack (read from the host),
// then, with --root, the root entered and its users; and the config file.
struct Start {
  rules::RulePack pack;
  std::string root_dir;  // --root as this host names it (SARIF's base); "" without
  DiagnoseOptions d;
  core::SystemUserDb system_users;
  core::TableUserDb staged_users;
  std::string config_path;

  Start(const CheckOptions& o, RootUse use, const core::FileSystem& fs)
      : pack(rules::RulePack::load_dir(rules_dir(o.d.rules_dir))),
        root_dir(o.root ? resolved(*o.root) : ""),
        d(o.root ? enter_root(o, use) : o.d) {
    if (o.root) staged_users = root_users(fs);
    config_path = find_config_file(d.config, fs, false);
  }
  const core::UserDb& users() const {
    return root_dir.empty() ? static_cast<const core::UserDb&>(system_users) : staged_users;
  }
};

// Pre-flight checks whose answer is this host's users and files: another
// host (the target) may answer otherwise.
bool depends_on_host(const std::string& check) {
  static const char* const k_portable[] = {"shebang-crlf", "unknown-key-typo", "unknown-key", "port-clash",
                                           "home-unset"};
  return std::find(std::begin(k_portable), std::end(k_portable), check) == std::end(k_portable);
}

// The problems of this host that make supervisord refuse the config, as the
// program's own first, then the config's ([supervisord] user=): the first is
// what supervisord would print.
std::vector<config::HostProblem> refusals(const config::Config& cfg, const config::ProcessConfig& p) {
  std::vector<config::HostProblem> out = p.host_problems;
  out.insert(out.end(), cfg.supervisord.host_problems.begin(), cfg.supervisord.host_problems.end());
  return out;
}

// A program supervisord here would never get to: the report of a spawn that
// did not happen, with supervisord's message, and no login captured.
report::Report refused_report(const std::string& config_path, const config::Config& cfg,
                              const config::ProcessConfig& p, const std::vector<config::HostProblem>& problems,
                              const spawn::BaseEnv& base, const core::UserDb& users, const core::FileSystem& fs,
                              const rules::RulePack& pack) {
  spawn::SpawnSpec spec = spawn::make_spawn_spec(cfg, p, base, users, fs);
  if (p.user) spec.user = *p.user;
  spec.config_refused = true;
  const config::HostProblem& first = problems.front();
  spec.spawnerr = "supervisord on this host would refuse the whole config: " + first.origin.str() + ": " +
                  first.message;
  trace::TraceLog log = trace::not_forked(spec);
  log.backend_note = "not replayed: it cannot be spawned as configured on this host";
  report::Report r = program_report(config_path, std::move(spec), ProgramRun{std::move(log), std::nullopt},
                                    login::LoginEnv{"none", {}}, fs);
  r.findings = pack.match(r.ev);
  for (auto& f : r.findings) f.location = first.origin;
  return r;
}

}  // namespace

int check(const CheckOptions& o) {
  if (o.static_only) return check_static(o);
  const core::Stamp stamp = core::stamp_now();
  core::RealFs fs;
  const Start start(o, RootUse::Replay, fs);
  const auto& [pack, root_dir, d, config_path] = std::tie(start.pack, start.root_dir, start.d, start.config_path);
  const core::UserDb& users = start.users();
  // On a host where supervisord runs the config, as diagnose does: its
  // environment, and its account of each program.
  const auto live = o.root ? std::nullopt : live_for_config(config_path, fs);
  spawn::BaseEnv base = base_from(d, live, fs);
  const spawn::BaseEnv base_before_config = base;
  // A user= this host lacks is the program's failure, not an input error:
  // the others are still checked. (The directories are not checked: the
  // config is meant for another host; --static checks them.)
  config::Config cfg = load_with_base(config_path, base, users, {}, true);

  // Every spawn worked out before anything runs: a mistake in the last
  // program is an input error, not a half-run check.
  const auto procs = selected(cfg, o.programs);
  std::vector<std::vector<config::HostProblem>> refused;  // per program of procs
  std::vector<const config::ProcessConfig*> replayed;
  std::vector<spawn::SpawnSpec> specs;
  for (const auto* p : procs) {
    refused.push_back(refusals(cfg, *p));
    if (refused.back().empty()) {
      replayed.push_back(p);
      specs.push_back(spawn::make_spawn_spec(cfg, *p, base, users, fs));
    }
  }

  // Progress for a CI log, a line per program as its verdict comes in: each
  // takes at least its startsecs.
  Progress& progress = o.d.progress ? *o.d.progress : plain_progress();
  for (size_t n = 0; n < procs.size(); ++n)
    if (!refused[n].empty())
      progress.note(fmt::format("bootmortem check: {} not replayed: {}: {}", procs[n]->name,
                                refused[n].front().origin.str(), refused[n].front().message));
  auto on_verdict = [&](const TogetherProgress& p) {
    std::string line = fmt::format("bootmortem check {}/{}: {}", p.index + 1, specs.size(), specs[p.index].name);
    if (!p.error.empty())
      line += ": the replay failed: " + p.error;
    else if (p.attempts > 1 && p.starts)
      line += fmt::format(" starts after {} ms, on attempt {} ({} BACKOFF{} first: it needed another program of the "
                          "config)",
                          p.after_ms, p.attempts, p.attempts - 1, p.attempts > 2 ? "s" : "");
    else if (p.attempts > 1)
      line += fmt::format(" fails after {} ms, on attempt {} of {}", p.after_ms, p.attempts,
                          specs[p.index].startretries + 1);
    else
      line += fmt::format(" {} after {} ms", p.starts ? "starts" : "fails", p.after_ms);
    progress.note(line);
  };
  std::vector<TogetherResult> runs;
  if (!replayed.empty())
    runs = replay_together(live, cfg, replayed, specs, Watch{o.d.startsecs, o.d.watch}, o.d.tracer, fs, on_verdict,
                           progress);

  // The tool's own failure, not the program's: no report that would look
  // like a verdict on it.
  for (size_t i = 0; i < specs.size(); ++i)
    if (!runs[i].run)
      throw core::SystemError("check: the replay of '" + replayed[i]->name + "'", runs[i].err ? runs[i].err : EIO,
                              runs[i].error);

  // A failing program's fixes are replayed with that program alone: the
  // others' replays are over.
  LazyTracer tracer(o.d.tracer);
  std::map<uid_t, login::LoginEnv> logins;  // one login per user, not per program
  report::CheckReport c;
  c.config_path = config_path;
  c.stamp = stamp;
  if (o.root) c.root = *o.root;
  size_t i = 0;
  for (size_t n = 0; n < procs.size(); ++n) {
    const auto* p = procs[n];
    if (!refused[n].empty()) {
      c.programs.push_back(refused_report(config_path, cfg, *p, refused[n], base, users, fs, pack));
      continue;
    }
    auto login = logins.find(specs[i].uid);
    if (login == logins.end()) {
      progress.waiting(waiting_on(specs[i].name, "the login environment of " + specs[i].user));
      login = logins.emplace(specs[i].uid, login_of(specs[i].uid, users, fs)).first;
    }
    report::Report r = program_report(config_path, std::move(specs[i]), std::move(*runs[i].run), login->second, fs);
    r.findings = pack.match(r.ev);
    if (o.d.verify) {
      const std::string name = p->group_name == p->name ? p->name : p->group_name + ":" + p->name;
      verify_findings(r, VerifyContext{config_path, name, base_before_config, Watch{o.d.startsecs, o.d.watch, true},
                                       &pack, &users, &fs, &tracer, &progress, true});
    }
    c.programs.push_back(std::move(r));
    ++i;
  }
  progress.idle();
  report::render(c, o.d.format, report::RenderOptions{o.d.redact, o.d.color, o.d.quiet, "", root_dir}, std::cout);
  std::cout.flush();
  return report::exit_code(c);
}

// `check --static`: nothing runs. The config is read as check reads it (a
// user= or directory this host lacks is a result, not an input error), with
// supervisord's environment assumed as check assumes it (no live
// supervisord is asked); each pre-flight item becomes the pack's finding of
// its check, at its config line.
//
// Without --root this host need not be the target (a CI runner): a user or
// file the config names that is missing or refused here is a warning that
// says so; with --root DIR (--root / for this host) it is judged as a
// failure. What is wrong wherever the config runs (a misspelt key, a CRLF
// #! line, two programs on one port) is judged alike.
int check_static(const CheckOptions& o) {
  const core::Stamp stamp = core::stamp_now();
  core::RealFs fs;
  const Start start(o, RootUse::Read, fs);
  const auto& [pack, root_dir, d, config_path] = std::tie(start.pack, start.root_dir, start.d, start.config_path);
  const core::UserDb& users = start.users();
  spawn::BaseEnv base = base_from(d, std::nullopt, fs);
  config::Config cfg = load_with_base(config_path, base, users, {}, true, &fs);
  const auto procs = selected(cfg, o.programs);
  const auto results = evidence::preflight(evidence::PreflightContext{cfg, base.env, base.cwd, users, fs}, procs);

  auto judge = [&](const evidence::PreflightItem& item, const config::ProcessConfig* p) {
    evidence::Evidence ev;
    ev.preflight = {item};
    ev.values["program"] = p ? p->name : "";
    ev.values["section"] = p ? p->section : "supervisord";
    ev.values["config_file"] = item.location.file;
    report::StaticResult r;
    r.failure = item.failure;
    // What supervisord checks while it reads the config, not when it spawns.
    r.refuses = item.check == "user-missing" || item.check == "logdir-missing" ||
                (!p && item.check == "directory-missing");
    for (auto& f : pack.match(ev))
      if (f.family == "preflight") {
        r.finding = std::move(f);
        break;
      }
    if (r.finding.rule.empty()) {  // a pack without the check's rule
      const auto* check = evidence::find_preflight_check(item.check);
      r.finding.rule = item.check;
      r.finding.title = check ? check->what : item.check;
      r.finding.family = "preflight";
      for (const auto& [k, v] : item.values) r.finding.cause += (r.finding.cause.empty() ? "" : ", ") + k + "=" + v;
    }
    r.finding.location = item.location;
    if (!o.root && r.failure && depends_on_host(item.check)) {
      r.failure = false;
      r.finding.cause += " (on this host, which need not be the target: --root DIR judges it in the target's "
                         "filesystem, --root / on this host)";
    }
    return r;
  };
  report::StaticReport c;
  c.config_path = config_path;
  c.stamp = stamp;
  if (o.root) c.root = *o.root;
  for (const auto& item : results.config) c.config.push_back(judge(item, nullptr));
  for (size_t i = 0; i < procs.size(); ++i) {
    report::StaticProgram sp{procs[i]->name, procs[i]->section, procs[i]->source, {}};
    for (const auto& item : results.programs[i]) sp.results.push_back(judge(item, procs[i]));
    // In the order of the file, as a person reads the section.
    std::stable_sort(sp.results.begin(), sp.results.end(), [](const auto& a, const auto& b) {
      const auto &x = a.finding.location, &y = b.finding.location;
      return x.file != y.file ? x.file < y.file : x.line < y.line;
    });
    c.programs.push_back(std::move(sp));
  }
  report::render(c, o.d.format, report::RenderOptions{o.d.redact, o.d.color, o.d.quiet, "", root_dir}, std::cout);
  std::cout.flush();
  return report::exit_code(c);
}

}  // namespace bootmortem::run
