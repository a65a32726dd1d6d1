#include "rules/template.h"

#include <doctest/doctest.h>

using bootmortem::core::InputError;
using bootmortem::rules::Template;

TEST_CASE("template holes fill from scopes in order, braces escape") {
  auto t = Template::parse("HOME={home} for {user} {{literal}}", {"x.toml", 3});
  CHECK(t.names() == std::vector<std::string>{"home", "user"});
  std::map<std::string, std::string> captures{{"home", "/root"}};
  std::map<std::string, std::string> values{{"home", "/ignored"}, {"user", "cissoid"}};
  CHECK(t.fill({&captures, &values}) == "HOME=/root for cissoid {literal}");
}

TEST_CASE("a name filled by no scope leaves nothing") {
  auto t = Template::parse("[{missing}]", {"x.toml", 1});
  std::map<std::string, std::string> none;
  CHECK(t.fill({&none}) == "[]");
}

TEST_CASE("malformed templates are input errors at the template's line") {
  CHECK_THROWS_WITH_AS(Template::parse("a {b", {"r.toml", 7}),
                       "r.toml:7: unclosed '{' in template (write '{{' for a brace)", InputError);
  CHECK_THROWS_WITH_AS(Template::parse("a } b", {"r.toml", 7}),
                       "r.toml:7: unmatched '}' in template (write '}}' for a brace)", InputError);
  CHECK_THROWS_WITH_AS(Template::parse("{}", {"r.toml", 2}), "r.toml:2: bad template name '{}'",
                       InputError);
  CHECK_THROWS_WITH_AS(Template::parse("{a b}", {"r.toml", 2}),
                       "r.toml:2: bad template name '{a b}'", InputError);
}
