// The INI layer, checked against Python 3.11's configparser configured as
// supervisor's UnhosedConfigParser (expected values printed by it).
#include <doctest/doctest.h>

#include "config/ini.h"

using namespace bootmortem;
using namespace bootmortem::config;

namespace {

IniDocument parse(const std::string& text) {
  IniDocument doc;
  doc.read(text, "x.conf");
  return doc;
}

std::string value(const IniDocument& doc, const std::string& section, const std::string& key) {
  const IniValue* v = doc.get(section, key);
  return v ? v->value : "<none>";
}

}  // namespace

TEST_CASE("ini: inline comments need whitespace before them") {
  CHECK(value(parse("[a]\nk=x;y #z\n"), "a", "k") == "x;y");
  CHECK(value(parse("[a]\nk=;x\n"), "a", "k") == ";x");
  CHECK(value(parse("[a]\nk=/bin/echo \"a ; b\"\n"), "a", "k") == "/bin/echo \"a");
  // The search runs in rounds per prefix, so the first ';' with a blank before
  // it wins over a later-found '#': "a#b #c ;d" keeps "#c".
  CHECK(value(parse("[a]\nk=a#b #c ;d\n"), "a", "k") == "a#b #c");
}

TEST_CASE("ini: delimiters, key case, headers") {
  const auto doc = parse("[a]\nK : v : w\nk2=v=w\nCOMMAND = x\n");
  CHECK(value(doc, "a", "k") == "v : w");
  CHECK(value(doc, "a", "k2") == "v=w");
  CHECK(value(doc, "a", "command") == "x");
  // A header runs from '[' to the last ']'.
  const auto odd = parse("[a] trailing]\nk=1\n[b]]\nk=2\n");
  CHECK(odd.sections() == std::vector<std::string>{"a] trailing", "b]"});
  // Section names are case-sensitive.
  CHECK(parse("[Program:x]\n").sections() == std::vector<std::string>{"Program:x"});
}

TEST_CASE("ini: continuation lines") {
  CHECK(value(parse("[a]\nk = v1\n\n  cont\n\n\nj=2\n"), "a", "k") == "v1\n\ncont");
  CHECK(value(parse("[a]\nk=\n  x\n  ; comment\n  y\n"), "a", "k") == "\nx\ny");
  CHECK(value(parse("[a]\nk=v\n  [b]\n"), "a", "k") == "v\n[b]");
  const auto indented = parse("  [a]\n  k=1\n   j=2\n");
  CHECK(value(indented, "a", "k") == "1\nj=2");
  // Universal newlines, as supervisord opens the file in text mode.
  const auto crlf = parse("[a]\r\nk=1\r\nj=2\rm=3\n");
  CHECK(value(crlf, "a", "j") == "2");
  CHECK(value(crlf, "a", "m") == "3");
}

TEST_CASE("ini: duplicates merge, later key wins, first header is the origin") {
  const auto doc = parse("[a]\nk=1\nj=1\n[b]\n[a]\nk=2\n");
  CHECK(value(doc, "a", "k") == "2");
  CHECK(value(doc, "a", "j") == "1");
  CHECK(doc.sections() == std::vector<std::string>{"a", "b"});
  CHECK(doc.section("a")->origin.line == 1);
  CHECK(doc.get("a", "k")->origin.str() == "x.conf:6");
}

TEST_CASE("ini: [DEFAULT] is inherited by every section") {
  auto doc = parse("[DEFAULT]\nd=1\n[a]\nk=%(here)s\n[DEFAULT]\ne=2\n[a]\nk2=3\n");
  CHECK(doc.sections() == std::vector<std::string>{"a"});
  CHECK(value(doc, "a", "d") == "1");
  CHECK(value(doc, "a", "e") == "2");
  CHECK(doc.options("a") == std::vector<std::string>{"k", "k2", "d", "e"});
  CHECK(doc.get("a", "e")->origin.line == 6);
}

TEST_CASE("ini: expand_here replaces the text in section and inherited values") {
  auto doc = parse("[DEFAULT]\nd=%(here)s/x\n[a]\nk=%(here)s %%(here)s\n");
  doc.expand_here("/etc/sv");
  CHECK(value(doc, "a", "k") == "/etc/sv %/etc/sv");
  CHECK(value(doc, "a", "d") == "/etc/sv/x");
  CHECK(doc.defaults().find("d")->value == "%(here)s/x");  // DEFAULT itself keeps it
  CHECK(doc.get("a", "d")->origin.line == 2);
}

TEST_CASE("ini: errors in configparser's words, with the line") {
  CHECK_THROWS_WITH_AS(parse("command=/bin/true\n[supervisord]\n"),
                       "x.conf:1: File contains no section headers.\nfile: 'x.conf', line: 1\n'command=/bin/true\\n'",
                       core::InputError);
  CHECK_THROWS_WITH_AS(parse("[]\n"), "x.conf:1: File contains no section headers.\nfile: 'x.conf', line: 1\n'[]\\n'",
                       core::InputError);
  CHECK_THROWS_WITH_AS(parse("[a]\n=x\n"), "x.conf:2: Source contains parsing errors: 'x.conf'\n\t[line  2]: '=x\\n'",
                       core::InputError);
  CHECK_THROWS_WITH_AS(parse("[a]\nok=1\nbad\n\n\n\n\n\n\n\n\nworse"),
                       "x.conf:3: Source contains parsing errors: 'x.conf'\n\t[line  3]: 'bad\\n'\n\t[line 12]: 'worse'",
                       core::InputError);
  try {
    parse("[a]\nbad line\n");
  } catch (const core::InputError& e) {
    CHECK(e.origin().line == 2);
    CHECK(e.origin().file == "x.conf");
  }
}

TEST_CASE("ini: reading a second file merges into the first") {
  IniDocument doc;
  doc.read("[a]\nk=1\n", "main.conf");
  doc.read("[a]\nk=2\n[b]\nj=3\n", "inc.conf");
  CHECK(value(doc, "a", "k") == "2");
  CHECK(doc.get("a", "k")->origin.str() == "inc.conf:2");
  CHECK(doc.section("a")->origin.file == "main.conf");
  CHECK(doc.section("b")->origin.file == "inc.conf");
}
