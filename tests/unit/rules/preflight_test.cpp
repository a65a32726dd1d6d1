// The preflight condition: a rule matches a pre-flight item of its check,
// its templates take the item's values, and the finding's location is the
// item's config line.
#include <doctest/doctest.h>

#include "rules/loader.h"
#include "rules/matcher.h"
#include "seed_evidence.h"

using namespace bootmortem;

namespace {

const char* k_rule =
    "[[rule]]\nid = \"typo\"\ntitle = \"T\"\nfamily = \"preflight\"\nconfidence = 0.9\n"
    "preflight = \"unknown-key-typo\"\ncause = \"{key} is not {suggestion} in [{section}]\"\nfix = \"f\"\n";

std::vector<rules::Finding> run(const std::string& toml, const evidence::Evidence& ev) {
  rules::PatternTables tables;
  auto rs = rules::load_rules(toml, "t.toml", tables);
  tables.seal();
  return rules::match_rules(rs, tables, ev);
}

}  // namespace

TEST_CASE("a preflight rule matches an item of its check and takes its line and values") {
  auto ev = testing::base_evidence();
  CHECK(run(k_rule, ev).empty());
  ev.preflight.push_back(
      {"unknown-key-typo", {"/etc/supervisor/conf.d/app.conf", 19}, true, {{"key", "enviroment"}, {"suggestion", "environment"}}});
  const auto f = run(k_rule, ev);
  REQUIRE(f.size() == 1);
  CHECK(f[0].cause == "enviroment is not environment in [program:test_server]");
  CHECK(f[0].location.str() == "/etc/supervisor/conf.d/app.conf:19");
  ev.preflight.front().check = "unknown-key";
  CHECK(run(k_rule, ev).empty());
}

TEST_CASE("an unknown check, or a hole its check does not fill, is a load error") {
  rules::PatternTables tables;
  CHECK_THROWS_WITH_AS(rules::load_rules("[[rule]]\nid = \"x\"\ntitle = \"T\"\nfamily = \"p\"\nconfidence = 0.9\n"
                                         "preflight = \"no-such-check\"\ncause = \"c\"\nfix = \"f\"\n",
                                         "t.toml", tables),
                       doctest::Contains("t.toml:6: rule 'x': unknown pre-flight check 'no-such-check'"),
                       core::InputError);
  CHECK_THROWS_WITH_AS(rules::load_rules("[[rule]]\nid = \"x\"\ntitle = \"T\"\nfamily = \"p\"\nconfidence = 0.9\n"
                                         "preflight = \"user-missing\"\ncause = \"{suggestion}\"\nfix = \"f\"\n",
                                         "t.toml", tables),
                       doctest::Contains("template names '{suggestion}'"), core::InputError);
}
