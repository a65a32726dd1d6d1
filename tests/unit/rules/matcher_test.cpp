#include "rules/matcher.h"

#include <cerrno>

#include <doctest/doctest.h>

#include "seed_evidence.h"

using namespace bootmortem;
using rules::Finding;

namespace {

std::vector<Finding> run(const std::string& toml, const evidence::Evidence& ev) {
  rules::PatternTables tables;
  auto rs = rules::load_rules(toml, "t.toml", tables);
  tables.seal();
  return rules::match_rules(rs, tables, ev);
}

std::string rule(const std::string& id, double confidence, const std::string& body,
                 const std::string& cause = "c") {
  return "[[rule]]\nid = \"" + id + "\"\ntitle = \"T\"\nfamily = \"t\"\nconfidence = " +
         std::to_string(confidence) + "\ncause = \"" + cause + "\"\nfix = \"f\"\n" + body;
}

}  // namespace

TEST_CASE("alternatives: captures from the first that holds, evidence from all") {
  auto ev = testing::base_evidence();
  ev.trace.failed.push_back(testing::failed(1, "chdir", ENOENT, "/srv/missing"));
  ev.trace.err.head = "supervisor: couldn't chdir to /srv/missing: ENOENT\n";
  auto f = run(
      "[[rule]]\nid = \"w\"\ntitle = \"T\"\nfamily = \"t\"\nconfidence = 0.9\n"
      "cause = \"{dir} {errno}\"\nfix = \"f\"\n"
      "[[rule.any]]\nstderr = '''couldn't chdir to (?P<dir>\\S+): (?P<errno>E[A-Z]+)'''\n"
      "[[rule.any]]\n[rule.any.syscall]\ncall = [\"@chdir\"]\npath = '(?P<dir>.+)'\n",
      ev);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cause == "/srv/missing ENOENT");
  CHECK(f[0].evidence == std::vector<std::string>{
                             "chdir(\"/srv/missing\") = -1 ENOENT (No such file or directory)",
                             "stderr: supervisor: couldn't chdir to /srv/missing: ENOENT"});
}

TEST_CASE("under: at or below the value, never a sibling with the same prefix, never '/'") {
  auto ev = testing::base_evidence();
  ev.values["home"] = "/root/";
  std::string r =
      rule("u", 0.5, "[rule.syscall]\nerrno = [\"EACCES\"]\nunder = \"home\"\n", "{path}");
  ev.trace.failed = {testing::failed(1, "mkdir", EACCES, "/rootfs/x")};
  CHECK(run(r, ev).empty());
  ev.trace.failed = {testing::failed(1, "mkdir", EACCES, "/root")};
  CHECK(run(r, ev).size() == 1);
  ev.trace.failed = {testing::failed(1, "mkdir", EACCES, "/root/.cache")};
  CHECK(run(r, ev).at(0).cause == "/root/.cache");
  ev.values["home"] = "/";
  CHECK(run(r, ev).empty());
  ev.values["home"] = "";
  CHECK(run(r, ev).empty());
}

TEST_CASE("port_below and errno select bind failures") {
  auto ev = testing::base_evidence();
  std::string r = rule("p", 0.5, "[rule.syscall]\ncall = [\"bind\"]\nerrno = [\"EACCES\"]\nport_below = 1024\n");
  ev.trace.failed = {testing::failed_bind(1, EACCES, "0.0.0.0:8080", 8080)};
  CHECK(run(r, ev).empty());
  ev.trace.failed = {testing::failed_bind(1, EACCES, "0.0.0.0:80", 80)};
  CHECK(run(r, ev).size() == 1);
  ev.trace.failed = {testing::failed_bind(1, EADDRINUSE, "0.0.0.0:80", 80)};
  CHECK(run(r, ev).empty());
}

TEST_CASE("facts: names must be true, !names false; true facts are cited") {
  auto ev = testing::base_evidence();
  std::string r = rule("f", 0.5, "facts = [\"uid_nonzero\", \"!starts\"]\n");
  auto f = run(r, ev);
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == std::vector<std::string>{"runs as uid 1001 (cissoid), not root"});
  ev.facts["starts"] = true;
  CHECK(run(r, ev).empty());
}

TEST_CASE("exit_code and verdict") {
  auto ev = testing::base_evidence();
  std::string r = rule("e", 0.5, "exit_code = [3, 4]\nverdict = \"fails\"\n");
  CHECK(run(r, ev).empty());
  ev.trace.exit_code = 4;
  auto f = run(r, ev);
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence == std::vector<std::string>{"exit status 4"});
  ev.trace.verdict = trace::Verdict::Starts;
  CHECK(run(r, ev).empty());
}

TEST_CASE("cited syscalls appear only when the rule fires") {
  auto ev = testing::base_evidence();
  ev.trace.failed = {testing::failed(1, "mkdir", EACCES, "/root/.cache")};
  std::string r = rule("c", 0.5, "exit_code = [3]\n[[rule.cite]]\ncall = [\"@mkdir\"]\n");
  CHECK(run(r, ev).empty());
  ev.trace.exit_code = 3;
  auto f = run(r, ev);
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence.front() == "mkdir(\"/root/.cache\") = -1 EACCES (Permission denied)");
}

TEST_CASE("ranking: confidence first, then the failure closer to the exit") {
  auto ev = testing::base_evidence();
  ev.trace.failed = {testing::failed(1, "mkdir", EACCES, "/a"),
                     testing::failed(2, "openat", EACCES, "/b")};
  std::string both = rule("early", 0.5, "[rule.syscall]\ncall = [\"mkdir\"]\n") +
                     rule("late", 0.5, "[rule.syscall]\ncall = [\"openat\"]\n") +
                     rule("text", 0.7, "exit_code = [1]\n");
  auto f = run(both, ev);
  REQUIRE(f.size() == 3);
  CHECK(f[0].rule == "text");
  CHECK(f[1].rule == "late");
  CHECK(f[2].rule == "early");
  CHECK(f[1].score == doctest::Approx(0.6));
  CHECK(f[2].score == doctest::Approx(0.55));
}

