#include "rules/fixtures.h"

#include <cerrno>

#include <doctest/doctest.h>

#include "rules/fixture_check.h"
#include "rules/rules.h"

using namespace bootmortem;

namespace {

const char* k_rule =
    "[[rule]]\nid = \"egg\"\ntitle = \"egg\"\nfamily = \"t\"\nconfidence = 0.9\n"
    "facts = [\"home_not_users_home\"]\ncause = \"c {path}\"\nfix = \"f\"\n"
    "  [rule.syscall]\n  call = [\"@mkdir\"]\n  errno = [\"EACCES\"]\n  under = \"home\"\n";

const char* k_fixture = R"(rule = "egg"

[positive]
note = "HOME left at /root"
exit_code = 3
stderr = "Reason: Worker failed to boot.\n"
env = { HOME = "/root" }
  [[positive.syscall]]
  call = "mkdir"
  errno = "EACCES"
  path = "/root/.cache"
  args = '"/root/.cache", 0755'

[negative]
  [[negative.syscall]]
  call = "mkdir"
  errno = "EACCES"
  path = "/home/app/.cache"
)";

rules::RulePack one_rule() {
  rules::RulePack pack;
  pack.add_text(k_rule, "t.toml");
  return pack;
}

}  // namespace

TEST_CASE("a fixture's cases become evidence through make_evidence") {
  auto fx = rules::parse_fixture(k_fixture, "egg.toml");
  CHECK(fx.rule == "egg");
  REQUIRE(fx.cases.size() == 2);
  const auto& pos = fx.cases[0];
  CHECK(pos.positive);
  CHECK(pos.origin.str() == "egg.toml:3");
  CHECK(pos.expect_top == "egg");  // the file's rule by default
  CHECK(pos.note == "HOME left at /root");
  CHECK(pos.evidence.trace.exit_code == 3);
  CHECK(pos.evidence.values.at("home") == "/root");
  // Derived, not stated: HOME differs from the passwd home of user app.
  CHECK(pos.evidence.facts.at("home_not_users_home"));
  CHECK(pos.evidence.facts.at("uid_nonzero"));
  REQUIRE(pos.evidence.trace.failed.size() == 1);
  CHECK(pos.evidence.trace.failed[0].err == EACCES);
  CHECK(pos.evidence.trace.failed[0].args == "\"/root/.cache\", 0755");
  CHECK(pos.evidence.trace.err.head == "Reason: Worker failed to boot.\n");

  const auto& neg = fx.cases[1];
  CHECK_FALSE(neg.positive);
  CHECK(neg.expect_absent == std::vector<std::string>{"egg"});
  CHECK_FALSE(neg.evidence.facts.at("home_not_users_home"));
}

TEST_CASE("the base evidence is a plain failing start of [program:app]") {
  auto ev = rules::fixture_base_evidence();
  CHECK(ev.values.at("user") == "app");
  CHECK(ev.values.at("section") == "program:app");
  CHECK(ev.values.at("exit_code") == "1");
  CHECK(ev.facts.at("exited_early"));
  CHECK_FALSE(ev.facts.at("home_not_users_home"));
  CHECK(ev.config_text.find("[program:app]\n") == 0);
}

TEST_CASE("stated facts and values win; verdict starts has no exit") {
  auto fx = rules::parse_fixture(
      "[positive]\nexpect_top = \"x\"\nverdict = \"starts\"\nfacts = [\"descendants_survived\", \"!uid_nonzero\"]\n"
      "values = { argv0 = \"/usr/sbin/nginx\" }\n"
      "[[negative]]\nexpect_none = true\nsignal = \"SIGKILL\"\n"
      "[[negative]]\nexpect_absent = [\"a\", \"b\"]\nuid = 0\nuser = \"root\"\nuser_home = \"/root\"\n",
      "x.toml");
  REQUIRE(fx.cases.size() == 3);
  const auto& ev = fx.cases[0].evidence;
  CHECK(ev.facts.at("starts"));
  CHECK_FALSE(ev.trace.exit_code.has_value());
  CHECK(ev.facts.at("descendants_survived"));
  CHECK_FALSE(ev.facts.at("uid_nonzero"));
  CHECK(ev.values.at("argv0") == "/usr/sbin/nginx");
  CHECK(fx.cases[1].expect_none);
  CHECK(fx.cases[1].evidence.trace.exit_signal == 9);
  CHECK(fx.cases[2].expect_absent.size() == 2);
  CHECK_FALSE(fx.cases[2].evidence.facts.at("uid_nonzero"));
  CHECK(fx.cases[2].evidence.values.at("home") == "/root");
}

TEST_CASE("fixture mistakes name file and line") {
  auto bad = [](const char* text) { return rules::parse_fixture(text, "f.toml"); };
  CHECK_THROWS_WITH_AS(bad("rule = \"x\"\n[positive]\nstderrr = \"x\"\n"),
                       "f.toml:3: unknown field 'stderrr' in [positive]", core::InputError);
  CHECK_THROWS_WITH_AS(bad("rule = \"x\"\n[positive]\n[[positive.syscall]]\ncall = \"mkdir\"\nerrno = \"EWHAT\"\n"),
                       "f.toml:5: unknown errno 'EWHAT'", core::InputError);
  CHECK_THROWS_WITH_AS(bad("rule = \"x\"\n[negative]\nfacts = [\"home_wrong\"]\n"),
                       "f.toml:3: unknown fact 'home_wrong'", core::InputError);
  CHECK_THROWS_WITH_AS(bad("[positive]\nexit_code = 1\n"),
                       "f.toml:1: [positive] needs 'expect_top' (or a top-level 'rule')", core::InputError);
  CHECK_THROWS_WITH_AS(bad("rule = \"x\"\n"), "f.toml:1: fixture has no [positive] or [negative] case",
                       core::InputError);
  CHECK_THROWS_AS(bad("rule = \n"), core::InputError);
  CHECK_THROWS_WITH_AS(bad("rule = \"x\"\n[positive]\nexit_code = \"3\"\n"),
                       "f.toml:3: 'exit_code' must be an integer", core::InputError);
}

TEST_CASE("check_fixtures: passes, failures and coverage") {
  auto pack = one_rule();
  auto fx = rules::parse_fixture(k_fixture, "egg.toml");
  auto report = rules::check_fixtures(pack, {fx});
  CHECK(report.passed == 2);
  CHECK(report.ok());

  SUBCASE("a positive that does not fire says what did") {
    fx.cases[0].evidence.facts["home_not_users_home"] = false;
    report = rules::check_fixtures(pack, {fx});
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].line() == "egg.toml:3: positive: expected top finding 'egg', got no findings");
  }
  SUBCASE("a rule without a negative fixture fails coverage") {
    fx.cases.pop_back();
    report = rules::check_fixtures(pack, {fx});
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].line() == "t.toml:1: rule 'egg' has no negative fixture");
  }
  SUBCASE("a fixture naming a rule the pack lacks") {
    fx.cases[1].expect_absent = {"nope"};
    report = rules::check_fixtures(pack, {fx});
    CHECK(report.failures.size() == 2);  // the bad name, and egg's missing negative
  }
}

TEST_CASE("a missing fixture directory holds no fixtures") {
  CHECK(rules::load_fixture_dir("/nonexistent/fixtures").empty());
}
