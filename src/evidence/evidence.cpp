#include "evidence/evidence.h"

#include <csignal>
#include <cstring>
#include <set>

namespace bootmortem::evidence {
namespace {

struct KindPattern {
  const char* kind;
  std::vector<const char*> names;     // exact names
  std::vector<const char*> prefixes;  // name prefixes
};

// Classes of variables (failure-catalog families H, X, L, V).
const std::vector<KindPattern> k_kinds = {
    {"identity", {"HOME", "USER", "LOGNAME", "SHELL", "MAIL"}, {}},
    {"search-path", {"PATH", "PYTHONPATH", "LD_LIBRARY_PATH", "MANPATH", "NODE_PATH", "GEM_PATH", "CLASSPATH"}, {}},
    {"locale", {"LANG", "LANGUAGE"}, {"LC_"}},
    {"xdg", {}, {"XDG_"}},
    {"runtime", {"VIRTUAL_ENV", "JAVA_HOME", "GEM_HOME", "NVM_DIR", "GOPATH", "CONDA_PREFIX", "PYENV_ROOT"}, {"PYTHON", "NODE_", "RUBY", "PERL5"}},
};

std::string classify(const std::string& name) {
  for (const auto& k : k_kinds) {
    for (const char* n : k.names)
      if (name == n) return k.kind;
    for (const char* p : k.prefixes)
      if (name.starts_with(p)) return k.kind;
  }
  return "other";
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : std::to_string(sig);
}

}  // namespace

std::vector<EnvDiff> diff_env(const core::Env& spawn, const core::Env& login) {
  std::vector<EnvDiff> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& name) {
    if (!seen.insert(name).second) return;
    auto s = spawn.get(name);
    auto l = login.get(name);
    if (s == l) return;
    out.push_back({name, s, l, classify(name)});
  };
  // Login's variables first (what the user expects), then the spawn's extras.
  for (const auto& [k, v] : login.entries()) add(k);
  for (const auto& [k, v] : spawn.entries()) {
    // The SUPERVISOR_* variables are supervisord's own: never a login's.
    if (k.starts_with("SUPERVISOR_")) continue;
    if (classify(k) == "other") continue;  // only classes a login would set
    add(k);
  }
  return out;
}

const std::vector<std::string>& known_facts() {
  static const std::vector<std::string> k = {
      "uid_nonzero",      "user_switched", "home_unset",   "home_not_users_home",
      "home_is_root_home", "user_var_not_user", "logname_not_user", "spawnerr",
      "exited_early",     "starts",        "signaled",     "stderr_empty",
      "descendants_survived"};
  return k;
}

const std::vector<std::string>& known_values() {
  static const std::vector<std::string> k = {
      "program", "section", "config_file", "user", "uid", "gid", "user_home", "user_shell",
      "home", "command", "argv0", "filename", "directory", "cwd", "exit_code", "signal",
      "after_ms", "startsecs", "spawnerr", "base_source"};
  return k;
}

Evidence make_evidence(spawn::SpawnSpec spec, trace::TraceLog trace, login::LoginEnv login) {
  Evidence ev;
  ev.spec = std::move(spec);
  ev.trace = std::move(trace);
  ev.login = std::move(login);
  ev.env_diff = diff_env(ev.spec.env, ev.login.env);

  const auto& s = ev.spec;
  const auto& t = ev.trace;
  const auto home = s.env.get("HOME");
  const auto user_var = s.env.get("USER");
  const auto logname = s.env.get("LOGNAME");

  auto& f = ev.facts;
  f["uid_nonzero"] = s.uid != 0;
  f["user_switched"] = s.switch_user;
  f["home_unset"] = !home.has_value();
  f["home_not_users_home"] = home && !s.user_home.empty() && *home != s.user_home;
  f["home_is_root_home"] = home && s.uid != 0 && (*home == "/root");
  f["user_var_not_user"] = user_var && !s.user.empty() && *user_var != s.user;
  f["logname_not_user"] = logname && !s.user.empty() && *logname != s.user;
  f["spawnerr"] = t.spawnerr.has_value();
  f["starts"] = t.verdict == trace::Verdict::Starts;
  f["exited_early"] = t.verdict == trace::Verdict::Fails && !t.spawnerr;
  f["signaled"] = t.exit_signal.has_value();
  f["stderr_empty"] = t.err.total == 0;
  bool survived = false;
  for (const auto& e : t.exits)
    if (e.killed_by_us && e.pid != t.main_pid) survived = true;
  f["descendants_survived"] = f["exited_early"] && survived;

  auto& v = ev.values;
  v["program"] = s.name;
  v["section"] = s.section;
  v["config_file"] = s.source.file;
  v["user"] = s.user;
  v["uid"] = std::to_string(s.uid);
  v["gid"] = std::to_string(s.gid);
  v["user_home"] = s.user_home;
  v["user_shell"] = s.user_shell;
  v["home"] = home.value_or("");
  v["command"] = "";
  for (size_t i = 0; i < s.argv.size(); ++i) v["command"] += (i ? " " : "") + s.argv[i];
  v["argv0"] = s.argv.empty() ? "" : s.argv[0];
  v["filename"] = s.filename;
  v["directory"] = s.directory.value_or("");
  v["cwd"] = s.cwd;
  v["exit_code"] = t.exit_code ? std::to_string(*t.exit_code) : "";
  v["signal"] = t.exit_signal ? signal_name(*t.exit_signal) : "";
  v["after_ms"] = std::to_string(t.after_ms);
  v["startsecs"] = std::to_string(s.startsecs);
  v["spawnerr"] = t.spawnerr.value_or("");
  v["base_source"] = spawn::base_env_source_name(s.base.source);
  return ev;
}

}  // namespace bootmortem::evidence
