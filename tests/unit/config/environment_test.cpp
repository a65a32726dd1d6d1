// All 39 tokeniser cases recorded from Debian's supervisor 4.2.5
// (fixtures/supervisor-4.2.5/environment-parser-4.2.5.txt), expected values
// copied from that file.
#include <doctest/doctest.h>

#include "config/environment.h"
#include "config/python.h"

using namespace bootmortem::config;

namespace {

struct Case {
  const char* input;
  std::vector<std::pair<std::string, std::string>> env;
  const char* error;  // "" when the value parses
};

const std::vector<Case> kFixture425{
    {"A=1,B=2", {{"A", "1"}, {"B", "2"}}, ""},
    {" A = 1 , B = 2 ", {{"A", "1"}, {"B", "2"}}, ""},
    {"PATH=/usr/local/bin:/usr/bin,HOME=/home/appuser", {{"PATH", "/usr/local/bin:/usr/bin"}, {"HOME", "/home/appuser"}}, ""},
    {"KEY=\"val,with,commas\",K2=x", {{"KEY", "val,with,commas"}, {"K2", "x"}}, ""},
    {"A='single quoted',B=\"double quoted\"", {{"A", "single quoted"}, {"B", "double quoted"}}, ""},
    {"A=\"\"", {{"A", ""}}, ""},
    {"A=", {}, "Unexpected end of key/value pairs in value 'A='"},
    {"A=hello world", {{"A", "hello"}}, ""},
    {"A=hello world,B=2", {}, "Unexpected end of key/value pairs in value 'A=hello world,B=2'"},
    {"A=1 B=2", {}, "Unexpected end of key/value pairs in value 'A=1 B=2'"},
    {"A=1;B=2", {{"A", "1"}, {"B", "2"}}, ""},
    {"A=1 junk B=2", {{"A", "1"}, {"B", "2"}}, ""},
    {"A=1,", {{"A", "1"}}, ""},
    {",A=1", {}, "Unexpected end of key/value pairs in value ',A=1'"},
    {"A=1,,B=2", {}, "Unexpected end of key/value pairs in value 'A=1,,B=2'"},
    {"A=1,A=2", {{"A", "2"}}, ""},
    {"A=user@host", {}, "Unexpected end of key/value pairs in value 'A=user@host'"},
    {"A=\"user@host\"", {{"A", "user@host"}}, ""},
    {"A=a=b", {}, "Unexpected end of key/value pairs in value 'A=a=b'"},
    {"A=\"a=b\"", {{"A", "a=b"}}, ""},
    {"A=foo#bar,B=2", {{"A", "foo"}}, ""},
    {"A=\"foo#bar\",B=2", {{"A", "foo#bar"}, {"B", "2"}}, ""},
    {"A=$HOME/x", {{"A", "$"}}, ""},
    {"A=\"$HOME/x\"", {{"A", "$HOME/x"}}, ""},
    {"A=café", {{"A", "caf"}}, ""},
    {"A=\"it's\"", {{"A", "it's"}}, ""},
    {"A=\"a\\\"b\"", {{"A", "a\\"}}, ""},
    {"A='x\"y'", {{"A", "x\"y"}}, ""},
    {"\"QK\"=1", {{"\"QK\"", "1"}}, ""},
    {"A=\"x\" y", {{"A", "x"}}, ""},
    {"JAVA_OPTS=-Xmx1g -Dfoo=bar", {}, "Unexpected end of key/value pairs in value 'JAVA_OPTS=-Xmx1g -Dfoo=bar'"},
    {"JAVA_OPTS=\"-Xmx1g -Dfoo=bar\"", {{"JAVA_OPTS", "-Xmx1g -Dfoo=bar"}}, ""},
    {"A=1,\nB=2", {{"A", "1"}, {"B", "2"}}, ""},
    {"A=1\nB=2", {}, "Unexpected end of key/value pairs in value 'A=1\nB=2'"},
    {"A=~/x", {{"A", "~"}}, ""},
    {"A=*.py", {{"A", "*"}}, ""},
    {"A=http://h:80/p?q=1", {{"A", "http://h:80/p"}, {"q", "1"}}, ""},
    {"A=\"http://h:80/p?q=1\"", {{"A", "http://h:80/p?q=1"}}, ""},
    {"A=x\\ y", {}, "Unexpected end of key/value pairs in value 'A=x\\ y'"},
};

}  // namespace

TEST_CASE("environment: the 39 recorded 4.2.5 cases") {
  CHECK(kFixture425.size() == 39);
  for (const auto& c : kFixture425) {
    CAPTURE(std::string(c.input));
    if (*c.error) {
      CHECK_THROWS_WITH_AS(dict_of_key_value_pairs(c.input), c.error, ValueError);
    } else {
      const auto env = dict_of_key_value_pairs(c.input);
      CHECK(env.entries() == c.env);
    }
  }
}

TEST_CASE("environment: a quote the INI layer cut off is shlex's error") {
  // environment=A="x #y",B=2 reaches the parser as A="x (fixture q2).
  CHECK_THROWS_WITH_AS(dict_of_key_value_pairs("A=\"x"), "No closing quotation", ValueError);
}

TEST_CASE("environment: legacy shlex quirks beyond the fixture") {
  // A '#' inside a word skips to the end of the line and the word goes on.
  CHECK(dict_of_key_value_pairs("A=foo#bar\nB,C=1").entries() ==
        std::vector<std::pair<std::string, std::string>>{{"A", "fooB"}, {"C", "1"}});
  // Quotes inside a word are part of it; strip('\'"') only trims the ends.
  CHECK(dict_of_key_value_pairs("A=x\"y\"").get("A") == "x\"y");
  CHECK(dict_of_key_value_pairs("").empty());
  // A later key keeps the first one's place, like dict.update.
  CHECK(dict_of_key_value_pairs("A=1,B=2,A=3").entries() ==
        std::vector<std::pair<std::string, std::string>>{{"A", "3"}, {"B", "2"}});
}