TEST_CASE("set_env builds the config line and the patch; fix may quote it") {
  auto ev = testing::seed_evidence(false);
  auto f = run(
      "[[rule]]\nid = \"h\"\ntitle = \"T\"\nfamily = \"t\"\nconfidence = 0.5\n"
      "facts = [\"home_not_users_home\"]\ncause = \"c\"\nfix = \"In [{section}] add: {config_line}\"\n"
      "[rule.set_env]\nHOME = \"{user_home}\"\n",
      ev);
  REQUIRE(f.size() == 1);
  CHECK(f[0].config_line == "environment=HOME=\"/home/cissoid\"");
  CHECK(f[0].fix == "In [program:test_server] add: environment=HOME=\"/home/cissoid\"");
  CHECK(f[0].patch.find("+environment=HOME=\"/home/cissoid\"\n") != std::string::npos);
  CHECK(f[0].patch.rfind("--- /etc/supervisor/conf.d/test_server.conf\n", 0) == 0);
}

TEST_CASE("several [[rule.syscall]] conditions must each find a failure") {
  auto ev = testing::base_evidence();
  std::string r = rule("two", 0.5,
                       "[[rule.syscall]]\ncall = [\"@mkdir\"]\n"
                       "[[rule.syscall]]\ncall = [\"bind\"]\n");
  ev.trace.failed = {testing::failed(1, "mkdir", EACCES, "/a")};
  CHECK(run(r, ev).empty());
  ev.trace.failed.push_back(testing::failed_bind(2, EADDRINUSE, "0.0.0.0:80", 80));
  auto f = run(r, ev);
  REQUIRE(f.size() == 1);
  CHECK(f[0].evidence.size() == 2);
}

TEST_CASE("a fix plan: commands with shell-quoted holes, set keys, the login's value, a placeholder when unknown") {
  auto ev = testing::base_evidence();
  ev.trace.failed.push_back(testing::failed(1, "chdir", EACCES, "/srv/my app"));
  ev.login.env.set("API_URL", "https://login.example");
  ev.trace.err.head = "KeyError: 'API_URL'\nKeyError: 'NOPE'\n";
  auto f = run(rule("d", 0.9,
                    "run = [\"chmod o+x {dir}\"]\nchanges = [\"{dir}\"]\n"
                    "[rule.syscall]\ncall = [\"@chdir\"]\npath = '(?P<dir>.+)'\n"
                    "[rule.set]\ndirectory = \"/srv\"\n") +
                   rule("e", 0.8,
                        "stderr = '''KeyError: '(?P<var>API_URL)''''\n"
                        "[rule.set_env]\n\"{var}\" = \"{login_env.var}\"\n") +
                   rule("u", 0.7,
                        "stderr = '''KeyError: '(?P<var>NOPE)''''\n"
                        "[rule.set_env]\n\"{var}\" = \"{login_env.var}\"\n"),
               ev);
  REQUIRE(f.size() == 3);
  CHECK(f[0].plan.commands == std::vector<std::string>{"chmod o+x '/srv/my app'"});
  CHECK(f[0].plan.paths == std::vector<std::string>{"/srv/my app"});
  REQUIRE(f[0].plan.config.size() == 1);
  CHECK(f[0].plan.config[0].key == "directory");
  CHECK(f[0].config_line == "directory=/srv");
  CHECK(f[0].patch.find("+directory=/srv") != std::string::npos);
  CHECK(f[0].plan.unverifiable.empty());
  REQUIRE(f[1].plan.config.size() == 1);
  CHECK(f[1].plan.config[0].value == "API_URL=\"https://login.example\"");
  CHECK(f[1].plan.unverifiable.empty());
  CHECK(f[2].plan.config[0].value == "NOPE=\"<NOPE>\"");
  CHECK(f[2].plan.unverifiable.find("NOPE is not known") != std::string::npos);
}

TEST_CASE("location: the key the fix changes where the section has it, else the section header") {
  auto ev = testing::seed_evidence(false);
  ev.spec.key_origins["environment"] = {"/etc/supervisor/conf.d/test_server.conf", 5};
  ev.spec.key_origins["directory"] = {"/etc/supervisor/conf.d/test_server.conf", 4};
  const std::string facts = "facts = [\"home_not_users_home\"]\n";
  auto f = run(rule("env", 0.9, facts + "[rule.set_env]\nHOME = \"{user_home}\"\n") +
                   rule("dir", 0.8, facts + "[rule.set]\ndirectory = \"/srv\"\n") +
                   rule("user", 0.7, facts + "[rule.set]\nuser = \"cissoid\"\n") +
                   rule("cmd", 0.6, facts + "run = [\"true\"]\nchanges = [\"/srv\"]\n"),
               ev);
  REQUIRE(f.size() == 4);
  CHECK(f[0].location.str() == "/etc/supervisor/conf.d/test_server.conf:5");
  CHECK(f[1].location.str() == "/etc/supervisor/conf.d/test_server.conf:4");
  // user= is not in the section, and a command changes no key: the header.
  CHECK(f[2].location.str() == "/etc/supervisor/conf.d/test_server.conf:2");
  CHECK(f[3].location.str() == "/etc/supervisor/conf.d/test_server.conf:2");
  ev.spec.key_origins.erase("environment");
  CHECK(run(rule("env", 0.9, facts + "[rule.set_env]\nHOME = \"{user_home}\"\n"), ev).at(0).location.line == 2);
}
