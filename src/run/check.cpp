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
#include <cerrno>
#include <fmt/format.h>
#include <iostream>
#include <map>

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
#include "core/userdb.h"
#include "rules/rules.h"
#include "spawn/spawn_spec.h"
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

// The users of the staged root: its files, never this host's NSS (whose
// modules could not read them, and would load the root's libraries).
core::TableUserDb root_users(const core::FileSystem& fs) {
  return core::parse_user_files(fs.read_file("/etc/passwd").value_or(""), fs.read_file("/etc/group").value_or(""));
}

// Enters --root, after what must still come from the host: a --base-env
// file stays readable through /proc/self/fd. Returns the options to go on with.
DiagnoseOptions enter_root(const CheckOptions& o) {
  DiagnoseOptions d = o.d;
  if (d.base_env && *d.base_env != "systemd") {
    const int fd = ::open(d.base_env->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw core::InputError(core::Origin{*d.base_env, 0}, "cannot read the base environment file");
    d.base_env = "/proc/self/fd/" + std::to_string(fd);
  }
  enter_staged_root(*o.root, RootUse::Replay);
  if (d.config && !core::RealFs().stat(*d.config))
    throw core::InputError(core::Origin{*d.config, 0},
                           "no such file in the root filesystem " + *o.root + " (-c names a path inside it)");
  return d;
}

}  // namespace

int check(const CheckOptions& o) {
  core::RealFs fs;
  rules::RulePack pack = rules::RulePack::load_dir(rules_dir(o.d.rules_dir));
  const DiagnoseOptions d = o.root ? enter_root(o) : o.d;
  core::SystemUserDb system_users;
  core::TableUserDb staged_users;
  if (o.root) staged_users = root_users(fs);
  const core::UserDb& users = o.root ? static_cast<const core::UserDb&>(staged_users) : system_users;
  const std::string config_path = find_config_file(d.config, fs, false);
  // On a host where supervisord runs the config, as diagnose does: its
  // environment, and its account of each program.
  const auto live = o.root ? std::nullopt : live_for_config(config_path, fs);
  spawn::BaseEnv base = base_from(d, live, fs);
  const spawn::BaseEnv base_before_config = base;
  config::Config cfg = load_with_base(config_path, base, users);

  // Every spawn worked out before anything runs: a mistake in the last
  // program is an input error, not a half-run check.
  const auto procs = selected(cfg, o.programs);
  std::vector<spawn::SpawnSpec> specs;
  for (const auto* p : procs) specs.push_back(spawn::make_spawn_spec(cfg, *p, base, users, fs));

  // Progress for a CI log, a line per program as its verdict comes in: each
  // takes at least its startsecs.
  Progress& progress = o.d.progress ? *o.d.progress : plain_progress();
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
  auto runs = replay_together(live, cfg, procs, specs, Watch{o.d.startsecs, o.d.watch}, o.d.tracer, fs, on_verdict,
                              progress);

  // The tool's own failure, not the program's: no report that would look
  // like a verdict on it.
  for (size_t i = 0; i < specs.size(); ++i)
    if (!runs[i].run)
      throw core::SystemError("check: the replay of '" + procs[i]->name + "'", runs[i].err ? runs[i].err : EIO,
                              runs[i].error);

  // A failing program's fixes are replayed with that program alone: the
  // others' replays are over.
  LazyTracer tracer(o.d.tracer);
  std::map<uid_t, login::LoginEnv> logins;  // one login per user, not per program
  report::CheckReport c;
  c.config_path = config_path;
  if (o.root) c.root = *o.root;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto login = logins.find(specs[i].uid);
    if (login == logins.end()) {
      progress.waiting(waiting_on(specs[i].name, "the login environment of " + specs[i].user));
      login = logins.emplace(specs[i].uid, login_of(specs[i].uid, users, fs)).first;
    }
    report::Report r = program_report(config_path, std::move(specs[i]), std::move(*runs[i].run), login->second, fs);
    r.findings = pack.match(r.ev);
    if (o.d.verify) {
      const auto* p = procs[i];
      const std::string name = p->group_name == p->name ? p->name : p->group_name + ":" + p->name;
      verify_findings(r, VerifyContext{config_path, name, base_before_config, Watch{o.d.startsecs, o.d.watch, true},
                                       &pack, &users, &fs, &tracer, &progress});
    }
    c.programs.push_back(std::move(r));
  }
  progress.idle();
  report::render(c, o.d.format, report::RenderOptions{o.d.redact, o.d.color, o.d.quiet}, std::cout);
  std::cout.flush();
  return report::exit_code(c);
}

}  // namespace bootmortem::run
