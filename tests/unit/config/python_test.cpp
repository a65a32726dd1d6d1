// Expected values produced by Python 3.11 itself (shlex.split, repr, int,
// os.path) on the same inputs.
#include <doctest/doctest.h>

#include "config/python.h"

using namespace bootmortem::config;
using V = std::vector<std::string>;

TEST_CASE("shlex_split: POSIX mode as supervisord splits command=") {
  CHECK(shlex_split("/bin/echo hello world") == V{"/bin/echo", "hello", "world"});
  CHECK(shlex_split("  a   b  ") == V{"a", "b"});
  CHECK(shlex_split("/bin/echo \"a b\" c") == V{"/bin/echo", "a b", "c"});
  CHECK(shlex_split("a 'b c' d") == V{"a", "b c", "d"});
  CHECK(shlex_split("a\\ b") == V{"a b"});
  CHECK(shlex_split("\"a\\\"b\"") == V{"a\"b"});
  CHECK(shlex_split("'a\\b'") == V{"a\\b"});
  CHECK(shlex_split("\"a\\b\"") == V{"a\\b"});
  CHECK(shlex_split("\"a\\\\b\"") == V{"a\\b"});
  CHECK(shlex_split("a\"b\"c") == V{"abc"});
  CHECK(shlex_split("''") == V{""});
  CHECK(shlex_split("\"\"") == V{""});
  CHECK(shlex_split("a \"\" b") == V{"a", "", "b"});
  CHECK(shlex_split("/bin/date +%s") == V{"/bin/date", "+%s"});
  CHECK(shlex_split("a # b") == V{"a", "#", "b"});
  CHECK(shlex_split("x$HOME|y>z") == V{"x$HOME|y>z"});
  CHECK(shlex_split("café \"é x\"") == V{"café", "é x"});
  CHECK(shlex_split("a\tb\nc") == V{"a", "b", "c"});
  CHECK_THROWS_WITH_AS(shlex_split("\"unterminated"), "No closing quotation", std::invalid_argument);
  CHECK_THROWS_WITH_AS(shlex_split("'open"), "No closing quotation", std::invalid_argument);
  CHECK_THROWS_WITH_AS(shlex_split("trailing\\"), "No escaped character", std::invalid_argument);
  CHECK_THROWS_WITH_AS(shlex_split("/bin/echo \"a"), "No closing quotation", std::invalid_argument);
  CHECK(shlex_split("a\\\nb") == V{"a\nb"});
}

TEST_CASE("py_repr: as %r prints a str") {
  CHECK(py_repr("abc") == "'abc'");
  CHECK(py_repr("it's") == "\"it's\"");
  CHECK(py_repr("say \"hi\"") == "'say \"hi\"'");
  CHECK(py_repr("both ' and \"") == "'both \\' and \"'");
  CHECK(py_repr("tab\there") == "'tab\\there'");
  CHECK(py_repr("nl\n") == "'nl\\n'");
  CHECK(py_repr("back\\slash") == "'back\\\\slash'");
  CHECK(py_repr("café") == "'café'");
  CHECK(py_repr(" ­") == "'\\x85\\xa0\\xad'");
  CHECK(py_repr("\x01""\x7f""") == "'\\x01\\x7f'");
  CHECK(py_repr(" ") == "'\\u2028'");
  CHECK(py_repr("") == "''");
}

TEST_CASE("py_int: int(s) and int(s, 8)") {
  CHECK(py_int("12") == 12LL);
  CHECK(py_int(" 12 ") == 12LL);
  CHECK(py_int("+5") == 5LL);
  CHECK(py_int("-5") == -5LL);
  CHECK(py_int("1_000") == 1000LL);
  CHECK_FALSE(py_int("1__0").has_value());
  CHECK_FALSE(py_int("_1").has_value());
  CHECK_FALSE(py_int("1_").has_value());
  CHECK_FALSE(py_int("0x10").has_value());
  CHECK_FALSE(py_int("").has_value());
  CHECK_FALSE(py_int("abc").has_value());
  CHECK(py_int("007") == 7LL);
  CHECK_FALSE(py_int("1 2").has_value());
  CHECK(py_int("\t42\n") == 42LL);
  CHECK(py_int("022", 8) == 18LL);
  CHECK(py_int("22", 8) == 18LL);
  CHECK(py_int("0o22", 8) == 18LL);
  CHECK(py_int("0O7", 8) == 7LL);
  CHECK(py_int("0o_7", 8) == 7LL);
  CHECK_FALSE(py_int("8", 8).has_value());
  CHECK_FALSE(py_int("0x1", 8).has_value());
  CHECK(py_int("-7", 8) == -7LL);
  CHECK(py_int("077 ", 8) == 63LL);
  CHECK_THROWS_WITH_AS(py_int_or_throw("zz"), "invalid literal for int() with base 10: 'zz'", ValueError);
}

TEST_CASE("os.path dirname/join/expanduser, textually") {
  CHECK(py_dirname("a//b") == "a");
  CHECK(py_dirname("/a") == "/");
  CHECK(py_dirname("a") == "");
  CHECK(py_dirname("") == "");
  CHECK(py_dirname("//x") == "//");
  CHECK(py_dirname("a/b/") == "a/b");
  CHECK(py_dirname("/usr/bin/supervisord") == "/usr/bin");
  CHECK(py_dirname("/") == "/");
  CHECK(py_join("", "etc") == "etc");
  CHECK(py_join("/a/", "b") == "/a/b");
  CHECK(py_join("/a", "/b") == "/b");
  CHECK(py_join("a//", "b") == "a//b");
  CHECK(py_join("/", "x") == "/x");
  CHECK(py_expanduser("~/x", std::string("/root")) == "/root/x");
  CHECK(py_expanduser("~", std::string("/home/u/")) == "/home/u");
  CHECK(py_expanduser("a~/x", std::string("/root")) == "a~/x");
}

TEST_CASE("str helpers: strip, split, lower on code points") {
  CHECK(py_strip("\xc2\xa0 x \t\n") == "x");  // U+00A0 is whitespace to Python
  CHECK(py_split(" a\tb\n c ") == V{"a", "b", "c"});
  CHECK(py_lower("COMMAND") == "command");
  CHECK(utf8_encode(utf8_decode("caf\xc3\xa9 \xff")) == "caf\xc3\xa9 \xff");  // bad bytes survive
}
