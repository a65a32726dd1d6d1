#include "evidence/env_diff.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "evidence/evidence.h"

using namespace bootmortem;

namespace {

core::Env env_of(std::initializer_list<std::pair<const char*, const char*>> items) {
  core::Env e;
  for (const auto& [k, v] : items) e.set(k, v);
  return e;
}

const evidence::EnvDiff* find(const std::vector<evidence::EnvDiff>& diff, const std::string& name) {
  for (const auto& d : diff)
    if (d.name == name) return &d;
  return nullptr;
}

login::LoginEnv captured(core::Env env) { return {"login-shell", std::move(env), true}; }

}  // namespace

TEST_CASE("classes: identity, search paths, locale, xdg, runtime, session, other") {
  const std::pair<const char*, const char*> cases[] = {
      {"HOME", "identity"},          {"LOGNAME", "identity"},        {"SHELL", "identity"},
      {"PATH", "search-path"},       {"PYTHONPATH", "search-path"},  {"LD_LIBRARY_PATH", "search-path"},
      {"LANG", "locale"},            {"LC_ALL", "locale"},           {"LANGUAGE", "locale"},
      {"XDG_CONFIG_HOME", "xdg"},    {"XDG_DATA_DIRS", "xdg"},       {"VIRTUAL_ENV", "runtime"},
      {"PYTHONUNBUFFERED", "runtime"}, {"JAVA_HOME", "runtime"},     {"GEM_HOME", "runtime"},
      {"NODE_ENV", "runtime"},       {"XDG_SESSION_ID", "session"},  {"XDG_RUNTIME_DIR", "session"},
      {"MAIL", "session"},           {"SSH_CONNECTION", "session"},  {"TERM", "session"},
      {"DATABASE_URL", "other"},     {"DJANGO_SETTINGS_MODULE", "other"},
  };
  for (const auto& [name, kind] : cases) {
    CAPTURE(name);
    CHECK(evidence::classify_env(name) == kind);
  }
}

TEST_CASE("search paths compare as lists: what the spawn lacks and what only it has") {
  auto spawn = env_of({{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}});
  auto login = env_of({{"PATH", "/srv/app/venv/bin:/home/app/.local/bin:/usr/local/bin:/usr/bin:/bin::"}});
  auto diff = evidence::diff_env(spawn, login);
  const auto* path = find(diff, "PATH");
  REQUIRE(path);
  CHECK(path->kind == "search-path");
  CHECK(path->missing == std::vector<std::string>{"/srv/app/venv/bin", "/home/app/.local/bin"});
  CHECK(path->extra == std::vector<std::string>{"/usr/local/sbin", "/usr/sbin", "/sbin"});

  // the same entries in another order differ, but nothing is missing
  auto reordered = evidence::diff_env(env_of({{"PATH", "/bin:/usr/bin"}}), env_of({{"PATH", "/usr/bin:/bin"}}));
  REQUIRE(reordered.size() == 1);
  CHECK(reordered[0].missing.empty());
  CHECK(reordered[0].extra.empty());

  // absent on one side: all entries of the other
  auto absent = evidence::diff_env({}, env_of({{"PYTHONPATH", "/srv/app/lib:/srv/app"}}));
  REQUIRE(absent.size() == 1);
  CHECK(absent[0].missing == std::vector<std::string>{"/srv/app/lib", "/srv/app"});
  CHECK(evidence::split_list(":a::b:") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("the spawn's extras: only the classes a login would set") {
  auto spawn = env_of({{"SUPERVISOR_ENABLED", "1"}, {"TERM", "xterm"}, {"EDITOR", "vim"},
                       {"LC_CTYPE", "C.UTF-8"}, {"VIRTUAL_ENV", "/srv/venv"}});
  auto diff = evidence::diff_env(spawn, {});
  REQUIRE(diff.size() == 2);
  CHECK(diff[0].name == "LC_CTYPE");
  CHECK(diff[1].name == "VIRTUAL_ENV");
  CHECK_FALSE(diff[1].login.has_value());
}

TEST_CASE("facts: a profile that exports the app's settings and prepends to PATH") {
  auto spawn = env_of({{"HOME", "/root"}, {"PATH", "/usr/bin:/bin"}, {"LANG", "C.UTF-8"}});
  auto login_env = env_of({{"HOME", "/home/app"},
                           {"PATH", "/home/app/bin:/usr/bin:/bin"},
                           {"DATABASE_URL", "postgres://app:pw@db/app"},
                           {"JAVA_HOME", "/usr/lib/jvm/java-17"},
                           {"PYTHONPATH", "/srv/app/lib"},
                           {"MAIL", "/var/mail/app"},
                           {"LANG", "en_US.UTF-8"}});
  auto login = captured(login_env);
  auto diff = evidence::diff_env(spawn, login_env);
  std::map<std::string, bool> facts;
  std::map<std::string, std::string> values;
  evidence::add_env_facts(diff, spawn, login, facts, values);

  CHECK(facts.at("login_captured"));
  CHECK(facts.at("login_only_vars"));
  CHECK(values.at("login_only_vars") == "DATABASE_URL, JAVA_HOME, PYTHONPATH");  // names, never values
  CHECK(facts.at("runtime_vars_missing"));
  CHECK(values.at("runtime_vars_missing") == "JAVA_HOME");
  CHECK(facts.at("path_lacks_login_entries"));
  CHECK(values.at("path_missing") == "/home/app/bin");
  CHECK(facts.at("search_path_lacks_login_entries"));
  CHECK(values.at("search_path_missing") == "PYTHONPATH=/srv/app/lib");
  CHECK_FALSE(facts.at("locale_unset"));
  CHECK(facts.at("locale_differs"));
  CHECK(values.at("login_lang") == "en_US.UTF-8");
  CHECK(values.at("login_method") == "login-shell");
}

TEST_CASE("facts: nothing to say when the child has what the login has") {
  auto env = env_of({{"HOME", "/home/app"}, {"PATH", "/usr/bin:/bin"}, {"MAIL", "/var/mail/app"}});
  auto spawn = env;
  spawn.erase("MAIL");  // a session's own: never "login only"
  spawn.set("PATH", "/usr/local/bin:/usr/bin:/bin");  // more is not less
  auto diff = evidence::diff_env(spawn, env);
  std::map<std::string, bool> facts;
  std::map<std::string, std::string> values;
  evidence::add_env_facts(diff, spawn, {"passwd", env, false}, facts, values);
  for (const auto& name : evidence::env_fact_names()) {
    CAPTURE(name);
    CHECK(facts.count(name) == 1);
    if (name != "locale_unset") CHECK_FALSE(facts.at(name));
  }
  CHECK(facts.at("locale_unset"));  // no LC_ALL, LC_CTYPE or LANG at all
  for (const auto& name : evidence::env_value_names()) CHECK(values.count(name) == 1);
}

TEST_CASE("make_evidence fills the environment's facts, listed in known_facts") {
  spawn::SpawnSpec s;
  s.env = env_of({{"PATH", "/usr/bin"}});
  auto ev = evidence::make_evidence(s, {}, captured(env_of({{"PATH", "/opt/x/bin:/usr/bin"}})));
  CHECK(ev.facts.at("path_lacks_login_entries"));
  CHECK(ev.values.at("path_missing") == "/opt/x/bin");
  const auto& known = evidence::known_facts();
  for (const auto& name : evidence::env_fact_names())
    CHECK(std::find(known.begin(), known.end(), name) != known.end());
}
