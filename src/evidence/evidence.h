// Everything known about one failed (or healthy) start, as one value: the
// spawn spec, the trace, the environment against a login, and facts derived
// from them that rules name.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "login/login_env.h"
#include "spawn/spawn_spec.h"
#include "trace/trace.h"

namespace bootmortem::evidence {

struct EnvDiff {
  std::string name;
  std::optional<std::string> spawn;  // nullopt: absent in the child
  std::optional<std::string> login;  // nullopt: absent in the login
  std::string kind;                  // "identity", "search-path", "locale", "runtime", "other"
};

struct Evidence {
  spawn::SpawnSpec spec;
  trace::TraceLog trace;
  login::LoginEnv login;
  std::vector<EnvDiff> env_diff;

  // Named boolean facts the rules' `env` predicates refer to, e.g.
  // "uid_nonzero", "home_not_users_home", "home_unset", "user_var_not_user".
  std::map<std::string, bool> facts;
  // Named values for templates: program, section, user, user_home, home,
  // uid, command, directory, argv0, exit_code, ...
  std::map<std::string, std::string> values;
};

// Diff two environments, classified; only names whose values differ.
std::vector<EnvDiff> diff_env(const core::Env& spawn, const core::Env& login);

// Build the Evidence value and derive its facts and values.
Evidence make_evidence(spawn::SpawnSpec spec, trace::TraceLog trace, login::LoginEnv login);

// The predicate names make_evidence fills, for rule validation.
const std::vector<std::string>& known_facts();

}  // namespace bootmortem::evidence
