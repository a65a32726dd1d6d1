#include "rules/rules.h"

#include <algorithm>

#include <doctest/doctest.h>

#include "rules/names.h"
#include "seed_evidence.h"

using namespace bootmortem;

namespace {
const std::string k_rules_dir = BOOTMORTEM_SOURCE_DIR "/rules";
const std::string k_data = BOOTMORTEM_TEST_DATA "/rules";
}  // namespace

TEST_CASE("the shipped pack loads; list gives ids and origins") {
  auto pack = rules::RulePack::load_dir(k_rules_dir);
  CHECK(pack.size() >= 45);
  auto list = pack.list();
  REQUIRE(!list.empty());
  // load_dir reads files in name order, and each rule keeps its origin.
  CHECK(list[0].origin.file == k_rules_dir + "/celery.toml");
  auto it = std::find_if(list.begin(), list.end(),
                         [](const rules::RuleInfo& r) { return r.id == "gunicorn-worker-boot-failed"; });
  REQUIRE(it != list.end());
  CHECK(it->origin.str() == k_rules_dir + "/gunicorn.toml:5");
  CHECK(it->family == "gunicorn");
}

TEST_CASE("the rules' fact and value names are the ones evidence fills") {
  std::vector<std::string> facts;
  for (const auto& f : rules::fact_names()) facts.push_back(f.name);
  CHECK(facts == evidence::known_facts());
  CHECK(rules::value_names() == evidence::known_values());
}

TEST_CASE("a broken rule file fails the load with its file and line") {
  CHECK_THROWS_WITH_AS(rules::RulePack::load_dir(k_data + "/broken"),
                       (k_data + "/broken/bad_fact.toml:6: rule 'x': unknown fact 'home_wrong'").c_str(),
                       core::InputError);
  CHECK_THROWS_AS(rules::RulePack::load_dir(k_data + "/missing"), core::InputError);
}

TEST_CASE("the same id twice is an error naming both places") {
  rules::RulePack pack;
  std::string r = "[[rule]]\nid = \"a\"\ntitle = \"A\"\nfamily = \"t\"\nconfidence = 0.5\n"
                  "exit_code = [1]\ncause = \"c\"\nfix = \"f\"\n";
  pack.add_text(r, "one.toml");
  CHECK_THROWS_WITH_AS(pack.add_text(r, "two.toml"),
                       "two.toml:1: rule 'a' is already defined at one.toml:1", core::InputError);
  CHECK(pack.size() == 1);
  // The pack still matches after a failed add.
  auto ev = testing::base_evidence();
  CHECK(pack.match(ev).size() == 1);
}

TEST_CASE("seed incident: the egg cache comes first, loud or silent") {
  auto pack = rules::RulePack::load_dir(k_rules_dir);
  for (bool loud : {true, false}) {
    CAPTURE(loud);
    auto fs = pack.match(testing::seed_evidence(loud));
    REQUIRE(!fs.empty());
    const auto& top = fs[0];
    CHECK(top.rule == "home-python-egg-cache");
    CHECK(top.cause.find("/root/.cache/Python-Eggs") != std::string::npos);
    CHECK(top.config_line ==
          "environment=HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\"");
    CHECK(top.fix.rfind("In [program:test_server] add: environment=HOME=\"/home/cissoid\","
                        "USER=\"cissoid\",LOGNAME=\"cissoid\"", 0) == 0);
    CHECK(top.fix.find("PYTHON_EGG_CACHE") != std::string::npos);
    CHECK(top.patch.find("+environment=HOME=\"/home/cissoid\",USER=\"cissoid\",LOGNAME=\"cissoid\"\n") !=
          std::string::npos);
    // What it used: the failed calls in strace notation, then the env fact.
    CHECK(std::find(top.evidence.begin(), top.evidence.end(),
                    "mkdir(\"/root/.cache\", 0755) = -1 EACCES (Permission denied)") !=
          top.evidence.end());
    CHECK(std::find(top.evidence.begin(), top.evidence.end(),
                    "HOME=/root while uid 1001 (cissoid) has home /home/cissoid") != top.evidence.end());
    CHECK(fs.back().rule == "gunicorn-worker-boot-failed");
  }
}

TEST_CASE("text_patterns lists every text regex, alternatives included, with its rule and field") {
  rules::RulePack pack;
  pack.add_text(R"(
[[rule]]
id = "a"
title = "a"
family = "t"
confidence = 0.5
cause = "c"
fix = "f"
output = 'Worker failed to boot'

  [[rule.any]]
  stderr = '(?P<dir>/\S+): Permission denied'

  [[rule.any]]
  spawnerr = "can't find command"

[[rule]]
id = "b"
title = "b"
family = "t"
confidence = 0.5
cause = "c"
fix = "f"
facts = ["uid_nonzero"]
)",
                "t.toml");
  auto all = pack.text_patterns();
  REQUIRE(all.size() == 3);
  CHECK(all[0].rule == "a");
  CHECK(all[0].field == "output");
  CHECK(all[0].pattern == "Worker failed to boot");
  CHECK(all[1].field == "stderr");
  CHECK(all[1].pattern == R"((?P<dir>/\S+): Permission denied)");
  CHECK(all[2].field == "spawnerr");
}
