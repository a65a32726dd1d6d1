#include "evidence/env_diff.h"

#include <algorithm>
#include <set>

namespace bootmortem::evidence {
namespace {

struct KindPattern {
  const char* kind;
  std::vector<const char*> names;     // exact names
  std::vector<const char*> prefixes;  // name prefixes
};

// Classes of variables, first match wins: "session" comes before "xdg" so
// XDG_SESSION_ID is a login session's own, not a directory setting.
const std::vector<KindPattern> k_kinds = {
    // A login session's own: meaningless to a service, never a cause.
    {"session",
     {"MAIL", "TERM", "MOTD_SHOWN", "XDG_RUNTIME_DIR", "XDG_SEAT", "XDG_VTNR", "DBUS_SESSION_BUS_ADDRESS",
      "DISPLAY", "WAYLAND_DISPLAY", "COLORTERM"},
     {"XDG_SESSION_", "SSH_", "SUDO_"}},
    {"identity", {"HOME", "USER", "LOGNAME", "SHELL"}, {}},
    {"search-path",
     {"PATH", "PYTHONPATH", "LD_LIBRARY_PATH", "LIBRARY_PATH", "MANPATH", "NODE_PATH", "GEM_PATH",
      "CLASSPATH", "PERL5LIB", "PKG_CONFIG_PATH"},
     {}},
    {"locale", {"LANG", "LANGUAGE"}, {"LC_"}},
    {"xdg", {}, {"XDG_"}},
    {"runtime",
     {"VIRTUAL_ENV", "JAVA_HOME", "GEM_HOME", "NVM_DIR", "GOPATH", "GOROOT", "CONDA_PREFIX", "PYENV_ROOT",
      "RBENV_ROOT", "CARGO_HOME", "RUSTUP_HOME", "BUNDLE_PATH"},
     {"PYTHON", "NODE_", "RUBY", "PERL5", "JAVA_", "JRE_", "JDK_"}},
};

// ':'-separated lists of directories, whatever their class.
const std::set<std::string> k_list_vars = {
    "PATH",     "PYTHONPATH",    "LD_LIBRARY_PATH", "LIBRARY_PATH",    "MANPATH",
    "NODE_PATH", "GEM_PATH",     "CLASSPATH",       "PERL5LIB",        "PKG_CONFIG_PATH",
    "XDG_DATA_DIRS", "XDG_CONFIG_DIRS", "INFOPATH",
};

// Classes a child may have that a login lacks worth showing; the rest of
// the child's environment (the operator's TERM, SUPERVISOR_*) is not a
// login's business.
const std::set<std::string> k_spawn_extra_kinds = {"identity", "search-path", "locale", "xdg", "runtime"};

// Classes whose login-only variables a program may need (family V, X).
const std::set<std::string> k_app_kinds = {"other", "runtime", "search-path"};

// The variables that pick the locale, in the order setlocale() honours them.
const char* const k_locale_vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::string> in_b(b.begin(), b.end()), seen;
  std::vector<std::string> out;
  for (const auto& x : a)
    if (!in_b.count(x) && seen.insert(x).second) out.push_back(x);
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

const EnvDiff* find(const std::vector<EnvDiff>& diff, const std::string& name) {
  for (const auto& d : diff)
    if (d.name == name) return &d;
  return nullptr;
}

}  // namespace

std::string classify_env(const std::string& name) {
  for (const auto& k : k_kinds) {
    for (const char* n : k.names)
      if (name == n) return k.kind;
    for (const char* p : k.prefixes)
      if (name.starts_with(p)) return k.kind;
  }
  return "other";
}

bool is_list_var(const std::string& name) { return k_list_vars.count(name) > 0; }

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(':', start);
    if (end == std::string::npos) end = value.size();
    if (end > start) out.push_back(value.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void compare_lists(EnvDiff& d) {
  auto sl = split_list(d.spawn.value_or("")), ll = split_list(d.login.value_or(""));
  d.missing = minus(ll, sl);
  d.extra = minus(sl, ll);
}

std::vector<EnvDiff> diff_env(const core::Env& spawn, const core::Env& login) {
  std::vector<EnvDiff> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& name) {
    if (!seen.insert(name).second) return;
    auto s = spawn.get(name);
    auto l = login.get(name);
    if (s == l) return;
    EnvDiff d{name, s, l, classify_env(name), {}, {}};
    if (is_list_var(name)) compare_lists(d);
    out.push_back(std::move(d));
  };
  for (const auto& [k, v] : login.entries()) add(k);
  for (const auto& [k, v] : spawn.entries()) {
    // The SUPERVISOR_* variables are supervisord's own: never a login's.
    if (k.starts_with("SUPERVISOR_")) continue;
    if (k_spawn_extra_kinds.count(classify_env(k))) add(k);
  }
  return out;
}

const std::vector<std::string>& env_fact_names() {
  static const std::vector<std::string> k = {
      "login_captured",           "login_only_vars", "runtime_vars_missing", "path_lacks_login_entries",
      "search_path_lacks_login_entries", "locale_unset", "locale_differs"};
  return k;
}

const std::vector<std::string>& env_value_names() {
  static const std::vector<std::string> k = {"login_method", "login_only_vars", "runtime_vars_missing",
                                             "path_missing", "search_path_missing", "login_lang"};
  return k;
}

void add_env_facts(const std::vector<EnvDiff>& diff, const core::Env& spawn,
                   const login::LoginEnv& login, std::map<std::string, bool>& facts,
                   std::map<std::string, std::string>& values) {
  std::vector<std::string> login_only, runtime_missing, search_missing;
  for (const auto& d : diff) {
    if (d.spawn || !d.login) continue;
    if (k_app_kinds.count(d.kind)) login_only.push_back(d.name);
    if (d.kind == "runtime") runtime_missing.push_back(d.name);
  }
  for (const auto& d : diff)
    if (d.kind == "search-path" && d.name != "PATH" && !d.missing.empty())
      search_missing.push_back(d.name + "=" + join(d.missing, ":"));
  const EnvDiff* path = find(diff, "PATH");
  const bool path_lacks = path && path->login && !path->missing.empty();

  bool locale_set = false, locale_differs = false;
  for (const char* name : k_locale_vars) {
    auto s = spawn.get(name);
    if (s && !s->empty()) locale_set = true;
    if (login.env.has(name) && login.env.get(name) != s) locale_differs = true;
  }

  facts["login_captured"] = login.captured;
  facts["login_only_vars"] = !login_only.empty();
  facts["runtime_vars_missing"] = !runtime_missing.empty();
  facts["path_lacks_login_entries"] = path_lacks;
  facts["search_path_lacks_login_entries"] = !search_missing.empty();
  facts["locale_unset"] = !locale_set;
  facts["locale_differs"] = locale_differs;

  values["login_method"] = login.method;
  values["login_only_vars"] = join(login_only, ", ");
  values["runtime_vars_missing"] = join(runtime_missing, ", ");
  values["path_missing"] = path_lacks ? join(path->missing, ":") : "";
  values["search_path_missing"] = join(search_missing, "; ");
  values["login_lang"] = login.env.get("LANG").value_or("");
}

}  // namespace bootmortem::evidence
