#include "evidence/evidence.h"

#include <doctest/doctest.h>

using namespace bootmortem;

namespace {

spawn::SpawnSpec seed_spec() {
  spawn::SpawnSpec s;
  s.name = "test_server";
  s.section = "program:test_server";
  s.argv = {"/usr/bin/gunicorn", "-k", "gevent", "wsgi:application"};
  s.filename = "/usr/bin/gunicorn";
  s.uid = 1001;
  s.gid = 1001;
  s.switch_user = true;
  s.user = "cissoid";
  s.user_home = "/home/cissoid";
  s.env.set("HOME", "/root");
  s.env.set("USER", "root");
  s.env.set("LOGNAME", "root");
  s.env.set("PATH", "/usr/bin:/bin");
  s.env.set("SUPERVISOR_ENABLED", "1");
  s.startsecs = 1;
  return s;
}

}  // namespace

TEST_CASE("the seed incident's facts: HOME, USER and LOGNAME are root's under uid 1001") {
  trace::TraceLog t;
  t.verdict = trace::Verdict::Fails;
  t.exit_code = 3;
  t.after_ms = 480;
  login::LoginEnv login{"passwd", {}};
  login.env.set("HOME", "/home/cissoid");
  login.env.set("USER", "cissoid");
  login.env.set("LOGNAME", "cissoid");
  login.env.set("SHELL", "/bin/bash");
  auto ev = evidence::make_evidence(seed_spec(), t, login);

  CHECK(ev.facts.at("uid_nonzero"));
  CHECK(ev.facts.at("user_switched"));
  CHECK(ev.facts.at("home_not_users_home"));
  CHECK(ev.facts.at("home_is_root_home"));
  CHECK(ev.facts.at("user_var_not_user"));
  CHECK(ev.facts.at("logname_not_user"));
  CHECK(ev.facts.at("exited_early"));
  CHECK_FALSE(ev.facts.at("starts"));
  CHECK_FALSE(ev.facts.at("spawnerr"));
  CHECK(ev.values.at("home") == "/root");
  CHECK(ev.values.at("user_home") == "/home/cissoid");
  CHECK(ev.values.at("exit_code") == "3");
  CHECK(ev.values.at("command") == "/usr/bin/gunicorn -k gevent wsgi:application");

  // login's four identity variables, then PATH, which only the spawn has
  REQUIRE(ev.env_diff.size() == 5);
  CHECK(ev.env_diff[0].name == "HOME");
  CHECK(ev.env_diff[0].spawn == "/root");
  CHECK(ev.env_diff[0].login == "/home/cissoid");
  CHECK(ev.env_diff[0].kind == "identity");
  CHECK(ev.env_diff[3].name == "SHELL");
  CHECK_FALSE(ev.env_diff[3].spawn.has_value());
  CHECK(ev.env_diff[4].name == "PATH");
  CHECK_FALSE(ev.env_diff[4].login.has_value());
}

TEST_CASE("every known fact and value is present") {
  auto ev = evidence::make_evidence(seed_spec(), {}, {});
  for (const auto& f : evidence::known_facts()) CHECK_MESSAGE(ev.facts.count(f) == 1, f);
  for (const auto& v : evidence::known_values()) CHECK_MESSAGE(ev.values.count(v) == 1, v);
  CHECK(ev.facts.size() == evidence::known_facts().size());
  CHECK(ev.values.size() == evidence::known_values().size());
}

TEST_CASE("diff classifies search paths and ignores SUPERVISOR_* and unrelated names") {
  core::Env spawn, login;
  spawn.set("PATH", "/usr/bin");
  spawn.set("SUPERVISOR_ENABLED", "1");
  spawn.set("TERM", "xterm");
  login.set("PATH", "/home/u/.local/bin:/usr/bin");
  login.set("LANG", "C.UTF-8");
  auto d = evidence::diff_env(spawn, login);
  REQUIRE(d.size() == 2);
  CHECK(d[0].name == "PATH");
  CHECK(d[0].kind == "search-path");
  CHECK(d[1].name == "LANG");
  CHECK(d[1].kind == "locale");
  CHECK_FALSE(d[1].spawn.has_value());
}

TEST_CASE("descendants_survived: the main process exited early while a child it started ran on") {
  trace::TraceLog t;
  t.verdict = trace::Verdict::Fails;
  t.exit_code = 0;
  t.main_pid = 100;
  t.exits = {{100, 1, 0, std::nullopt, false, 30, false}, {101, 100, std::nullopt, 9, false, 31, true}};
  auto ev = evidence::make_evidence(seed_spec(), t, {});
  CHECK(ev.facts.at("descendants_survived"));
  t.exits.pop_back();
  CHECK_FALSE(evidence::make_evidence(seed_spec(), t, {}).facts.at("descendants_survived"));
}
