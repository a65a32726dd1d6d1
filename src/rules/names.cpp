#include "rules/names.h"

#include <algorithm>

namespace bootmortem::rules {

// Mirrors evidence.h's list. Kept here rather than calling
// evidence::known_facts() so a rule file can be linted by a build that has
// no tracer; rules_test.cpp checks the two lists agree.
const std::vector<FactName>& fact_names() {
  static const std::vector<FactName> k = {
      {"uid_nonzero", "runs as uid {uid} ({user}), not root"},
      {"user_switched", "user={user}: supervisord only calls setuid, so HOME, USER and LOGNAME stay its own"},
      {"home_unset", "HOME is not set in the child's environment"},
      {"home_not_users_home", "HOME={home} while uid {uid} ({user}) has home {user_home}"},
      {"home_is_root_home", "HOME={home} is root's home while the child runs as uid {uid} ({user})"},
      {"user_var_not_user", "USER is not {user}"},
      {"logname_not_user", "LOGNAME is not {user}"},
      {"spawnerr", "supervisord would not fork: {spawnerr}"},
      {"exited_early", "exited after {after_ms} ms, before startsecs={startsecs}"},
      {"starts", "stayed up for startsecs={startsecs} and the settle window"},
      {"signaled", "killed by {signal}"},
      {"stderr_empty", "nothing was written to stderr"},
      {"descendants_survived", "processes it started were still running after it exited"},
      {"exited_late", "exited after {after_ms} ms, after startsecs={startsecs}"},
      {"crash_loop", "supervisord restarts it after each exit: {outcome_next}"},
      {"exit_expected", "its exit status {exit_code} is in exitcodes"},
      {"shebang_crlf", "the #! line of {filename} ends in a carriage return (CRLF line endings)"},
      {"login_captured", "the login environment is a real login's ({login_method})"},
      {"login_only_vars", "a login of {user} sets {login_only_vars}; the child has none of them"},
      {"runtime_vars_missing", "a login of {user} sets {runtime_vars_missing}; the child does not"},
      {"path_lacks_login_entries", "the child's PATH lacks {path_missing}, which a login of {user} has"},
      {"search_path_lacks_login_entries", "the child's search paths lack what a login of {user} has: {search_path_missing}"},
      {"locale_unset", "none of LC_ALL, LC_CTYPE and LANG is set in the child's environment"},
      {"locale_differs", "the child's locale variables differ from a login's (LANG={login_lang})"},
      // the live supervisord's, evidence/live_supervisor.h
      {"supervisord_seen", "supervisord (pid {supervisord_pid}) reports it {supervisord_state}"},
      {"supervisord_fatal", "supervisord (pid {supervisord_pid}) gave up on it: FATAL, {supervisord_description}"},
      {"supervisord_running", "supervisord (pid {supervisord_pid}) reports it RUNNING: {supervisord_description}"},
      {"supervisord_same_exit", "the replay exited with {supervisord_exit}, as it did under supervisord"},
      {"supervisord_copy_alive", "supervisord's own copy was running during the replay"},
      // check's: programs of one config replayed together
      {"port_held_by_sibling", "program {sibling_program} of this config listened on {sibling_addr}"},
  };
  return k;
}

bool is_fact(const std::string& name) {
  const auto& k = fact_names();
  return std::any_of(k.begin(), k.end(), [&](const FactName& f) { return name == f.name; });
}

const char* fact_citation(const std::string& name) {
  for (const auto& f : fact_names())
    if (name == f.name) return f.citation;
  return "";
}

const std::vector<std::string>& value_names() {
  static const std::vector<std::string> k = {
      "program", "section",  "config_file", "user",      "uid",       "gid",     "user_home",
      "user_shell", "home",  "command",     "argv0",     "filename",  "directory", "cwd",
      "exit_code", "signal", "after_ms",    "startsecs", "spawnerr",  "base_source",
      "interpreter",  // the #! interpreter of the command's file, when it is a script
      "outcome", "outcome_next",  // evidence/outcome.h: what supervisord does with it
      "login_command", "module_dir",  // evidence/found.h: for patches
      // the environment's, evidence/env_diff.h
      "login_method", "login_only_vars", "runtime_vars_missing", "path_missing",
      "search_path_missing", "login_lang",
      // the live supervisord's, evidence/live_supervisor.h
      "supervisord_pid", "supervisord_state", "supervisord_description", "supervisord_summary",
      "supervisord_exit",
      // check's: the other program of the config that held the address
      "sibling_program", "sibling_addr",
  };
  return k;
}

bool is_value(const std::string& name) {
  const auto& k = value_names();
  return std::find(k.begin(), k.end(), name) != k.end();
}

const std::vector<std::string>& syscall_capture_names() {
  static const std::vector<std::string> k = {"call", "errno", "path", "path2", "addr", "port"};
  return k;
}

}  // namespace bootmortem::rules
