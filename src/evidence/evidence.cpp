#include "evidence/evidence.h"

#include <csignal>
#include <cstring>
#include <set>

namespace bootmortem::evidence {

const std::vector<std::string>& known_facts() {
  static const std::vector<std::string> k = {
      "uid_nonzero",      "user_switched", "home_unset",   "home_not_users_home",
      "home_is_root_home", "user_var_not_user", "logname_not_user", "spawnerr",
      "exited_early",     "starts",        "signaled",     "stderr_empty",
      "descendants_survived", "exited_late", "crash_loop", "exit_expected", "shebang_crlf"};
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v = k;
    v.insert(v.end(), env_fact_names().begin(), env_fact_names().end());
    v.insert(v.end(), supervisor_fact_names().begin(), supervisor_fact_names().end());
    v.push_back("port_held_by_sibling");  // check's, trace::TraceLog::sibling_binds
    return v;
  }();
  return all;
}

const std::vector<std::string>& known_values() {
  static const std::vector<std::string> k = {
      "program", "section", "config_file", "user", "uid", "gid", "user_home", "user_shell",
      "home", "command", "argv0", "filename", "directory", "cwd", "exit_code", "signal",
      "after_ms", "startsecs", "spawnerr", "base_source", "interpreter", "outcome", "outcome_next",
      "login_command", "module_dir"};
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v = k;
    v.insert(v.end(), env_value_names().begin(), env_value_names().end());
    v.insert(v.end(), supervisor_value_names().begin(), supervisor_value_names().end());
    v.insert(v.end(), {"sibling_program", "sibling_addr"});
    return v;
  }();
  return all;
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
  ev.outcome = judge_outcome(s, t);
  const auto& o = ev.outcome;
  const bool exited = t.verdict == trace::Verdict::Fails && !t.spawnerr;
  f["exited_early"] = exited && (o.kind == OutcomeKind::BackoffFatal || o.state == "FATAL");
  f["exited_late"] = exited && !f["exited_early"];
  f["crash_loop"] = o.kind == OutcomeKind::CrashLoop;
  f["exit_expected"] = exited && o.expected;
  f["signaled"] = t.exit_signal.has_value();
  f["shebang_crlf"] = s.shebang_crlf;
  f["stderr_empty"] = t.err.total == 0;
  f["descendants_survived"] = o.kind == OutcomeKind::Daemonizes;

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
  v["interpreter"] = s.interpreter;
  v["outcome"] = outcome_kind_name(o.kind);
  v["outcome_next"] = o.next;
  v["login_command"] = "";  // found.h fills these two from the file system
  v["module_dir"] = "";
  // check: another program of the config, replayed alongside, held the
  // address a bind failed on.
  f["port_held_by_sibling"] = !t.sibling_binds.empty();
  v["sibling_program"] = t.sibling_binds.empty() ? "" : t.sibling_binds.front().program;
  v["sibling_addr"] = t.sibling_binds.empty() ? "" : t.sibling_binds.front().addr;
  add_env_facts(ev.env_diff, s.env, ev.login, f, v);
  add_supervisor_facts(ev);
  return ev;
}

}  // namespace bootmortem::evidence
