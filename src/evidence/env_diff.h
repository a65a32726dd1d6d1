// The child's environment against a real login's, classified so that rules
// and people see what kind of difference each one is (failure-catalog
// families H: identity, X: search paths and runtimes, L: locale, V: the
// app's own variables from a profile).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "login/login_env.h"

namespace bootmortem::evidence {

struct EnvDiff {
  std::string name;
  std::optional<std::string> spawn;  // nullopt: absent in the child
  std::optional<std::string> login;  // nullopt: absent in the login
  // "identity", "search-path", "locale", "xdg", "runtime", "session", "other"
  std::string kind;
  // List-valued variables (PATH, PYTHONPATH, XDG_DATA_DIRS...), compared as
  // lists: the login's entries the child lacks (a virtualenv's bin,
  // ~/.local/bin) and the child's entries the login lacks, each in its own
  // list's order. Both empty for a list that only differs in order.
  std::vector<std::string> missing = {};
  std::vector<std::string> extra = {};
};

// The class of a variable name; "other" when no table names it.
std::string classify_env(const std::string& name);
// True for names whose value is a ':'-separated list of directories.
bool is_list_var(const std::string& name);
// The entries of a ':'-separated list, empty ones dropped.
std::vector<std::string> split_list(const std::string& value);

// Fills missing and extra of a list variable from its spawn and login values
// (an absent side is an empty list).
void compare_lists(EnvDiff& d);

// Only names whose values differ: every variable of the login first (what the
// user expects, in the login's order), then the child's extras of the classes
// a login would set (not SUPERVISOR_*, not the operator's terminal).
std::vector<EnvDiff> diff_env(const core::Env& spawn, const core::Env& login);

// The facts and values rules name, derived from the diff (see
// env_fact_names() and env_value_names() for the list and meaning).
void add_env_facts(const std::vector<EnvDiff>& diff, const core::Env& spawn,
                   const login::LoginEnv& login, std::map<std::string, bool>& facts,
                   std::map<std::string, std::string>& values);

// The names add_env_facts fills, in the order known_facts()/known_values()
// list them:
//   login_captured            the login env came from a real login shell
//   login_only_vars           the login sets variables (the app's own, a
//                             runtime's, a search path) the child lacks
//   runtime_vars_missing      the login sets runtime variables (VIRTUAL_ENV,
//                             JAVA_HOME, GEM_HOME...) the child lacks
//   path_lacks_login_entries  the login's PATH has entries the child's lacks
//   search_path_lacks_login_entries  the same for PYTHONPATH,
//                             LD_LIBRARY_PATH, NODE_PATH...
//   locale_unset              the child has none of LC_ALL, LC_CTYPE, LANG
//   locale_differs            the login's LC_ALL, LC_CTYPE or LANG differ
// Values: login_method, login_only_vars (names, never values),
// runtime_vars_missing, path_missing (':'-joined), search_path_missing
// ("NAME=a:b; NAME2=c"), login_lang.
const std::vector<std::string>& env_fact_names();
const std::vector<std::string>& env_value_names();

}  // namespace bootmortem::evidence
