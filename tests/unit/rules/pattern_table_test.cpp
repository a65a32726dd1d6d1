#include "rules/pattern_table.h"

#include <doctest/doctest.h>

using bootmortem::rules::PatternTable;

TEST_CASE("the set answers for every pattern in one pass; captures come from the one") {
  PatternTable t;
  std::vector<std::string> caps;
  int a = t.add("Worker failed to boot", {"x", 1}, &caps);
  int b = t.add("can't find command '(?P<cmd>[^']*)'", {"x", 2}, &caps);
  int c = t.add("^never$", {"x", 3}, &caps);
  CHECK(caps == std::vector<std::string>{"cmd"});
  t.seal();
  auto hits = t.matching("spawnerr: can't find command 'gunicorn'");
  CHECK_FALSE(hits[a]);
  CHECK(hits[b]);
  CHECK_FALSE(hits[c]);
  std::map<std::string, std::string> out;
  std::string matched;
  REQUIRE(t.captures(b, "x can't find command 'gunicorn' y", &out, &matched));
  CHECK(out["cmd"] == "gunicorn");
  CHECK(matched == "can't find command 'gunicorn'");
  CHECK_FALSE(t.captures(a, "nothing", &out));
}

TEST_CASE("an empty table matches nothing") {
  PatternTable t;
  t.seal();
  CHECK(t.matching("anything").empty());
}

TEST_CASE("RE2 rejects a pattern: input error at its origin") {
  PatternTable t;
  CHECK_THROWS_WITH_AS(t.add("(unclosed", {"net.toml", 9}, nullptr),
                       "net.toml:9: bad regex '(unclosed': missing ): (unclosed",
                       bootmortem::core::InputError);
}
